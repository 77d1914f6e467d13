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
const SECRET_PHONE = '13800138000';
const SECRET_COST = 4242.5;
const fields = [
  { id: 'customer', type: 'text', label: 'Customer' },
  { id: 'phone', type: 'text', label: 'Phone' },
  { id: 'cost', type: 'number', label: 'Cost' },
  { id: 'amount', type: 'number', label: 'Amount' },
  { id: 'note', type: 'text', label: 'Note' },
];

async function setup() {
  const owner = await api.signup('Owner', 'Fields');
  const member = async (name: string) => {
    const email = `${name}-${Math.random().toString(36).slice(2)}@example.com`;
    const res = await api.post('/api/v1/members', { email, name, password: PASSWORD }, owner.token);
    const login = await api.post('/api/v1/auth/login', { email, password: PASSWORD });
    return { id: res.body.id as string, token: login.body.token as string };
  };
  const wh = await member('warehouse');
  const fin = await member('finance');
  const appId = (await api.post('/api/v1/apps', { name: 'ERP' }, owner.token)).body.id;
  const formId = (await api.post(`/api/v1/apps/${appId}/forms`, { name: 'Orders', fields }, owner.token)).body.id as string;
  const group = async (body: Record<string, unknown>) => {
    const res = await api.post(`/api/v1/forms/${formId}/permission-groups`, body, owner.token);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  // Warehouse: sees orders, never the phone or the cost; may edit the note only.
  await group({ name: 'Warehouse', grantees: { memberIds: [wh.id] }, actions: ['view', 'edit'], scope: 'all', fields: { phone: 'hidden', cost: 'hidden', customer: 'read', amount: 'read', note: 'edit' } });
  const created = await api.post(`/api/v1/forms/${formId}/records`, { data: { customer: 'ACME', phone: SECRET_PHONE, cost: SECRET_COST, amount: 9000, note: 'n1' } }, owner.token);
  expect(created.status).toBe(201);
  const recordId = created.body.id as string;
  // A second version so the history has changes of hidden and visible fields.
  await api.patch(`/api/v1/forms/${formId}/records/${recordId}`, { data: { phone: '13900139000', amount: 9500 } }, owner.token);
  await api.patch(`/api/v1/forms/${formId}/records/${recordId}`, { data: { cost: 5000 } }, owner.token);
  return { owner, wh, fin, formId, recordId, group };
}

const leaks = (body: unknown) => {
  const text = JSON.stringify(body);
  return text.includes(SECRET_PHONE) || text.includes('13900139000') || text.includes(String(SECRET_COST)) || text.includes('"phone"') || text.includes('"cost"');
};

describe('field permissions', () => {
  it('hidden fields never leave the server: get, list, history, recycle bin', async () => {
    const { wh, owner, formId, recordId, group } = await setup();
    const one = await api.get(`/api/v1/forms/${formId}/records/${recordId}`, wh.token);
    expect(one.status).toBe(200);
    expect(one.body.data).toEqual({ customer: 'ACME', amount: 9500, note: 'n1' });
    expect(leaks(one.body)).toBe(false);

    const list = await api.get(`/api/v1/forms/${formId}/records`, wh.token);
    expect(list.body.items).toHaveLength(1);
    expect(leaks(list.body)).toBe(false);

    const history = await api.get(`/api/v1/forms/${formId}/records/${recordId}/history`, wh.token);
    expect(history.status).toBe(200);
    expect(leaks(history.body)).toBe(false);
    // create (visible fields only) and the update of amount; the cost-only update is gone entirely.
    expect(history.body.items.map((h: { action: string }) => h.action)).toEqual(['create', 'update']);
    expect(history.body.items[1].changes).toEqual([{ field: 'amount', before: 9000, after: 9500 }]);
    const full = await api.get(`/api/v1/forms/${formId}/records/${recordId}/history`, owner.token);
    expect(full.body.items).toHaveLength(3);

    // The response to the member's own write is stripped too.
    const patched = await api.patch(`/api/v1/forms/${formId}/records/${recordId}`, { data: { note: 'packed' } }, wh.token);
    expect(patched.status).toBe(200);
    expect(patched.body.data.note).toBe('packed');
    expect(leaks(patched.body)).toBe(false);
    expect((await api.get(`/api/v1/forms/${formId}/records/${recordId}`, owner.token)).body.data.phone).toBe('13900139000');

    // A delete-only group shows no fields of its own: the bin shows what the view groups show.
    await group({ name: 'Warehouse cleanup', grantees: { memberIds: [wh.id] }, actions: ['delete'], scope: 'all' });
    expect((await api.delete(`/api/v1/forms/${formId}/records/${recordId}`, owner.token)).status).toBe(204);
    const bin = await api.get(`/api/v1/forms/${formId}/recycle-bin`, wh.token);
    expect(bin.status).toBe(200);
    expect(bin.body.items).toHaveLength(1);
    expect(bin.body.items[0].data.customer).toBe('ACME');
    expect(leaks(bin.body)).toBe(false);
    const deletedHistory = await api.get(`/api/v1/forms/${formId}/records/${recordId}/history`, wh.token);
    expect(deletedHistory.status).toBe(200);
    expect(leaks(deletedHistory.body)).toBe(false);
    const restored = await api.post(`/api/v1/forms/${formId}/records/${recordId}/restore`, {}, wh.token);
    expect(restored.status).toBe(200);
    expect(leaks(restored.body)).toBe(false);
  });

  it('filtering, sorting or selecting by a hidden field is refused, not silently answered', async () => {
    const { wh, formId } = await setup();
    const byPhone = encodeURIComponent(JSON.stringify({ and: [{ field: 'phone', op: 'startsWith', value: '138' }] }));
    const filtered = await api.get(`/api/v1/forms/${formId}/records?filter=${byPhone}`, wh.token);
    expect(filtered.status).toBe(403);
    expect(filtered.body.code).toBe('forbidden_field');
    const nested = encodeURIComponent(JSON.stringify({ or: [{ field: 'customer', op: 'eq', value: 'x' }, { and: [{ field: 'cost', op: 'gt', value: 4000 }] }] }));
    expect((await api.get(`/api/v1/forms/${formId}/records?filter=${nested}`, wh.token)).status).toBe(403);
    expect((await api.get(`/api/v1/forms/${formId}/records?sort=-cost`, wh.token)).status).toBe(403);
    expect((await api.get(`/api/v1/forms/${formId}/records?sort=amount,phone`, wh.token)).status).toBe(403);
    expect((await api.get(`/api/v1/forms/${formId}/records?fields=customer,phone`, wh.token)).status).toBe(403);
    // Visible fields still work.
    const ok = await api.get(`/api/v1/forms/${formId}/records?sort=-amount&fields=customer,amount`, wh.token);
    expect(ok.status).toBe(200);
    expect(ok.body.items[0].data).toEqual({ customer: 'ACME', amount: 9500 });
  });

  it('writes to read-only or hidden fields are refused with 422 field_not_editable and change nothing', async () => {
    const { wh, owner, formId, recordId } = await setup();
    const url = `/api/v1/forms/${formId}/records/${recordId}`;
    const readOnly = await api.patch(url, { data: { amount: 1 } }, wh.token);
    expect(readOnly.status).toBe(422);
    expect(readOnly.body.code).toBe('field_not_editable');
    expect(readOnly.body.errors.map((e: { field: string }) => e.field)).toEqual(['amount']);
    const hidden = await api.patch(url, { data: { cost: 1, note: 'x' } }, wh.token);
    expect(hidden.status).toBe(422);
    expect(hidden.body.errors.map((e: { field: string }) => e.field)).toEqual(['cost']);
    // Guessing a hidden value gets the same answer whether right or wrong.
    const guess = await api.patch(url, { data: { cost: 5000 } }, wh.token);
    expect(guess.status).toBe(422);
    // A read-only field sent back unchanged (a form echoing the record) is accepted.
    const echo = await api.patch(url, { data: { customer: 'ACME', amount: 9500, note: 'echo' } }, wh.token);
    expect(echo.status).toBe(200);
    const stored = (await api.get(url, owner.token)).body.data;
    expect(stored).toMatchObject({ amount: 9500, cost: 5000, note: 'echo' });
  });

  it('submit: only editable fields may be sent; the union across groups takes the most permissive mode', async () => {
    const { fin, formId, group } = await setup();
    await group({ name: 'Finance submit', grantees: { memberIds: [fin.id] }, actions: ['submit'], scope: 'own', fields: { cost: 'read', phone: 'hidden' } });
    const refused = await api.post(`/api/v1/forms/${formId}/records`, { data: { customer: 'B', cost: 10 } }, fin.token);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('field_not_editable');
    const ok = await api.post(`/api/v1/forms/${formId}/records`, { data: { customer: 'B', amount: 10 } }, fin.token);
    expect(ok.status).toBe(201);

    // Finance views with phone hidden in one group and read in another: the union shows it (read beats hidden).
    await group({ name: 'Finance view A', grantees: { memberIds: [fin.id] }, actions: ['view'], scope: 'all', fields: { phone: 'hidden', cost: 'read' } });
    let one = await api.get(`/api/v1/forms/${formId}`, fin.token);
    expect(one.body.access.fieldModes).toMatchObject({ phone: 'hidden', cost: 'read', customer: 'read' });
    let list = await api.get(`/api/v1/forms/${formId}/records?sort=customer`, fin.token);
    expect(list.body.items[0].data.phone).toBeUndefined();
    expect(list.body.items[0].data.cost).toBe(5000);
    await group({ name: 'Finance view B', grantees: { memberIds: [fin.id] }, actions: ['view'], scope: 'own', fields: { phone: 'read' } });
    one = await api.get(`/api/v1/forms/${formId}`, fin.token);
    expect(one.body.access.fieldModes.phone).toBe('read');
    list = await api.get(`/api/v1/forms/${formId}/records?sort=customer`, fin.token);
    expect(list.body.items[0].data.phone).toBe('13900139000');
  });
});
