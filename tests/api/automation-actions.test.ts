import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { addMember, waitFor } from '../support/org.ts';
import { create, finishedRuns, invoiceFields, list, newAutomation, newForm, newTenant, orderFields, type Tenant } from './automation-fixtures.ts';
import { Receiver } from './webhook-receiver.ts';

let api: TestApi;
let receiver: Receiver;
beforeAll(async () => {
  api = await TestApi.start();
  receiver = await Receiver.start();
});
afterAll(async () => {
  await api?.close();
  await receiver?.close();
});

const customerFields = [
  { id: 'customer', type: 'text', label: 'Name' },
  { id: 'received', type: 'number', label: 'Received' },
  { id: 'orders', type: 'number', label: 'Orders' },
  { id: 'lastOrder', type: 'text', label: 'Last order' },
  { id: 'owner', type: 'member', label: 'Owner' },
];
const paymentFields = [
  { id: 'customer', type: 'text', label: 'Customer' },
  { id: 'amount', type: 'number', label: 'Amount' },
];

async function published(t: Tenant, formId: string) {
  const flow = {
    nodes: [
      { id: 'start', type: 'start', data: {} },
      { id: 'boss', type: 'approval', data: { name: 'Boss', assignees: [{ kind: 'member', ids: [t.userId] }] } },
      { id: 'end', type: 'end', data: {} },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'boss' },
      { id: 'e2', source: 'boss', target: 'end' },
    ],
  };
  expect((await api.put(`/api/v1/forms/${formId}/workflow`, flow, t.token)).status).toBe(200);
  expect((await api.post(`/api/v1/forms/${formId}/workflow/publish`, {}, t.token)).status).toBe(201);
}

describe('record actions', () => {
  it('updateRecords and upsertRecord find records by a filter over the trigger and compute from the current values (this)', async () => {
    const t = await newTenant(api);
    const customers = await newForm(api, t, 'Customers', customerFields);
    const payments = await newForm(api, t, 'Payments', paymentFields);
    const acme = await create(api, t, customers, { customer: 'acme', received: 100 });
    const automationId = await newAutomation(api, t, {
      trigger: { kind: 'recordCreated', formId: payments },
      actions: [
        { kind: 'updateRecords', id: 'updated', formId: customers, filter: { field: 'customer', op: 'eq', value: { ref: 'customer' } }, mapping: { received: 'this.received + amount' } },
        { kind: 'upsertRecord', formId: customers, filter: { field: 'customer', op: 'eq', value: { formula: 'customer & "-stats"' } }, mapping: { customer: 'customer & "-stats"', orders: 'this.orders + 1', lastOrder: 'amount & ""' } },
      ],
    });
    await create(api, t, payments, { customer: 'acme', amount: 50 });
    await finishedRuns(api, t, automationId, 1);
    await create(api, t, payments, { customer: 'acme', amount: 25 });
    const all = await finishedRuns(api, t, automationId, 2);
    expect(all.every((r) => r.status === 'succeeded')).toBe(true);
    const rows = await list(api, t, customers);
    expect(rows.find((r) => r.id === acme.id)!.data.received).toBe(175);
    expect(rows.filter((r) => r.data.customer === 'acme-stats').map((r) => r.data)).toEqual([{ customer: 'acme-stats', orders: 2, lastOrder: '25' }]);
    const latest = all.find((r) => r.trigger.recordVersion === 1 && r.inputs.record.amount === 25)!;
    expect(latest.changedRecords).toEqual(expect.arrayContaining([{ formId: customers, recordId: acme.id }]));
  });

  it('deleteRecords removes what its filter finds; queryRecords feeds later actions', async () => {
    const t = await newTenant(api);
    const orders = await newForm(api, t, 'Orders', orderFields);
    const invoices = await newForm(api, t, 'Invoices', invoiceFields);
    await create(api, t, invoices, { customer: 'acme', amount: 10 });
    await create(api, t, invoices, { customer: 'acme', amount: 30 });
    await create(api, t, invoices, { customer: 'other', amount: 99 });
    const automationId = await newAutomation(api, t, {
      trigger: { kind: 'recordUpdated', formId: orders, fields: ['status'] },
      condition: { field: 'status', op: 'eq', value: 'closed' },
      actions: [
        { kind: 'queryRecords', id: 'open', formId: invoices, filter: { field: 'customer', op: 'eq', value: { ref: 'customer' } }, sort: '-amount' },
        { kind: 'createRecord', formId: invoices, mapping: { customer: '"summary"', amount: 'SUM(open.amount)', source: 'COUNT(open.id) & ""', lines: { from: 'open', columns: { product: 'customer', qty: 'amount' } } } },
        { kind: 'deleteRecords', formId: invoices, filter: { field: 'customer', op: 'eq', value: { ref: 'customer' } } },
      ],
    });
    const order = await create(api, t, orders, { customer: 'acme', status: 'new' });
    await api.patch(`/api/v1/forms/${orders}/records/${order.id}`, { data: { status: 'closed' } }, t.token);
    const [run] = await finishedRuns(api, t, automationId);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    const left = (await list(api, t, invoices)).map((r) => r.data);
    expect(left).toHaveLength(2);
    expect(left).toContainEqual({ customer: 'other', amount: 99 });
    expect(left).toContainEqual({ customer: 'summary', amount: 40, source: '2', lines: [{ product: 'acme', qty: 30 }, { product: 'acme', qty: 10 }] });
    expect(run.deletedRecords).toHaveLength(2);
    expect(run.actions.map((a: { kind: string; count?: number }) => [a.kind, a.count])).toEqual([['queryRecords', 2], ['createRecord', undefined], ['deleteRecords', 2]]);
  });

  it('queryRecords reads ledger balances, e.g. to raise a purchase request when stock falls under the safety level', async () => {
    const t = await newTenant(api);
    const products = await newForm(api, t, 'Products', [
      { id: 'sku', type: 'text', label: 'SKU' },
      { id: 'safetyStock', type: 'number', label: 'Safety stock' },
    ]);
    const moves = [
      { id: 'customer', type: 'text', label: 'Ref' },
      { id: 'items', type: 'subform', label: 'Items', fields: [{ id: 'product', type: 'relation', label: 'Product', form: products }, { id: 'qty', type: 'number', label: 'Qty' }] },
    ];
    const inbound = await newForm(api, t, 'Inbound', moves);
    const shipments = await newForm(api, t, 'Shipments', moves);
    const requests = await newForm(api, t, 'Purchase requests', [
      { id: 'product', type: 'relation', label: 'Product', form: products },
      { id: 'qty', type: 'number', label: 'Qty' },
    ]);
    const ledger = await api.post(`/api/v1/apps/${t.appId}/ledgers`, {
      name: 'Stock',
      keys: ['product'],
      sources: [
        { formId: inbound, sign: 1, quantity: 'items.qty', keys: { product: 'items.product' } },
        { formId: shipments, sign: -1, quantity: 'items.qty', keys: { product: 'items.product' } },
      ],
      constraints: ['balance >= 0'],
    }, t.token);
    expect(ledger.status).toBe(201);
    const p1 = await create(api, t, products, { sku: 'P1', safetyStock: 5 });
    const p2 = await create(api, t, products, { sku: 'P2', safetyStock: 1 });
    await create(api, t, inbound, { customer: 'in', items: [{ product: p1.id, qty: 10 }, { product: p2.id, qty: 10 }] });
    const automationId = await newAutomation(api, t, {
      trigger: { kind: 'recordCreated', formId: shipments },
      actions: [
        { kind: 'queryRecords', id: 'stock', forEachRow: 'items', ledgerId: ledger.body.id, keys: { product: 'product' } },
        { kind: 'queryRecords', id: 'prod', forEachRow: 'items', formId: products, filter: { field: 'id', op: 'eq', value: { ref: 'product' } } },
        { kind: 'createRecord', forEachRow: 'items', when: 'SUM(stock.balance) < SUM(prod.safetyStock)', formId: requests, mapping: { product: 'product', qty: 'SUM(prod.safetyStock) * 2 - SUM(stock.balance)' } },
      ],
    });
    await create(api, t, shipments, { customer: 'out', items: [{ product: p1.id, qty: 7 }, { product: p2.id, qty: 7 }] });
    const [run] = await finishedRuns(api, t, automationId);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    // P1: 3 left < 5 → request 7; P2: 3 left ≥ 1 → none.
    expect((await list(api, t, requests)).map((r) => r.data)).toEqual([{ product: p1.id, qty: 7 }]);
  });

  it('startWorkflow starts the flow of a record that has none, with the trigger record’s creator as initiator', async () => {
    const t = await newTenant(api);
    const orders = await newForm(api, t, 'Orders', orderFields);
    const invoices = await newForm(api, t, 'Invoices', invoiceFields);
    const old = await create(api, t, invoices, { customer: 'acme' });
    expect(old.instance).toBeUndefined();
    await published(t, invoices);
    const automationId = await newAutomation(api, t, {
      trigger: { kind: 'recordCreated', formId: orders },
      actions: [
        { kind: 'queryRecords', id: 'inv', formId: invoices, filter: { field: 'customer', op: 'eq', value: { ref: 'customer' } } },
        { kind: 'startWorkflow', formId: invoices, recordId: 'inv.id' },
      ],
    });
    await create(api, t, orders, { customer: 'acme' });
    const [run] = await finishedRuns(api, t, automationId);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    const [invoice] = await list(api, t, invoices);
    expect(invoice.instance?.status).toBe('running');
    expect(run.actions[1]).toMatchObject({ kind: 'startWorkflow', status: 'done', instanceId: invoice.instance!.id });
    const instance = await api.get(`/api/v1/instances/${invoice.instance!.id}`, t.token);
    expect(instance.body.initiatorId).toBe(t.userId);
  });
});

describe('notify and webhook actions', () => {
  it('notifies members in-app (listed, from member fields, by role) and posts to a chat webhook', async () => {
    const t = await newTenant(api);
    const rep = await addMember(api, t.token, t.tenantId, 'Rep');
    const boss = await addMember(api, t.token, t.tenantId, 'Boss');
    const role = (await api.post('/api/v1/roles', { name: 'Bosses', memberIds: [boss.id] }, t.token)).body.id;
    const customers = await newForm(api, t, 'Customers', customerFields);
    const automationId = await newAutomation(api, t, {
      trigger: { kind: 'recordCreated', formId: customers },
      actions: [{ kind: 'notify', to: { memberIds: [t.userId], fields: ['owner'], roleIds: [role] }, title: '"New customer"', message: '"Customer " & customer & " is yours"', chatWebhookUrl: `${receiver.url}/chat` }],
    });
    await create(api, t, customers, { customer: 'acme', owner: rep.id });
    const [run] = await finishedRuns(api, t, automationId);
    expect(run.status).toBe('succeeded');
    expect(run.actions[0]).toMatchObject({ kind: 'notify', count: 3 });
    for (const who of [t, rep, boss]) {
      const inbox = await api.get('/api/v1/notifications', who.token);
      expect(inbox.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'automation', title: 'New customer', message: 'Customer acme is yours', automationId })]));
    }
    const chat = await waitFor(async () => receiver.at('/chat')[0]);
    expect(JSON.parse(chat.body)).toEqual({ msgtype: 'text', text: { content: 'New customer\nCustomer acme is yours' } });
  });

  it('calls an outbound webhook with a body computed from the trigger, after the run commits', async () => {
    const t = await newTenant(api);
    const orders = await newForm(api, t, 'Orders', orderFields);
    const automationId = await newAutomation(api, t, {
      trigger: { kind: 'recordCreated', formId: orders },
      actions: [{ kind: 'webhook', url: `${receiver.url}/erp`, headers: { 'x-erp-key': 'k1' }, secret: 'shh', body: { order: 'id', customer: 'customer', total: 'SUM(items.qty * items.price)', lines: { from: 'items', columns: { sku: 'product' } } } }],
    });
    const order = await create(api, t, orders, { customer: 'acme', items: [{ product: 'P1', qty: 2, price: 3 }] });
    const [run] = await finishedRuns(api, t, automationId);
    expect(run.status).toBe('succeeded');
    const call = await waitFor(async () => receiver.at('/erp')[0]);
    expect(JSON.parse(call.body)).toEqual({ order: order.id, customer: 'acme', total: 6, lines: [{ sku: 'P1' }] });
    expect(call.headers['x-erp-key']).toBe('k1');
    expect(call.headers['x-qiao-delivery']).toBe(run.deliveryIds[0]);
    expect(String(call.headers['x-qiao-signature'])).toMatch(/^sha256=[0-9a-f]{64}$/);
  });
});

describe('workflow automation node', () => {
  it('runs the node’s action with the same executor, then lets the instance go on; a failing action fails the instance', async () => {
    const t = await newTenant(api);
    const orders = await newForm(api, t, 'Orders', orderFields);
    const invoices = await newForm(api, t, 'Invoices', invoiceFields);
    const flow = {
      nodes: [
        { id: 'start', type: 'start', data: {} },
        { id: 'invoice', type: 'automation', data: { name: 'Invoice', action: { kind: 'createRecord', formId: invoices, mapping: { customer: 'customer', amount: 'SUM(items.qty)', source: 'id' } } } },
        { id: 'mark', type: 'automation', data: { name: 'Mark', action: { kind: 'updateRecord', mapping: { status: '"approved"' } } } },
        { id: 'end', type: 'end', data: {} },
      ],
      edges: [
        { id: 'e1', source: 'start', target: 'invoice' },
        { id: 'e2', source: 'invoice', target: 'mark' },
        { id: 'e3', source: 'mark', target: 'end' },
      ],
    };
    expect((await api.put(`/api/v1/forms/${orders}/workflow`, flow, t.token)).status).toBe(200);
    const pub = await api.post(`/api/v1/forms/${orders}/workflow/publish`, {}, t.token);
    expect(pub.status, JSON.stringify(pub.body)).toBe(201);
    const order = await create(api, t, orders, { customer: 'acme', status: 'new', items: [{ product: 'P1', qty: 4 }] });
    const instance = await waitFor(async () => {
      const res = await api.get(`/api/v1/instances/${order.instance!.id}`, t.token);
      return res.body.status !== 'running' ? res.body : null;
    });
    expect(instance.status).toBe('approved');
    expect((await list(api, t, invoices)).map((r) => r.data)).toEqual([{ customer: 'acme', amount: 4, source: order.id }]);
    expect((await api.get(`/api/v1/forms/${orders}/records/${order.id}`, t.token)).body.data.status).toBe('approved');
    const log = await api.get(`/api/v1/forms/${orders}/records/${order.id}/runs`, t.token);
    expect(log.body.items.map((r: { trigger: { kind: string; nodeId: string }; status: string }) => [r.trigger.nodeId, r.status]).sort()).toEqual([['invoice', 'succeeded'], ['mark', 'succeeded']]);

    // A negative amount is refused by the invoice form (min 0): the node fails, and so does the instance.
    const bad = await create(api, t, orders, { customer: 'bad', items: [{ product: 'P1', qty: -1 }] });
    const failed = await waitFor(async () => {
      const res = await api.get(`/api/v1/instances/${bad.instance!.id}`, t.token);
      return res.body.status !== 'running' ? res.body : null;
    });
    expect(failed.status).toBe('failed');
    expect(JSON.stringify(failed)).toContain('validation_failed');
    expect((await list(api, t, invoices)).filter((r) => r.data.customer === 'bad')).toEqual([]);
  });

  it('a webhook node waits for the call: success moves on, a receiver that keeps failing fails the node after its attempts', async () => {
    const t = await newTenant(api);
    const orders = await newForm(api, t, 'Orders', orderFields);
    const flow = (path: string) => ({
      nodes: [
        { id: 'start', type: 'start', data: {} },
        { id: 'call', type: 'automation', data: { name: 'Call ERP', action: { kind: 'webhook', url: `${receiver.url}${path}`, body: { customer: 'customer' } } } },
        { id: 'end', type: 'end', data: {} },
      ],
      edges: [
        { id: 'e1', source: 'start', target: 'call' },
        { id: 'e2', source: 'call', target: 'end' },
      ],
    });
    await api.put(`/api/v1/forms/${orders}/workflow`, flow('/node-ok'), t.token);
    await api.post(`/api/v1/forms/${orders}/workflow/publish`, {}, t.token);
    const ok = await create(api, t, orders, { customer: 'acme' });
    const done = await waitFor(async () => {
      const res = await api.get(`/api/v1/instances/${ok.instance!.id}`, t.token);
      return res.body.status !== 'running' ? res.body : null;
    });
    expect(done.status).toBe('approved');
    expect(JSON.parse(receiver.at('/node-ok')[0].body)).toEqual({ customer: 'acme' });

    const failing = await Receiver.start();
    failing.answer(500);
    try {
      const broken = flow('/node-fail');
      broken.nodes[1].data = { name: 'Call ERP', action: { kind: 'webhook', url: `${failing.url}/node-fail`, body: { customer: 'customer' } } };
      await api.put(`/api/v1/forms/${orders}/workflow`, broken, t.token);
      expect((await api.post(`/api/v1/forms/${orders}/workflow/publish`, {}, t.token)).status).toBe(201);
      const rec = await create(api, t, orders, { customer: 'down' });
      const failed = await waitFor(async () => {
        const res = await api.get(`/api/v1/instances/${rec.instance!.id}`, t.token);
        return res.body.status !== 'running' ? res.body : null;
      });
      expect(failed.status).toBe('failed');
      expect(failing.received).toHaveLength(3);
      const log = await api.get(`/api/v1/forms/${orders}/records/${rec.id}/runs`, t.token);
      expect(log.body.items[0]).toMatchObject({ status: 'failed', attempts: 3, error: 'the receiver answered 500' });
    } finally {
      await failing.close();
    }
  });
});
