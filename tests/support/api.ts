import { rmSync } from 'node:fs';
import type { RunningServer } from '../../server/src/server.ts';
import { createServer } from '../../server/src/server.ts';
import { tempDataDir } from './server.ts';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
}

/** An in-process server driven through real HTTP semantics (fastify inject) for fast API tests. */
export class TestApi {
  private constructor(
    readonly server: RunningServer,
    readonly dataDir: string,
  ) {}

  static async start(overrides: Parameters<typeof createServer>[0] = {}): Promise<TestApi> {
    const dataDir = overrides.dataDir ?? tempDataDir();
    const server = await createServer({ dataDir, logLevel: 'silent', webDist: '/nonexistent', ...overrides });
    await server.app.ready();
    return new TestApi(server, dataDir);
  }

  async request<T = any>(method: string, url: string, options: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let payload: string | undefined;
    if (options.rawBody !== undefined) {
      payload = options.rawBody;
      headers['content-type'] ??= 'application/json';
    } else if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const res = await this.server.app.inject({ method: method as never, url, headers, payload });
    let body: any = res.body;
    if ((res.headers['content-type'] ?? '').toString().includes('json') && res.body) body = JSON.parse(res.body);
    return { status: res.statusCode, body, headers: res.headers };
  }

  get = <T = any>(url: string, token?: string) => this.request<T>('GET', url, { token });
  post = <T = any>(url: string, body: unknown, token?: string) => this.request<T>('POST', url, { token, body });
  patch = <T = any>(url: string, body: unknown, token?: string) => this.request<T>('PATCH', url, { token, body });
  put = <T = any>(url: string, body: unknown, token?: string) => this.request<T>('PUT', url, { token, body });
  delete = <T = any>(url: string, token?: string) => this.request<T>('DELETE', url, { token });

  /** Sign up a fresh tenant and return its owner's token and ids. */
  async signup(name = 'Owner', tenantName = 'Acme') {
    const email = `${name.toLowerCase().replace(/\W/g, '')}-${Math.random().toString(36).slice(2)}@example.com`;
    const res = await this.post('/api/v1/auth/signup', { email, password: 'correct-horse-1', name, tenantName });
    if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { token: res.body.token as string, userId: res.body.user.id as string, tenantId: res.body.tenant.id as string, email };
  }

  async close() {
    await this.server.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
