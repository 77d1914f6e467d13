import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from '../support/api.ts';
import { addMember, waitFor, type Member } from '../support/org.ts';

/**
 * The closed loop of the template suite (issue 11, steps 1–9), driven through the HTTP API by real members in the
 * template roles: lead → customer → quote → contract → sales order → shipment and stock → receivable → payments,
 * and the reorder loop. Automations are awaited by polling, never by sleeping.
 */
export function closedLoop(name: string, start: () => Promise<TestApi | null>, stop: (api: TestApi | null) => Promise<void>) {
  describe(name, () => {
    let api: TestApi;
    let skip = false;
    let owner: { token: string; userId: string; tenantId: string };
    const m: Record<'sales1' | 'sales2' | 'manager' | 'legal' | 'fin1' | 'fin2' | 'keeper', Member> = {} as never;
    let install: { forms: Record<string, string>; roles: Record<string, string>; ledgers: Record<string, string>; automations: Record<string, string>; apps: { id: string; key: string }[] };
    const s: Record<string, string> = {};
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const inDays = (days: number) => {
      const d = new Date(`${today}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() + days);
      return d.toISOString().slice(0, 10);
    };

    const F = (key: string) => install.forms[key];
    const create = (form: string, data: Record<string, unknown>, who: { token: string }) => api.post(`/api/v1/forms/${F(form)}/records`, { data }, who.token);
    const read = (form: string, id: string, who: { token: string }) => api.get(`/api/v1/forms/${F(form)}/records/${id}`, who.token);
    const list = async (form: string, filter: unknown, who: { token: string }) => {
      const res = await api.get(`/api/v1/forms/${F(form)}/records?limit=200&filter=${encodeURIComponent(JSON.stringify(filter))}`, who.token);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.items as { id: string; data: Record<string, any>; createdBy: string; instance?: { id: string; status: string } }[];
    };
    /** The one record of `form` matching `filter`, once an automation has made it. */
    const awaitRecord = (form: string, filter: unknown, what: string) => waitFor(async () => (await list(form, filter, owner))[0], 20_000, what);
    const task = (who: Member | typeof owner, recordId: string) =>
      waitFor(async () => ((await api.get('/api/v1/tasks?box=todo', who.token)).body.items as { id: string; recordId: string; nodeId: string }[]).find((t) => t.recordId === recordId), 20_000, `a task on ${recordId}`);
    const act = async (who: { token: string }, taskId: string, body: Record<string, unknown>) => {
      const res = await api.post(`/api/v1/tasks/${taskId}/actions`, body, who.token);
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
      return res.body;
    };
    const instance = async (id: string) => (await api.get(`/api/v1/instances/${id}`, owner.token)).body;
    const balance = async (product: string, warehouse: string) => {
      const res = await api.get(`/api/v1/ledgers/${install.ledgers['erp.stock']}/balances?product=${product}&warehouse=${warehouse}`, owner.token);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return (res.body.items as { balance: number }[])[0]?.balance ?? 0;
    };

    beforeAll(async () => {
      const started = await start();
      if (!started) {
        skip = true;
        return;
      }
      api = started;
      owner = await api.signup('老板', '星河贸易');
      for (const name of ['sales1', 'sales2', 'manager', 'legal', 'fin1', 'fin2', 'keeper'] as const) m[name] = await addMember(api, owner.token, owner.tenantId, name);
      const dept = await api.post('/api/v1/departments', { name: '销售部', supervisorId: m.manager.id, memberIds: [m.sales1.id, m.sales2.id, m.manager.id] }, owner.token);
      expect(dept.status, JSON.stringify(dept.body)).toBe(201);
      const res = await api.post('/api/v1/templates/suite/install', {}, owner.token);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      install = res.body;
      const members: Record<string, string[]> = {
        sales: [m.sales1.id, m.sales2.id],
        salesManager: [m.manager.id],
        legal: [m.legal.id],
        finance: [m.fin1.id, m.fin2.id],
        warehouse: [m.keeper.id],
      };
      for (const [role, ids] of Object.entries(members)) {
        const patched = await api.patch(`/api/v1/roles/${install.roles[role]}`, { memberIds: ids }, owner.token);
        expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      }
      // Master data the loop runs on, entered once by the people who own it.
      const supplier = await create('erp.supplier', { name: '东方电子元件（测试）', taxId: '91330100TEST00001' }, owner);
      s.supplier = supplier.body.id;
      s.warehouse = (await create('erp.warehouse', { name: '测试总仓' }, owner)).body.id;
      const p1 = await create('erp.product', { sku: 'LOOP-P1', name: '工业控制柜', unit: 'set', price: 30000, cost: 18000, safetyStock: 11, reorderQty: 50, supplier: s.supplier }, owner);
      expect(p1.status, JSON.stringify(p1.body)).toBe(201);
      s.p1 = p1.body.id;
      s.p2 = (await create('erp.product', { sku: 'LOOP-P2', name: '伺服驱动器', unit: 'pcs', price: 20000, cost: 12000, safetyStock: 5, reorderQty: 20, supplier: s.supplier }, owner)).body.id;
      const opening = await create('erp.inbound', { warehouse: s.warehouse, items: [{ product: s.p1, qty: 12 }, { product: s.p2, qty: 20 }] }, m.keeper);
      expect(opening.status, JSON.stringify(opening.body)).toBe(201);
    }, 60_000);

    afterAll(async () => {
      await stop(skip ? null : api);
    });

    it('1. converts a lead into one customer; a second lead with the same tax ID links it', async (ctx) => {
      if (skip) ctx.skip();
      const lead = await create('crm.lead', { company: '星河科技有限公司', taxId: '91310115MA1XH00001', phone: '13700000001', contact: '林总', source: 'exhibition', expectedAmount: 120000, owner: m.sales1.id }, m.sales1);
      expect(lead.status, JSON.stringify(lead.body)).toBe(201);
      expect((await api.patch(`/api/v1/forms/${F('crm.lead')}/records/${lead.body.id}`, { data: { status: 'converted' } }, m.sales1.token)).status).toBe(200);
      const converted = await waitFor(async () => {
        const r = await read('crm.lead', lead.body.id, m.sales1);
        return r.body.data.customer && r.body.data.opportunity ? r.body : null;
      }, 20_000, 'the lead conversion');
      s.customer = converted.data.customer;
      s.opportunity = converted.data.opportunity;
      const customer = (await read('crm.customer', s.customer, m.sales1)).body;
      expect(customer.data).toMatchObject({ name: '星河科技有限公司', taxId: '91310115MA1XH00001', phone: '13700000001', owner: m.sales1.id });
      expect(customer.data.code).toMatch(/^KH\d{4}\d{5}$/);
      const opportunity = (await read('crm.opportunity', s.opportunity, m.sales1)).body;
      expect(opportunity.data).toMatchObject({ customer: s.customer, stage: 'initial', amount: 120000, owner: m.sales1.id });

      const again = await create('crm.lead', { company: '星河科技', taxId: '91310115MA1XH00001', phone: '13700000999', owner: m.sales1.id }, m.sales1);
      await api.patch(`/api/v1/forms/${F('crm.lead')}/records/${again.body.id}`, { data: { status: 'converted' } }, m.sales1.token);
      const linked = await waitFor(async () => {
        const r = await read('crm.lead', again.body.id, m.sales1);
        return r.body.data.customer ? r.body : null;
      }, 20_000, 'the second conversion');
      expect(linked.data.customer).toBe(s.customer);
      expect(linked.data.opportunity).not.toBe(s.opportunity);
      expect(await list('crm.customer', { field: 'taxId', op: 'eq', value: '91310115MA1XH00001' }, owner)).toHaveLength(1);
      // The existing customer kept its own name: linking never overwrites it.
      expect((await read('crm.customer', s.customer, owner)).body.data.name).toBe('星河科技有限公司');
    });

    it('2. a quote with two lines and a 15% discount goes to the sales manager and is approved', async (ctx) => {
      if (skip) ctx.skip();
      const quote = await create('crm.quote', { customer: s.customer, opportunity: s.opportunity, items: [{ product: s.p1, qty: 2 }, { product: s.p2, qty: 3 }], discount: 15 }, m.sales1);
      expect(quote.status, JSON.stringify(quote.body)).toBe(201);
      s.quote = quote.body.id;
      // Unit prices come from the products; nothing about money is typed.
      expect(quote.body.data.items).toMatchObject([
        { product: s.p1, qty: 2, price: 30000, amount: 60000 },
        { product: s.p2, qty: 3, price: 20000, amount: 60000 },
      ]);
      expect(quote.body.data.total).toBe(102000);
      expect(quote.body.instance.status).toBe('running');
      const approval = await task(m.manager, s.quote);
      expect(approval.nodeId).toBe('salesManager');
      await act(m.manager, approval.id, { action: 'approve', comment: '同意 15% 折扣' });
      expect((await instance(quote.body.instance.id)).status).toBe('approved');
    });

    it('3. the approved quote becomes a contract by automation, sent back once by legal and countersigned by finance', async (ctx) => {
      if (skip) ctx.skip();
      const contract = await awaitRecord('oa.contract', { field: 'quote', op: 'eq', value: s.quote }, 'the contract');
      s.contract = contract.id;
      expect(contract.data).toMatchObject({ customer: s.customer, opportunity: s.opportunity, quote: s.quote, discount: 15, amount: 102000, owner: m.sales1.id });
      expect(contract.data.items).toMatchObject([
        { product: s.p1, qty: 2, price: 30000 },
        { product: s.p2, qty: 3, price: 20000 },
      ]);
      expect(contract.instance?.status).toBe('running');
      const inst = await instance(contract.instance!.id);
      // The quote's author initiates the contract approval.
      expect((await api.get(`/api/v1/instances/${contract.instance!.id}`, m.sales1.token)).status).toBe(200);
      expect(inst.status).toBe('running');
      expect((await read('crm.opportunity', s.opportunity, owner)).body.data.stage).toBe('negotiation');

      await act(m.manager, (await task(m.manager, s.contract)).id, { action: 'approve' });
      const legalTask = await task(m.legal, s.contract);
      expect(legalTask.nodeId).toBe('legal');
      const noComment = await api.post(`/api/v1/tasks/${legalTask.id}/actions`, { action: 'sendBack', toNodeId: 'start' }, m.legal.token);
      expect(noComment.status).toBe(422);
      await act(m.legal, legalTask.id, { action: 'sendBack', toNodeId: 'start', comment: '请补充交货期条款' });
      const resubmit = await task(m.sales1, s.contract);
      expect(resubmit.nodeId).toBe('start');
      await act(m.sales1, resubmit.id, { action: 'submit', data: { remark: '已补充：收到预付款后 30 天内交货' } });
      await act(m.manager, (await task(m.manager, s.contract)).id, { action: 'approve' });
      await act(m.legal, (await task(m.legal, s.contract)).id, { action: 'approve', data: { legalOpinion: '条款无异议' }, comment: '通过' });
      // 102,000 ≥ 100,000: both finance members must countersign.
      const t1 = await task(m.fin1, s.contract);
      const t2 = await task(m.fin2, s.contract);
      expect([t1.nodeId, t2.nodeId]).toEqual(['finance', 'finance']);
      await act(m.fin1, t1.id, { action: 'approve' });
      expect((await instance(contract.instance!.id)).status).toBe('running');
      await act(m.fin2, t2.id, { action: 'approve' });
      const done = await instance(contract.instance!.id);
      expect(done.status).toBe('approved');
      expect(JSON.stringify(done.log)).toContain('sendBack');
    });

    it('4. the approved contract creates the sales order with the same customer and lines', async (ctx) => {
      if (skip) ctx.skip();
      const order = await awaitRecord('erp.salesOrder', { field: 'contract', op: 'eq', value: s.contract }, 'the sales order');
      s.order = order.id;
      expect(order.data).toMatchObject({ customer: s.customer, opportunity: s.opportunity, contract: s.contract, total: 102000, orderDate: today, owner: m.sales1.id });
      expect(order.data.items).toMatchObject([
        { product: s.p1, qty: 2, price: 30000, amount: 60000 },
        { product: s.p2, qty: 3, price: 20000, amount: 60000 },
      ]);
      // Untouched by hand: the only write to the order is the automation's.
      const history = (await api.get(`/api/v1/forms/${F('erp.salesOrder')}/records/${s.order}/history`, owner.token)).body.items as { action: string; source: string }[];
      expect(history).toEqual([expect.objectContaining({ action: 'create', source: 'automation' })]);
      const customer = await waitFor(async () => {
        const c = (await read('crm.customer', s.customer, owner)).body;
        return c.data.lastOrderDate ? c : null;
      }, 20_000, 'the customer order totals');
      expect(customer.data).toMatchObject({ lastOrderDate: today, orderTotal: 102000 });
    });

    it('5. a shipment deducts stock; a shipment beyond the stock on hand is refused and changes nothing', async (ctx) => {
      if (skip) ctx.skip();
      const shipment = await create('erp.shipment', { order: s.order, warehouse: s.warehouse, items: [{ product: s.p1, qty: 2 }, { product: s.p2, qty: 3 }] }, m.keeper);
      expect(shipment.status, JSON.stringify(shipment.body)).toBe(201);
      s.shipment = shipment.body.id;
      expect(shipment.body.data.customer).toBe(s.customer);
      expect(await balance(s.p1, s.warehouse)).toBe(10);
      expect(await balance(s.p2, s.warehouse)).toBe(17);

      const tooMuch = await create('erp.shipment', { order: s.order, warehouse: s.warehouse, items: [{ product: s.p2, qty: 1 }, { product: s.p1, qty: 11 }] }, m.keeper);
      expect(tooMuch.status).toBe(409);
      expect(tooMuch.body.code).toBe('ledger_constraint');
      expect(tooMuch.body.keys).toMatchObject({ product: s.p1, warehouse: s.warehouse });
      expect(tooMuch.body.shortfall).toBe(1);
      expect(await balance(s.p1, s.warehouse)).toBe(10);
      expect(await balance(s.p2, s.warehouse)).toBe(17);
      expect(await list('erp.shipment', { field: 'order', op: 'eq', value: s.order }, owner)).toHaveLength(1);
    });

    it('6. the shipment raises a receivable for the order amount, due in 30 days', async (ctx) => {
      if (skip) ctx.skip();
      const receivable = await awaitRecord('fin.receivable', { field: 'order', op: 'eq', value: s.order }, 'the receivable');
      s.receivable = receivable.id;
      expect(receivable.data).toMatchObject({ customer: s.customer, order: s.order, shipment: s.shipment, opportunity: s.opportunity, amount: 102000, received: 0, balance: 102000, status: 'open', dueDate: inDays(30) });
    });

    it('7. a partial and a final payment settle the receivable; CRM shows the received total and the won opportunity', async (ctx) => {
      if (skip) ctx.skip();
      const first = await create('fin.payment', { receivable: s.receivable, amount: 50000, method: 'bank' }, m.fin1);
      expect(first.status, JSON.stringify(first.body)).toBe(201);
      expect(first.body.data.customer).toBe(s.customer);
      const partial = await waitFor(async () => {
        const r = (await read('fin.receivable', s.receivable, m.fin1)).body;
        return r.data.received === 50000 ? r : null;
      }, 20_000, 'the partial payment');
      expect(partial.data).toMatchObject({ status: 'partial', balance: 52000 });
      // More than the customer owes is refused by the receivable ledger.
      const over = await create('fin.payment', { receivable: s.receivable, amount: 60000 }, m.fin1);
      expect(over.status).toBe(409);
      expect(over.body.code).toBe('ledger_constraint');
      expect((await create('fin.payment', { receivable: s.receivable, amount: 52000 }, m.fin1)).status).toBe(201);
      const settled = await waitFor(async () => {
        const r = (await read('fin.receivable', s.receivable, m.fin1)).body;
        return r.data.status === 'settled' ? r : null;
      }, 20_000, 'the settlement');
      expect(settled.data).toMatchObject({ received: 102000, balance: 0 });
      const customer = await waitFor(async () => {
        const c = (await read('crm.customer', s.customer, m.sales1)).body;
        return c.data.receivedTotal === 102000 ? c : null;
      }, 20_000, "the customer's received total");
      expect(customer.data.lastOrderDate).toBe(today);
      const won = await waitFor(async () => {
        const o = (await read('crm.opportunity', s.opportunity, m.sales1)).body;
        return o.data.stage === 'won' ? o : null;
      }, 20_000, 'the won opportunity');
      expect(won.data.probability).toBe(100);
    });

    it('8. stock under the safety level raises a purchase request; approved, it becomes a purchase order; the receipt restores stock', async (ctx) => {
      if (skip) ctx.skip();
      const request = await awaitRecord('erp.purchaseRequest', { and: [{ field: 'product', op: 'eq', value: s.p1 }, { field: 'source', op: 'eq', value: 'safetyStock' }] }, 'the purchase request');
      s.request = request.id;
      expect(request.data).toMatchObject({ product: s.p1, qty: 50, warehouse: s.warehouse, supplier: s.supplier });
      expect(await list('erp.purchaseRequest', { field: 'product', op: 'eq', value: s.p2 }, owner)).toHaveLength(0);
      // The installing user joined the admin role, which approves purchase requests.
      const approval = await task(owner, s.request);
      await act(owner, approval.id, { action: 'approve' });
      const po = await awaitRecord('erp.purchaseOrder', { field: 'request', op: 'eq', value: s.request }, 'the purchase order');
      s.po = po.id;
      expect(po.data).toMatchObject({ supplier: s.supplier, request: s.request, warehouse: s.warehouse, total: 900000 });
      expect(po.data.items).toMatchObject([{ product: s.p1, qty: 50, price: 18000, amount: 900000 }]);
      const receipt = await create('erp.inbound', { warehouse: s.warehouse, purchaseOrder: s.po, items: [{ product: s.p1, qty: 50 }] }, m.keeper);
      expect(receipt.status, JSON.stringify(receipt.body)).toBe(201);
      expect(receipt.body.data.supplier).toBe(s.supplier);
      expect(await balance(s.p1, s.warehouse)).toBe(60);
      const payable = await awaitRecord('fin.payable', { field: 'purchaseOrder', op: 'eq', value: s.po }, 'the payable');
      expect(payable.data).toMatchObject({ supplier: s.supplier, inbound: receipt.body.id, amount: 900000, status: 'open' });
    });

    it('9. each role sees only its part, and every hand-off is in the integration log and the records’ history', async (ctx) => {
      if (skip) ctx.skip();
      // Sales: their own customers only, and never product cost.
      expect((await read('crm.customer', s.customer, m.sales2)).status).toBe(404);
      expect((await list('crm.customer', { field: 'name', op: 'notEmpty' }, m.sales1)).map((c) => c.id)).toEqual([s.customer]);
      const product = (await read('erp.product', s.p1, m.sales1)).body;
      expect(product.data.price).toBe(30000);
      expect(product.data).not.toHaveProperty('cost');
      expect((await api.get(`/api/v1/forms/${F('erp.product')}/records?sort=cost`, m.sales1.token)).status).toBeGreaterThanOrEqual(403);
      expect((await read('fin.receivable', s.receivable, m.sales1)).status).toBe(403);
      // Sales manager: the sales department's customers.
      expect((await read('crm.customer', s.customer, m.manager)).status).toBe(200);
      // Finance: every amount and cost, customer data read-only.
      expect((await read('erp.product', s.p1, m.fin1)).body.data.cost).toBe(18000);
      expect((await read('crm.customer', s.customer, m.fin1)).body.data.receivedTotal).toBe(102000);
      expect((await api.patch(`/api/v1/forms/${F('crm.customer')}/records/${s.customer}`, { data: { level: 'key' } }, m.fin1.token)).status).toBe(403);
      // Warehouse: orders and stock, never customer phones or contract amounts.
      const seenByKeeper = (await read('crm.customer', s.customer, m.keeper)).body;
      expect(seenByKeeper.data.name).toBe('星河科技有限公司');
      expect(seenByKeeper.data).not.toHaveProperty('phone');
      const orderByKeeper = (await read('erp.salesOrder', s.order, m.keeper)).body;
      expect(orderByKeeper.data.items).toHaveLength(2);
      expect(orderByKeeper.data).not.toHaveProperty('total');
      expect((await read('oa.contract', s.contract, m.keeper)).status).toBe(403);
      expect((await api.get(`/api/v1/forms/${F('oa.contract')}/records`, m.keeper.token)).status).toBe(403);
      // Legal reads contracts, not the ERP.
      expect((await read('oa.contract', s.contract, m.legal)).status).toBe(200);
      expect((await read('erp.salesOrder', s.order, m.legal)).status).toBe(403);

      // Integration log: every automation of the loop ran and names what it created or changed.
      const runsOf = async (key: string) => (await api.get(`/api/v1/automations/${install.automations[key]}/runs`, owner.token)).body.items as { status: string; createdRecords: { recordId: string }[]; changedRecords: { recordId: string }[] }[];
      const handOffs: [string, string][] = [
        ['crm.leadConversion', s.customer],
        ['oa.quoteToContract', s.contract],
        ['erp.contractToOrder', s.order],
        ['fin.shipmentToReceivable', s.receivable],
        ['fin.paymentSettlesReceivable', s.receivable],
        ['fin.settledWinsOpportunity', s.opportunity],
        ['erp.reorder', s.request],
        ['erp.requestToPurchaseOrder', s.po],
      ];
      for (const [key, recordId] of handOffs) {
        const runs = await runsOf(key);
        const touched = runs.filter((r) => r.status === 'succeeded').flatMap((r) => [...r.createdRecords, ...r.changedRecords].map((x) => x.recordId));
        expect(touched, key).toContain(recordId);
        expect(runs.filter((r) => r.status === 'failed'), key).toEqual([]);
      }
      const orderLog = (await api.get(`/api/v1/forms/${F('erp.salesOrder')}/records/${s.order}/runs`, owner.token)).body.items as { automationId: string }[];
      expect(orderLog.map((r) => r.automationId)).toContain(install.automations['erp.contractToOrder']);
      // Records' history: each automated change is recorded with its source.
      const historyOf = async (form: string, id: string) => (await api.get(`/api/v1/forms/${F(form)}/records/${id}/history`, owner.token)).body.items as { action: string; source: string; changes: { field: string }[] }[];
      for (const [form, id] of [['oa.contract', s.contract], ['fin.receivable', s.receivable], ['erp.purchaseOrder', s.po]] as const) {
        expect((await historyOf(form, id))[0], form).toMatchObject({ action: 'create', source: 'automation' });
      }
      const customerHistory = await historyOf('crm.customer', s.customer);
      expect(customerHistory.filter((h) => h.source === 'automation').flatMap((h) => h.changes.map((c) => c.field))).toEqual(expect.arrayContaining(['lastOrderDate', 'orderTotal', 'receivedTotal']));
      const receivableHistory = await historyOf('fin.receivable', s.receivable);
      expect(receivableHistory.filter((h) => h.action === 'update' && h.source === 'automation')).toHaveLength(2);
    });
  });
}
