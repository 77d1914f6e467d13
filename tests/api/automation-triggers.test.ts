import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { addMember, waitFor } from '../support/org.ts';
import { create, finishedRuns, invoiceFields, list, newAutomation, newForm, newTenant, orderFields, runs, type Tenant } from './automation-fixtures.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(async () => {
  await api?.close();
});

const logAction = (invoices: string, source: string) => ({ kind: 'createRecord', formId: invoices, mapping: { customer: 'customer', source } });

async function approvalFlow(t: Tenant, formId: string) {
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

async function act(t: Tenant, recordId: string, action: 'approve' | 'reject') {
  const task = await waitFor(async () => (await api.get('/api/v1/tasks?box=todo', t.token)).body.items.find((x: { recordId: string }) => x.recordId === recordId));
  const res = await api.post(`/api/v1/tasks/${task.id}/actions`, { action, comment: 'ok' }, t.token);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

describe('record triggers', () => {
  it('recordUpdated fires only when a listed field changes and the condition holds; silent writes opt out', async () => {
    const t = await newTenant(api);
    const orders = await newForm(api, t, 'Orders', orderFields);
    const invoices = await newForm(api, t, 'Invoices', invoiceFields);
    const automationId = await newAutomation(api, t, {
      trigger: { kind: 'recordUpdated', formId: orders, fields: ['status'] },
      condition: { and: [{ field: 'status', op: 'eq', value: 'approved' }] },
      actions: [logAction(invoices, 'before.status & ">" & status')],
    });
    const order = await create(api, t, orders, { customer: 'acme', status: 'new' });
    const patch = (data: Record<string, unknown>, silent?: boolean) => api.patch(`/api/v1/forms/${orders}/records/${order.id}`, { data, ...(silent ? { silent } : {}) }, t.token);
    expect((await patch({ discount: 5 })).status).toBe(200); // status unchanged: no run
    expect((await patch({ status: 'closed' })).status).toBe(200); // condition false: no run
    expect((await patch({ status: 'approved' }, true)).status).toBe(200); // silent: no run
    expect((await patch({ status: 'new' })).status).toBe(200);
    expect((await patch({ status: 'approved' })).status).toBe(200); // fires
    const [run] = await finishedRuns(api, t, automationId);
    expect(run).toMatchObject({ status: 'succeeded', trigger: { kind: 'recordUpdated', change: 'updated', recordVersion: 6 } });
    expect((await list(api, t, invoices)).map((r) => r.data.source)).toEqual(['new>approved']);
    expect(await runs(api, t, automationId)).toHaveLength(1);
  });

  it('recordDeleted runs with the deleted record’s values', async () => {
    const t = await newTenant(api);
    const orders = await newForm(api, t, 'Orders', orderFields);
    const invoices = await newForm(api, t, 'Invoices', invoiceFields);
    const automationId = await newAutomation(api, t, { trigger: { kind: 'recordDeleted', formId: orders }, actions: [logAction(invoices, '"deleted " & id')] });
    const order = await create(api, t, orders, { customer: 'gone' });
    expect((await api.delete(`/api/v1/forms/${orders}/records/${order.id}`, t.token)).status).toBe(204);
    const [run] = await finishedRuns(api, t, automationId);
    expect(run.status).toBe('succeeded');
    expect((await list(api, t, invoices)).map((r) => r.data)).toEqual([{ customer: 'gone', source: `deleted ${order.id}` }]);
  });

  it('batch writes trigger automations like single ones', async () => {
    const t = await newTenant(api);
    const orders = await newForm(api, t, 'Orders', orderFields);
    const invoices = await newForm(api, t, 'Invoices', invoiceFields);
    const automationId = await newAutomation(api, t, { trigger: { kind: 'recordCreated', formId: orders }, actions: [logAction(invoices, 'customer')] });
    const batch = await api.post(`/api/v1/forms/${orders}/records/batch`, { records: [{ data: { customer: 'a' } }, { data: { customer: 'b' } }] }, t.token);
    expect(batch.status).toBe(201);
    const done = await finishedRuns(api, t, automationId, 2);
    expect(done.map((r) => r.trigger.source)).toEqual(['batch', 'batch']);
    expect((await list(api, t, invoices)).map((r) => r.data.customer).sort()).toEqual(['a', 'b']);
  });
});

describe('workflow triggers', () => {
  it('workflowFinished fires for the chosen outcome only, and workflowNode when the node is entered', async () => {
    const t = await newTenant(api);
    const quotes = await newForm(api, t, 'Quotes', orderFields);
    const invoices = await newForm(api, t, 'Invoices', invoiceFields);
    await approvalFlow(t, quotes);
    const onApproved = await newAutomation(api, t, { trigger: { kind: 'workflowFinished', formId: quotes, outcome: 'approved' }, actions: [logAction(invoices, '"approved"')] });
    const onBoss = await newAutomation(api, t, { trigger: { kind: 'workflowNode', formId: quotes, nodeId: 'boss' }, actions: [logAction(invoices, '"at boss"')] });
    const good = await create(api, t, quotes, { customer: 'good' });
    const bad = await create(api, t, quotes, { customer: 'bad' });
    await finishedRuns(api, t, onBoss, 2);
    await act(t, bad.id, 'reject');
    await act(t, good.id, 'approve');
    const [run] = await finishedRuns(api, t, onApproved);
    expect(run).toMatchObject({ status: 'succeeded', trigger: { kind: 'workflowFinished', outcome: 'approved', recordId: good.id } });
    const made = (await list(api, t, invoices)).map((r) => `${r.data.customer}:${r.data.source}`).sort();
    expect(made).toEqual(['bad:at boss', 'good:approved', 'good:at boss']);
    expect(await runs(api, t, onApproved)).toHaveLength(1);
  });
});

describe('schedule and button triggers', () => {
  it('a cron schedule fires in the tenant time zone, over the matching records of its form', async () => {
    const t = await newTenant(api);
    const orders = await newForm(api, t, 'Orders', orderFields);
    const invoices = await newForm(api, t, 'Invoices', invoiceFields);
    await create(api, t, orders, { customer: 'open', status: 'new' });
    await create(api, t, orders, { customer: 'done', status: 'closed' });
    const automationId = await newAutomation(api, t, {
      trigger: { kind: 'schedule', cron: '* * * * * *', formId: orders, filter: { field: 'status', op: 'eq', value: 'new' } },
      actions: [logAction(invoices, '"reminder"')],
    });
    const saved = await api.get(`/api/v1/automations/${automationId}`, t.token);
    expect(Date.parse(saved.body.nextRunAt)).toBeGreaterThan(Date.now() - 2000);
    const [run] = await finishedRuns(api, t, automationId);
    expect(run).toMatchObject({ status: 'succeeded', trigger: { kind: 'schedule' } });
    expect(run.inputs.record.customer).toBe('open');
    // Stop it, so the test leaves nothing firing.
    expect((await api.patch(`/api/v1/automations/${automationId}`, { enabled: false }, t.token)).status).toBe(200);
    const made = await list(api, t, invoices);
    expect(made.length).toBeGreaterThan(0);
    expect(made.every((r) => r.data.customer === 'open')).toBe(true);
  });

  it('a date schedule fires once per record, three days before its due date, however often its cron ticks', async () => {
    const t = await newTenant(api);
    const tasks = await newForm(api, t, 'Tasks', [
      { id: 'customer', type: 'text', label: 'Title' },
      { id: 'dueDate', type: 'date', label: 'Due' },
    ]);
    const invoices = await newForm(api, t, 'Invoices', invoiceFields);
    const dayIn = (offset: number) => {
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
      const [y, m, d] = today.split('-').map(Number);
      return new Date(Date.UTC(y, m - 1, d + offset)).toISOString().slice(0, 10);
    };
    const due = await create(api, t, tasks, { customer: 'due in 3', dueDate: dayIn(3) });
    await create(api, t, tasks, { customer: 'due in 4', dueDate: dayIn(4) });
    const automationId = await newAutomation(api, t, {
      trigger: { kind: 'schedule', formId: tasks, dateField: 'dueDate', offsetDays: -3, cron: '* * * * * *' },
      actions: [logAction(invoices, '"remind " & TEXT(dueDate, "YYYY-MM-DD")')],
    });
    const [run] = await finishedRuns(api, t, automationId);
    expect(run.id).toBe(`${automationId}.${due.id}.${dayIn(3)}`);
    // Let the cron tick at least twice more, then stop it: still one run.
    const firstNext = (await api.get(`/api/v1/automations/${automationId}`, t.token)).body.nextRunAt;
    await waitFor(async () => {
      const next = (await api.get(`/api/v1/automations/${automationId}`, t.token)).body.nextRunAt;
      return Date.parse(next) >= Date.parse(firstNext) + 2000 ? true : null;
    });
    await api.patch(`/api/v1/automations/${automationId}`, { enabled: false }, t.token);
    expect(await runs(api, t, automationId)).toHaveLength(1);
    expect((await list(api, t, invoices)).map((r) => r.data.customer)).toEqual(['due in 3']);
  });

  it('a button runs for the record it is pressed on, started by whoever pressed it, when its condition holds', async () => {
    const t = await newTenant(api);
    const clerk = await addMember(api, t.token, t.tenantId, 'Clerk');
    const orders = await newForm(api, t, 'Orders', orderFields);
    const invoices = await newForm(api, t, 'Invoices', invoiceFields);
    await api.post(`/api/v1/forms/${orders}/permission-groups`, { name: 'Clerks', grantees: { memberIds: [clerk.id] }, actions: ['view'], scope: 'all' }, t.token);
    const automationId = await newAutomation(api, t, {
      trigger: { kind: 'button', formId: orders, label: 'Invoice it' },
      condition: { field: 'status', op: 'ne', value: 'closed' },
      actions: [logAction(invoices, 'id')],
    });
    const order = await create(api, t, orders, { customer: 'acme', status: 'new' });
    const closed = await create(api, t, orders, { customer: 'old', status: 'closed' });
    const buttons = await api.get(`/api/v1/forms/${orders}/buttons`, clerk.token);
    expect(buttons.body.items).toEqual([expect.objectContaining({ automationId, label: 'Invoice it' })]);
    const pressed = await api.post(`/api/v1/forms/${orders}/records/${order.id}/buttons/${automationId}`, {}, clerk.token);
    expect(pressed.status).toBe(202);
    expect((await api.post(`/api/v1/forms/${orders}/records/${closed.id}/buttons/${automationId}`, {}, clerk.token)).status).toBe(409);
    const [run] = await finishedRuns(api, t, automationId);
    expect(run).toMatchObject({ id: pressed.body.runId, status: 'succeeded', initiatorId: clerk.id, trigger: { kind: 'button', actorId: clerk.id } });
    const made = await list(api, t, invoices);
    expect(made.map((r) => [r.data.source, r.createdBy])).toEqual([[order.id, clerk.id]]);
    // A member without access to the form cannot press it.
    const stranger = await addMember(api, t.token, t.tenantId, 'Stranger');
    expect((await api.post(`/api/v1/forms/${orders}/records/${order.id}/buttons/${automationId}`, {}, stranger.token)).status).toBe(403);
  });
});

describe('saving automations', () => {
  it('refuses unknown forms, fields, formula names and ledgers with 422 naming them, and non-admins with 403', async () => {
    const t = await newTenant(api);
    const orders = await newForm(api, t, 'Orders', orderFields);
    const invoices = await newForm(api, t, 'Invoices', invoiceFields);
    const save = (body: Record<string, unknown>) => api.post(`/api/v1/apps/${t.appId}/automations`, { name: 'bad', ...body }, t.token);
    const cases: [Record<string, unknown>, string][] = [
      [{ trigger: { kind: 'recordCreated', formId: 'nope' }, actions: [logAction(invoices, 'customer')] }, 'nope'],
      [{ trigger: { kind: 'recordCreated', formId: orders }, actions: [{ kind: 'createRecord', formId: 'ghost', mapping: { a: '1' } }] }, 'ghost'],
      [{ trigger: { kind: 'recordCreated', formId: orders }, actions: [{ kind: 'createRecord', formId: invoices, mapping: { nosuch: 'customer' } }] }, 'nosuch'],
      [{ trigger: { kind: 'recordCreated', formId: orders }, actions: [{ kind: 'createRecord', formId: invoices, mapping: { customer: 'clientName' } }] }, 'clientName'],
      [{ trigger: { kind: 'recordUpdated', formId: orders, fields: ['colour'] }, actions: [logAction(invoices, 'customer')] }, 'colour'],
      [{ trigger: { kind: 'recordCreated', formId: orders }, condition: { field: 'size', op: 'eq', value: 1 }, actions: [logAction(invoices, 'customer')] }, 'size'],
      [{ trigger: { kind: 'recordCreated', formId: orders }, actions: [{ kind: 'createRecord', formId: invoices, mapping: { lines: { from: 'items', columns: { sku: 'product' } } } }] }, 'lines.sku'],
      [{ trigger: { kind: 'recordCreated', formId: orders }, actions: [{ kind: 'createRecord', forEachRow: 'rows', formId: invoices, mapping: { customer: 'customer' } }] }, 'rows'],
      [{ trigger: { kind: 'recordCreated', formId: orders }, actions: [{ kind: 'queryRecords', id: 'q', ledgerId: 'noledger' }] }, 'noledger'],
      [{ trigger: { kind: 'recordCreated', formId: orders }, actions: [{ kind: 'updateRecords', formId: invoices, filter: { field: 'zzz', op: 'eq', value: 1 }, mapping: { customer: 'customer' } }] }, 'zzz'],
      [{ trigger: { kind: 'schedule', cron: 'every day' }, actions: [logAction(invoices, 'customer')] }, 'every day'],
    ];
    for (const [body, name] of cases) {
      const res = await save(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.code).toBe('invalid_automation');
      expect(res.body.errors.map((e: { name?: string }) => e.name), JSON.stringify(res.body)).toContain(name);
    }
    expect((await save({ trigger: { kind: 'sometimes', formId: orders }, actions: [logAction(invoices, 'customer')] })).status).toBe(422);
    const member = await addMember(api, t.token, t.tenantId, 'Member');
    expect((await api.post(`/api/v1/apps/${t.appId}/automations`, { name: 'x', trigger: { kind: 'recordCreated', formId: orders }, actions: [] }, member.token)).status).toBe(403);
    expect((await api.get(`/api/v1/apps/${t.appId}/automations`, member.token)).status).toBe(403);
    expect((await api.get(`/api/v1/apps/${t.appId}/automations`, t.token)).body.items).toEqual([]);
  });

  it('lists, updates and deletes automations', async () => {
    const t = await newTenant(api);
    const orders = await newForm(api, t, 'Orders', orderFields);
    const invoices = await newForm(api, t, 'Invoices', invoiceFields);
    const id = await newAutomation(api, t, { trigger: { kind: 'recordCreated', formId: orders }, actions: [logAction(invoices, 'customer')] });
    const listed = await api.get(`/api/v1/apps/${t.appId}/automations`, t.token);
    expect(listed.body.items).toEqual([expect.objectContaining({ id, enabled: true, trigger: { kind: 'recordCreated', formId: orders }, version: 1 })]);
    const bad = await api.patch(`/api/v1/automations/${id}`, { actions: [{ kind: 'createRecord', formId: invoices, mapping: { customer: 'nobody' } }] }, t.token);
    expect(bad.status).toBe(422);
    const renamed = await api.patch(`/api/v1/automations/${id}`, { name: 'Renamed', enabled: false }, t.token);
    expect(renamed.body).toMatchObject({ name: 'Renamed', enabled: false, version: 2 });
    await create(api, t, orders, { customer: 'quiet' });
    expect((await api.delete(`/api/v1/automations/${id}`, t.token)).status).toBe(204);
    expect((await api.get(`/api/v1/automations/${id}`, t.token)).status).toBe(404);
    expect(await list(api, t, invoices)).toEqual([]);
  });
});

describe('depth limit', () => {
  it('stops an automation that triggers itself with a failed run saying why', async () => {
    const t = await newTenant(api);
    const counters = await newForm(api, t, 'Counters', [
      { id: 'customer', type: 'text', label: 'Name' },
      { id: 'n', type: 'number', label: 'N' },
    ]);
    const automationId = await newAutomation(api, t, {
      trigger: { kind: 'recordUpdated', formId: counters, fields: ['n'] },
      actions: [{ kind: 'updateRecords', formId: counters, filter: { field: 'id', op: 'eq', value: { ref: 'id' } }, mapping: { n: 'this.n + 1' } }],
    });
    const rec = await create(api, t, counters, { customer: 'loop', n: 0 });
    expect((await api.patch(`/api/v1/forms/${counters}/records/${rec.id}`, { data: { n: 1 } }, t.token)).status).toBe(200);
    const done = await finishedRuns(api, t, automationId, 6);
    const failed = done.filter((r) => r.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].error).toMatch(/stopped.*5 automation steps.*triggers itself/);
    expect(done.filter((r) => r.status === 'succeeded')).toHaveLength(5);
    const final = await api.get(`/api/v1/forms/${counters}/records/${rec.id}`, t.token);
    expect(final.body.data.n).toBe(6);
  });
});
