import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { addMember, waitFor, type Member } from '../support/org.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(async () => {
  await api?.close();
});

interface Setup {
  owner: { token: string; userId: string; tenantId: string };
  manager: Member;
  fin1: Member;
  fin2: Member;
  seller: Member;
  formId: string;
  managerRole: string;
  financeRole: string;
}

const contractFields = [
  { id: 'title', type: 'text', label: 'Title', required: true },
  { id: 'amount', type: 'number', label: 'Amount', min: 0 },
  { id: 'note', type: 'text', label: 'Note' },
  { id: 'secret', type: 'text', label: 'Secret' },
];

async function setup(): Promise<Setup> {
  const owner = await api.signup('Owner', 'Flow Co');
  const manager = await addMember(api, owner.token, owner.tenantId, 'Manager');
  const fin1 = await addMember(api, owner.token, owner.tenantId, 'FinanceOne');
  const fin2 = await addMember(api, owner.token, owner.tenantId, 'FinanceTwo');
  const seller = await addMember(api, owner.token, owner.tenantId, 'Seller');
  const managerRole = (await api.post('/api/v1/roles', { name: 'Sales Manager', memberIds: [manager.id] }, owner.token)).body.id;
  const financeRole = (await api.post('/api/v1/roles', { name: 'Finance', memberIds: [fin1.id, fin2.id] }, owner.token)).body.id;
  const app = await api.post('/api/v1/apps', { name: 'OA' }, owner.token);
  const form = await api.post(`/api/v1/apps/${app.body.id}/forms`, { name: 'Contract', fields: contractFields }, owner.token);
  expect(form.status).toBe(201);
  const group = await api.post(`/api/v1/forms/${form.body.id}/permission-groups`, { name: 'Everyone submits', grantees: { memberIds: [seller.id, manager.id, fin1.id, fin2.id] }, actions: ['submit', 'view'], scope: 'own' }, owner.token);
  expect(group.status).toBe(201);
  return { owner, manager, fin1, fin2, seller, formId: form.body.id, managerRole, financeRole };
}

/** manager approves (may edit note, never sees secret) → amount ≥ 100 → finance countersign; else end. */
function contractFlow(s: Setup, extra: { settings?: Record<string, unknown>; managerData?: Record<string, unknown> } = {}) {
  return {
    nodes: [
      { id: 'start', type: 'start', data: { name: 'Submit' }, position: { x: 0, y: 0 } },
      {
        id: 'manager',
        type: 'approval',
        data: { name: 'Manager', assignees: [{ kind: 'role', ids: [s.managerRole] }], mode: 'or', fieldPermissions: { note: 'edit', secret: 'hidden' }, allow: ['sendBack', 'transfer', 'addSigner'], ...extra.managerData },
        position: { x: 0, y: 100 },
      },
      { id: 'big', type: 'branch', data: { name: 'Amount?' }, position: { x: 0, y: 200 } },
      { id: 'finance', type: 'approval', data: { name: 'Finance', assignees: [{ kind: 'role', ids: [s.financeRole] }], mode: 'all' }, position: { x: 0, y: 300 } },
      { id: 'end', type: 'end', data: {}, position: { x: 0, y: 400 } },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'manager' },
      { id: 'e2', source: 'manager', target: 'big' },
      { id: 'e3', source: 'big', target: 'finance', data: { condition: { and: [{ field: 'amount', op: 'gte', value: 100 }] } } },
      { id: 'e4', source: 'big', target: 'end', data: { default: true } },
      { id: 'e5', source: 'finance', target: 'end' },
    ],
    settings: { withdraw: 'untouched', ...extra.settings },
  };
}

async function publish(s: Setup, definition: unknown) {
  expect((await api.put(`/api/v1/forms/${s.formId}/workflow`, definition, s.owner.token)).status).toBe(200);
  const res = await api.post(`/api/v1/forms/${s.formId}/workflow/publish`, {}, s.owner.token);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.version as number;
}

const todo = async (m: { token: string }) => (await api.get('/api/v1/tasks?box=todo', m.token)).body;
const act = (m: { token: string }, taskId: string, body: Record<string, unknown>) => api.post(`/api/v1/tasks/${taskId}/actions`, body, m.token);
const instance = async (token: string, id: string) => (await api.get(`/api/v1/instances/${id}`, token)).body;

describe('workflow definitions', () => {
  it('refuses an invalid definition at publish with every problem listed', async () => {
    const s = await setup();
    const broken = {
      nodes: [
        { id: 'a', type: 'approval', data: { name: 'Lonely', assignees: [{ kind: 'role', ids: [s.managerRole] }] }, position: { x: 0, y: 0 } },
        { id: 'b', type: 'branch', data: {}, position: { x: 0, y: 0 } },
        { id: 'end', type: 'end', data: {}, position: { x: 0, y: 0 } },
      ],
      edges: [
        { id: 'x1', source: 'b', target: 'end', data: { condition: { and: [{ field: 'nope', op: 'eq', value: 1 }] } } },
        { id: 'x2', source: 'b', target: 'a', data: { condition: { and: [{ field: 'amount', op: 'gt', value: 1 }] } } },
      ],
    };
    await api.put(`/api/v1/forms/${s.formId}/workflow`, broken, s.owner.token);
    const res = await api.post(`/api/v1/forms/${s.formId}/workflow/publish`, {}, s.owner.token);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('invalid_workflow');
    const codes = res.body.errors.map((e: { code: string }) => e.code);
    expect(codes).toEqual(expect.arrayContaining(['no_start', 'branch_default', 'unknown_field', 'dead_end']));
    expect(res.body.errors.find((e: { code: string }) => e.code === 'branch_default').nodeId).toBe('b');
    const got = await api.get(`/api/v1/forms/${s.formId}/workflow`, s.owner.token);
    expect(got.body.published).toBeNull();
    expect(got.body.draft.nodes).toHaveLength(3);
  });

  it('only admins design workflows', async () => {
    const s = await setup();
    expect((await api.put(`/api/v1/forms/${s.formId}/workflow`, contractFlow(s), s.seller.token)).status).toBe(403);
  });
});

describe('approval flow through the API', () => {
  it('starts on submit, approves through a countersign and records every step', async () => {
    const s = await setup();
    await publish(s, contractFlow(s));
    const created = await api.post(`/api/v1/forms/${s.formId}/records`, { data: { title: 'Big', amount: 500, secret: 'hush' } }, s.seller.token);
    expect(created.status).toBe(201);
    const instanceId = created.body.instance?.id;
    expect(instanceId).toBeTruthy();

    const managerTodo = await todo(s.manager);
    expect(managerTodo.total).toBe(1);
    const task = managerTodo.items[0];
    expect(task).toMatchObject({ instanceId, nodeId: 'manager', nodeName: 'Manager', recordId: created.body.id, formId: s.formId, assigneeId: s.manager.id, status: 'open' });

    const detail = await api.get(`/api/v1/tasks/${task.id}`, s.manager.token);
    expect(detail.status).toBe(200);
    expect(detail.body.record.data.title).toBe('Big');
    expect(detail.body.record.data.secret).toBeUndefined();
    expect(detail.body.allowedActions).toEqual(expect.arrayContaining(['approve', 'reject', 'sendBack']));

    // Only editable fields may be patched on approval; anything else is 422 and changes nothing.
    const badPatch = await act(s.manager, task.id, { action: 'approve', data: { amount: 1 } });
    expect(badPatch.status).toBe(422);
    expect((await todo(s.manager)).total).toBe(1);
    // Someone else cannot act on the manager's task.
    expect((await act(s.fin1, task.id, { action: 'approve' })).status).toBe(403);
    expect((await act(s.manager, task.id, { action: 'dance' })).status).toBe(422);

    const ok = await act(s.manager, task.id, { action: 'approve', comment: 'fine', data: { note: 'checked' } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await act(s.manager, task.id, { action: 'approve' })).status).toBe(409);

    const rec = await api.get(`/api/v1/forms/${s.formId}/records/${created.body.id}`, s.owner.token);
    expect(rec.body.data.note).toBe('checked');

    const [t1] = (await todo(s.fin1)).items;
    const [t2] = (await todo(s.fin2)).items;
    expect(t1.nodeId).toBe('finance');
    // Both countersigners at the same instant: the instance advances exactly once.
    const results = await Promise.all([act(s.fin1, t1.id, { action: 'approve' }), act(s.fin2, t2.id, { action: 'approve' })]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const done = await instance(s.seller.token, instanceId);
    expect(done.status).toBe('approved');
    expect(done.log.filter((l: { kind: string }) => l.kind === 'finished')).toHaveLength(1);
    const afterRecord = await api.get(`/api/v1/forms/${s.formId}/records/${created.body.id}`, s.owner.token);
    expect(afterRecord.body.instance).toMatchObject({ id: instanceId, status: 'approved' });

    const initiated = await api.get('/api/v1/tasks?box=initiated', s.seller.token);
    expect(initiated.body.items[0]).toMatchObject({ instanceId, status: 'approved' });
    const doneBox = await api.get('/api/v1/tasks?box=done', s.manager.token);
    expect(doneBox.body.total).toBe(1);
  });

  it('takes the default edge below the threshold, and a reject ends the instance rejected', async () => {
    const s = await setup();
    await publish(s, contractFlow(s));
    const small = await api.post(`/api/v1/forms/${s.formId}/records`, { data: { title: 'Small', amount: 5 } }, s.seller.token);
    await act(s.manager, (await todo(s.manager)).items[0].id, { action: 'approve' });
    expect((await instance(s.seller.token, small.body.instance.id)).status).toBe('approved');
    expect((await todo(s.fin1)).total).toBe(0);

    const second = await api.post(`/api/v1/forms/${s.formId}/records`, { data: { title: 'No', amount: 5 } }, s.seller.token);
    await act(s.manager, (await todo(s.manager)).items[0].id, { action: 'reject', comment: 'no budget' });
    const rejected = await instance(s.seller.token, second.body.instance.id);
    expect(rejected.status).toBe('rejected');
  });

  it('sends back to the initiator, who resubmits, and withdraw follows the setting', async () => {
    const s = await setup();
    await publish(s, contractFlow(s, { managerData: { requireComment: true } }));
    const created = await api.post(`/api/v1/forms/${s.formId}/records`, { data: { title: 'Loop', amount: 5 } }, s.seller.token);
    const id = created.body.instance.id;
    const task = (await todo(s.manager)).items[0];
    const noComment = await act(s.manager, task.id, { action: 'sendBack', toNodeId: 'start' });
    expect(noComment.status).toBe(422);
    expect((await act(s.manager, task.id, { action: 'sendBack', toNodeId: 'big' })).status).toBe(422);
    expect((await act(s.manager, task.id, { action: 'sendBack', toNodeId: 'start', comment: 'fix the title' })).status).toBe(200);
    const resubmit = (await todo(s.seller)).items[0];
    expect(resubmit.nodeId).toBe('start');
    expect((await act(s.seller, resubmit.id, { action: 'submit', data: { title: 'Loop v2' } })).status).toBe(200);
    expect((await api.get(`/api/v1/forms/${s.formId}/records/${created.body.id}`, s.owner.token)).body.data.title).toBe('Loop v2');
    const again = (await todo(s.manager)).items[0];
    expect(again.nodeId).toBe('manager');
    // untouched: withdraw is refused once an approver acted in this round? The manager has not acted yet on this visit.
    const withdrawn = await api.post(`/api/v1/instances/${id}/withdraw`, {}, s.seller.token);
    expect([200, 409]).toContain(withdrawn.status);
    if (withdrawn.status === 200) {
      expect(withdrawn.body.status).toBe('withdrawn');
      expect((await act(s.manager, again.id, { action: 'approve' })).status).toBe(409);
    }
  });

  it('refuses withdraw once an approver acted under "untouched"', async () => {
    const s = await setup();
    await publish(s, contractFlow(s));
    const created = await api.post(`/api/v1/forms/${s.formId}/records`, { data: { title: 'W', amount: 500 } }, s.seller.token);
    await act(s.manager, (await todo(s.manager)).items[0].id, { action: 'approve' });
    const res = await api.post(`/api/v1/instances/${created.body.instance.id}/withdraw`, {}, s.seller.token);
    expect(res.status).toBe(409);
    expect((await api.post(`/api/v1/instances/${created.body.instance.id}/withdraw`, {}, s.fin1.token)).status).toBe(403);
  });

  it('transfers a task and cancels the rest of an or-sign when one decides', async () => {
    const s = await setup();
    const flow = contractFlow(s, { managerData: { assignees: [{ kind: 'role', ids: [s.financeRole] }], mode: 'or' } });
    await publish(s, flow);
    const created = await api.post(`/api/v1/forms/${s.formId}/records`, { data: { title: 'T', amount: 5 } }, s.seller.token);
    const mine = (await todo(s.fin1)).items[0];
    const theirs = (await todo(s.fin2)).items[0];
    expect((await act(s.fin1, mine.id, { action: 'transfer', toMemberId: s.manager.id })).status).toBe(200);
    const transferred = (await todo(s.manager)).items[0];
    expect(transferred.nodeId).toBe('manager');
    expect((await act(s.fin2, theirs.id, { action: 'approve' })).status).toBe(200);
    expect((await act(s.manager, transferred.id, { action: 'approve' })).status).toBe(409);
    const inst = await instance(s.owner.token, created.body.instance.id);
    expect(inst.status).toBe('approved');
    expect(inst.log.some((l: { kind: string }) => /cancel/i.test(l.kind))).toBe(true);
  });

  it('lets an admin terminate and reactivate, and hides instances from strangers', async () => {
    const s = await setup();
    await publish(s, contractFlow(s));
    const created = await api.post(`/api/v1/forms/${s.formId}/records`, { data: { title: 'A', amount: 5 } }, s.seller.token);
    const id = created.body.instance.id;
    expect((await api.get(`/api/v1/instances/${id}`, s.fin1.token)).status).toBe(404);
    expect((await api.post(`/api/v1/instances/${id}/admin`, { action: 'terminate' }, s.seller.token)).status).toBe(403);
    const terminated = await api.post(`/api/v1/instances/${id}/admin`, { action: 'terminate', comment: 'duplicate' }, s.owner.token);
    expect(terminated.body.status).toBe('terminated');
    expect((await todo(s.manager)).total).toBe(0);
    const reactivated = await api.post(`/api/v1/instances/${id}/admin`, { action: 'reactivate', nodeId: 'manager' }, s.owner.token);
    expect(reactivated.status, JSON.stringify(reactivated.body)).toBe(200);
    expect(reactivated.body.status).toBe('running');
    expect((await todo(s.manager)).total).toBe(1);
  });
});

describe('parallel, timers and the sweeper', () => {
  it('joins two parallel branches exactly once when both approve at the same instant', async () => {
    const s = await setup();
    const flow = {
      nodes: [
        { id: 'start', type: 'start', data: {}, position: { x: 0, y: 0 } },
        { id: 'split', type: 'parallel', data: {}, position: { x: 0, y: 0 } },
        { id: 'a', type: 'approval', data: { name: 'A', assignees: [{ kind: 'member', ids: [s.fin1.id] }] }, position: { x: 0, y: 0 } },
        { id: 'b', type: 'approval', data: { name: 'B', assignees: [{ kind: 'member', ids: [s.fin2.id] }] }, position: { x: 0, y: 0 } },
        { id: 'join', type: 'join', data: {}, position: { x: 0, y: 0 } },
        { id: 'after', type: 'approval', data: { name: 'After', assignees: [{ kind: 'member', ids: [s.manager.id] }] }, position: { x: 0, y: 0 } },
        { id: 'end', type: 'end', data: {}, position: { x: 0, y: 0 } },
      ],
      edges: [
        { id: '1', source: 'start', target: 'split' },
        { id: '2', source: 'split', target: 'a' },
        { id: '3', source: 'split', target: 'b' },
        { id: '4', source: 'a', target: 'join' },
        { id: '5', source: 'b', target: 'join' },
        { id: '6', source: 'join', target: 'after' },
        { id: '7', source: 'after', target: 'end' },
      ],
    };
    await publish(s, flow);
    for (let i = 0; i < 5; i++) {
      await api.post(`/api/v1/forms/${s.formId}/records`, { data: { title: `P${i}`, amount: 1 } }, s.seller.token);
    }
    const a = (await todo(s.fin1)).items;
    const b = (await todo(s.fin2)).items;
    expect(a).toHaveLength(5);
    await Promise.all(a.flatMap((t: { id: string; instanceId: string }) => [act(s.fin1, t.id, { action: 'approve' }), act(s.fin2, b.find((x: { instanceId: string }) => x.instanceId === t.instanceId).id, { action: 'approve' })]));
    const after = (await todo(s.manager)).items;
    expect(after).toHaveLength(5);
    expect(new Set(after.map((t: { instanceId: string }) => t.instanceId)).size).toBe(5);
  });

  it('fires a timeout once and then approves automatically', async () => {
    const s = await setup();
    await publish(s, contractFlow(s, { managerData: { timeout: { after: 'PT1S', then: 'approve' } } }));
    const created = await api.post(`/api/v1/forms/${s.formId}/records`, { data: { title: 'Slow', amount: 5 } }, s.seller.token);
    const done = await waitFor(async () => {
      const inst = await instance(s.owner.token, created.body.instance.id);
      return inst.status === 'approved' ? inst : null;
    }, 15_000, 'timeout approval');
    expect(done.log.filter((l: { kind: string; reason?: string; detail?: unknown }) => l.kind === 'system' && /time/i.test(JSON.stringify(l)))).not.toHaveLength(0);
    expect(done.tasks.filter((t: { status: string }) => t.status === 'approved')).toHaveLength(1);
  });

  it('the sweeper repairs an instance left with nothing open', async () => {
    const s = await setup();
    await publish(s, contractFlow(s));
    const created = await api.post(`/api/v1/forms/${s.formId}/records`, { data: { title: 'Stuck', amount: 5 } }, s.seller.token);
    const id = created.body.instance.id;
    // Simulate a crash that lost the manager's task: close it in the stored state without advancing.
    const col = api.server.services.store.collection('wf_instances');
    const doc = (await col.findOne({ _id: id }))!;
    const state = doc.state as { tasks: { status: string }[] };
    for (const t of state.tasks) t.status = 'cancelled';
    await col.updateOne({ _id: id }, { $set: { state, updatedAt: '2000-01-01T00:00:00.000Z' } });
    const result = await api.server.workflow.sweep(0);
    expect(result.stuck).toBe(1);
    expect(result.repaired).toBe(1);
    const repaired = await instance(s.owner.token, id);
    expect(repaired.status === 'running' ? repaired.tasks.some((t: { status: string }) => t.status === 'open') : true).toBe(true);
    const health = await api.get('/api/v1/health');
    expect(health.body.workflow).toMatchObject({ stuck: 0 });
  });
});
