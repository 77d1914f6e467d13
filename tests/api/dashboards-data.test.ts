import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { addMember, type Member } from '../support/org.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(async () => {
  await api?.close();
});

const dealFields = [
  { id: 'customer', type: 'text', label: 'Customer' },
  { id: 'stage', type: 'select', label: 'Stage', options: ['new', 'won', 'lost'].map((v) => ({ value: v, label: v })) },
  { id: 'amount', type: 'number', label: 'Amount' },
  { id: 'closedAt', type: 'datetime', label: 'Closed at' },
  { id: 'tags', type: 'checkbox', label: 'Tags', options: ['vip', 'new'].map((v) => ({ value: v, label: v })) },
  { id: 'items', type: 'subform', label: 'Items', fields: [{ id: 'product', type: 'text', label: 'Product' }, { id: 'qty', type: 'number', label: 'Qty' }] },
];
const ticketFields = [
  { id: 'customer', type: 'text', label: 'Customer' },
  { id: 'severity', type: 'radio', label: 'Severity', options: ['low', 'high'].map((v) => ({ value: v, label: v })) },
];

const layout = { x: 0, y: 0, w: 6, h: 4 };

interface World {
  owner: Awaited<ReturnType<TestApi['signup']>>;
  rep: Member;
  auditor: Member;
  appId: string;
  dealsId: string;
  ticketsId: string;
  boardId: string;
  data(body: unknown, token?: string): Promise<any>;
  drill(body: unknown, token?: string): Promise<any>;
  list(formId: string, filter: unknown, token?: string): Promise<{ total: number; items: any[] }>;
}

/**
 * Deals written by the owner and by a sales rep (who sees only their own), tickets in a second form, and a board
 * whose filter bar binds `customer` to both forms and `stage` to deals only.
 */
async function world(): Promise<World> {
  const owner = await api.signup('Owner', 'Boards');
  const appId = (await api.post('/api/v1/apps', { name: 'CRM' }, owner.token)).body.id as string;
  const dealsId = (await api.post(`/api/v1/apps/${appId}/forms`, { name: 'Deals', fields: dealFields }, owner.token)).body.id as string;
  const ticketsId = (await api.post(`/api/v1/apps/${appId}/forms`, { name: 'Tickets', fields: ticketFields }, owner.token)).body.id as string;
  const rep = await addMember(api, owner.token, owner.tenantId, 'Rep');
  const auditor = await addMember(api, owner.token, owner.tenantId, 'Auditor');
  const group = async (formId: string, body: Record<string, unknown>) => expect((await api.post(`/api/v1/forms/${formId}/permission-groups`, body, owner.token)).status).toBe(201);
  await group(dealsId, { name: 'Reps', grantees: { memberIds: [rep.id] }, actions: ['submit', 'view'], scope: 'own' });
  await group(dealsId, { name: 'Audit', grantees: { memberIds: [auditor.id] }, actions: ['view'], scope: 'all', fields: { amount: 'hidden' } });
  await group(ticketsId, { name: 'Reps', grantees: { memberIds: [rep.id] }, actions: ['view'], scope: 'all' });

  const deal = async (token: string, data: Record<string, unknown>) => expect((await api.post(`/api/v1/forms/${dealsId}/records`, { data }, token)).status).toBe(201);
  await deal(owner.token, { customer: 'ACME', stage: 'won', amount: 100, closedAt: '2025-12-31T17:30:00Z', tags: ['vip'], items: [{ product: 'P1', qty: 2 }] });
  await deal(owner.token, { customer: 'ACME', stage: 'won', amount: 300, closedAt: '2026-02-03T02:00:00Z', items: [{ product: 'P2', qty: 1 }] });
  await deal(owner.token, { customer: 'Beta', stage: 'lost', amount: 50 });
  await deal(rep.token, { customer: 'Beta', stage: 'won', amount: 70, closedAt: '2026-01-15T10:00:00Z', tags: ['vip', 'new'], items: [{ product: 'P1', qty: 5 }] });
  await deal(rep.token, { customer: 'Gamma', stage: 'new', amount: 20 });
  for (const [customer, severity] of [['ACME', 'high'], ['ACME', 'low'], ['Beta', 'high']]) {
    expect((await api.post(`/api/v1/forms/${ticketsId}/records`, { data: { customer, severity } }, owner.token)).status).toBe(201);
  }

  const board = await api.post(
    `/api/v1/apps/${appId}/dashboards`,
    {
      name: 'Sales',
      filters: [
        { key: 'customer', label: 'Customer' },
        { key: 'stage', label: 'Stage', fields: { tickets: null } },
      ],
      widgets: [
        { id: 'revenue', type: 'metric', source: { formId: dealsId }, metrics: [{ op: 'sum', field: 'amount', as: 'revenue' }, { op: 'count' }], filter: { field: 'stage', op: 'eq', value: 'won' }, layout },
        { id: 'deals', type: 'metric', source: { formId: dealsId }, metrics: [{ op: 'count' }], layout },
        { id: 'funnel', type: 'funnel', source: { formId: dealsId }, groupBy: [{ field: 'stage' }], metrics: [{ op: 'count' }], layout },
        { id: 'monthly', type: 'line', source: { formId: dealsId }, groupBy: [{ field: 'closedAt', bucket: 'month' }], metrics: [{ op: 'sum', field: 'amount' }], layout },
        { id: 'byCustomer', type: 'pivot', source: { formId: dealsId }, groupBy: [{ field: 'customer' }, { field: 'stage' }], metrics: [{ op: 'count' }], layout },
        { id: 'products', type: 'bar', source: { formId: dealsId }, groupBy: [{ field: 'items.product' }], metrics: [{ op: 'sum', field: 'items.qty' }], layout },
        { id: 'tags', type: 'pie', source: { formId: dealsId }, groupBy: [{ field: 'tags' }], metrics: [{ op: 'count' }], layout },
        { id: 'tickets', type: 'bar', source: { formId: ticketsId }, groupBy: [{ field: 'severity' }], metrics: [{ op: 'count' }], layout },
        { id: 'latest', type: 'table', source: { formId: dealsId }, columns: ['customer', 'amount'], sort: '-amount', limit: 3, layout },
      ],
    },
    owner.token,
  );
  expect(board.status, JSON.stringify(board.body)).toBe(201);
  const boardId = board.body.id as string;
  return {
    owner,
    rep,
    auditor,
    appId,
    dealsId,
    ticketsId,
    boardId,
    async data(body, token = owner.token) {
      const res = await api.post(`/api/v1/dashboards/${boardId}/data`, body, token);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.widgets;
    },
    drill: (body, token = owner.token) => api.post(`/api/v1/dashboards/${boardId}/drill`, body, token),
    async list(formId, filter, token = owner.token) {
      const res = await api.get(`/api/v1/forms/${formId}/records?limit=100${filter ? `&filter=${encodeURIComponent(JSON.stringify(filter))}` : ''}`, token);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    },
  };
}

let w: World;
beforeAll(async () => {
  w = await world();
});

describe('dashboard data', () => {
  it('computes every widget for an admin', async () => {
    const widgets = await w.data({});
    expect(widgets.revenue).toEqual({ rows: [{ revenue: 470, count: 3 }], total: 1, groups: [], metrics: ['revenue', 'count'] });
    expect(widgets.deals.rows).toEqual([{ count: 5 }]);
    expect(widgets.funnel.rows).toEqual([
      { stage: 'lost', count: 1 },
      { stage: 'new', count: 1 },
      { stage: 'won', count: 3 },
    ]);
    expect(widgets.monthly.rows).toEqual([
      { closedAt: '2026-01', sum_amount: 170 },
      { closedAt: '2026-02', sum_amount: 300 },
      { closedAt: null, sum_amount: 70 },
    ]);
    expect(widgets.byCustomer.rows).toEqual([
      { customer: 'ACME', stage: 'won', count: 2 },
      { customer: 'Beta', stage: 'lost', count: 1 },
      { customer: 'Beta', stage: 'won', count: 1 },
      { customer: 'Gamma', stage: 'new', count: 1 },
    ]);
    expect(widgets.products.rows).toEqual([
      { 'items.product': 'P1', 'sum_items.qty': 7 },
      { 'items.product': 'P2', 'sum_items.qty': 1 },
    ]);
    expect(widgets.tags.rows).toEqual([
      { tags: 'new', count: 1 },
      { tags: 'vip', count: 2 },
      { tags: null, count: 3 },
    ]);
    expect(widgets.tickets.rows).toEqual([
      { severity: 'high', count: 2 },
      { severity: 'low', count: 1 },
    ]);
    expect(widgets.latest.total).toBe(5);
    expect(widgets.latest.rows.map((r: any) => r.data)).toEqual([
      { customer: 'ACME', amount: 300 },
      { customer: 'ACME', amount: 100 },
      { customer: 'Beta', amount: 70 },
    ]);
  });

  it("computes each widget with the viewer's scope, and answers a refused widget's error in its place", async () => {
    const rep = await w.data({}, w.rep.token);
    expect(rep.deals.rows).toEqual([{ count: 2 }]);
    expect(rep.revenue.rows).toEqual([{ revenue: 70, count: 1 }]);
    expect(rep.funnel.rows).toEqual([
      { stage: 'new', count: 1 },
      { stage: 'won', count: 1 },
    ]);
    expect(rep.latest.rows.map((r: any) => r.data.customer)).toEqual(['Beta', 'Gamma']);
    expect(rep.tickets.rows).toEqual([
      { severity: 'high', count: 2 },
      { severity: 'low', count: 1 },
    ]);

    // The auditor sees every deal but not amounts: widgets over amount refuse, the table drops the column.
    const auditor = await w.data({}, w.auditor.token);
    expect(auditor.deals.rows).toEqual([{ count: 5 }]);
    expect(auditor.revenue).toEqual({ error: expect.objectContaining({ status: 403, code: 'forbidden_field' }) });
    expect(auditor.monthly.error.code).toBe('forbidden_field');
    expect(auditor.latest.error.code).toBe('forbidden_field');
    expect(JSON.stringify(auditor)).not.toMatch(/revenue":\d|sum_amount/);
    // Tickets are not theirs to view.
    expect(auditor.tickets.error).toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('applies the filter bar to each widget through its bindings, and can compute only some widgets', async () => {
    const acme = await w.data({ filter: { and: [{ field: 'customer', op: 'eq', value: 'ACME' }] } });
    expect(acme.deals.rows).toEqual([{ count: 2 }]);
    expect(acme.tickets.rows).toEqual([
      { severity: 'high', count: 1 },
      { severity: 'low', count: 1 },
    ]);
    // `stage` is not bound to the tickets widget; deals widgets take it.
    const won = await w.data({ filter: { and: [{ field: 'stage', op: 'in', value: ['won', 'lost'] }, { field: 'customer', op: 'eq', value: 'Beta' }] }, widgetIds: ['deals', 'tickets'] });
    expect(Object.keys(won).sort()).toEqual(['deals', 'tickets']);
    expect(won.deals.rows).toEqual([{ count: 2 }]);
    expect(won.tickets.rows).toEqual([{ severity: 'high', count: 1 }]);

    const unknown = await api.post(`/api/v1/dashboards/${w.boardId}/data`, { widgetIds: ['nope'] }, w.owner.token);
    expect(unknown.status).toBe(422);
    // A filter on a hidden field is refused for the widgets it applies to.
    const hidden = await w.data({ filter: { field: 'amount', op: 'gt', value: 60 } }, w.auditor.token);
    expect(hidden.deals.error.code).toBe('forbidden_field');
  });
});

describe('click-through', () => {
  it('gives the condition selecting the records behind a segment, which the record list answers exactly', async () => {
    const funnel = await w.drill({ widgetId: 'funnel', group: { stage: 'won' } });
    expect(funnel.status, JSON.stringify(funnel.body)).toBe(200);
    expect(funnel.body).toMatchObject({ formId: w.dealsId, filter: { field: 'stage', op: 'eq', value: 'won' } });
    expect(funnel.body.path).toBe(`/api/v1/forms/${w.dealsId}/records?filter=${encodeURIComponent(JSON.stringify(funnel.body.filter))}`);
    expect((await w.list(w.dealsId, funnel.body.filter)).total).toBe(3);

    // A month of a date-time in Shanghai: 2025-12-31T17:30Z is January 1st there.
    const january = await w.drill({ widgetId: 'monthly', group: { closedAt: '2026-01' } });
    expect(january.body.filter).toEqual({
      and: [
        { field: 'closedAt', op: 'gte', value: '2025-12-31T16:00:00.000Z' },
        { field: 'closedAt', op: 'lt', value: '2026-01-31T16:00:00.000Z' },
      ],
    });
    expect((await w.list(w.dealsId, january.body.filter)).items.map((r: any) => r.data.amount).sort()).toEqual([100, 70]);
    const undated = await w.drill({ widgetId: 'monthly', group: { closedAt: null } });
    expect((await w.list(w.dealsId, undated.body.filter)).items.map((r: any) => r.data.amount).sort()).toEqual([20, 50]);

    // The widget's own filter, the bar's filter and both pivot columns combine.
    const revenue = await w.drill({ widgetId: 'revenue', filter: { field: 'customer', op: 'eq', value: 'ACME' } });
    expect((await w.list(w.dealsId, revenue.body.filter)).total).toBe(2);
    const cell = await w.drill({ widgetId: 'byCustomer', group: { customer: 'Beta', stage: 'won' } });
    expect((await w.list(w.dealsId, cell.body.filter)).items.map((r: any) => r.data.amount)).toEqual([70]);
    const products = await w.drill({ widgetId: 'products', group: { 'items.product': 'P1' } });
    expect((await w.list(w.dealsId, products.body.filter)).total).toBe(2);
    const vip = await w.drill({ widgetId: 'tags', group: { tags: 'vip' } });
    expect((await w.list(w.dealsId, vip.body.filter)).total).toBe(2);
  });

  it("the drilled list is the viewer's: a rep sees only their records behind a segment", async () => {
    const res = await w.drill({ widgetId: 'funnel', group: { stage: 'won' } }, w.rep.token);
    expect(res.status).toBe(200);
    expect((await w.list(w.dealsId, res.body.filter, w.rep.token)).items.map((r: any) => r.data.customer)).toEqual(['Beta']);
  });

  it('refuses unknown widgets and group columns, bad buckets and hidden fields', async () => {
    expect((await w.drill({ widgetId: 'nope' })).status).toBe(422);
    const column = await w.drill({ widgetId: 'funnel', group: { customer: 'ACME' } });
    expect(column.status).toBe(422);
    expect(column.body.errors[0].field).toBe('customer');
    expect((await w.drill({ widgetId: 'monthly', group: { closedAt: 'January' } })).status).toBe(422);
    expect((await w.drill({ widgetId: 'monthly', group: { closedAt: '2026-01' } }, w.auditor.token)).status).toBe(403);
  });
});
