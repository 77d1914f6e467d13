import type { FastifyInstance } from 'fastify';

/** A step of an install that the public API refused; the install is rolled back and reports it. */
export class InstallStepError extends Error {
  constructor(
    readonly step: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    const detail = body && typeof body === 'object' ? ((body as { title?: string; code?: string }).title ?? (body as { code?: string }).code) : undefined;
    super(`${step}: ${status}${detail ? ` ${detail}` : ''}`);
    this.name = 'InstallStepError';
  }
}

/**
 * Calls the public API in-process with the installing admin's own credentials, so a template install goes
 * through exactly the validation, permission checks, hooks and audit entries a person's requests do.
 */
export class ApiClient {
  calls = 0;

  constructor(
    private readonly app: FastifyInstance,
    private readonly authorization: string,
  ) {}

  async call<T = Record<string, unknown>>(step: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<T> {
    this.calls++;
    const headers: Record<string, string> = { authorization: this.authorization };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.app.inject({ method, url, headers, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) });
    const parsed = res.body && String(res.headers['content-type'] ?? '').includes('json') ? JSON.parse(res.body) : res.body;
    if (res.statusCode >= 400) throw new InstallStepError(step, res.statusCode, parsed);
    return parsed as T;
  }
}
