import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { startServer, tempDataDir, type SpawnedServer } from '../support/server.ts';

const dataDir = tempDataDir('qiao-crash-');
let server: SpawnedServer | undefined;
afterAll(async () => {
  await server?.stop({ keepData: true });
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(base: string, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

describe('durability through the whole stack', () => {
  it('kill -9 during a burst of writes loses no acknowledged record', async () => {
    server = await startServer({ dataDir });
    const base = server.url;
    const { body } = await call(base, 'POST', '/api/v1/auth/signup', { email: 'crash@example.com', password: 'crash-password', name: 'C', tenantName: 'Crash' });
    const token = body.token;
    const app = await call(base, 'POST', '/api/v1/apps', { name: 'A' }, token);
    const form = await call(base, 'POST', `/api/v1/apps/${app.body.id}/forms`, { name: 'F', fields: [{ id: 'n', type: 'number', label: 'N', required: true }] }, token);
    const acknowledged: string[] = [];
    let stop = false;
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        try {
          const res = await call(base, 'POST', `/api/v1/forms/${form.body.id}/records`, { data: { n: w * 100_000 + i } }, token);
          if (res.status === 201) acknowledged.push(res.body.id);
        } catch {
          return; // the server died mid-request: that write was never acknowledged
        }
      }
    });
    const burstDeadline = Date.now() + 20_000;
    while (acknowledged.length < 300 && Date.now() < burstDeadline) await new Promise((r) => setTimeout(r, 5));
    
    server.child.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    await new Promise((r) => (server!.child.exitCode !== null || server!.child.signalCode !== null ? r(null) : server!.child.once("exit", r)));

    server = await startServer({ dataDir });
    const login = await call(server.url, 'POST', '/api/v1/auth/login', { email: 'crash@example.com', password: 'crash-password' });
    const found = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await call(server.url, 'GET', `/api/v1/forms/${form.body.id}/records?limit=1000${cursor ? `&cursor=${cursor}` : ''}`, undefined, login.body.token);
      for (const r of page.body.items) found.add(r.id);
      cursor = page.body.nextCursor;
    } while (cursor);
    const lost = acknowledged.filter((id) => !found.has(id));
    expect(acknowledged.length).toBeGreaterThanOrEqual(300);
    expect(lost).toEqual([]);
  });

  it('runs the same server on Redis with REDIS_URL', async () => {
    const redisServer = await startServer({ dataDir: tempDataDir('qiao-redis-'), env: { REDIS_URL: 'redis://127.0.0.1:6379', QIAO_QUEUE_PREFIX: `qiao-test-start-${process.pid}` } });
    try {
      const health = await call(redisServer.url, 'GET', '/api/v1/health');
      expect(health.body).toMatchObject({ status: 'ok', queue: 'bullmq', store: 'embedded' });
      const signup = await call(redisServer.url, 'POST', '/api/v1/auth/signup', { email: 'r@example.com', password: 'redis-password', name: 'R', tenantName: 'R' });
      expect(signup.status).toBe(201);
    } finally {
      await redisServer.stop();
    }
  });
});
