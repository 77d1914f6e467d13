import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { deleteRedisKeys, redisReachable, runRedisTests, TEST_REDIS_URL } from '../support/redis.ts';
import { addMember, waitFor } from '../support/org.ts';

const REDIS_URL = TEST_REDIS_URL;
const prefix = `qiao-test-wf-${process.pid}-${Date.now()}`;
let api: TestApi;
let redisUp = true;

beforeAll(async () => {
  redisUp = await redisReachable(REDIS_URL);
  if (!runRedisTests(redisUp)) return;
  api = await TestApi.start({ redisUrl: REDIS_URL, queuePrefix: prefix });
});

afterAll(async () => {
  await api?.close();
  if (redisUp) await deleteRedisKeys(prefix, REDIS_URL);
});

describe('workflow on BullMQ', () => {
  it('advances a countersign exactly once under concurrent approvals and fires timers through Redis', async (ctx) => {
    if (!runRedisTests(redisUp)) ctx.skip();
    expect(api.server.services.queue.kind).toBe('bullmq');
    const owner = await api.signup('Owner', 'Bull');
    const a = await addMember(api, owner.token, owner.tenantId, 'Alpha');
    const b = await addMember(api, owner.token, owner.tenantId, 'Beta');
    const app = await api.post('/api/v1/apps', { name: 'OA' }, owner.token);
    const form = await api.post(`/api/v1/apps/${app.body.id}/forms`, { name: 'Req', fields: [{ id: 'n', type: 'number', label: 'N' }] }, owner.token);
    const flow = {
      nodes: [
        { id: 'start', type: 'start', data: {}, position: { x: 0, y: 0 } },
        { id: 'both', type: 'approval', data: { name: 'Both', assignees: [{ kind: 'member', ids: [a.id, b.id] }], mode: 'all' }, position: { x: 0, y: 0 } },
        { id: 'wait', type: 'approval', data: { name: 'Wait', assignees: [{ kind: 'member', ids: [a.id] }], timeout: { after: 'PT1S', then: 'approve' } }, position: { x: 0, y: 0 } },
        { id: 'end', type: 'end', data: {}, position: { x: 0, y: 0 } },
      ],
      edges: [
        { id: '1', source: 'start', target: 'both' },
        { id: '2', source: 'both', target: 'wait' },
        { id: '3', source: 'wait', target: 'end' },
      ],
    };
    await api.put(`/api/v1/forms/${form.body.id}/workflow`, flow, owner.token);
    expect((await api.post(`/api/v1/forms/${form.body.id}/workflow/publish`, {}, owner.token)).status).toBe(201);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await api.post(`/api/v1/forms/${form.body.id}/records`, { data: { n: i } }, owner.token)).body.instance.id);
    const ta = (await api.get('/api/v1/tasks?box=todo', a.token)).body.items;
    const tb = (await api.get('/api/v1/tasks?box=todo', b.token)).body.items;
    const results = await Promise.all([...ta.map((t: { id: string }) => api.post(`/api/v1/tasks/${t.id}/actions`, { action: 'approve' }, a.token)), ...tb.map((t: { id: string }) => api.post(`/api/v1/tasks/${t.id}/actions`, { action: 'approve' }, b.token))]);
    expect(results.every((r) => r.status === 200)).toBe(true);
    for (const id of ids) {
      const inst = await waitFor(async () => {
        const res = await api.get(`/api/v1/instances/${id}`, owner.token);
        return res.body.status === 'approved' ? res.body : null;
      }, 20_000, `instance ${id} approved by timer`);
      expect(inst.tasks.filter((t: { nodeId: string }) => t.nodeId === 'wait')).toHaveLength(1);
      expect(inst.log.filter((l: { kind: string }) => l.kind === 'finished')).toHaveLength(1);
    }
  });
});
