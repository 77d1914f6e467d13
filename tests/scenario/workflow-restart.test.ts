import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { deleteRedisKeys } from '../support/redis.ts';
import { startServer, tempDataDir, type SpawnedServer } from '../support/server.ts';
import { waitFor } from '../support/org.ts';

const dataDir = tempDataDir('qiao-wf-restart-');
let server: SpawnedServer | undefined;
const queues: [string, Record<string, string>][] = [
  ['inline queue', {}],
  ['BullMQ', { REDIS_URL: 'redis://127.0.0.1:6379', QIAO_QUEUE_PREFIX: `qiao-test-restart-${process.pid}-${Date.now()}` }],
];

afterAll(async () => {
  await server?.stop({ keepData: true });
  rmSync(dataDir, { recursive: true, force: true });
  await deleteRedisKeys(queues[1][1].QIAO_QUEUE_PREFIX);
});

async function call(base: string, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}


describe.each(queues)('workflow timers across a crash (%s)', (_name, env) => {
  it('a timer due while the server was down fires once, right after start', async () => {
    rmSync(dataDir, { recursive: true, force: true });
    server = await startServer({ dataDir, env });
    const signup = await call(server.url, 'POST', '/api/v1/auth/signup', { email: 'timer@example.com', password: 'timer-password', name: 'T', tenantName: 'Timers' });
    const token = signup.body.token;
    const app = await call(server.url, 'POST', '/api/v1/apps', { name: 'OA' }, token);
    const form = await call(server.url, 'POST', `/api/v1/apps/${app.body.id}/forms`, { name: 'Leave', fields: [{ id: 'days', type: 'number', label: 'Days' }] }, token);
    const flow = {
      nodes: [
        { id: 'start', type: 'start', data: {}, position: { x: 0, y: 0 } },
        { id: 'boss', type: 'approval', data: { name: 'Boss', assignees: [{ kind: 'initiator' }], timeout: { after: 'PT2S', then: 'approve' } }, position: { x: 0, y: 0 } },
        { id: 'end', type: 'end', data: {}, position: { x: 0, y: 0 } },
      ],
      edges: [
        { id: 'a', source: 'start', target: 'boss' },
        { id: 'b', source: 'boss', target: 'end' },
      ],
    };
    expect((await call(server.url, 'PUT', `/api/v1/forms/${form.body.id}/workflow`, flow, token)).status).toBe(200);
    expect((await call(server.url, 'POST', `/api/v1/forms/${form.body.id}/workflow/publish`, {}, token)).status).toBe(201);
    const record = await call(server.url, 'POST', `/api/v1/forms/${form.body.id}/records`, { data: { days: 2 } }, token);
    expect(record.status).toBe(201);
    const instanceId = record.body.instance.id;
    const createdAt = Date.now();

    // Crash: no graceful shutdown, the timer is pending in the store.
    server.child.kill('SIGKILL');
    await new Promise((r) => server!.child.once('exit', r));
    // Stay down until the timer is overdue.
    while (Date.now() - createdAt < 2_500) await new Promise((r) => setTimeout(r, 100));

    server = await startServer({ dataDir, env });
    const base = server.url;
    const done = await waitFor(async () => {
      const inst = await call(base, 'GET', `/api/v1/instances/${instanceId}`, undefined, token);
      return inst.body?.status === 'approved' ? inst.body : null;
    }, 20_000, 'timer after restart');
    const timeouts = done.log.filter((l: { kind: string; actorId?: string }) => l.kind === 'task_action' && l.actorId === 'system');
    expect(timeouts).toHaveLength(1);
    await server.stop({ keepData: true });
  });
});
