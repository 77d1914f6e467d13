import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { addMember, waitFor, type Member } from '../support/org.ts';

let api: TestApi;
let owner: { token: string; userId: string; tenantId: string };
let forms: Record<string, string>;
let roles: Record<string, string>;
const m = {} as Record<'boss' | 'manager' | 'clerk' | 'accountant', Member>;
let salesDept: string;

beforeAll(async () => {
  api = await TestApi.start();
  owner = await api.signup('Owner', 'Office Co');
  for (const name of ['boss', 'manager', 'clerk', 'accountant'] as const) m[name] = await addMember(api, owner.token, owner.tenantId, name);
  const company = (await api.post('/api/v1/departments', { name: '总经办', supervisorId: m.boss.id, memberIds: [m.boss.id] }, owner.token)).body;
  const sales = await api.post('/api/v1/departments', { name: '销售部', parentId: company.id, supervisorId: m.manager.id, memberIds: [m.manager.id, m.clerk.id] }, owner.token);
  expect(sales.status, JSON.stringify(sales.body)).toBe(201);
  const res = await api.post('/api/v1/templates/oa/install', {}, owner.token);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  forms = res.body.forms;
  roles = res.body.roles;
  await api.patch(`/api/v1/roles/${roles.finance}`, { memberIds: [m.accountant.id] }, owner.token);
  await api.patch(`/api/v1/roles/${roles.sales}`, { memberIds: [m.clerk.id] }, owner.token);
  salesDept = sales.body.id;
});
afterAll(async () => {
  await api?.close();
});

const submit = async (form: string, data: Record<string, unknown>, who: { token: string }) => {
  const res = await api.post(`/api/v1/forms/${forms[form]}/records`, { data }, who.token);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; data: Record<string, any>; instance: { id: string; status: string } };
};
const taskOf = (who: { token: string }, recordId: string) =>
  waitFor(async () => ((await api.get('/api/v1/tasks?box=todo', who.token)).body.items as { id: string; recordId: string; nodeId: string }[]).find((t) => t.recordId === recordId), 10_000, 'a task');
const approve = async (who: { token: string }, recordId: string, node: string) => {
  const task = await taskOf(who, recordId);
  expect(task.nodeId).toBe(node);
  const res = await api.post(`/api/v1/tasks/${task.id}/actions`, { action: 'approve' }, who.token);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
};
const status = async (instanceId: string) => (await api.get(`/api/v1/instances/${instanceId}`, owner.token)).body.status as string;

describe('the OA template', () => {
  it('computes leave days; the supervisor approves up to 3 days, the department head too beyond', async () => {
    const short = await submit('oa.leave', { type: 'annual', startDate: '2026-03-02', endDate: '2026-03-04', reason: '回老家' }, m.clerk);
    expect(short.data.days).toBe(3);
    await approve(m.manager, short.id, 'supervisor');
    expect(await status(short.instance.id)).toBe('approved');

    const long = await submit('oa.leave', { type: 'sick', startDate: '2026-03-09', endDate: '2026-03-13', reason: '手术' }, m.clerk);
    expect(long.data.days).toBe(5);
    await approve(m.manager, long.id, 'supervisor');
    expect(await status(long.instance.id)).toBe('running');
    await approve(m.boss, long.id, 'departmentHead');
    expect(await status(long.instance.id)).toBe('approved');
    // Everyone lists their own requests only; approvers see the others through their tasks.
    expect((await api.get(`/api/v1/forms/${forms['oa.leave']}/records`, m.clerk.token)).body.total).toBe(2);
    expect((await api.get(`/api/v1/forms/${forms['oa.leave']}/records`, m.accountant.token)).body.total).toBe(0);
  });

  it('sends expense claims to the manager, then finance, with the total by formula', async () => {
    const claim = await submit('oa.expense', { items: [{ date: '2026-03-02', category: 'travel', amount: 1200.5 }, { date: '2026-03-03', category: 'meals', amount: 300 }] }, m.clerk);
    expect(claim.data.total).toBe(1500.5);
    await approve(m.manager, claim.id, 'manager');
    await approve(m.accountant, claim.id, 'finance');
    expect(await status(claim.instance.id)).toBe('approved');
  });

  it('copies an approved announcement to everyone in the chosen departments', async () => {
    const note = await submit('oa.announcement', { title: '五一放假通知', content: '5 月 1 日至 5 日放假。', audience: [salesDept] }, owner);
    // The installing owner joined the admin role, which reviews announcements.
    await approve(owner, note.id, 'review');
    expect(await status(note.instance.id)).toBe('approved');
    for (const who of [m.manager, m.clerk]) {
      const cc = (await api.get('/api/v1/tasks?box=cc', who.token)).body.items as { recordId: string }[];
      expect(cc.map((c) => c.recordId)).toContain(note.id);
    }
    expect(((await api.get('/api/v1/tasks?box=cc', m.boss.token)).body.items as { recordId: string }[]).map((c) => c.recordId)).not.toContain(note.id);
  });
});
