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
const dayIn = (offsetDays: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + offsetDays * 86_400_000));

interface Ctx {
  owner: { token: string; userId: string };
  member: { token: string; id: string };
  formId: string;
  deptId: string;
}

async function setup(): Promise<Ctx> {
  const owner = await api.signup('Owner', 'QueryCo');
  const dept = await api.post('/api/v1/departments', { name: 'East' }, owner.token);
  const member = await api.post('/api/v1/members', { email: `q-${Math.random().toString(36).slice(2)}@example.com`, name: 'Mia', password: PASSWORD, departmentIds: [dept.body.id] }, owner.token);
  expect(member.status, JSON.stringify(member.body)).toBe(201);
  const login = await api.post('/api/v1/auth/login', { email: member.body.email, password: PASSWORD });
  const app = await api.post('/api/v1/apps', { name: 'Q' }, owner.token);
  const form = await api.post(
    `/api/v1/apps/${app.body.id}/forms`,
    {
      name: 'Deals',
      fields: [
        { id: 'name', type: 'text', label: 'Name' },
        { id: 'amount', type: 'number', label: 'Amount' },
        { id: 'due', type: 'date', label: 'Due' },
        { id: 'at', type: 'datetime', label: 'At' },
        { id: 'stage', type: 'select', label: 'Stage', options: [{ value: 'new', label: 'New' }, { value: 'won', label: 'Won' }] },
        { id: 'tags', type: 'checkbox', label: 'Tags', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }] },
        { id: 'owner', type: 'member', label: 'Owner' },
        { id: 'dept', type: 'department', label: 'Department' },
        { id: 'items', type: 'subform', label: 'Items', fields: [{ id: 'sku', type: 'text', label: 'SKU' }] },
      ],
    },
    owner.token,
  );
  await api.post(`/api/v1/forms/${form.body.id}/permission-groups`, { name: 'All', grantees: { memberIds: [member.body.id] }, actions: ['view'], scope: 'all' }, owner.token);
  const post = async (data: Record<string, unknown>) => {
    const r = await api.post(`/api/v1/forms/${form.body.id}/records`, { data }, owner.token);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  };
  await post({ name: 'Alpha', amount: 10, due: dayIn(0), at: new Date().toISOString(), stage: 'new', tags: ['a'], owner: owner.userId, dept: dept.body.id, items: [{ sku: 'X1' }] });
  await post({ name: 'Beta', amount: 20, due: dayIn(-1), at: '2020-01-01T00:00:00+08:00', stage: 'won', tags: ['a', 'b'], owner: member.body.id, items: [{ sku: 'Y1' }, { sku: 'X2' }] });
  await post({ name: 'alphabet', amount: 30, due: dayIn(1), stage: 'won' });
  await post({ name: 'Gamma' });
  return { owner, member: { token: login.body.token, id: member.body.id }, formId: form.body.id, deptId: dept.body.id };
}

let ctx: Ctx;
beforeAll(async () => {
  ctx = await setup();
});

async function names(filter: unknown, token = ctx.owner.token, extra = '') {
  const res = await api.get(`/api/v1/forms/${ctx.formId}/records?limit=100&sort=name&filter=${encodeURIComponent(JSON.stringify(filter))}${extra}`, token);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.total).toBe(res.body.items.length);
  return res.body.items.map((r: { data: { name: string } }) => r.data.name);
}

describe('filters', () => {
  const cases: [string, unknown, string[]][] = [
    ['eq', { field: 'name', op: 'eq', value: 'Alpha' }, ['Alpha']],
    ['ne (missing values included)', { field: 'stage', op: 'ne', value: 'won' }, ['Alpha', 'Gamma']],
    ['gt', { field: 'amount', op: 'gt', value: 10 }, ['Beta', 'alphabet']],
    ['gte', { field: 'amount', op: 'gte', value: 20 }, ['Beta', 'alphabet']],
    ['lt', { field: 'amount', op: 'lt', value: 20 }, ['Alpha']],
    ['lte', { field: 'amount', op: 'lte', value: 20 }, ['Alpha', 'Beta']],
    ['in', { field: 'stage', op: 'in', value: ['new', 'won'] }, ['Alpha', 'Beta', 'alphabet']],
    ['nin', { field: 'stage', op: 'nin', value: ['won'] }, ['Alpha', 'Gamma']],
    ['contains (case-insensitive)', { field: 'name', op: 'contains', value: 'alpha' }, ['Alpha', 'alphabet']],
    ['contains on a multi-value field', { field: 'tags', op: 'contains', value: 'b' }, ['Beta']],
    ['startsWith', { field: 'name', op: 'startsWith', value: 'Al' }, ['Alpha']],
    ['empty', { field: 'amount', op: 'empty' }, ['Gamma']],
    ['empty list', { field: 'tags', op: 'empty' }, ['Gamma', 'alphabet']],
    ['notEmpty', { field: 'tags', op: 'notEmpty' }, ['Alpha', 'Beta']],
    ['between', { field: 'amount', op: 'between', value: [15, 30] }, ['Beta', 'alphabet']],
    ['between with an open end', { field: 'amount', op: 'between', value: [null, 15] }, ['Alpha']],
    ['date eq today', { field: 'due', op: 'eq', value: { dynamic: 'today' } }, ['Alpha']],
    ['date lt today', { field: 'due', op: 'lt', value: { dynamic: 'today' } }, ['Beta']],
    ['date-time on today (the whole day)', { field: 'at', op: 'eq', value: { dynamic: 'today' } }, ['Alpha']],
    ['date-time before a day', { field: 'at', op: 'lt', value: '2020-01-02' }, ['Beta']],
    ['date-time range', { field: 'at', op: 'between', value: ['2019-12-31T16:00:00Z', '2019-12-31T16:00:00Z'] }, ['Beta']],
    ['subform column (any row)', { field: 'items.sku', op: 'startsWith', value: 'X' }, ['Alpha', 'Beta']],
    ['system field createdBy', { field: 'createdBy', op: 'eq', value: { dynamic: 'currentUser' } }, ['Alpha', 'Beta', 'Gamma', 'alphabet']],
    ['and / or groups', { or: [{ field: 'name', op: 'eq', value: 'Gamma' }, { and: [{ field: 'stage', op: 'eq', value: 'won' }, { field: 'amount', op: 'lt', value: 25 }] }] }, ['Beta', 'Gamma']],
  ];
  it.each(cases)('%s', async (_name, filter, expected) => {
    expect(await names(filter)).toEqual(expected);
  });

  it('resolves currentUser and currentDepartment for the caller', async () => {
    expect(await names({ field: 'owner', op: 'eq', value: { dynamic: 'currentUser' } })).toEqual(['Alpha']);
    expect(await names({ field: 'owner', op: 'eq', value: { dynamic: 'currentUser' } }, ctx.member.token)).toEqual(['Beta']);
    expect(await names({ field: 'dept', op: 'in', value: { dynamic: 'currentDepartment' } }, ctx.member.token)).toEqual(['Alpha']);
    expect(await names({ field: 'dept', op: 'in', value: { dynamic: 'currentDepartment' } })).toEqual([]);
  });

  const refused: [string, unknown][] = [
    ['an unknown field', { field: 'nope', op: 'eq', value: 1 }],
    ['an unknown operator', { field: 'name', op: '$where', value: '1' }],
    ['an operator object as value', { field: 'name', op: 'eq', value: { $ne: null } }],
    ['a value of the wrong type', { field: 'amount', op: 'gt', value: '10' }],
    ['an operator the type does not support', { field: 'amount', op: 'contains', value: '1' }],
    ['a raw Mongo filter', { $where: 'sleep(1000)' }],
    ['groups nested too deep', { and: [{ or: [{ and: [{ or: [{ field: 'name', op: 'eq', value: 'x' }] }] }] }] }],
  ];
  it.each(refused)('refuses %s with 422', async (_name, filter) => {
    const res = await api.get(`/api/v1/forms/${ctx.formId}/records?filter=${encodeURIComponent(JSON.stringify(filter))}`, ctx.owner.token);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('invalid_filter');
  });
});

describe('sort, projection and paging', () => {
  const order = async (sort: string) => (await api.get(`/api/v1/forms/${ctx.formId}/records?sort=${sort}`, ctx.owner.token)).body.items.map((r: { data: { name: string } }) => r.data.name);

  it('sorts on any field, ascending or descending, with missing values first ascending', async () => {
    expect(await order('amount')).toEqual(['Gamma', 'Alpha', 'Beta', 'alphabet']);
    expect(await order('-amount')).toEqual(['alphabet', 'Beta', 'Alpha', 'Gamma']);
    expect(await order('-due,name')).toEqual(['alphabet', 'Alpha', 'Beta', 'Gamma']);
    expect(await order('stage,-name')).toEqual(['Gamma', 'Alpha', 'alphabet', 'Beta']);
    expect((await api.get(`/api/v1/forms/${ctx.formId}/records?sort=items`, ctx.owner.token)).status).toBe(422);
    expect((await api.get(`/api/v1/forms/${ctx.formId}/records?sort=nope`, ctx.owner.token)).status).toBe(422);
  });

  it('projects the asked fields only', async () => {
    const res = await api.get(`/api/v1/forms/${ctx.formId}/records?fields=name,amount&sort=-amount`, ctx.owner.token);
    expect(res.body.items[0]).toMatchObject({ id: expect.any(String), version: 1, data: { name: 'alphabet', amount: 30 } });
    expect(res.body.items.every((r: { data: object }) => Object.keys(r.data).every((k) => k === 'name' || k === 'amount'))).toBe(true);
    expect((await api.get(`/api/v1/forms/${ctx.formId}/records?fields=nope`, ctx.owner.token)).status).toBe(422);
  });

  it('pages with a cursor through every record exactly once, with the total on every page', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/forms/${ctx.formId}/records?sort=-amount&limit=1${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await api.get(url, ctx.owner.token);
      expect(page.body.total).toBe(4);
      seen.push(...page.body.items.map((r: { data: { name: string } }) => r.data.name));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['alphabet', 'Beta', 'Alpha', 'Gamma']);
    expect((await api.get(`/api/v1/forms/${ctx.formId}/records?cursor=garbage`, ctx.owner.token)).status).toBe(400);
    const mismatched = Buffer.from(JSON.stringify([1])).toString('base64url');
    expect((await api.get(`/api/v1/forms/${ctx.formId}/records?sort=-amount,name&cursor=${mismatched}`, ctx.owner.token)).status).toBe(400);
  });
});
