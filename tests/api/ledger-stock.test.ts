import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { addMember } from '../support/org.ts';
import { create, list, newForm, newTenant, type Tenant } from './automation-fixtures.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(async () => {
  await api?.close();
});

const movementFields = [
  { id: 'warehouse', type: 'text', label: 'Warehouse' },
  { id: 'status', type: 'select', label: 'Status', options: [{ value: 'draft', label: 'Draft' }, { value: 'posted', label: 'Posted' }] },
  {
    id: 'items',
    type: 'subform',
    label: 'Items',
    fields: [
      { id: 'product', type: 'text', label: 'Product' },
      { id: 'qty', type: 'number', label: 'Qty', min: 0 },
    ],
  },
  { id: 'other', type: 'subform', label: 'Other', fields: [{ id: 'otherProduct', type: 'text', label: 'Product' }] },
];
const adjustmentFields = [
  { id: 'product', type: 'text', label: 'Product' },
  { id: 'warehouse', type: 'text', label: 'Warehouse' },
  { id: 'qty', type: 'number', label: 'Qty' },
];

interface Stock {
  t: Tenant;
  inbound: string;
  shipments: string;
  adjustments: string;
  ledgerId: string;
}

async function stock(options: { filter?: boolean } = {}): Promise<Stock> {
  const t = await newTenant(api);
  const inbound = await newForm(api, t, 'Inbound', movementFields);
  const shipments = await newForm(api, t, 'Shipments', movementFields);
  const adjustments = await newForm(api, t, 'Adjustments', adjustmentFields);
  const res = await api.post(
    `/api/v1/apps/${t.appId}/ledgers`,
    {
      name: 'Stock',
      key: 'erp.stock',
      keys: ['product', 'warehouse'],
      sources: [
        { formId: inbound, sign: 1, quantity: 'items.qty', keys: { product: 'items.product', warehouse: 'warehouse' }, ...(options.filter ? { filter: { field: 'status', op: 'eq', value: 'posted' } } : {}) },
        { formId: shipments, sign: -1, quantity: 'items.qty', keys: { product: 'items.product', warehouse: 'warehouse' } },
        { formId: adjustments, sign: 1, quantity: 'qty', keys: { product: 'product', warehouse: 'warehouse' } },
      ],
      constraints: ['balance >= 0'],
    },
    t.token,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { t, inbound, shipments, adjustments, ledgerId: res.body.id };
}

async function balances(s: Stock, query = '') {
  const res = await api.get(`/api/v1/ledgers/${s.ledgerId}/balances${query}`, s.t.token);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as { keys: Record<string, unknown>; balance: number }[];
}

const move = (warehouse: string, lines: [string, number][], status = 'posted') => ({ warehouse, status, items: lines.map(([product, qty]) => ({ product, qty })) });

describe('stock ledger', () => {
  it('keeps balances per key from subform rows and top-level quantities, through updates, deletes and restores', async () => {
    const s = await stock();
    await create(api, s.t, s.inbound, move('W1', [['P1', 10], ['P2', 5], ['P1', 2]]));
    await create(api, s.t, s.inbound, move('W2', [['P1', 7]]));
    const ship = await create(api, s.t, s.shipments, move('W1', [['P1', 4]]));
    await create(api, s.t, s.adjustments, { product: 'P2', warehouse: 'W1', qty: -1 });
    expect(await balances(s, '?product=P1&warehouse=W1')).toEqual([{ keys: { product: 'P1', warehouse: 'W1' }, balance: 8 }]);
    expect((await balances(s, '?product=P1')).map((b) => b.balance).sort()).toEqual([7, 8]);
    expect(await balances(s, '?product=P2')).toEqual([{ keys: { product: 'P2', warehouse: 'W1' }, balance: 4 }]);

    // Moving the shipment to another product and warehouse moves the deduction with it.
    const patched = await api.patch(`/api/v1/forms/${s.shipments}/records/${ship.id}`, { data: { warehouse: 'W2', items: [{ product: 'P1', qty: 3 }] } }, s.t.token);
    expect(patched.status).toBe(200);
    expect((await balances(s, '?product=P1')).map((b) => [b.keys.warehouse, b.balance]).sort()).toEqual([['W1', 12], ['W2', 4]]);
    expect((await api.delete(`/api/v1/forms/${s.shipments}/records/${ship.id}`, s.t.token)).status).toBe(204);
    expect((await balances(s, '?product=P1&warehouse=W2'))[0].balance).toBe(7);
    expect((await api.post(`/api/v1/forms/${s.shipments}/records/${ship.id}/restore`, {}, s.t.token)).status).toBe(200);
    expect((await balances(s, '?product=P1&warehouse=W2'))[0].balance).toBe(4);
    expect((await api.get(`/api/v1/ledgers/${s.ledgerId}/check`, s.t.token)).body).toMatchObject({ ok: true, mismatches: [] });
    expect((await api.get(`/api/v1/ledgers/${s.ledgerId}/balances?colour=red`, s.t.token)).status).toBe(422);
  });

  it('refuses a shipment beyond the stock with 409 naming the key and the shortfall, and writes nothing', async () => {
    const s = await stock();
    await create(api, s.t, s.inbound, move('W1', [['P1', 3], ['P2', 10]]));
    const res = await api.post(`/api/v1/forms/${s.shipments}/records`, { data: move('W1', [['P2', 1], ['P1', 5]]) }, s.t.token);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'ledger_constraint', keys: { product: 'P1', warehouse: 'W1' }, balance: 3, change: -5, shortfall: 2, constraint: 'balance >= 0', ledgerId: s.ledgerId });
    expect(res.body.title).toContain('P1');
    expect(await list(api, s.t, s.shipments)).toEqual([]);
    // P2's row came first in the document but nothing of the refused write remains.
    expect((await balances(s)).map((b) => [b.keys.product, b.balance]).sort()).toEqual([['P1', 3], ['P2', 10]]);

    // An edit that would over-ship is refused too, leaving the record as it was.
    const ok = await create(api, s.t, s.shipments, move('W1', [['P1', 2]]));
    const tooMuch = await api.patch(`/api/v1/forms/${s.shipments}/records/${ok.id}`, { data: { items: [{ product: 'P1', qty: 4 }] } }, s.t.token);
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.shortfall).toBe(1);
    expect((await api.get(`/api/v1/forms/${s.shipments}/records/${ok.id}`, s.t.token)).body).toMatchObject({ version: 1, data: { items: [{ product: 'P1', qty: 2 }] } });
    // A batch with one over-shipping record is refused whole.
    const batch = await api.post(`/api/v1/forms/${s.shipments}/records/batch`, { records: [{ data: move('W1', [['P2', 1]]) }, { data: move('W1', [['P1', 9]]) }] }, s.t.token);
    expect(batch.status).toBe(409);
    expect(batch.body.errors).toEqual([expect.objectContaining({ index: 1, code: 'ledger_constraint' })]);
    expect((await balances(s)).map((b) => [b.keys.product, b.balance]).sort()).toEqual([['P1', 1], ['P2', 10]]);
    // Deleting an inbound receipt whose stock was shipped is refused as well.
    const inbound = await list(api, s.t, s.inbound);
    expect((await api.delete(`/api/v1/forms/${s.inbound}/records/${inbound[0].id}`, s.t.token)).status).toBe(409);
  });

  it('lets exactly one of two concurrent shipments of the last unit through', async () => {
    const s = await stock();
    for (let round = 0; round < 3; round++) {
      await create(api, s.t, s.inbound, move('W1', [['LAST', 1]]));
      const results = await Promise.all([1, 2].map(() => api.post(`/api/v1/forms/${s.shipments}/records`, { data: move('W1', [['LAST', 1]]) }, s.t.token)));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      expect((await balances(s, '?product=LAST'))[0].balance).toBe(0);
    }
    expect(await list(api, s.t, s.shipments)).toHaveLength(3);
  });

  it('counts only records matching a source filter, including when an edit changes whether they match', async () => {
    const s = await stock({ filter: true });
    const draft = await create(api, s.t, s.inbound, move('W1', [['P1', 5]], 'draft'));
    expect(await balances(s)).toEqual([]);
    await api.patch(`/api/v1/forms/${s.inbound}/records/${draft.id}`, { data: { status: 'posted' } }, s.t.token);
    expect((await balances(s))[0].balance).toBe(5);
    await api.patch(`/api/v1/forms/${s.inbound}/records/${draft.id}`, { data: { status: 'draft' } }, s.t.token);
    expect((await balances(s))[0].balance).toBe(0);
  });

  it('rebuilds from the sources and proves the kept balances equal a recount', async () => {
    const t = await newTenant(api);
    const inbound = await newForm(api, t, 'Inbound', movementFields);
    // Records written before the ledger exists are counted when it is created.
    await create(api, t, inbound, move('W1', [['P1', 4], ['P2', 2]]));
    const res = await api.post(`/api/v1/apps/${t.appId}/ledgers`, { name: 'Stock', keys: ['product'], sources: [{ formId: inbound, sign: 1, quantity: 'items.qty', keys: { product: 'items.product' } }], constraints: ['balance >= 0'] }, t.token);
    expect(res.status).toBe(201);
    expect(res.body.balances).toBe(2);
    const ledgerId = res.body.id;
    expect((await api.get(`/api/v1/ledgers/${ledgerId}/balances?product=P1`, t.token)).body.items).toEqual([{ keys: { product: 'P1' }, balance: 4 }]);
    // Someone tampers with a kept balance behind the ledger's back.
    await api.server.services.store.collection('ledger_balances').updateOne({ ledgerId, 'keys.product': 'P1' }, { $set: { balance: 40 } });
    const check = await api.get(`/api/v1/ledgers/${ledgerId}/check`, t.token);
    expect(check.body).toEqual({ ok: false, keys: 2, mismatches: [{ keys: { product: 'P1' }, kept: 40, recount: 4 }] });
    const member = await addMember(api, t.token, t.tenantId, 'Member');
    expect((await api.post(`/api/v1/ledgers/${ledgerId}/rebuild`, {}, member.token)).status).toBe(403);
    expect((await api.get(`/api/v1/ledgers/${ledgerId}/balances`, member.token)).status).toBe(403);
    expect((await api.post(`/api/v1/ledgers/${ledgerId}/rebuild`, {}, t.token)).body).toEqual({ balances: 2 });
    expect((await api.get(`/api/v1/ledgers/${ledgerId}/check`, t.token)).body).toMatchObject({ ok: true, keys: 2 });
    expect((await api.get(`/api/v1/apps/${t.appId}/ledgers`, t.token)).body.items).toEqual([expect.objectContaining({ id: ledgerId, keys: ['product'], constraints: ['balance >= 0'] })]);
    expect((await api.get(`/api/v1/ledgers/${ledgerId}`, t.token)).body.sources[0]).toMatchObject({ formId: inbound, quantity: 'items.qty' });
  });

  it('refuses ledgers naming unknown forms or fields, mixing subforms or with unreadable constraints', async () => {
    const t = await newTenant(api);
    const inbound = await newForm(api, t, 'Inbound', movementFields);
    const save = (body: Record<string, unknown>) => api.post(`/api/v1/apps/${t.appId}/ledgers`, { name: 'L', keys: ['product'], constraints: [], ...body }, t.token);
    const source = (over: Record<string, unknown>) => ({ sources: [{ formId: inbound, sign: 1, quantity: 'items.qty', keys: { product: 'items.product' }, ...over }] });
    const cases: [Record<string, unknown>, string][] = [
      [source({ formId: 'nowhere' }), 'nowhere'],
      [source({ quantity: 'items.amount' }), 'items.amount'],
      [source({ quantity: 'weight' }), 'weight'],
      [source({ quantity: 'warehouse' }), 'warehouse'],
      [source({ keys: { product: 'other.otherProduct' } }), 'other.otherProduct'],
      [source({ keys: { product: 'items.sku' } }), 'items.sku'],
      [{ ...source({}), constraints: ['stock > nothing'] }, 'stock > nothing'],
      [source({ filter: { field: 'colour', op: 'eq', value: 'red' } }), 'colour'],
    ];
    for (const [body, name] of cases) {
      const res = await save(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.errors.map((e: { name?: string }) => e.name), JSON.stringify(res.body)).toContain(name);
    }
    const member = await addMember(api, t.token, t.tenantId, 'Member');
    expect((await api.post(`/api/v1/apps/${t.appId}/ledgers`, {}, member.token)).status).toBe(403);
  });
});
