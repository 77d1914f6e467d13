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
  const owner = await api.signup('Owner', 'LinkCo');
  const app = await api.post('/api/v1/apps', { name: 'Shop' }, owner.token);
  const products = await api.post(
    `/api/v1/apps/${app.body.id}/forms`,
    {
      name: 'Products',
      fields: [
        { id: 'name', type: 'text', label: 'Name' },
        { id: 'price', type: 'number', label: 'Price' },
        { id: 'category', type: 'text', label: 'Category' },
        { id: 'cost', type: 'number', label: 'Cost' },
      ],
    },
    owner.token,
  );
  const productsId = products.body.id as string;
  const add = async (data: Record<string, unknown>) => (await api.post(`/api/v1/forms/${productsId}/records`, { data }, owner.token)).body.id as string;
  const pen = await add({ name: 'Pen', price: 2, category: 'office', cost: 1 });
  const pencil = await add({ name: 'Pencil', price: 1, category: 'office', cost: 0.5 });
  const apple = await add({ name: 'Apple', price: 3, category: 'food', cost: 2 });
  const orders = await api.post(
    `/api/v1/apps/${app.body.id}/forms`,
    {
      name: 'Orders',
      fields: [
        { id: 'category', type: 'text', label: 'Category' },
        {
          id: 'product',
          type: 'relation',
          label: 'Product',
          form: productsId,
          displayFields: ['name', 'price'],
          filter: { field: 'category', op: 'eq', value: { ref: 'category' } },
        },
        { id: 'price', type: 'number', label: 'Price', linkage: { form: productsId, match: [{ field: 'id', value: 'product' }], take: 'price' } },
        {
          id: 'items',
          type: 'subform',
          label: 'Items',
          fields: [
            { id: 'sku', type: 'text', label: 'SKU' },
            { id: 'unitPrice', type: 'number', label: 'Unit price', linkage: { form: productsId, match: [{ field: 'name', value: 'sku' }], take: 'price' } },
          ],
        },
        { id: 'sameCategory', type: 'query', label: 'Same category', form: productsId, filter: { field: 'category', op: 'eq', value: { ref: 'category' } }, displayFields: ['name'] },
      ],
    },
    owner.token,
  );
  expect(orders.status, JSON.stringify(orders.body)).toBe(201);
  return { owner, productsId, ordersId: orders.body.id as string, pen, pencil, apple };
}

describe('data linkage 数据联动', () => {
  it('answers the linked defaults for a record being filled in', async () => {
    const { owner, ordersId, pen } = await setup();
    const res = await api.post(`/api/v1/forms/${ordersId}/linkage`, { data: { product: pen, items: [{ sku: 'Apple' }, { sku: 'Nope' }, { sku: 'Pencil', unitPrice: 9 }] } }, owner.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.values).toEqual({ price: 2, 'items.0.unitPrice': 3 });
    expect((await api.post(`/api/v1/forms/${ordersId}/linkage`, { data: {} }, owner.token)).body.values).toEqual({});
    expect((await api.post(`/api/v1/forms/${ordersId}/linkage`, { data: { product: { $gt: '' } } }, owner.token)).body.values).toEqual({});
    const other = await api.signup('Other', 'Else');
    expect((await api.post(`/api/v1/forms/${ordersId}/linkage`, { data: { product: pen } }, other.token)).status).toBe(404);
  });

  it('fills linked defaults on the server when a record is created without them, and keeps values sent', async () => {
    const { owner, ordersId, pen, apple } = await setup();
    const created = await api.post(`/api/v1/forms/${ordersId}/records`, { data: { product: apple, category: 'food', items: [{ sku: 'Pen' }] } }, owner.token);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data).toMatchObject({ price: 3, items: [{ sku: 'Pen', unitPrice: 2 }] });
    const explicit = await api.post(`/api/v1/forms/${ordersId}/records`, { data: { product: pen, category: 'office', price: 5 } }, owner.token);
    expect(explicit.body.data.price).toBe(5);
  });
});

describe('related query 关联查询 and relation picker', () => {
  it('lists the target records matching the condition with this record’s values, showing the display fields only', async () => {
    const { owner, ordersId, pen, pencil } = await setup();
    const order = await api.post(`/api/v1/forms/${ordersId}/records`, { data: { category: 'office', product: pen } }, owner.token);
    const res = await api.get(`/api/v1/forms/${ordersId}/records/${order.body.id}/related/sameCategory?limit=1`, owner.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ total: 2, fields: ['name'], items: [{ id: pencil, data: { name: 'Pencil' } }] });
    expect(res.body.items[0].data).toEqual({ name: 'Pencil' });
    const next = await api.get(`/api/v1/forms/${ordersId}/records/${order.body.id}/related/sameCategory?limit=1&cursor=${res.body.nextCursor}`, owner.token);
    expect(next.body.items.map((i: { id: string }) => i.id)).toEqual([pen]);
    expect(next.body.nextCursor).toBeNull();

    const unsaved = await api.post(`/api/v1/forms/${ordersId}/related/sameCategory`, { data: { category: 'food' } }, owner.token);
    expect(unsaved.body.items.map((i: { data: { name: string } }) => i.data.name)).toEqual(['Apple']);
    const none = await api.post(`/api/v1/forms/${ordersId}/related/sameCategory`, { data: {} }, owner.token);
    expect(none.body.total).toBe(0);

    expect((await api.get(`/api/v1/forms/${ordersId}/records/${order.body.id}/related/category`, owner.token)).status).toBe(404);
    expect((await api.get(`/api/v1/forms/${ordersId}/records/nope/related/sameCategory`, owner.token)).status).toBe(404);
  });

  it('searches the relation’s target form by text or id within the field’s filter', async () => {
    const { owner, ordersId, pen, pencil, apple } = await setup();
    const search = (query: string) => api.get(`/api/v1/forms/${ordersId}/relation-options/product?${query}`, owner.token);
    const office = encodeURIComponent(JSON.stringify({ category: 'office' }));
    const pens = await search(`q=pen&data=${office}`);
    expect(pens.status, JSON.stringify(pens.body)).toBe(200);
    expect(pens.body.items.map((i: { id: string }) => i.id).sort()).toEqual([pen, pencil].sort());
    expect(pens.body.items[0].data).not.toHaveProperty('cost');
    expect(pens.body.fields).toEqual(['name', 'price']);
    expect((await search(`q=apple&data=${office}`)).body.total).toBe(0);
    expect((await search(`q=${apple}&data=${encodeURIComponent(JSON.stringify({ category: 'food' }))}`)).body.items.map((i: { id: string }) => i.id)).toEqual([apple]);
    expect((await search('q=.*')).body.total).toBe(0);
    expect((await search('data=%7Bbad')).status).toBe(400);
    const order = await api.post(`/api/v1/forms/${ordersId}/records`, { data: { category: 'food' } }, owner.token);
    expect((await search(`recordId=${order.body.id}`)).body.items.map((i: { id: string }) => i.id)).toEqual([apple]);
    expect((await api.get(`/api/v1/forms/${ordersId}/relation-options/price`, owner.token)).status).toBe(404);
  });
});
