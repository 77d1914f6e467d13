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
const fields = [
  { id: 'title', type: 'text', label: 'Title' },
  { id: 'amount', type: 'number', label: 'Amount' },
  { id: 'region', type: 'select', label: 'Region', options: [{ value: 'north', label: 'North' }, { value: 'south', label: 'South' }] },
];

interface Person {
  id: string;
  token: string;
}

/**
 * Tenant: Sales (supervisor boss) > Sales East (ann, bob), Support (cy). Each member writes two records
 * (north and south), the owner writes one, so every scope selects a different, known set.
 */
async function world() {
  const owner = await api.signup('Owner', 'Scopes');
  const sales = (await api.post('/api/v1/departments', { name: 'Sales' }, owner.token)).body.id as string;
  const east = (await api.post('/api/v1/departments', { name: 'Sales East', parentId: sales }, owner.token)).body.id as string;
  const support = (await api.post('/api/v1/departments', { name: 'Support' }, owner.token)).body.id as string;
  const person = async (name: string, departmentIds: string[]): Promise<Person> => {
    const email = `${name}-${Math.random().toString(36).slice(2)}@example.com`;
    const res = await api.post('/api/v1/members', { email, name, password: PASSWORD, departmentIds }, owner.token);
    expect(res.status).toBe(201);
    const login = await api.post('/api/v1/auth/login', { email, password: PASSWORD });
    return { id: res.body.id, token: login.body.token };
  };
  const boss = await person('boss', [sales]);
  const ann = await person('ann', [east]);
  const bob = await person('bob', [east]);
  const cy = await person('cy', [support]);
  const appId = (await api.post('/api/v1/apps', { name: 'CRM' }, owner.token)).body.id as string;
  const formId = (await api.post(`/api/v1/apps/${appId}/forms`, { name: 'Deals', fields }, owner.token)).body.id as string;
  // A writer group so everyone can submit their own records.
  const writers = await api.post(
    `/api/v1/forms/${formId}/permission-groups`,
    { name: 'Writers', grantees: { memberIds: [boss.id, ann.id, bob.id, cy.id] }, actions: ['submit'], scope: 'own' },
    owner.token,
  );
  expect(writers.status).toBe(201);
  const titles = new Map<string, string>();
  for (const [name, p] of Object.entries({ boss, ann, bob, cy })) {
    for (const region of ['north', 'south']) {
      const res = await api.post(`/api/v1/forms/${formId}/records`, { data: { title: `${name}-${region}`, amount: 10, region } }, p.token);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      titles.set(res.body.id, `${name}-${region}`);
    }
  }
  await api.post(`/api/v1/forms/${formId}/records`, { data: { title: 'owner-north', region: 'north' } }, owner.token);
  const group = (body: Record<string, unknown>) => api.post(`/api/v1/forms/${formId}/permission-groups`, body, owner.token);
  const titlesFor = async (p: { token: string }) => {
    const res = await api.get(`/api/v1/forms/${formId}/records?limit=100&sort=title`, p.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.total).toBe(res.body.items.length);
    return res.body.items.map((r: { data: { title: string } }) => r.data.title);
  };
  return { owner, boss, ann, bob, cy, sales, east, support, appId, formId, group, titlesFor, titles };
}

describe('data scopes', () => {
  it('own, department, department tree, all and a custom filter each select exactly their rows', async () => {
    const w = await world();
    const { ann, bob, boss, cy } = w;
    // Before any view group, a submit-only member lists nothing: 403, not an empty page.
    expect((await api.get(`/api/v1/forms/${w.formId}/records`, ann.token)).status).toBe(403);

    expect((await w.group({ name: 'Own', grantees: { memberIds: [ann.id] }, actions: ['view'], scope: 'own' })).status).toBe(201);
    expect(await w.titlesFor(ann)).toEqual(['ann-north', 'ann-south']);

    expect((await w.group({ name: 'Dept', grantees: { memberIds: [bob.id] }, actions: ['view'], scope: 'department' })).status).toBe(201);
    expect(await w.titlesFor(bob)).toEqual(['ann-north', 'ann-south', 'bob-north', 'bob-south']);

    // The Sales supervisor's group grants the Sales department, so it covers Sales East below it.
    expect((await w.group({ name: 'Tree', grantees: { departmentIds: [w.sales] }, actions: ['view'], scope: 'departmentTree' })).status).toBe(201);
    expect(await w.titlesFor(boss)).toEqual(['ann-north', 'ann-south', 'bob-north', 'bob-south', 'boss-north', 'boss-south']);
    // Ann is in Sales East (below Sales): the department grant reaches her, and the union now widens her rows to
    // her own department tree (Sales East only).
    expect(await w.titlesFor(ann)).toEqual(['ann-north', 'ann-south', 'bob-north', 'bob-south']);

    expect((await w.group({ name: 'North', grantees: { memberIds: [cy.id] }, actions: ['view'], scope: { filter: { and: [{ field: 'region', op: 'eq', value: 'north' }] } } })).status).toBe(201);
    expect(await w.titlesFor(cy)).toEqual(['ann-north', 'bob-north', 'boss-north', 'cy-north', 'owner-north']);

    const role = (await api.post('/api/v1/roles', { name: 'Auditors', memberIds: [cy.id] }, w.owner.token)).body.id;
    expect((await w.group({ name: 'All', grantees: { roleIds: [role] }, actions: ['view'], scope: 'all' })).status).toBe(201);
    expect(await w.titlesFor(cy)).toHaveLength(9);

    // A filter with a dynamic value resolved for the caller: the boss may delete the records he created, only.
    const mine = await w.group({ name: 'Mine', grantees: { memberIds: [boss.id] }, actions: ['delete'], scope: { filter: { and: [{ field: 'createdBy', op: 'eq', value: { dynamic: 'currentUser' } }] } } });
    expect(mine.status).toBe(201);
    const rows = (await api.get(`/api/v1/forms/${w.formId}/records?limit=100`, boss.token)).body.items as { id: string; data: { title: string } }[];
    const idOf = (title: string) => rows.find((r) => r.data.title === title)!.id;
    expect((await api.delete(`/api/v1/forms/${w.formId}/records/${idOf('ann-north')}`, boss.token)).status).toBe(403);
    expect((await api.delete(`/api/v1/forms/${w.formId}/records/${idOf('boss-north')}`, boss.token)).status).toBe(204);
  });

  it('reads and writes outside the scope are 404; inside the view scope but outside the edit scope 403', async () => {
    const w = await world();
    const { ann, bob } = w;
    await w.group({ name: 'See dept', grantees: { memberIds: [ann.id] }, actions: ['view'], scope: 'department' });
    await w.group({ name: 'Edit own', grantees: { memberIds: [ann.id] }, actions: ['edit', 'delete'], scope: 'own' });
    const all = await api.get(`/api/v1/forms/${w.formId}/records?limit=100`, w.owner.token);
    const idOf = (title: string) => all.body.items.find((r: { data: { title: string } }) => r.data.title === title).id as string;
    const url = (title: string) => `/api/v1/forms/${w.formId}/records/${idOf(title)}`;

    expect((await api.get(url('bob-north'), ann.token)).status).toBe(200);
    expect((await api.get(url('cy-north'), ann.token)).status).toBe(404);
    expect((await api.get(`${url('cy-north')}/history`, ann.token)).status).toBe(404);

    const editOwn = await api.patch(url('ann-north'), { data: { amount: 20 } }, ann.token);
    expect(editOwn.status).toBe(200);
    expect(editOwn.body.data.amount).toBe(20);
    const editPeer = await api.patch(url('bob-north'), { data: { amount: 99 } }, ann.token);
    expect(editPeer.status).toBe(403);
    expect(editPeer.body.code).toBe('forbidden');
    expect((await api.patch(url('cy-north'), { data: { amount: 99 } }, ann.token)).status).toBe(404);
    expect((await api.delete(url('bob-north'), ann.token)).status).toBe(403);
    expect((await api.delete(url('cy-north'), ann.token)).status).toBe(404);
    expect((await api.get(url('bob-north'), w.owner.token)).body.data.amount).toBe(10);

    // Bob may view but not edit at all: 403 with the contract's code.
    await w.group({ name: 'Bob sees', grantees: { memberIds: [bob.id] }, actions: ['view'], scope: 'own' });
    const bobEdit = await api.patch(url('bob-north'), { data: { amount: 1 } }, bob.token);
    expect(bobEdit.status).toBe(403);
    expect(bobEdit.body.code).toBe('forbidden');

    // Deleting and restoring own records through the recycle bin, scoped too.
    expect((await api.delete(url('ann-south'), ann.token)).status).toBe(204);
    const bin = await api.get(`/api/v1/forms/${w.formId}/recycle-bin`, ann.token);
    expect(bin.status).toBe(200);
    expect(bin.body.items.map((r: { data: { title: string } }) => r.data.title)).toEqual(['ann-south']);
    await api.delete(url('cy-south'), w.owner.token);
    const cySouth = (await api.get(`/api/v1/forms/${w.formId}/recycle-bin`, w.owner.token)).body.items.find((r: { data: { title: string } }) => r.data.title === 'cy-south').id;
    expect((await api.post(`/api/v1/forms/${w.formId}/records/${cySouth}/restore`, {}, ann.token)).status).toBe(404);
    expect((await api.delete(`/api/v1/forms/${w.formId}/recycle-bin/${cySouth}`, ann.token)).status).toBe(404);
    expect((await api.get(`/api/v1/forms/${w.formId}/recycle-bin`, bob.token)).status).toBe(403);
    const annSouth = bin.body.items[0].id;
    expect((await api.post(`/api/v1/forms/${w.formId}/records/${annSouth}/restore`, {}, ann.token)).status).toBe(200);
  });

  it('the union of groups: actions add up and each action keeps its own scope', async () => {
    const w = await world();
    const { bob } = w;
    const role = (await api.post('/api/v1/roles', { name: 'Support readers', memberIds: [bob.id] }, w.owner.token)).body.id;
    await w.group({ name: 'Own editors', grantees: { memberIds: [bob.id] }, actions: ['view', 'edit'], scope: 'own' });
    await w.group({ name: 'North readers', grantees: { roleIds: [role] }, actions: ['view'], scope: { filter: { and: [{ field: 'region', op: 'eq', value: 'north' }] } } });
    expect(await w.titlesFor(bob)).toEqual(['ann-north', 'bob-north', 'bob-south', 'boss-north', 'cy-north', 'owner-north']);
    const list = (await api.get(`/api/v1/forms/${w.formId}/records?limit=100`, w.owner.token)).body.items;
    const idOf = (title: string) => list.find((r: { data: { title: string } }) => r.data.title === title).id;
    expect((await api.patch(`/api/v1/forms/${w.formId}/records/${idOf('bob-south')}`, { data: { amount: 5 } }, bob.token)).status).toBe(200);
    // Visible through the north group, but edit only reaches his own.
    expect((await api.patch(`/api/v1/forms/${w.formId}/records/${idOf('cy-north')}`, { data: { amount: 5 } }, bob.token)).status).toBe(403);
    // A user filter narrows inside the scope, never beyond it.
    const filtered = await api.get(`/api/v1/forms/${w.formId}/records?filter=${encodeURIComponent(JSON.stringify({ and: [{ field: 'region', op: 'eq', value: 'south' }] }))}`, bob.token);
    expect(filtered.body.items.map((r: { data: { title: string } }) => r.data.title)).toEqual(['bob-south']);
    expect(filtered.body.total).toBe(1);
  });
});

describe('apps and forms visibility', () => {
  it('members see only apps and forms where a group names them; a form without groups is for admins only', async () => {
    const w = await world();
    const hiddenForm = (await api.post(`/api/v1/apps/${w.appId}/forms`, { name: 'Secret', fields }, w.owner.token)).body.id;
    const otherApp = (await api.post('/api/v1/apps', { name: 'HR' }, w.owner.token)).body.id;
    await api.post(`/api/v1/apps/${otherApp}/forms`, { name: 'Salaries', fields }, w.owner.token);

    const apps = await api.get('/api/v1/apps', w.ann.token);
    expect(apps.body.items.map((a: { id: string }) => a.id)).toEqual([w.appId]);
    expect((await api.get('/api/v1/apps', w.owner.token)).body.items).toHaveLength(2);
    const forms = await api.get(`/api/v1/apps/${w.appId}/forms`, w.ann.token);
    expect(forms.body.items.map((f: { id: string }) => f.id)).toEqual([w.formId]);
    expect((await api.get(`/api/v1/apps/${w.appId}/forms`, w.owner.token)).body.items).toHaveLength(2);

    const denied = await api.get(`/api/v1/forms/${hiddenForm}`, w.ann.token);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('forbidden');
    expect((await api.get(`/api/v1/forms/${hiddenForm}/records`, w.ann.token)).status).toBe(403);
    expect((await api.post(`/api/v1/forms/${hiddenForm}/records`, { data: { title: 'x' } }, w.ann.token)).status).toBe(403);
    expect((await api.get(`/api/v1/apps/${otherApp}`, w.ann.token)).status).toBe(403);
    expect((await api.get(`/api/v1/apps/${otherApp}/forms`, w.ann.token)).status).toBe(403);

    const form = await api.get(`/api/v1/forms/${w.formId}`, w.ann.token);
    expect(form.status).toBe(200);
    expect(form.body.access.actions).toEqual(['submit']);
    expect((await api.get(`/api/v1/forms/${w.formId}`, w.owner.token)).body.access.full).toBe(true);
  });

  it('a member cannot create or change permission groups, nor see them', async () => {
    const w = await world();
    const body = { name: 'Mine', grantees: { memberIds: [w.ann.id] }, actions: ['view', 'edit', 'delete'], scope: 'all' };
    const res = await api.post(`/api/v1/forms/${w.formId}/permission-groups`, body, w.ann.token);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('forbidden');
    const groups = await api.get(`/api/v1/forms/${w.formId}/permission-groups`, w.owner.token);
    expect(groups.status).toBe(200);
    const writers = groups.body.items[0];
    expect((await api.get(`/api/v1/forms/${w.formId}/permission-groups`, w.ann.token)).status).toBe(403);
    expect((await api.patch(`/api/v1/forms/${w.formId}/permission-groups/${writers.id}`, { actions: ['submit', 'view'], scope: 'all' }, w.ann.token)).status).toBe(403);
    expect((await api.delete(`/api/v1/forms/${w.formId}/permission-groups/${writers.id}`, w.ann.token)).status).toBe(403);
    expect((await api.get(`/api/v1/forms/${w.formId}/records`, w.ann.token)).status).toBe(403);
  });

  it('manages groups: validation, patch and delete take effect on the next request', async () => {
    const w = await world();
    const bad = await w.group({ name: 'Bad', grantees: { memberIds: ['ghost'] }, actions: ['view'], scope: 'all', fields: { nope: 'hidden' } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('fields.nope');
    expect((await w.group({ name: 'Bad', grantees: { memberIds: ['ghost'] }, actions: ['view'], scope: 'all' })).status).toBe(422);
    expect((await w.group({ name: 'Bad', actions: ['fly'], scope: 'all' })).status).toBe(422);
    const badFilter = await w.group({ name: 'Bad', actions: ['view'], scope: { filter: { and: [{ field: 'ghost', op: 'eq', value: 1 }] } } });
    expect(badFilter.status).toBe(422);

    const g = await w.group({ name: 'Cy', grantees: { memberIds: [w.cy.id] }, actions: ['view'], scope: 'own' });
    expect(g.body).toMatchObject({ name: 'Cy', actions: ['view'], scope: 'own', grantees: { memberIds: [w.cy.id], departmentIds: [], roleIds: [] } });
    expect(await w.titlesFor(w.cy)).toHaveLength(2);
    const patched = await api.patch(`/api/v1/forms/${w.formId}/permission-groups/${g.body.id}`, { scope: 'all' }, w.owner.token);
    expect(patched.status).toBe(200);
    expect(patched.body.scope).toBe('all');
    expect(await w.titlesFor(w.cy)).toHaveLength(9);
    expect((await api.get(`/api/v1/forms/${w.formId}/permission-groups/${g.body.id}`, w.owner.token)).body.scope).toBe('all');
    expect((await api.delete(`/api/v1/forms/${w.formId}/permission-groups/${g.body.id}`, w.owner.token)).status).toBe(204);
    expect((await api.get(`/api/v1/forms/${w.formId}/records`, w.cy.token)).status).toBe(403);
    expect((await api.get(`/api/v1/forms/${w.formId}/permission-groups/${g.body.id}`, w.owner.token)).status).toBe(404);
  });
});
