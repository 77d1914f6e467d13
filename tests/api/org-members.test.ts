import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { departmentMembers, loadOrgSnapshot, roleMembers, supervisorOf, departmentSupervisor } from '../../server/src/org/index.ts';
import { TenantDb } from '../../server/src/platform/tenant-db.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(async () => {
  await api?.close();
});

const PASSWORD = 'member-pass-1';
const uniqueEmail = (name: string) => `${name}-${Math.random().toString(36).slice(2)}@example.com`;

async function addMember(token: string, name: string, extra: Record<string, unknown> = {}) {
  const res = await api.post('/api/v1/members', { email: uniqueEmail(name), name, password: PASSWORD, ...extra }, token);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; email: string; name: string; role: string };
}

async function login(email: string, tenantId?: string) {
  const res = await api.post('/api/v1/auth/login', { email, password: PASSWORD, ...(tenantId ? { tenantId } : {}) });
  return res;
}

describe('members', () => {
  it('adds, lists, renames and re-roles members; a member id is the user id', async () => {
    const owner = await api.signup('Owner', 'Org1');
    const ann = await addMember(owner.token, 'Ann');
    expect(ann).toMatchObject({ name: 'Ann', role: 'member', disabled: false, departmentIds: [], roleIds: [] });

    const list = await api.get('/api/v1/members', owner.token);
    expect(list.status).toBe(200);
    const ids = list.body.items.map((m: { id: string }) => m.id);
    expect(ids).toEqual(expect.arrayContaining([owner.userId, ann.id]));
    expect(list.body.items.find((m: { id: string }) => m.id === owner.userId).role).toBe('owner');

    const signedIn = await login(ann.email);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user.id).toBe(ann.id);

    const renamed = await api.patch(`/api/v1/members/${ann.id}`, { name: 'Ann Lee', role: 'admin' }, owner.token);
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: ann.id, name: 'Ann Lee', role: 'admin' });
    expect((await api.get(`/api/v1/members/${ann.id}`, owner.token)).body.role).toBe('admin');
    expect((await api.get('/api/v1/members/nope', owner.token)).status).toBe(404);

    const dup = await api.post('/api/v1/members', { email: ann.email, name: 'Again' }, owner.token);
    expect(dup.status).toBe(409);
  });

  it('adds an existing user of another tenant instead of duplicating them; they log in to either tenant and switch', async () => {
    const a = await api.signup('OwnerA', 'TenantA');
    const b = await api.signup('OwnerB', 'TenantB');
    const bob = await addMember(a.token, 'Bob');
    // Tenant B adds the same email: same user id, and B cannot set Bob's password.
    const again = await api.post('/api/v1/members', { email: bob.email, name: 'Robert', password: 'attacker-pass-1' }, b.token);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(bob.id);
    expect(again.body.name).toBe('Robert');
    expect((await api.post('/api/v1/auth/login', { email: bob.email, password: 'attacker-pass-1' })).status).toBe(401);

    const intoB = await login(bob.email, b.tenantId);
    expect(intoB.status).toBe(200);
    expect(intoB.body.tenant.id).toBe(b.tenantId);
    expect(intoB.body.tenants.map((t: { id: string }) => t.id).sort()).toEqual([a.tenantId, b.tenantId].sort());
    const switched = await api.post('/api/v1/auth/switch', { tenantId: a.tenantId }, intoB.body.token);
    expect(switched.status).toBe(200);
    const me = await api.get('/api/v1/auth/me', switched.body.token);
    expect(me.body.tenant.id).toBe(a.tenantId);

    // Disabled in A only: A refuses them, B still works.
    expect((await api.patch(`/api/v1/members/${bob.id}`, { disabled: true }, a.token)).status).toBe(200);
    expect((await login(bob.email, a.tenantId)).status).toBe(401);
    expect((await login(bob.email, b.tenantId)).status).toBe(200);
  });

  it('a disabled member is refused at once, keeps their records, and can be re-enabled', async () => {
    const owner = await api.signup('Owner', 'Org2');
    const app = await api.post('/api/v1/apps', { name: 'CRM' }, owner.token);
    const form = await api.post(`/api/v1/apps/${app.body.id}/forms`, { name: 'Notes', fields: [{ id: 'title', type: 'text', label: 'Title' }] }, owner.token);
    const cat = await addMember(owner.token, 'Cat');
    const group = await api.post(`/api/v1/forms/${form.body.id}/permission-groups`, { name: 'Cat', grantees: { memberIds: [cat.id] }, actions: ['submit', 'view'], scope: 'own' }, owner.token);
    expect(group.status).toBe(201);
    const session = (await login(cat.email)).body.token;
    const rec = await api.post(`/api/v1/forms/${form.body.id}/records`, { data: { title: 'mine' } }, session);
    expect(rec.status).toBe(201);
    expect(rec.body.ownerId).toBe(cat.id);

    expect((await api.patch(`/api/v1/members/${cat.id}`, { disabled: true }, owner.token)).status).toBe(200);
    expect((await api.get('/api/v1/apps', session)).status).toBe(401);
    expect((await api.get(`/api/v1/forms/${form.body.id}/records/${rec.body.id}`, owner.token)).body.data.title).toBe('mine');
    expect((await api.get('/api/v1/members', owner.token)).body.items.find((m: { id: string }) => m.id === cat.id).disabled).toBe(true);

    expect((await api.patch(`/api/v1/members/${cat.id}`, { disabled: false }, owner.token)).status).toBe(200);
    const back = await login(cat.email);
    expect(back.status).toBe(200);
    expect((await api.get(`/api/v1/forms/${form.body.id}/records`, back.body.token)).body.total).toBe(1);
  });

  it('transfers a member’s records to another member, departments included', async () => {
    const owner = await api.signup('Owner', 'Org3');
    const sales = await api.post('/api/v1/departments', { name: 'Sales' }, owner.token);
    const support = await api.post('/api/v1/departments', { name: 'Support' }, owner.token);
    const dan = await addMember(owner.token, 'Dan', { departmentIds: [sales.body.id] });
    const eve = await addMember(owner.token, 'Eve', { departmentIds: [support.body.id] });
    const app = await api.post('/api/v1/apps', { name: 'CRM' }, owner.token);
    const form = await api.post(`/api/v1/apps/${app.body.id}/forms`, { name: 'Leads', fields: [{ id: 'title', type: 'text', label: 'Title' }] }, owner.token);
    const formId = form.body.id;
    await api.post(`/api/v1/forms/${formId}/permission-groups`, { name: 'Reps', grantees: { memberIds: [dan.id, eve.id] }, actions: ['submit', 'view'], scope: 'own' }, owner.token);
    const danToken = (await login(dan.email)).body.token;
    const eveToken = (await login(eve.email)).body.token;
    for (const title of ['a', 'b']) expect((await api.post(`/api/v1/forms/${formId}/records`, { data: { title } }, danToken)).status).toBe(201);
    expect((await api.get(`/api/v1/forms/${formId}/records`, eveToken)).body.total).toBe(0);

    const bad = await api.post(`/api/v1/members/${dan.id}/transfer`, { toMemberId: 'nobody' }, owner.token);
    expect(bad.status).toBe(422);
    const asMember = await api.post(`/api/v1/members/${dan.id}/transfer`, { toMemberId: eve.id }, eveToken);
    expect(asMember.status).toBe(403);

    const moved = await api.post(`/api/v1/members/${dan.id}/transfer`, { toMemberId: eve.id }, owner.token);
    expect(moved.status).toBe(200);
    expect(moved.body.transferred).toBe(2);
    const eveList = await api.get(`/api/v1/forms/${formId}/records`, eveToken);
    expect(eveList.body.total).toBe(2);
    expect(eveList.body.items.every((r: { ownerId: string; createdBy: string }) => r.ownerId === eve.id && r.createdBy === dan.id)).toBe(true);
    expect((await api.get(`/api/v1/forms/${formId}/records`, danToken)).body.total).toBe(0);
  });

  it('tenant roles: members cannot manage the org or raise their own role; admins cannot touch owners; the last owner stays', async () => {
    const owner = await api.signup('Owner', 'Org4');
    const admin = await addMember(owner.token, 'Adm', { role: 'admin' });
    const mem = await addMember(owner.token, 'Mem');
    const adminToken = (await login(admin.email)).body.token;
    const memToken = (await login(mem.email)).body.token;

    expect((await api.patch(`/api/v1/members/${mem.id}`, { role: 'admin' }, memToken)).status).toBe(403);
    expect((await api.patch(`/api/v1/members/${mem.id}`, { role: 'owner' }, memToken)).status).toBe(403);
    expect((await api.post('/api/v1/members', { email: uniqueEmail('x'), name: 'X' }, memToken)).status).toBe(403);
    expect((await api.post('/api/v1/departments', { name: 'D' }, memToken)).status).toBe(403);
    expect((await api.post('/api/v1/roles', { name: 'R' }, memToken)).status).toBe(403);
    expect((await api.get(`/api/v1/members/${mem.id}`, memToken)).body.role).toBe('member');

    // An admin cannot make owners, nor demote or disable the owner, nor promote themselves to owner.
    expect((await api.patch(`/api/v1/members/${admin.id}`, { role: 'owner' }, adminToken)).status).toBe(403);
    expect((await api.patch(`/api/v1/members/${owner.userId}`, { role: 'member' }, adminToken)).status).toBe(403);
    expect((await api.patch(`/api/v1/members/${owner.userId}`, { disabled: true }, adminToken)).status).toBe(403);
    expect((await api.post('/api/v1/members', { email: uniqueEmail('o'), name: 'O', role: 'owner' }, adminToken)).status).toBe(403);
    // An admin manages members.
    expect((await api.patch(`/api/v1/members/${mem.id}`, { name: 'Mem 2' }, adminToken)).status).toBe(200);

    const lastOwner = await api.patch(`/api/v1/members/${owner.userId}`, { role: 'admin' }, owner.token);
    expect(lastOwner.status).toBe(409);
    expect(lastOwner.body.code).toBe('last_owner');
    expect((await api.patch(`/api/v1/members/${owner.userId}`, { disabled: true }, owner.token)).status).toBe(409);
    // With a second owner, the first may step down.
    expect((await api.patch(`/api/v1/members/${admin.id}`, { role: 'owner' }, owner.token)).status).toBe(200);
    expect((await api.patch(`/api/v1/members/${owner.userId}`, { role: 'admin' }, owner.token)).status).toBe(200);
    expect((await api.get(`/api/v1/members/${owner.userId}`, adminToken)).body.role).toBe('admin');
  });

  it('validates member bodies', async () => {
    const owner = await api.signup('Owner', 'Org5');
    const res = await api.post('/api/v1/members', { email: 'not-an-email', name: '' }, owner.token);
    expect(res.status).toBe(422);
    const unknownDept = await api.post('/api/v1/members', { email: uniqueEmail('z'), name: 'Z', departmentIds: ['nope'] }, owner.token);
    expect(unknownDept.status).toBe(422);
    expect(unknownDept.body.errors[0].field).toBe('departmentIds');
  });
});

describe('departments', () => {
  it('builds a tree with supervisors and members, lists members with or without sub-departments', async () => {
    const owner = await api.signup('Owner', 'Tree');
    const boss = await addMember(owner.token, 'Boss');
    const lead = await addMember(owner.token, 'Lead');
    const rep = await addMember(owner.token, 'Rep');
    const sales = await api.post('/api/v1/departments', { name: 'Sales', supervisorId: boss.id, memberIds: [boss.id] }, owner.token);
    expect(sales.status).toBe(201);
    expect(sales.body).toMatchObject({ name: 'Sales', parentId: null, supervisorId: boss.id, memberIds: [boss.id] });
    const east = await api.post('/api/v1/departments', { name: 'Sales East', parentId: sales.body.id, supervisorId: lead.id, memberIds: [lead.id, rep.id] }, owner.token);
    expect(east.status).toBe(201);

    expect((await api.get(`/api/v1/members/${rep.id}`, owner.token)).body.departmentIds).toEqual([east.body.id]);
    const list = await api.get('/api/v1/departments', owner.token);
    expect(list.body.items.map((d: { name: string }) => d.name)).toEqual(['Sales', 'Sales East']);
    expect((await api.get(`/api/v1/departments/${sales.body.id}/members`, owner.token)).body.memberIds).toEqual([boss.id]);
    const tree = await api.get(`/api/v1/departments/${sales.body.id}/members?withChildren=true`, owner.token);
    expect(tree.body.memberIds.sort()).toEqual([boss.id, lead.id, rep.id].sort());

    // Membership edited from either side.
    const moved = await api.patch(`/api/v1/departments/${east.body.id}`, { memberIds: [rep.id] }, owner.token);
    expect(moved.body.memberIds).toEqual([rep.id]);
    expect((await api.get(`/api/v1/members/${lead.id}`, owner.token)).body.departmentIds).toEqual([]);
    await api.patch(`/api/v1/members/${lead.id}`, { departmentIds: [east.body.id, sales.body.id] }, owner.token);
    expect((await api.get(`/api/v1/departments/${east.body.id}`, owner.token)).body.memberIds.sort()).toEqual([lead.id, rep.id].sort());

    // The org snapshot the workflow engine consumes, and its queries.
    const db = new TenantDb(api.server.services.store, owner.tenantId);
    const org = await loadOrgSnapshot(db);
    expect(org.admins).toEqual([owner.userId]);
    expect(org.members.find((m) => m.id === rep.id)).toEqual({ id: rep.id, departmentIds: [east.body.id] });
    expect(supervisorOf(org, rep.id, 1)).toBe(lead.id);
    expect(supervisorOf(org, rep.id, 2)).toBe(boss.id);
    expect(supervisorOf(org, rep.id, 3)).toBeUndefined();
    expect(departmentSupervisor(org, east.body.id, 2)).toBe(boss.id);
    expect(departmentMembers(org, sales.body.id, false).sort()).toEqual([boss.id, lead.id].sort());
    expect(departmentMembers(org, sales.body.id, true).sort()).toEqual([boss.id, lead.id, rep.id].sort());
    const role = await api.post('/api/v1/roles', { name: 'Finance', memberIds: [rep.id] }, owner.token);
    expect(roleMembers(await loadOrgSnapshot(db), role.body.id)).toEqual([rep.id]);
  });

  it('refuses cycles, unknown parents and deleting a non-empty department unless forced', async () => {
    const owner = await api.signup('Owner', 'Cycles');
    const a = (await api.post('/api/v1/departments', { name: 'A' }, owner.token)).body;
    const b = (await api.post('/api/v1/departments', { name: 'B', parentId: a.id }, owner.token)).body;
    const c = (await api.post('/api/v1/departments', { name: 'C', parentId: b.id }, owner.token)).body;
    const cycle = await api.patch(`/api/v1/departments/${a.id}`, { parentId: c.id }, owner.token);
    expect(cycle.status).toBe(422);
    expect(cycle.body.code).toBe('department_cycle');
    expect((await api.patch(`/api/v1/departments/${a.id}`, { parentId: a.id }, owner.token)).status).toBe(422);
    expect((await api.post('/api/v1/departments', { name: 'X', parentId: 'missing' }, owner.token)).status).toBe(422);
    expect((await api.post('/api/v1/departments', { name: 'X', supervisorId: 'missing' }, owner.token)).status).toBe(422);

    const busy = await api.delete(`/api/v1/departments/${b.id}`, owner.token);
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('department_not_empty');
    expect((await api.request('DELETE', `/api/v1/departments/${b.id}?force=true`, { token: owner.token })).status).toBe(204);
    // C moved up under A.
    expect((await api.get(`/api/v1/departments/${c.id}`, owner.token)).body.parentId).toBe(a.id);
    expect((await api.get(`/api/v1/departments/${b.id}`, owner.token)).status).toBe(404);
    const leaf = (await api.post('/api/v1/departments', { name: 'Leaf' }, owner.token)).body;
    expect((await api.delete(`/api/v1/departments/${leaf.id}`, owner.token)).status).toBe(204);
  });
});

describe('roles', () => {
  it('creates roles with localized names and keys, edits members and deletes them', async () => {
    const owner = await api.signup('Owner', 'Roles');
    const fin = await addMember(owner.token, 'Fin');
    const role = await api.post('/api/v1/roles', { name: { 'zh-CN': '财务', en: 'Finance' }, key: 'finance', memberIds: [fin.id] }, owner.token);
    expect(role.status).toBe(201);
    expect(role.body).toMatchObject({ name: { 'zh-CN': '财务', en: 'Finance' }, key: 'finance', memberIds: [fin.id] });
    expect((await api.post('/api/v1/roles', { name: 'Other', key: 'finance' }, owner.token)).status).toBe(409);
    expect((await api.get(`/api/v1/members/${fin.id}`, owner.token)).body.roleIds).toEqual([role.body.id]);

    const renamed = await api.patch(`/api/v1/roles/${role.body.id}`, { name: 'Finance team', memberIds: [] }, owner.token);
    expect(renamed.body).toMatchObject({ name: 'Finance team', memberIds: [] });
    expect((await api.get('/api/v1/roles', owner.token)).body.items).toHaveLength(1);
    await api.patch(`/api/v1/roles/${role.body.id}`, { memberIds: [fin.id] }, owner.token);
    expect((await api.delete(`/api/v1/roles/${role.body.id}`, owner.token)).status).toBe(204);
    expect((await api.get(`/api/v1/members/${fin.id}`, owner.token)).body.roleIds).toEqual([]);
    expect((await api.get(`/api/v1/roles/${role.body.id}`, owner.token)).status).toBe(404);
  });
});
