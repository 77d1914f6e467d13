import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi, type ApiResponse } from '../support/api.ts';
import { addMember, type Member } from '../support/org.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(async () => {
  await api?.close();
});

const warehouse = { id: 'warehouse', type: 'select', label: 'Warehouse', options: ['W1', 'W2'].map((v) => ({ value: v, label: v })) };
const inboundFields = [warehouse, { id: 'items', type: 'subform', label: 'Items', fields: [{ id: 'product', type: 'text', label: 'Product' }, { id: 'qty', type: 'number', label: 'Qty' }] }];
const shipmentFields = [warehouse, { id: 'product', type: 'text', label: 'Product' }, { id: 'qty', type: 'number', label: 'Qty' }];

interface World {
  owner: Awaited<ReturnType<TestApi['signup']>>;
  clerk: Member;
  shipper: Member;
  appId: string;
  inboundId: string;
  shipmentsId: string;
  ledgerId: string;
  aggregate(body: unknown, token?: string): Promise<ApiResponse>;
}

/** Stock per product and warehouse: W1 gets P1 10 and P2 5, W2 gets P1 3, W1 ships P1 4. */
async function world(): Promise<World> {
  const owner = await api.signup('Owner', 'Stock');
  const appId = (await api.post('/api/v1/apps', { name: 'ERP' }, owner.token)).body.id as string;
  const inboundId = (await api.post(`/api/v1/apps/${appId}/forms`, { name: 'Inbound', fields: inboundFields }, owner.token)).body.id as string;
  const shipmentsId = (await api.post(`/api/v1/apps/${appId}/forms`, { name: 'Shipments', fields: shipmentFields }, owner.token)).body.id as string;
  const ledger = await api.post(
    `/api/v1/apps/${appId}/ledgers`,
    {
      name: 'Stock',
      keys: ['product', 'warehouse'],
      sources: [
        { formId: inboundId, sign: 1, quantity: 'items.qty', keys: { product: 'items.product', warehouse: 'warehouse' } },
        { formId: shipmentsId, sign: -1, quantity: 'qty', keys: { product: 'product', warehouse: 'warehouse' } },
      ],
      constraints: ['balance >= 0'],
    },
    owner.token,
  );
  expect(ledger.status, JSON.stringify(ledger.body)).toBe(201);
  const write = async (formId: string, data: unknown) => expect((await api.post(`/api/v1/forms/${formId}/records`, { data }, owner.token)).status).toBe(201);
  await write(inboundId, { warehouse: 'W1', items: [{ product: 'P1', qty: 10 }, { product: 'P2', qty: 5 }] });
  await write(inboundId, { warehouse: 'W2', items: [{ product: 'P1', qty: 3 }] });
  await write(shipmentsId, { warehouse: 'W1', product: 'P1', qty: 4 });

  const clerk = await addMember(api, owner.token, owner.tenantId, 'Clerk');
  const shipper = await addMember(api, owner.token, owner.tenantId, 'Shipper');
  const grant = async (formId: string, body: Record<string, unknown>) => expect((await api.post(`/api/v1/forms/${formId}/permission-groups`, body, owner.token)).status).toBe(201);
  // The clerk views inbound receipts without their lines; the shipper views shipments in full.
  await grant(inboundId, { name: 'Clerks', grantees: { memberIds: [clerk.id] }, actions: ['view'], scope: 'all', fields: { items: 'hidden' } });
  await grant(shipmentsId, { name: 'Shippers', grantees: { memberIds: [shipper.id] }, actions: ['view'], scope: 'all' });
  const ledgerId = ledger.body.id as string;
  return { owner, clerk, shipper, appId, inboundId, shipmentsId, ledgerId, aggregate: (body, token = owner.token) => api.post(`/api/v1/ledgers/${ledgerId}/aggregate`, body, token) };
}

let w: World;
beforeAll(async () => {
  w = await world();
});

describe('ledger aggregates', () => {
  it('groups balances by the ledger keys and aggregates the balance', async () => {
    const byProduct = await w.aggregate({ groupBy: [{ field: 'product' }], metrics: [{ op: 'sum', field: 'balance' }, { op: 'count' }, { op: 'max', field: 'balance' }] });
    expect(byProduct.status, JSON.stringify(byProduct.body)).toBe(200);
    expect(byProduct.body.rows).toEqual([
      { product: 'P1', sum_balance: 9, count: 2, max_balance: 6 },
      { product: 'P2', sum_balance: 5, count: 1, max_balance: 5 },
    ]);
    expect((await w.aggregate({ groupBy: [{ field: 'warehouse' }], metrics: [{ op: 'sum', field: 'balance', as: 'stock' }] })).body.rows).toEqual([
      { warehouse: 'W1', stock: 11 },
      { warehouse: 'W2', stock: 3 },
    ]);
    const w1 = await w.aggregate({ groupBy: [{ field: 'product' }], metrics: [{ op: 'sum', field: 'balance' }], filter: { field: 'warehouse', op: 'eq', value: 'W1' } });
    expect(w1.body.rows).toEqual([
      { product: 'P1', sum_balance: 6 },
      { product: 'P2', sum_balance: 5 },
    ]);
    expect((await w.aggregate({ metrics: [{ op: 'count' }, { op: 'distinct', field: 'product' }], filter: { field: 'balance', op: 'gt', value: 4 } })).body.rows).toEqual([{ count: 2, distinct_product: 2 }]);
  });

  it('refuses unknown keys (422), hidden source fields (403 forbidden_field), members without a viewable source (403), other tenants (404)', async () => {
    const unknown = await w.aggregate({ groupBy: [{ field: 'color' }] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].field).toBe('color');

    // The clerk cannot see inbound lines, which feed both the product key and the balance.
    const hidden = await w.aggregate({ groupBy: [{ field: 'product' }] }, w.clerk.token);
    expect(hidden.status).toBe(403);
    expect(hidden.body.code).toBe('forbidden_field');
    expect((await w.aggregate({ metrics: [{ op: 'sum', field: 'balance' }] }, w.clerk.token)).body.code).toBe('forbidden_field');
    expect((await w.aggregate({ groupBy: [{ field: 'warehouse' }] }, w.clerk.token)).status).toBe(200);

    expect((await w.aggregate({ groupBy: [{ field: 'product' }], metrics: [{ op: 'sum', field: 'balance' }] }, w.shipper.token)).status).toBe(200);
    const nobody = await addMember(api, w.owner.token, w.owner.tenantId, 'Nobody');
    expect((await w.aggregate({ metrics: [{ op: 'count' }] }, nobody.token)).status).toBe(403);
    const stranger = await api.signup('Stranger', 'Elsewhere');
    expect((await w.aggregate({ metrics: [{ op: 'count' }] }, stranger.token)).status).toBe(404);
  });

  it('serves ledger widgets on a dashboard and drills into the source records behind a key', async () => {
    const layout = { x: 0, y: 0, w: 6, h: 4 };
    const board = await api.post(
      `/api/v1/apps/${w.appId}/dashboards`,
      {
        name: 'Stock',
        filters: [{ key: 'warehouse', label: 'Warehouse' }],
        widgets: [{ id: 'stock', type: 'bar', source: { ledgerId: w.ledgerId }, groupBy: [{ field: 'product' }], metrics: [{ op: 'sum', field: 'balance', as: 'stock' }], layout }],
      },
      w.owner.token,
    );
    expect(board.status, JSON.stringify(board.body)).toBe(201);
    const bad = await api.post(`/api/v1/apps/${w.appId}/dashboards`, { name: 'Bad', widgets: [{ id: 'x', type: 'bar', source: { ledgerId: w.ledgerId }, groupBy: [{ field: 'shade' }], metrics: [{ op: 'count' }], layout }] }, w.owner.token);
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({ field: 'shade', path: 'widgets.0.groupBy.0.field' });

    const data = await api.post(`/api/v1/dashboards/${board.body.id}/data`, { filter: { field: 'warehouse', op: 'eq', value: 'W1' } }, w.owner.token);
    expect(data.status, JSON.stringify(data.body)).toBe(200);
    expect(data.body.widgets.stock.rows).toEqual([
      { product: 'P1', stock: 6 },
      { product: 'P2', stock: 5 },
    ]);

    const drill = await api.post(`/api/v1/dashboards/${board.body.id}/drill`, { widgetId: 'stock', group: { product: 'P1' }, filter: { field: 'warehouse', op: 'eq', value: 'W1' } }, w.owner.token);
    expect(drill.status, JSON.stringify(drill.body)).toBe(200);
    expect(drill.body.ledgerId).toBe(w.ledgerId);
    const bySource = new Map(drill.body.sources.map((s: { formId: string }) => [s.formId, s]));
    const list = async (formId: string) => {
      const s = bySource.get(formId) as { filter: unknown; sign: number };
      const res = await api.get(`/api/v1/forms/${formId}/records?filter=${encodeURIComponent(JSON.stringify(s.filter))}`, w.owner.token);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return { sign: s.sign, total: res.body.total };
    };
    expect(await list(w.inboundId)).toEqual({ sign: 1, total: 1 });
    expect(await list(w.shipmentsId)).toEqual({ sign: -1, total: 1 });

    // The shipper only gets the sources they may view.
    const theirs = await api.post(`/api/v1/dashboards/${board.body.id}/drill`, { widgetId: 'stock', group: { product: 'P1' } }, w.shipper.token);
    expect(theirs.body.sources.map((s: { formId: string }) => s.formId)).toEqual([w.shipmentsId]);
  });
});
