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
];
const bigOnes = { and: [{ field: 'amount', op: 'gt', value: 100 }] };

interface Person {
  id: string;
  token: string;
}

/** Ann and bob reach the form through the Sales department's group, cy through the Support group (by member). */
async function world() {
  const owner = await api.signup('Owner', 'Views');
  const sales = (await api.post('/api/v1/departments', { name: 'Sales' }, owner.token)).body.id as string;
  const person = async (name: string, departmentIds: string[] = []): Promise<Person> => {
    const email = `${name}-${Math.random().toString(36).slice(2)}@example.com`;
    const res = await api.post('/api/v1/members', { email, name, password: PASSWORD, departmentIds }, owner.token);
    expect(res.status).toBe(201);
    const login = await api.post('/api/v1/auth/login', { email, password: PASSWORD });
    return { id: res.body.id, token: login.body.token };
  };
  const ann = await person('ann', [sales]);
  const bob = await person('bob', [sales]);
  const cy = await person('cy');
  const appId = (await api.post('/api/v1/apps', { name: 'CRM' }, owner.token)).body.id as string;
  const formId = (await api.post(`/api/v1/apps/${appId}/forms`, { name: 'Deals', fields }, owner.token)).body.id as string;
  const group = async (name: string, grantees: Record<string, string[]>) => {
    const res = await api.post(`/api/v1/forms/${formId}/permission-groups`, { name, grantees, actions: ['view'], scope: 'all' }, owner.token);
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const salesGroup = await group('Sales', { departmentIds: [sales] });
  const supportGroup = await group('Support', { memberIds: [cy.id] });
  return { owner: { id: owner.userId, token: owner.token }, ann, bob, cy, formId, salesGroup, supportGroup };
}

type World = Awaited<ReturnType<typeof world>>;
const names = async (w: World, p: Person) => {
  const res = await api.get(`/api/v1/forms/${w.formId}/views`, p.token);
  expect(res.status).toBe(200);
  return (res.body.items as { name: string }[]).map((v) => v.name).sort();
};

describe('saved views: personal or shared with permission groups', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });

  it('a personal view is its owner’s alone', async () => {
    const res = await api.post(`/api/v1/forms/${w.formId}/views`, { name: 'Ann big', config: { viewType: 'table', filter: bigOnes, columns: ['title'] } }, w.ann.token);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Ann big', shared: null, mine: true, config: { filter: bigOnes } });
    expect(await names(w, w.ann)).toEqual(['Ann big']);
    expect(await names(w, w.bob)).toEqual([]);
    expect(await names(w, w.owner)).toEqual([]);
    expect((await api.patch(`/api/v1/views/${res.body.id}`, { name: 'Bob took it' }, w.bob.token)).status).toBe(404);
    expect((await api.delete(`/api/v1/views/${res.body.id}`, w.bob.token)).status).toBe(404);
    const renamed = await api.patch(`/api/v1/views/${res.body.id}`, { name: 'Ann large' }, w.ann.token);
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Ann large');
  });

  it('a view shared with a group reaches its members and nobody else; one shared with all reaches everyone', async () => {
    const sales = await api.post(`/api/v1/forms/${w.formId}/views`, { name: 'Sales board', config: { viewType: 'kanban' }, shared: { groupIds: [w.salesGroup] } }, w.owner.token);
    expect(sales.status).toBe(201);
    const all = await api.post(`/api/v1/forms/${w.formId}/views`, { name: 'Everyone', config: { viewType: 'table' }, shared: 'all' }, w.owner.token);
    expect(all.status).toBe(201);
    expect(await names(w, w.bob)).toEqual(['Everyone', 'Sales board']);
    expect(await names(w, w.cy)).toEqual(['Everyone']);
    expect(await names(w, w.owner)).toEqual(['Everyone', 'Sales board']);
    // A member who sees a shared view may not change it; an admin may.
    expect((await api.patch(`/api/v1/views/${sales.body.id}`, { name: 'Mine now' }, w.bob.token)).status).toBe(403);
    expect((await api.delete(`/api/v1/views/${sales.body.id}`, w.bob.token)).status).toBe(403);
    expect((await api.patch(`/api/v1/views/${sales.body.id}`, { shared: { groupIds: [w.supportGroup] } }, w.owner.token)).status).toBe(200);
    expect(await names(w, w.bob)).toEqual(['Everyone']);
    expect(await names(w, w.cy)).toEqual(['Everyone', 'Sales board']);
    expect((await api.delete(`/api/v1/views/${all.body.id}`, w.owner.token)).status).toBe(204);
    expect(await names(w, w.cy)).toEqual(['Sales board']);
  });

  it('only admins share, and only with the form’s own groups', async () => {
    const shared = await api.post(`/api/v1/forms/${w.formId}/views`, { name: 'Ann shares', config: {}, shared: { groupIds: [w.salesGroup] } }, w.ann.token);
    expect(shared.status).toBe(403);
    expect((await api.post(`/api/v1/forms/${w.formId}/views`, { name: 'Ann shares', config: {}, shared: 'all' }, w.ann.token)).status).toBe(403);
    const own = await api.post(`/api/v1/forms/${w.formId}/views`, { name: 'Ann later', config: {} }, w.ann.token);
    expect((await api.patch(`/api/v1/views/${own.body.id}`, { shared: 'all' }, w.ann.token)).status).toBe(403);
    expect(await names(w, w.bob)).not.toContain('Ann later');
    const unknown = await api.post(`/api/v1/forms/${w.formId}/views`, { name: 'Ghost', config: {}, shared: { groupIds: ['no-such-group'] } }, w.owner.token);
    expect(unknown.status).toBe(422);
  });

  it('refuses a filter the form cannot run', async () => {
    const bad = await api.post(`/api/v1/forms/${w.formId}/views`, { name: 'Bad', config: { filter: { and: [{ field: 'nope', op: 'eq', value: 1 }] } } }, w.ann.token);
    expect(bad.status).toBe(422);
    const injected = await api.post(`/api/v1/forms/${w.formId}/views`, { name: 'Bad', config: { filter: { $where: 'true' } } }, w.ann.token);
    expect(injected.status).toBe(422);
    expect(await names(w, w.ann)).not.toContain('Bad');
  });

  it('another tenant gets 404 for the form’s views and for a view by id', async () => {
    const shared = await api.post(`/api/v1/forms/${w.formId}/views`, { name: 'Open', config: {}, shared: 'all' }, w.owner.token);
    const stranger = await api.signup('Stranger', 'Other');
    expect((await api.get(`/api/v1/forms/${w.formId}/views`, stranger.token)).status).toBe(404);
    expect((await api.post(`/api/v1/forms/${w.formId}/views`, { name: 'X', config: {} }, stranger.token)).status).toBe(404);
    expect((await api.patch(`/api/v1/views/${shared.body.id}`, { name: 'X' }, stranger.token)).status).toBe(404);
    expect((await api.delete(`/api/v1/views/${shared.body.id}`, stranger.token)).status).toBe(404);
    expect(await names(w, w.cy)).toContain('Open');
  });
});
