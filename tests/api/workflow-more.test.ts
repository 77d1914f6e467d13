import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { addMember, waitFor } from '../support/org.ts';
import { TenantDb } from '../../server/src/platform/tenant-db.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(async () => {
  await api?.close();
});

const pos = { x: 0, y: 0 };
const todo = async (token: string) => (await api.get('/api/v1/tasks?box=todo', token)).body;

async function form(owner: { token: string }, appId: string, name: string, fields: unknown[]) {
  const res = await api.post(`/api/v1/apps/${appId}/forms`, { name, fields }, owner.token);
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function publish(owner: { token: string }, formId: string, definition: unknown) {
  await api.put(`/api/v1/forms/${formId}/workflow`, definition, owner.token);
  const res = await api.post(`/api/v1/forms/${formId}/workflow/publish`, {}, owner.token);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

describe('cc, subprocesses, delegation and hand-over', () => {
  it('copies the record to cc members without blocking, with the node’s field permissions', async () => {
    const owner = await api.signup('Owner', 'CC');
    const reader = await addMember(api, owner.token, owner.tenantId, 'Reader');
    const app = (await api.post('/api/v1/apps', { name: 'OA' }, owner.token)).body.id;
    const formId = await form(owner, app, 'Notice', [
      { id: 'title', type: 'text', label: 'Title' },
      { id: 'salary', type: 'number', label: 'Salary' },
    ]);
    await publish(owner, formId, {
      nodes: [
        { id: 's', type: 'start', data: {}, position: pos },
        { id: 'cc', type: 'cc', data: { name: 'Inform', assignees: [{ kind: 'member', ids: [reader.id] }], fieldPermissions: { salary: 'hidden' } }, position: pos },
        { id: 'e', type: 'end', data: {}, position: pos },
      ],
      edges: [
        { id: '1', source: 's', target: 'cc' },
        { id: '2', source: 'cc', target: 'e' },
      ],
    });
    const rec = await api.post(`/api/v1/forms/${formId}/records`, { data: { title: 'Hello', salary: 9000 } }, owner.token);
    expect(rec.body.instance.status).toBe('approved');
    const cc = await api.get('/api/v1/tasks?box=cc', reader.token);
    expect(cc.body.total).toBe(1);
    expect(cc.body.items[0]).toMatchObject({ instanceId: rec.body.instance.id, nodeName: 'Inform' });
    const seen = await api.get(`/api/v1/instances/${rec.body.instance.id}`, reader.token);
    expect(seen.status).toBe(200);
    expect(seen.body.record.data.title).toBe('Hello');
    expect(seen.body.record.data.salary).toBeUndefined();
  });

  it('waits for a subprocess and takes its outcome; a rejected child rejects the parent', async () => {
    const owner = await api.signup('Owner', 'Sub');
    const boss = await addMember(api, owner.token, owner.tenantId, 'Boss');
    const app = (await api.post('/api/v1/apps', { name: 'OA' }, owner.token)).body.id;
    const childForm = await form(owner, app, 'Purchase', [{ id: 'what', type: 'text', label: 'What' }]);
    const parentForm = await form(owner, app, 'Project', [{ id: 'name', type: 'text', label: 'Name' }]);
    await publish(owner, childForm, {
      nodes: [
        { id: 's', type: 'start', data: {}, position: pos },
        { id: 'ok', type: 'approval', data: { name: 'Boss', assignees: [{ kind: 'member', ids: [boss.id] }] }, position: pos },
        { id: 'e', type: 'end', data: {}, position: pos },
      ],
      edges: [
        { id: '1', source: 's', target: 'ok' },
        { id: '2', source: 'ok', target: 'e' },
      ],
    });
    await publish(owner, parentForm, {
      nodes: [
        { id: 's', type: 'start', data: {}, position: pos },
        { id: 'sub', type: 'subprocess', data: { name: 'Buy', formId: childForm, mapping: { what: 'name' } }, position: pos },
        { id: 'e', type: 'end', data: {}, position: pos },
      ],
      edges: [
        { id: '1', source: 's', target: 'sub' },
        { id: '2', source: 'sub', target: 'e' },
      ],
    });
    const approveRun = await api.post(`/api/v1/forms/${parentForm}/records`, { data: { name: 'Laptop' } }, owner.token);
    const childTask = await waitFor(async () => (await todo(boss.token)).items[0], 15_000, 'child task');
    const childRecord = await api.get(`/api/v1/forms/${childForm}/records/${childTask.recordId}`, owner.token);
    expect(childRecord.body.data.what).toBe('Laptop');
    await api.post(`/api/v1/tasks/${childTask.id}/actions`, { action: 'approve' }, boss.token);
    await waitFor(async () => (await api.get(`/api/v1/instances/${approveRun.body.instance.id}`, owner.token)).body.status === 'approved', 15_000, 'parent approved');

    const rejectRun = await api.post(`/api/v1/forms/${parentForm}/records`, { data: { name: 'Yacht' } }, owner.token);
    const second = await waitFor(async () => (await todo(boss.token)).items[0], 15_000, 'second child task');
    await api.post(`/api/v1/tasks/${second.id}/actions`, { action: 'reject' }, boss.token);
    await waitFor(async () => (await api.get(`/api/v1/instances/${rejectRun.body.instance.id}`, owner.token)).body.status === 'rejected', 15_000, 'parent rejected');
  });

  it('refuses subprocess cycles at publish', async () => {
    const owner = await api.signup('Owner', 'Cycle');
    const app = (await api.post('/api/v1/apps', { name: 'OA' }, owner.token)).body.id;
    const a = await form(owner, app, 'A', [{ id: 'x', type: 'text', label: 'X' }]);
    const b = await form(owner, app, 'B', [{ id: 'x', type: 'text', label: 'X' }]);
    const flowTo = (target: string) => ({
      nodes: [
        { id: 's', type: 'start', data: {}, position: pos },
        { id: 'sub', type: 'subprocess', data: { formId: target }, position: pos },
        { id: 'e', type: 'end', data: {}, position: pos },
      ],
      edges: [
        { id: '1', source: 's', target: 'sub' },
        { id: '2', source: 'sub', target: 'e' },
      ],
    });
    await publish(owner, a, flowTo(b));
    await api.put(`/api/v1/forms/${b}/workflow`, flowTo(a), owner.token);
    const res = await api.post(`/api/v1/forms/${b}/workflow/publish`, {}, owner.token);
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { code: string }) => e.code)).toContain('subprocess_cycle');
  });

  it('lets a delegate act for a member during the period, and hands over open tasks', async () => {
    const owner = await api.signup('Owner', 'Deleg');
    const alice = await addMember(api, owner.token, owner.tenantId, 'Alice');
    const bob = await addMember(api, owner.token, owner.tenantId, 'Bob');
    const carol = await addMember(api, owner.token, owner.tenantId, 'Carol');
    const app = (await api.post('/api/v1/apps', { name: 'OA' }, owner.token)).body.id;
    const f = await form(owner, app, 'Leave', [{ id: 'days', type: 'number', label: 'Days' }]);
    await publish(owner, f, {
      nodes: [
        { id: 's', type: 'start', data: {}, position: pos },
        { id: 'a', type: 'approval', data: { name: 'Alice', assignees: [{ kind: 'member', ids: [alice.id] }] }, position: pos },
        { id: 'e', type: 'end', data: {}, position: pos },
      ],
      edges: [
        { id: '1', source: 's', target: 'a' },
        { id: '2', source: 'a', target: 'e' },
      ],
    });
    const r1 = await api.post(`/api/v1/forms/${f}/records`, { data: { days: 1 } }, owner.token);
    const task = (await todo(alice.token)).items[0];
    expect((await api.post(`/api/v1/tasks/${task.id}/actions`, { action: 'approve' }, bob.token)).status).toBe(403);
    const now = Date.now();
    const deleg = await api.post('/api/v1/delegations', { toMemberId: bob.id, from: new Date(now - 60_000).toISOString(), to: new Date(now + 3_600_000).toISOString() }, alice.token);
    expect(deleg.status).toBe(201);
    expect((await api.post(`/api/v1/tasks/${task.id}/actions`, { action: 'approve' }, bob.token)).status).toBe(200);
    expect((await api.get(`/api/v1/instances/${r1.body.instance.id}`, owner.token)).body.status).toBe('approved');

    await api.post(`/api/v1/forms/${f}/records`, { data: { days: 2 } }, owner.token);
    expect((await api.post(`/api/v1/members/${alice.id}/handover-tasks`, { toMemberId: carol.id }, alice.token)).status).toBe(403);
    const moved = await api.post(`/api/v1/members/${alice.id}/handover-tasks`, { toMemberId: carol.id }, owner.token);
    expect(moved.body.moved).toBe(1);
    expect((await todo(alice.token)).total).toBe(0);
    expect((await todo(carol.token)).total).toBe(1);
  });

  it('a redelivered timer or step job changes nothing and never opens a task twice', async () => {
    const owner = await api.signup('Owner', 'Redeliver');
    const alice = await addMember(api, owner.token, owner.tenantId, 'Alice');
    const app = (await api.post('/api/v1/apps', { name: 'OA' }, owner.token)).body.id;
    const f = await form(owner, app, 'Leave', [{ id: 'days', type: 'number', label: 'Days' }]);
    await publish(owner, f, {
      nodes: [
        { id: 's', type: 'start', data: {}, position: pos },
        { id: 'a', type: 'approval', data: { name: 'Alice', assignees: [{ kind: 'member', ids: [alice.id] }], timeout: { after: 'PT1S', then: 'remind' } }, position: pos },
        { id: 'b', type: 'approval', data: { name: 'Again', assignees: [{ kind: 'member', ids: [alice.id] }] }, position: pos },
        { id: 'e', type: 'end', data: {}, position: pos },
      ],
      edges: [
        { id: '1', source: 's', target: 'a' },
        { id: '2', source: 'a', target: 'b' },
        { id: '3', source: 'b', target: 'e' },
      ],
    });
    const rec = await api.post(`/api/v1/forms/${f}/records`, { data: { days: 1 } }, owner.token);
    const instanceId = rec.body.instance.id;
    const col = api.server.services.store.collection('wf_instances');
    // Wait for the reminder timer to fire once, then deliver the same timer again under a new job id.
    const fired = await waitFor(async () => {
      const doc = await col.findOne({ _id: instanceId });
      const state = doc?.state as { timers: unknown[]; log: { kind: string }[] } | undefined;
      return state && state.timers.length === 0 ? doc : null;
    }, 15_000, 'reminder fired');
    const firedState = fired.state as { transition: number; timers: unknown[]; nodeVisits: { id: string }[] };
    const stateBefore = JSON.stringify((await col.findOne({ _id: instanceId }))!.state);
    const timerLog = (fired.state as { log: { detail?: { timerId?: string } }[] }).log.find((l) => l.detail?.timerId);
    expect(timerLog?.detail?.timerId).toBeTruthy();
    const timerId = timerLog!.detail!.timerId!;
    // What the timer job handler does when the queue delivers the same job again:
    const db = new TenantDb(api.server.services.store, owner.tenantId);
    await api.server.workflow.dispatch(db, instanceId, { type: "timerFired", timerId });
    expect(JSON.stringify((await col.findOne({ _id: instanceId }))!.state)).toBe(stateBefore);
    expect(firedState.transition).toBeGreaterThan(1);

    // The same approval delivered twice: the second is refused and no task is opened twice.
    const task = (await todo(alice.token)).items[0];
    await api.post(`/api/v1/tasks/${task.id}/actions`, { action: 'approve' }, alice.token);
    await expect(api.server.workflow.dispatch(db, instanceId, { type: 'task', taskId: task.id, actorId: alice.id, action: 'approve' })).rejects.toMatchObject({ status: 409 });
    const inst = await api.get(`/api/v1/instances/${instanceId}`, owner.token);
    expect(inst.body.tasks.filter((t: { nodeId: string }) => t.nodeId === 'b')).toHaveLength(1);
    expect(inst.body.tasks.filter((t: { nodeId: string }) => t.nodeId === 'a')).toHaveLength(1);
    const rows = await api.server.services.store.collection('wf_tasks').countDocuments({ instanceId });
    expect(rows).toBe(2);
  });
});
