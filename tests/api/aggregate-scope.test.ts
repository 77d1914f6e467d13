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
  { id: 'lines', type: 'subform', label: 'Lines', fields: [{ id: 'sku', type: 'text', label: 'SKU' }, { id: 'qty', type: 'number', label: 'Qty' }] },
];

/** Sales East (ann, bob) and Support (cy); each member writes a north record of 10 and a south one of 20. */
async function world() {
  const owner = await api.signup('Owner', 'Scopes');
  const east = (await api.post('/api/v1/departments', { name: 'Sales East' }, owner.token)).body.id as string;
  const support = (await api.post('/api/v1/departments', { name: 'Support' }, owner.token)).body.id as string;
  const person = async (name: string, departmentIds: string[]) => {
    const email = `${name}-${Math.random().toString(36).slice(2)}@example.com`;
    const res = await api.post('/api/v1/members', { email, name, password: PASSWORD, departmentIds }, owner.token);
    expect(res.status).toBe(201);
    const login = await api.post('/api/v1/auth/login', { email, password: PASSWORD });
    return { id: res.body.id as string, token: login.body.token as string };
  };
  const ann = await person('ann', [east]);
  const bob = await person('bob', [east]);
  const cy = await person('cy', [support]);
  const appId = (await api.post('/api/v1/apps', { name: 'CRM' }, owner.token)).body.id as string;
  const formId = (await api.post(`/api/v1/apps/${appId}/forms`, { name: 'Deals', fields }, owner.token)).body.id as string;
  const group = async (body: Record<string, unknown>) => {
    const res = await api.post(`/api/v1/forms/${formId}/permission-groups`, body, owner.token);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  };
  await group({ name: 'Writers', grantees: { memberIds: [ann.id, bob.id, cy.id] }, actions: ['submit'], scope: 'own' });
  for (const [name, p] of Object.entries({ ann, bob, cy })) {
    for (const [region, amount] of [['north', 10], ['south', 20]] as const) {
      const res = await api.post(`/api/v1/forms/${formId}/records`, { data: { title: `${name}-${region}`, amount, region, lines: [{ sku: `${name}-sku`, qty: 1 }] } }, p.token);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  }
  const aggregate = (body: unknown, token: string) => api.post(`/api/v1/forms/${formId}/aggregate`, body, token);
  return { owner, ann, bob, cy, appId, formId, group, aggregate };
}

const byRegion = { groupBy: [{ field: 'region' }], metrics: [{ op: 'count' }, { op: 'sum', field: 'amount' }] };

describe('aggregates honour the data scope', () => {
  it('own scope: only the member\'s rows; department scope: their department\'s; admins: everything', async () => {
    const w = await world();
    await w.group({ name: 'Own', grantees: { memberIds: [w.ann.id] }, actions: ['view'], scope: 'own' });
    await w.group({ name: 'Dept', grantees: { memberIds: [w.bob.id] }, actions: ['view'], scope: 'department' });

    const ann = await w.aggregate(byRegion, w.ann.token);
    expect(ann.status, JSON.stringify(ann.body)).toBe(200);
    expect(ann.body.rows).toEqual([
      { region: 'north', count: 1, sum_amount: 10 },
      { region: 'south', count: 1, sum_amount: 20 },
    ]);
    expect((await w.aggregate({ groupBy: [{ field: 'title' }] }, w.ann.token)).body.rows.map((r: { title: string }) => r.title)).toEqual(['ann-north', 'ann-south']);

    const bob = await w.aggregate(byRegion, w.bob.token);
    expect(bob.body.rows).toEqual([
      { region: 'north', count: 2, sum_amount: 20 },
      { region: 'south', count: 2, sum_amount: 40 },
    ]);
    // Subform rows are scoped with their records.
    expect((await w.aggregate({ groupBy: [{ field: 'lines.sku' }] }, w.bob.token)).body.rows).toEqual([
      { 'lines.sku': 'ann-sku', count: 2 },
      { 'lines.sku': 'bob-sku', count: 2 },
    ]);

    const owner = await w.aggregate(byRegion, w.owner.token);
    expect(owner.body.rows).toEqual([
      { region: 'north', count: 3, sum_amount: 30 },
      { region: 'south', count: 3, sum_amount: 60 },
    ]);
  });

  it('a custom-filter scope and the caller\'s own filter combine', async () => {
    const w = await world();
    await w.group({ name: 'North', grantees: { memberIds: [w.cy.id] }, actions: ['view'], scope: { filter: { field: 'region', op: 'eq', value: 'north' } } });
    const res = await w.aggregate({ groupBy: [{ field: 'region' }], metrics: [{ op: 'sum', field: 'amount' }], filter: { field: 'title', op: 'startsWith', value: 'a' } }, w.cy.token);
    expect(res.body.rows).toEqual([{ region: 'north', sum_amount: 10 }]);
  });

  it('a member without the view right gets 403, whatever they filter on', async () => {
    const w = await world();
    const res = await w.aggregate({ metrics: [{ op: 'count' }] }, w.ann.token);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('forbidden');
  });
});

describe('hidden fields never reach an aggregate', () => {
  it('refuses grouping, aggregating, counting distinct or filtering by a hidden field with 403 forbidden_field', async () => {
    const w = await world();
    await w.group({ name: 'No money', grantees: { memberIds: [w.cy.id] }, actions: ['view'], scope: 'all', fields: { amount: 'hidden', lines: 'hidden' } });
    const refused = [
      { metrics: [{ op: 'sum', field: 'amount' }] },
      { metrics: [{ op: 'avg', field: 'amount' }] },
      { metrics: [{ op: 'distinct', field: 'amount' }] },
      { metrics: [{ op: 'count', field: 'amount' }] },
      { groupBy: [{ field: 'amount' }] },
      { groupBy: [{ field: 'lines.sku' }] },
      { metrics: [{ op: 'sum', field: 'lines.qty' }] },
      { groupBy: [{ field: 'region' }], filter: { field: 'amount', op: 'gt', value: 15 } },
    ];
    for (const body of refused) {
      const res = await w.aggregate(body, w.cy.token);
      expect(res.status, JSON.stringify(body)).toBe(403);
      expect(res.body.code).toBe('forbidden_field');
      expect(JSON.stringify(res.body)).not.toMatch(/"(10|20|30|60)"|sum_amount/);
    }
    // What they may see still aggregates.
    const ok = await w.aggregate({ groupBy: [{ field: 'region' }] }, w.cy.token);
    expect(ok.status).toBe(200);
    expect(ok.body.rows).toEqual([
      { region: 'north', count: 3 },
      { region: 'south', count: 3 },
    ]);
    // The owner sees the field.
    expect((await w.aggregate({ metrics: [{ op: 'sum', field: 'amount' }] }, w.owner.token)).body.rows).toEqual([{ sum_amount: 90 }]);
  });

  it('an API token limited to another app cannot aggregate this form', async () => {
    const w = await world();
    const otherApp = (await api.post('/api/v1/apps', { name: 'Other' }, w.owner.token)).body.id as string;
    const token = await api.post('/api/v1/api-tokens', { name: 'narrow', appIds: [otherApp], actions: ['view'] }, w.owner.token);
    expect(token.status, JSON.stringify(token.body)).toBe(201);
    const res = await w.aggregate({ metrics: [{ op: 'count' }] }, token.body.token);
    expect(res.status).toBe(404);
  });
});
