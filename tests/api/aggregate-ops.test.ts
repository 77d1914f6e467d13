import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(async () => {
  await api?.close();
});

const fields = [
  { id: 'customer', type: 'text', label: 'Customer' },
  { id: 'stage', type: 'select', label: 'Stage', options: ['new', 'won', 'lost'].map((v) => ({ value: v, label: v })) },
  { id: 'amount', type: 'number', label: 'Amount' },
  { id: 'signedOn', type: 'date', label: 'Signed on' },
  { id: 'closedAt', type: 'datetime', label: 'Closed at' },
  { id: 'tags', type: 'checkbox', label: 'Tags', options: ['a', 'b', 'c'].map((v) => ({ value: v, label: v })) },
  {
    id: 'items',
    type: 'subform',
    label: 'Items',
    fields: [
      { id: 'product', type: 'text', label: 'Product' },
      { id: 'qty', type: 'number', label: 'Qty' },
    ],
  },
  { id: 'address', type: 'address', label: 'Address' },
];

/**
 * Five orders chosen around the edges that matter: closing times on both sides of midnight and of a quarter in
 * Shanghai (UTC+8), a sign-off on the Monday that starts ISO week 2026-W01, a record without amount or close.
 */
const orders = [
  { customer: 'ACME', stage: 'won', amount: 100, signedOn: '2026-01-05', closedAt: '2025-12-31T17:30:00Z', tags: ['a', 'b'], items: [{ product: 'P1', qty: 2 }, { product: 'P2', qty: 1 }] },
  { customer: 'ACME', stage: 'won', amount: 300, signedOn: '2026-02-10', closedAt: '2026-03-31T15:59:00Z', tags: ['a'], items: [{ product: 'P1', qty: 3 }] },
  { customer: 'Beta', stage: 'lost', amount: 50, signedOn: '2026-04-01', closedAt: '2026-03-31T16:00:00Z' },
  { customer: 'Gamma', stage: 'new', signedOn: '2025-12-29' },
  { customer: 'Beta', stage: 'won', amount: 150.5, signedOn: '2026-01-05', closedAt: '2026-01-01T00:00:00Z' },
];

async function setup(tenantName = 'Agg') {
  const owner = await api.signup('Owner', tenantName);
  const appId = (await api.post('/api/v1/apps', { name: 'Sales' }, owner.token)).body.id as string;
  const form = await api.post(`/api/v1/apps/${appId}/forms`, { name: 'Orders', fields }, owner.token);
  expect(form.status, JSON.stringify(form.body)).toBe(201);
  const formId = form.body.id as string;
  for (const data of orders) {
    const res = await api.post(`/api/v1/forms/${formId}/records`, { data }, owner.token);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  const aggregate = (body: unknown, token = owner.token) => api.post(`/api/v1/forms/${formId}/aggregate`, body, token);
  const rows = async (body: unknown) => {
    const res = await aggregate(body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.rows as Record<string, unknown>[];
  };
  return { owner, appId, formId, aggregate, rows };
}

let w: Awaited<ReturnType<typeof setup>>;
beforeAll(async () => {
  w = await setup();
});

describe('metrics', () => {
  it('counts, sums, averages, takes min and max and counts distinct values per group', async () => {
    const rows = await w.rows({
      groupBy: [{ field: 'stage' }],
      metrics: [{ op: 'count' }, { op: 'sum', field: 'amount' }, { op: 'avg', field: 'amount' }, { op: 'min', field: 'amount' }, { op: 'max', field: 'amount' }, { op: 'distinct', field: 'customer' }],
    });
    expect(rows).toEqual([
      { stage: 'lost', count: 1, sum_amount: 50, avg_amount: 50, min_amount: 50, max_amount: 50, distinct_customer: 1 },
      { stage: 'new', count: 1, sum_amount: 0, avg_amount: null, min_amount: null, max_amount: null, distinct_customer: 1 },
      { stage: 'won', count: 3, sum_amount: 550.5, avg_amount: 183.5, min_amount: 100, max_amount: 300, distinct_customer: 2 },
    ]);
  });

  it('answers one row without groups, also over no records at all', async () => {
    expect(await w.rows({ metrics: [{ op: 'count' }, { op: 'count', field: 'amount' }, { op: 'distinct', field: 'customer' }, { op: 'min', field: 'amount' }] })).toEqual([
      { count: 5, count_amount: 4, distinct_customer: 3, min_amount: 50 },
    ]);
    const none = await w.rows({ metrics: [{ op: 'count' }, { op: 'sum', field: 'amount' }, { op: 'avg', field: 'amount' }], filter: { field: 'customer', op: 'eq', value: 'Nobody' } });
    expect(none).toEqual([{ count: 0, sum_amount: 0, avg_amount: null }]);
  });

  it('defaults to a count, names metrics with `as`, filters, sorts by a metric and limits', async () => {
    expect(await w.rows({ groupBy: [{ field: 'customer', as: 'who' }] })).toEqual([
      { who: 'ACME', count: 2 },
      { who: 'Beta', count: 2 },
      { who: 'Gamma', count: 1 },
    ]);
    const won = await w.rows({ groupBy: [{ field: 'customer' }], metrics: [{ op: 'sum', field: 'amount', as: 'revenue' }], filter: { and: [{ field: 'stage', op: 'eq', value: 'won' }] }, sort: '-revenue' });
    expect(won).toEqual([
      { customer: 'ACME', revenue: 400 },
      { customer: 'Beta', revenue: 150.5 },
    ]);
    const top = await w.aggregate({ groupBy: [{ field: 'stage' }], metrics: [{ op: 'count' }], sort: '-count', limit: 1 });
    expect(top.body).toEqual({ rows: [{ stage: 'won', count: 3 }], total: 3 });
  });

  it('groups by two fields', async () => {
    expect(await w.rows({ groupBy: [{ field: 'stage' }, { field: 'customer' }], metrics: [{ op: 'count' }] })).toEqual([
      { stage: 'lost', customer: 'Beta', count: 1 },
      { stage: 'new', customer: 'Gamma', count: 1 },
      { stage: 'won', customer: 'ACME', count: 2 },
      { stage: 'won', customer: 'Beta', count: 1 },
    ]);
  });
});

describe('date buckets', () => {
  const bySigned = async (bucket: string) => w.rows({ groupBy: [{ field: 'signedOn', bucket }], metrics: [{ op: 'count' }] });
  const byClosed = async (bucket: string) => w.rows({ groupBy: [{ field: 'closedAt', bucket }], metrics: [{ op: 'count' }] });

  it('buckets date fields by day, ISO week, month, quarter and year', async () => {
    expect(await bySigned('day')).toEqual([
      { signedOn: '2025-12-29', count: 1 },
      { signedOn: '2026-01-05', count: 2 },
      { signedOn: '2026-02-10', count: 1 },
      { signedOn: '2026-04-01', count: 1 },
    ]);
    expect(await bySigned('week')).toEqual([
      { signedOn: '2026-W01', count: 1 },
      { signedOn: '2026-W02', count: 2 },
      { signedOn: '2026-W07', count: 1 },
      { signedOn: '2026-W14', count: 1 },
    ]);
    expect(await bySigned('month')).toEqual([
      { signedOn: '2025-12', count: 1 },
      { signedOn: '2026-01', count: 2 },
      { signedOn: '2026-02', count: 1 },
      { signedOn: '2026-04', count: 1 },
    ]);
    expect(await bySigned('quarter')).toEqual([
      { signedOn: '2025-Q4', count: 1 },
      { signedOn: '2026-Q1', count: 3 },
      { signedOn: '2026-Q2', count: 1 },
    ]);
    expect(await bySigned('year')).toEqual([
      { signedOn: '2025', count: 1 },
      { signedOn: '2026', count: 4 },
    ]);
  });

  it("buckets date-times in the tenant's time zone (Asia/Shanghai), records without a value last", async () => {
    expect(await byClosed('day')).toEqual([
      { closedAt: '2026-01-01', count: 2 },
      { closedAt: '2026-03-31', count: 1 },
      { closedAt: '2026-04-01', count: 1 },
      { closedAt: null, count: 1 },
    ]);
    expect(await byClosed('week')).toEqual([
      { closedAt: '2026-W01', count: 2 },
      { closedAt: '2026-W14', count: 2 },
      { closedAt: null, count: 1 },
    ]);
    expect(await byClosed('month')).toEqual([
      { closedAt: '2026-01', count: 2 },
      { closedAt: '2026-03', count: 1 },
      { closedAt: '2026-04', count: 1 },
      { closedAt: null, count: 1 },
    ]);
    expect(await byClosed('quarter')).toEqual([
      { closedAt: '2026-Q1', count: 3 },
      { closedAt: '2026-Q2', count: 1 },
      { closedAt: null, count: 1 },
    ]);
    // In UTC the first order closed in 2025; in Shanghai it is already 2026.
    expect(await byClosed('year')).toEqual([
      { closedAt: '2026', count: 4 },
      { closedAt: null, count: 1 },
    ]);
  });

  it('follows a tenant in another zone, including a half-hour one', async () => {
    const t = await setup('Zones');
    const tenants = api.server.services.store.collection('tenants');
    await tenants.updateOne({ _id: t.owner.tenantId }, { $set: { timeZone: 'UTC' } });
    expect(await t.rows({ groupBy: [{ field: 'closedAt', bucket: 'year' }], metrics: [{ op: 'count' }] })).toEqual([
      { closedAt: '2025', count: 1 },
      { closedAt: '2026', count: 3 },
      { closedAt: null, count: 1 },
    ]);
    // Kolkata is UTC+5:30, so its midnight falls inside a UTC hour: 18:29Z is 23:59 on May 31, 18:31Z 00:01 on June 1.
    await tenants.updateOne({ _id: t.owner.tenantId }, { $set: { timeZone: 'Asia/Kolkata' } });
    for (const closedAt of ['2026-05-31T18:29:00Z', '2026-05-31T18:31:00Z']) {
      expect((await api.post(`/api/v1/forms/${t.formId}/records`, { data: { customer: 'Late', closedAt } }, t.owner.token)).status).toBe(201);
    }
    expect(await t.rows({ groupBy: [{ field: 'closedAt', bucket: 'day' }], metrics: [{ op: 'count' }], filter: { field: 'customer', op: 'eq', value: 'Late' } })).toEqual([
      { closedAt: '2026-05-31', count: 1 },
      { closedAt: '2026-06-01', count: 1 },
    ]);
  });

  it('groups by the system columns createdBy and createdAt', async () => {
    expect(await w.rows({ groupBy: [{ field: 'createdBy' }], metrics: [{ op: 'count' }] })).toEqual([{ createdBy: w.owner.userId, count: 5 }]);
    const year = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date());
    const res = await w.rows({ groupBy: [{ field: 'createdAt', bucket: 'year' }], metrics: [{ op: 'count' }] });
    expect(res).toEqual([{ createdAt: year, count: 5 }]);
  });
});

describe('subforms and multi-valued fields', () => {
  it('unwinds subform rows to group and aggregate by their columns', async () => {
    expect(await w.rows({ groupBy: [{ field: 'items.product' }], metrics: [{ op: 'count' }, { op: 'sum', field: 'items.qty' }] })).toEqual([
      { 'items.product': 'P1', count: 2, 'sum_items.qty': 5 },
      { 'items.product': 'P2', count: 1, 'sum_items.qty': 1 },
    ]);
    // A record-level group over row-level metrics; the filter still selects records.
    expect(await w.rows({ groupBy: [{ field: 'customer' }], metrics: [{ op: 'sum', field: 'items.qty', as: 'units' }], filter: { field: 'items.product', op: 'eq', value: 'P2' } })).toEqual([
      { customer: 'ACME', units: 3 },
    ]);
  });

  it('counts a record once under each of its checkbox values', async () => {
    expect(await w.rows({ groupBy: [{ field: 'tags' }], metrics: [{ op: 'count' }] })).toEqual([
      { tags: 'a', count: 2 },
      { tags: 'b', count: 1 },
      { tags: null, count: 3 },
    ]);
  });
});

describe('refusals', () => {
  it('answers 422 naming a field that does not exist, wherever it is used', async () => {
    const cases: [unknown, string][] = [
      [{ groupBy: [{ field: 'nope' }], metrics: [{ op: 'count' }] }, 'nope'],
      [{ metrics: [{ op: 'sum', field: 'ghost' }] }, 'ghost'],
      [{ groupBy: [{ field: 'items.color' }] }, 'items.color'],
      [{ metrics: [{ op: 'count' }], filter: { field: 'phantom', op: 'eq', value: 'x' } }, 'phantom'],
    ];
    for (const [body, name] of cases) {
      const res = await w.aggregate(body);
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(name);
      if (!(body as { filter?: unknown }).filter) expect(res.body.title).toContain(name);
    }
  });

  it('refuses misuse: sums of text, buckets of non-dates, duplicate names, unknown sort keys, unusable fields, bad ops', async () => {
    const codes = async (body: unknown) => {
      const res = await w.aggregate(body);
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      return res.body.errors.map((e: { code: string }) => e.code);
    };
    expect(await codes({ metrics: [{ op: 'avg', field: 'customer' }] })).toContain('not_numeric');
    expect(await codes({ groupBy: [{ field: 'amount', bucket: 'month' }] })).toContain('invalid_bucket');
    expect(await codes({ groupBy: [{ field: 'stage' }, { field: 'stage' }] })).toContain('duplicate_key');
    expect(await codes({ groupBy: [{ field: 'stage' }], sort: '-revenue' })).toContain('invalid_sort');
    expect(await codes({ groupBy: [{ field: 'address' }] })).toContain('unusable_field');
    expect(await codes({ metrics: [{ op: 'distinct', field: 'tags' }] })).toContain('multi_valued');
    expect(await codes({ metrics: [{ op: 'sum' }] })).toContain('field_required');
    expect(await codes({ metrics: [{ op: 'median', field: 'amount' }] })).toContain('enum');
  });

  it("keeps tenants apart: another tenant's form does not exist for them", async () => {
    const other = await api.signup('Intruder', 'Other');
    const res = await w.aggregate({ metrics: [{ op: 'count' }] }, other.token);
    expect(res.status).toBe(404);
    const filtered = await w.aggregate({ groupBy: [{ field: 'customer' }], filter: { field: 'stage', op: 'eq', value: 'won' } }, other.token);
    expect(filtered.status).toBe(404);
    expect(JSON.stringify(filtered.body)).not.toContain('ACME');
    // Their own form of the same shape aggregates only their own records.
    const mine = await setup('Other2');
    expect(await mine.rows({ metrics: [{ op: 'count' }] })).toEqual([{ count: 5 }]);
    expect(await w.rows({ metrics: [{ op: 'count' }] })).toEqual([{ count: 5 }]);
  });

  it('needs a token', async () => {
    expect((await api.post(`/api/v1/forms/${w.formId}/aggregate`, { metrics: [{ op: 'count' }] })).status).toBe(401);
  });
});
