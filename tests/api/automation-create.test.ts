import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { addMember, waitFor } from '../support/org.ts';
import { create, finishedRuns, invoiceFields, list, newAutomation, newForm, newTenant, orderFields, runs } from './automation-fixtures.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(async () => {
  await api?.close();
});

describe('createRecord actions', () => {
  it('maps formulas over the trigger record, fills a subform row by row and logs the run with the records it created', async () => {
    const t = await newTenant(api);
    const orders = await newForm(api, t, 'Orders', orderFields);
    const invoices = await newForm(api, t, 'Invoices', invoiceFields);
    const automationId = await newAutomation(api, t, {
      trigger: { kind: 'recordCreated', formId: orders },
      actions: [
        {
          kind: 'createRecord',
          id: 'invoice',
          formId: invoices,
          mapping: {
            customer: 'UPPER(customer)',
            amount: 'SUM(items.qty * items.price) * (1 - discount / 100)',
            source: 'id',
            lines: { from: 'items', columns: { product: 'product', qty: 'qty * 2' } },
          },
        },
      ],
    });
    const order = await create(api, t, orders, { customer: 'acme', discount: 10, items: [{ product: 'P1', qty: 2, price: 50 }, { product: 'P2', qty: 1, price: 100 }] });
    const [run] = await finishedRuns(api, t, automationId);
    expect(run.status).toBe('succeeded');
    const made = await list(api, t, invoices);
    expect(made).toHaveLength(1);
    expect(made[0].data).toEqual({ customer: 'ACME', amount: 180, source: order.id, lines: [{ product: 'P1', qty: 4 }, { product: 'P2', qty: 2 }] });
    expect(run.triggerRecords).toEqual([{ formId: orders, recordId: order.id }]);
    expect(run.createdRecords).toEqual([{ formId: invoices, recordId: made[0].id }]);
    expect(run.trigger).toMatchObject({ kind: 'recordCreated', recordId: order.id, recordVersion: 1, source: 'api' });
    expect(run.actions).toEqual([expect.objectContaining({ kind: 'createRecord', status: 'done', created: [{ formId: invoices, recordId: made[0].id }] })]);
    expect(run.inputs.record).toMatchObject({ customer: 'acme', id: order.id });
    expect(run.attempts).toBe(1);
    expect(typeof run.durationMs).toBe('number');
    // The created record says where it came from.
    const history = await api.get(`/api/v1/forms/${invoices}/records/${made[0].id}/history`, t.token);
    expect(history.body.items[0]).toMatchObject({ action: 'create', source: 'automation' });
    // Both records' integration logs show the run.
    for (const [formId, recordId] of [[orders, order.id], [invoices, made[0].id]]) {
      const log = await api.get(`/api/v1/forms/${formId}/records/${recordId}/runs`, t.token);
      expect(log.status).toBe(200);
      expect(log.body.items.map((r: { id: string }) => r.id)).toEqual([run.id]);
    }
  });

  it('runs once per subform row with forEachRow, later actions seeing the same row’s earlier results', async () => {
    const t = await newTenant(api);
    const orders = await newForm(api, t, 'Orders', orderFields);
    const invoices = await newForm(api, t, 'Invoices', invoiceFields);
    const automationId = await newAutomation(api, t, {
      trigger: { kind: 'recordCreated', formId: orders },
      actions: [
        { kind: 'createRecord', id: 'line', forEachRow: 'items', formId: invoices, mapping: { customer: 'customer', amount: 'qty * price', source: 'product' } },
        { kind: 'createRecord', forEachRow: 'items', when: 'line.amount > 100', formId: invoices, mapping: { customer: '"big"', amount: 'line.amount', source: 'line.id' } },
        { kind: 'createRecord', formId: invoices, mapping: { customer: '"total"', amount: 'SUM(line.amount)' } },
      ],
    });
    await create(api, t, orders, { customer: 'acme', items: [{ product: 'P1', qty: 2, price: 10 }, { product: 'P2', qty: 3, price: 50 }] });
    const [run] = await finishedRuns(api, t, automationId);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    const made = await list(api, t, invoices);
    const byCustomer = (c: string) => made.filter((r) => r.data.customer === c).map((r) => r.data);
    expect(byCustomer('acme').map((d) => [d.source, d.amount]).sort()).toEqual([['P1', 20], ['P2', 150]]);
    const p2 = made.find((r) => r.data.source === 'P2')!;
    expect(byCustomer('big')).toEqual([{ customer: 'big', amount: 150, source: p2.id }]);
    expect(byCustomer('total')).toEqual([{ customer: 'total', amount: 170 }]);
    expect(run.createdRecords).toHaveLength(4);
    expect(run.actions.filter((a: { status: string }) => a.status === 'skipped')).toEqual([expect.objectContaining({ index: 1, row: 0 })]);
  });

  it('creates records as the trigger record’s creator, whose workflow starts with that creator as initiator', async () => {
    const t = await newTenant(api);
    const seller = await addMember(api, t.token, t.tenantId, 'Seller');
    const orders = await newForm(api, t, 'Orders', orderFields);
    const contracts = await newForm(api, t, 'Contracts', invoiceFields);
    await api.post(`/api/v1/forms/${orders}/permission-groups`, { name: 'Sellers', grantees: { memberIds: [seller.id] }, actions: ['submit', 'view'], scope: 'own' }, t.token);
    await api.post(`/api/v1/forms/${contracts}/permission-groups`, { name: 'Sellers', grantees: { memberIds: [seller.id] }, actions: ['view'], scope: 'own' }, t.token);
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
    expect((await api.put(`/api/v1/forms/${contracts}/workflow`, flow, t.token)).status).toBe(200);
    expect((await api.post(`/api/v1/forms/${contracts}/workflow/publish`, {}, t.token)).status).toBe(201);
    const automationId = await newAutomation(api, t, { trigger: { kind: 'recordCreated', formId: orders }, actions: [{ kind: 'createRecord', formId: contracts, mapping: { customer: 'customer' } }] });
    await create(api, seller, orders, { customer: 'acme' });
    const [run] = await finishedRuns(api, t, automationId);
    expect(run.status).toBe('succeeded');
    expect(run.initiatorId).toBe(seller.id);
    // The seller owns the contract (own scope) and initiated its workflow.
    const mine = await list(api, seller, contracts);
    expect(mine).toHaveLength(1);
    expect(mine[0].createdBy).toBe(seller.id);
    const instance = await api.get(`/api/v1/instances/${mine[0].instance!.id}`, t.token);
    expect(instance.body).toMatchObject({ status: 'running', initiatorId: seller.id });
    const tasks = await api.get('/api/v1/tasks?box=todo', t.token);
    expect(tasks.body.items.some((task: { recordId: string }) => task.recordId === mine[0].id)).toBe(true);
  });

  it('fails a run whose mapping the target refuses, with the target’s errors in the log and no partial records', async () => {
    const t = await newTenant(api);
    const orders = await newForm(api, t, 'Orders', orderFields);
    const invoices = await newForm(api, t, 'Invoices', invoiceFields);
    const automationId = await newAutomation(api, t, {
      trigger: { kind: 'recordCreated', formId: orders },
      actions: [
        { kind: 'createRecord', formId: invoices, mapping: { customer: 'customer', amount: '1' } },
        // amount has min 0: the second record is refused, so the first must not survive either.
        { kind: 'createRecord', formId: invoices, mapping: { customer: 'customer', amount: '0 - SUM(items.qty)' } },
      ],
    });
    await create(api, t, orders, { customer: 'acme', items: [{ product: 'P1', qty: 3 }] });
    const [run] = await finishedRuns(api, t, automationId);
    expect(run.status).toBe('failed');
    expect(run.attempts).toBe(1);
    expect(run.error).toContain('validation_failed');
    expect(run.errors).toEqual([expect.objectContaining({ field: 'amount' })]);
    expect(run.actions).toEqual([
      expect.objectContaining({ index: 0, status: 'done', reason: expect.stringContaining('rolled back') }),
      expect.objectContaining({ index: 1, status: 'failed', errors: [expect.objectContaining({ field: 'amount' })] }),
    ]);
    expect(run.actions[0].created).toBeUndefined();
    expect(run.createdRecords).toEqual([]);
    expect(await list(api, t, invoices)).toEqual([]);
  });

  it('a field removed since the automation was saved fails the run naming it, and an admin retries it once fixed', async () => {
    const t = await newTenant(api);
    const orders = await newForm(api, t, 'Orders', orderFields);
    const invoices = await newForm(api, t, 'Invoices', invoiceFields);
    const automationId = await newAutomation(api, t, { trigger: { kind: 'recordCreated', formId: orders }, actions: [{ kind: 'createRecord', formId: invoices, mapping: { customer: 'customer', source: '"order"' } }] });
    const fields = invoiceFields.filter((f) => f.id !== 'source');
    expect((await api.put(`/api/v1/forms/${invoices}`, { name: 'Invoices', fields }, t.token)).status).toBe(200);
    await create(api, t, orders, { customer: 'acme' });
    const [run] = await finishedRuns(api, t, automationId);
    expect(run.status).toBe('failed');
    expect(run.errors).toEqual([expect.objectContaining({ field: 'source', code: 'unknown_field' })]);
    expect(await list(api, t, invoices)).toEqual([]);

    // Members may not retry; the admin fixes the form and retries the same run.
    const member = await addMember(api, t.token, t.tenantId, 'Member');
    expect((await api.post(`/api/v1/automation-runs/${run.id}/retry`, {}, member.token)).status).toBe(403);
    expect((await api.put(`/api/v1/forms/${invoices}`, { name: 'Invoices', fields: invoiceFields }, t.token)).status).toBe(200);
    const retry = await api.post(`/api/v1/automation-runs/${run.id}/retry`, {}, t.token);
    expect(retry.status).toBe(202);
    const again = await waitFor(async () => {
      const [r] = await runs(api, t, automationId);
      return r.status === 'succeeded' ? r : null;
    });
    expect(again).toMatchObject({ id: run.id, retries: 1, attempts: 2, error: null });
    expect((await list(api, t, invoices)).map((r) => r.data)).toEqual([{ customer: 'acme', source: 'order' }]);
    // Only failed runs can be retried.
    expect((await api.post(`/api/v1/automation-runs/${run.id}/retry`, {}, t.token)).status).toBe(409);
  });

  it('takes effect once when its job is delivered again or twice at the same time', async () => {
    const t = await newTenant(api);
    const orders = await newForm(api, t, 'Orders', orderFields);
    const invoices = await newForm(api, t, 'Invoices', invoiceFields);
    const automationId = await newAutomation(api, t, { trigger: { kind: 'recordCreated', formId: orders }, actions: [{ kind: 'createRecord', formId: invoices, mapping: { customer: 'customer' } }] });
    const order = await create(api, t, orders, { customer: 'acme' });
    const [run] = await finishedRuns(api, t, automationId);
    expect(run.id).toBe(`${automationId}.${order.id}.1`);
    const { queue, store } = api.server.services;
    const status = (name: string, id: string) => (queue as unknown as { status(n: string, i: string): Promise<string | null> }).status(name, id);
    // A second pending run of the same firing (as if its job were duplicated before it ran), delivered twice at once,
    // and a late redelivery of the finished run's job.
    const stored = await store.collection('automation_runs').findOne({ _id: run.id });
    const twin = `${run.id}.twin`;
    await store.collection('automation_runs').insertOne({ ...stored!, _id: twin, status: 'pending', attempts: 0, createdRecords: [], recordIds: [order.id] });
    await Promise.all([
      queue.enqueue('automation.run', { tenantId: t.tenantId, runId: twin }, { jobId: `${twin}.a` }),
      queue.enqueue('automation.run', { tenantId: t.tenantId, runId: twin }, { jobId: `${twin}.b` }),
      queue.enqueue('automation.run', { tenantId: t.tenantId, runId: run.id }, { jobId: `${run.id}.again` }),
    ]);
    await waitFor(async () => {
      const states = await Promise.all([`${twin}.a`, `${twin}.b`, `${run.id}.again`].map((id) => status('automation.run', id)));
      return states.every((s) => s === 'done') ? true : null;
    });
    // The original once, the twin once.
    expect(await list(api, t, invoices)).toHaveLength(2);
    const all = await runs(api, t, automationId);
    expect(all.find((r) => r.id === twin)).toMatchObject({ status: 'succeeded', createdRecords: [expect.objectContaining({ formId: invoices })] });
  });

  it('re-enqueues the job of a run left waiting when the queue lost it', async () => {
    const t = await newTenant(api);
    const orders = await newForm(api, t, 'Orders', orderFields);
    const invoices = await newForm(api, t, 'Invoices', invoiceFields);
    const automationId = await newAutomation(api, t, { trigger: { kind: 'recordCreated', formId: orders }, actions: [{ kind: 'createRecord', formId: invoices, mapping: { customer: 'customer' } }] });
    await create(api, t, orders, { customer: 'acme' });
    const [run] = await finishedRuns(api, t, automationId);
    const { store } = api.server.services;
    const stored = await store.collection('automation_runs').findOne({ _id: run.id });
    // A run recorded ten minutes ago whose job never reached the queue.
    const lost = `${run.id}.lost`;
    await store.collection('automation_runs').insertOne({ ...stored!, _id: lost, status: 'pending', attempts: 0, createdAt: new Date(Date.now() - 600_000).toISOString() });
    const { sweepLostJobs } = await import('../../server/src/integration/sweeper.ts');
    expect(await sweepLostJobs(api.server.services)).toBeGreaterThanOrEqual(1);
    await waitFor(async () => ((await runs(api, t, automationId)).find((r) => r.id === lost)?.status === 'succeeded' ? true : null));
    expect(await list(api, t, invoices)).toHaveLength(2);
  });
});
