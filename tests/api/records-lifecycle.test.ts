import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(async () => {
  await api?.close();
});

async function setup() {
  const owner = await api.signup('Owner', 'LifeCo');
  const app = await api.post('/api/v1/apps', { name: 'CRM' }, owner.token);
  const customers = await api.post(`/api/v1/apps/${app.body.id}/forms`, { name: 'Customers', fields: [{ id: 'name', type: 'text', label: 'Name' }, { id: 'tier', type: 'select', label: 'Tier', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }] }] }, owner.token);
  const orders = await api.post(
    `/api/v1/apps/${app.body.id}/forms`,
    {
      name: 'Orders',
      fields: [
        { id: 'customer', type: 'relation', label: 'Customer', form: customers.body.id },
        { id: 'lines', type: 'subform', label: 'Lines', fields: [{ id: 'buyer', type: 'relation', label: 'Buyer', form: customers.body.id }] },
      ],
    },
    owner.token,
  );
  return { owner, appId: app.body.id as string, customersId: customers.body.id as string, ordersId: orders.body.id as string };
}

describe('relations', () => {
  it('refuses a relation to a missing record, or to a record of another form or tenant, naming the field and row', async () => {
    const { owner, customersId, ordersId } = await setup();
    const other = await setup();
    const foreign = await api.post(`/api/v1/forms/${other.customersId}/records`, { data: { name: 'theirs' } }, other.owner.token);
    const order = await api.post(`/api/v1/forms/${ordersId}/records`, { data: { customer: 'missing', lines: [{ buyer: foreign.body.id }] } }, owner.token);
    expect(order.status).toBe(422);
    expect(order.body.errors).toEqual([
      expect.objectContaining({ field: 'customer', code: 'relation_missing' }),
      expect.objectContaining({ field: 'lines', row: 0, column: 'buyer', code: 'relation_missing' }),
    ]);
    const wrongForm = await api.post(`/api/v1/forms/${ordersId}/records`, { data: {} }, owner.token);
    const pointsAtOrder = await api.post(`/api/v1/forms/${ordersId}/records`, { data: { customer: wrongForm.body.id } }, owner.token);
    expect(pointsAtOrder.status).toBe(422);
    const mine = await api.post(`/api/v1/forms/${customersId}/records`, { data: { name: 'mine' } }, owner.token);
    expect((await api.post(`/api/v1/forms/${ordersId}/records`, { data: { customer: mine.body.id } }, owner.token)).status).toBe(201);
  });

  it('refuses to delete a referenced record, listing who refers to it, until the references are gone', async () => {
    const { owner, customersId, ordersId } = await setup();
    const ada = await api.post(`/api/v1/forms/${customersId}/records`, { data: { name: 'Ada' } }, owner.token);
    const o1 = await api.post(`/api/v1/forms/${ordersId}/records`, { data: { customer: ada.body.id } }, owner.token);
    const o2 = await api.post(`/api/v1/forms/${ordersId}/records`, { data: { lines: [{ buyer: ada.body.id }] } }, owner.token);
    const refused = await api.delete(`/api/v1/forms/${customersId}/records/${ada.body.id}`, owner.token);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('referenced');
    expect(refused.body.references).toEqual(
      expect.arrayContaining([
        { formId: ordersId, recordId: o1.body.id, field: 'customer' },
        { formId: ordersId, recordId: o2.body.id, field: 'lines.buyer' },
      ]),
    );
    expect((await api.get(`/api/v1/forms/${customersId}/records/${ada.body.id}`, owner.token)).status).toBe(200);
    await api.delete(`/api/v1/forms/${ordersId}/records/${o1.body.id}`, owner.token);
    await api.patch(`/api/v1/forms/${ordersId}/records/${o2.body.id}`, { data: { lines: [] } }, owner.token);
    expect((await api.delete(`/api/v1/forms/${customersId}/records/${ada.body.id}`, owner.token)).status).toBe(204);
  });
});

describe('history, recycle bin, restore and purge', () => {
  it('keeps who, when and the field-level before/after of every change', async () => {
    const { owner, customersId } = await setup();
    const rec = await api.post(`/api/v1/forms/${customersId}/records`, { data: { name: 'Ada', tier: 'a' } }, owner.token);
    await api.patch(`/api/v1/forms/${customersId}/records/${rec.body.id}`, { data: { tier: 'b' }, version: 1 }, owner.token);
    await api.patch(`/api/v1/forms/${customersId}/records/${rec.body.id}`, { data: { name: 'Ada L.', tier: null }, version: 2 }, owner.token);
    await api.patch(`/api/v1/forms/${customersId}/records/${rec.body.id}`, { data: { name: 'Ada L.' }, version: 3 }, owner.token);
    const history = await api.get(`/api/v1/forms/${customersId}/records/${rec.body.id}/history`, owner.token);
    expect(history.status).toBe(200);
    expect(history.body.items.map((h: { action: string; version: number; actorId: string }) => [h.action, h.version, h.actorId])).toEqual([
      ['create', 1, owner.userId],
      ['update', 2, owner.userId],
      ['update', 3, owner.userId],
    ]);
    expect(history.body.items[0].changes).toEqual(expect.arrayContaining([{ field: 'name', after: 'Ada' }, { field: 'tier', after: 'a' }]));
    expect(history.body.items[1].changes).toEqual([{ field: 'tier', before: 'a', after: 'b' }]);
    expect(history.body.items[2].changes).toEqual(expect.arrayContaining([{ field: 'name', before: 'Ada', after: 'Ada L.' }, { field: 'tier', before: 'b' }]));
    expect(history.body.items.every((h: { at: string }) => !Number.isNaN(Date.parse(h.at)))).toBe(true);
  });

  it('moves deletes to the recycle bin, restores them with their history, and purges on request', async () => {
    const { owner, customersId } = await setup();
    const rec = await api.post(`/api/v1/forms/${customersId}/records`, { data: { name: 'Temp' } }, owner.token);
    const url = `/api/v1/forms/${customersId}/records/${rec.body.id}`;
    await api.patch(url, { data: { name: 'Temp 2' } }, owner.token);
    expect((await api.delete(url, owner.token)).status).toBe(204);
    expect((await api.get(url, owner.token)).status).toBe(404);
    expect((await api.get(`/api/v1/forms/${customersId}/records`, owner.token)).body.total).toBe(0);
    const bin = await api.get(`/api/v1/forms/${customersId}/recycle-bin`, owner.token);
    expect(bin.body.items).toEqual([expect.objectContaining({ id: rec.body.id, data: { name: 'Temp 2' }, deletedBy: owner.userId })]);

    const restored = await api.post(`${url}/restore`, {}, owner.token);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ id: rec.body.id, data: { name: 'Temp 2' }, version: 3 });
    expect((await api.get(url, owner.token)).status).toBe(200);
    expect((await api.get(`/api/v1/forms/${customersId}/recycle-bin`, owner.token)).body.items).toEqual([]);
    const history = await api.get(`${url}/history`, owner.token);
    expect(history.body.items.map((h: { action: string }) => h.action)).toEqual(['create', 'update', 'delete', 'restore']);
    expect((await api.post(`${url}/restore`, {}, owner.token)).status).toBe(404);

    await api.delete(url, owner.token);
    expect((await api.delete(`/api/v1/forms/${customersId}/recycle-bin/${rec.body.id}`, owner.token)).status).toBe(204);
    expect((await api.get(`/api/v1/forms/${customersId}/recycle-bin`, owner.token)).body.items).toEqual([]);
    expect((await api.post(`${url}/restore`, {}, owner.token)).status).toBe(404);
    expect((await api.delete(`/api/v1/forms/${customersId}/recycle-bin/${rec.body.id}`, owner.token)).status).toBe(404);
  });

  it('refuses stale updates with 409 and keeps the newer data', async () => {
    const { owner, customersId } = await setup();
    const rec = await api.post(`/api/v1/forms/${customersId}/records`, { data: { name: 'v1' } }, owner.token);
    const url = `/api/v1/forms/${customersId}/records/${rec.body.id}`;
    const [a, b] = await Promise.all([api.patch(url, { data: { name: 'A' }, version: 1 }, owner.token), api.patch(url, { data: { name: 'B' }, version: 1 }, owner.token)]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? 'A' : 'B';
    expect((await api.get(url, owner.token)).body).toMatchObject({ version: 2, data: { name: winner } });
  });
});
