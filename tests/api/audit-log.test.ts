import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(async () => {
  await api?.close();
});

const PASSWORD = 'member-pass-1';

type Entry = { id: string; at: string; actorId: string; action: string; target: { type: string; id: string } | null; detail: Record<string, unknown>; via: string };

async function allEntries(token: string, query = ''): Promise<Entry[]> {
  const res = await api.get(`/api/v1/audit-log?limit=500${query}`, token);
  expect(res.status).toBe(200);
  return res.body.items;
}

describe('audit log', () => {
  it('records administrative actions with actor, target and detail', async () => {
    const owner = await api.signup('Owner', 'Audited');
    const email = `m-${Math.random().toString(36).slice(2)}@example.com`;
    const member = (await api.post('/api/v1/members', { email, name: 'M', password: PASSWORD }, owner.token)).body;
    const other = (await api.post('/api/v1/members', { email: `o-${Math.random().toString(36).slice(2)}@example.com`, name: 'O' }, owner.token)).body;
    await api.patch(`/api/v1/members/${member.id}`, { name: 'M2', role: 'admin' }, owner.token);
    const dept = (await api.post('/api/v1/departments', { name: 'D' }, owner.token)).body;
    await api.patch(`/api/v1/departments/${dept.id}`, { name: 'D2' }, owner.token);
    await api.delete(`/api/v1/departments/${dept.id}`, owner.token);
    const role = (await api.post('/api/v1/roles', { name: 'R' }, owner.token)).body;
    await api.patch(`/api/v1/roles/${role.id}`, { name: 'R2' }, owner.token);
    await api.delete(`/api/v1/roles/${role.id}`, owner.token);
    const app = (await api.post('/api/v1/apps', { name: 'CRM' }, owner.token)).body;
    const fields = [{ id: 'title', type: 'text', label: 'Title' }];
    const form = (await api.post(`/api/v1/apps/${app.id}/forms`, { name: 'F', fields }, owner.token)).body;
    await api.put(`/api/v1/forms/${form.id}`, { name: 'F2', fields }, owner.token);
    const group = (await api.post(`/api/v1/forms/${form.id}/permission-groups`, { name: 'G', grantees: { memberIds: [member.id] }, actions: ['view'], scope: 'own' }, owner.token)).body;
    await api.patch(`/api/v1/forms/${form.id}/permission-groups/${group.id}`, { scope: 'all' }, owner.token);
    await api.delete(`/api/v1/forms/${form.id}/permission-groups/${group.id}`, owner.token);
    await api.post(`/api/v1/members/${member.id}/transfer`, { toMemberId: other.id }, owner.token);
    await api.patch(`/api/v1/members/${member.id}`, { disabled: true }, owner.token);
    const token = (await api.post('/api/v1/api-tokens', { name: 'T' }, owner.token)).body;
    await api.get('/api/v1/apps', token.token);
    await api.get('/api/v1/apps', token.token); // logged at most once a minute
    await api.delete(`/api/v1/api-tokens/${token.id}`, owner.token);

    const entries = await allEntries(owner.token);
    const actions = entries.map((e) => e.action);
    for (const action of [
      'member.create',
      'member.update',
      'member.disable',
      'member.transfer',
      'department.create',
      'department.update',
      'department.delete',
      'role.create',
      'role.update',
      'role.delete',
      'app.create',
      'form.create',
      'form.update',
      'permission-group.create',
      'permission-group.update',
      'permission-group.delete',
      'token.create',
      'token.use',
      'token.revoke',
    ]) {
      expect(actions, action).toContain(action);
    }
    expect(actions.filter((a) => a === 'token.use')).toHaveLength(1);
    // Newest first.
    expect([...entries].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).map((e) => e.at)).toEqual(entries.map((e) => e.at));

    const update = entries.find((e) => e.action === 'member.update')!;
    expect(update).toMatchObject({ actorId: owner.userId, target: { type: 'member', id: member.id }, detail: { changes: { role: { from: 'member', to: 'admin' } } } });
    expect(Object.keys(update).sort()).toEqual(['action', 'actorId', 'at', 'detail', 'id', 'target', 'via']);
    const use = entries.find((e) => e.action === 'token.use')!;
    expect(use).toMatchObject({ actorId: owner.userId, via: 'apiToken', target: { type: 'api-token', id: token.id } });
    const pg = entries.find((e) => e.action === 'permission-group.update')!;
    expect(pg.detail).toMatchObject({ formId: form.id, changes: { scope: { from: 'own', to: 'all' } } });
  });

  it('filters by action prefix, actor and time, and pages', async () => {
    const owner = await api.signup('Owner', 'Filtered');
    const admin = await api.post('/api/v1/members', { email: `a-${Math.random().toString(36).slice(2)}@example.com`, name: 'A', password: PASSWORD, role: 'admin' }, owner.token);
    const adminToken = (await api.post('/api/v1/auth/login', { email: admin.body.email, password: PASSWORD })).body.token;
    for (let i = 0; i < 5; i++) await api.post('/api/v1/departments', { name: `D${i}` }, adminToken);
    await api.post('/api/v1/roles', { name: 'R' }, owner.token);
    // Entries carry millisecond timestamps: keep the midpoint strictly between the two role entries.
    await new Promise((r) => setTimeout(r, 5));
    const midpoint = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await api.post('/api/v1/roles', { name: 'R late' }, owner.token);

    const depts = await allEntries(owner.token, '&action=department.');
    expect(depts).toHaveLength(5);
    expect(depts.every((e) => e.action === 'department.create' && e.actorId === admin.body.id)).toBe(true);
    expect(await allEntries(owner.token, '&action=department.create')).toHaveLength(5);
    expect(await allEntries(owner.token, '&action=department')).toHaveLength(0);
    expect(await allEntries(owner.token, `&actorId=${admin.body.id}`)).toHaveLength(5);
    const roles = await allEntries(owner.token, '&action=role.*');
    expect(roles).toHaveLength(2);
    const late = await allEntries(owner.token, `&action=role.&from=${encodeURIComponent(midpoint)}`);
    expect(late.map((e) => (e.target as { name?: string } | null)?.name)).toEqual(['R late']);
    expect(await allEntries(owner.token, `&action=role.&to=${encodeURIComponent(midpoint)}`)).toHaveLength(1);
    expect((await api.get('/api/v1/audit-log?from=yesterday', owner.token)).status).toBe(422);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: Entry[]; nextCursor: string | null; total: number } } = await api.get(`/api/v1/audit-log?action=department.&limit=2${cursor ? `&cursor=${cursor}` : ''}`, owner.token);
      expect(res.body.total).toBe(5);
      seen.push(...res.body.items.map((e) => e.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect(seen).toEqual(depts.map((e) => e.id));
  });

  it('is for admins only, per tenant, and append-only', async () => {
    const owner = await api.signup('Owner', 'Private');
    const stranger = await api.signup('Stranger', 'Elsewhere');
    const email = `m-${Math.random().toString(36).slice(2)}@example.com`;
    await api.post('/api/v1/members', { email, name: 'M', password: PASSWORD }, owner.token);
    const memberToken = (await api.post('/api/v1/auth/login', { email, password: PASSWORD })).body.token;
    const denied = await api.get('/api/v1/audit-log', memberToken);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('forbidden');
    const mine = await allEntries(owner.token);
    expect(mine.length).toBeGreaterThan(0);
    const theirs = await allEntries(stranger.token);
    expect(theirs.some((e) => mine.some((m) => m.id === e.id))).toBe(false);
    const id = mine[0].id;
    expect((await api.delete(`/api/v1/audit-log/${id}`, owner.token)).status).toBe(404);
    expect((await api.patch(`/api/v1/audit-log/${id}`, { action: 'x' }, owner.token)).status).toBe(404);
    expect((await api.delete('/api/v1/audit-log', owner.token)).status).toBe(404);
    expect((await allEntries(owner.token)).map((e) => e.id)).toEqual(mine.map((e) => e.id));
  });
});
