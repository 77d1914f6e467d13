import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(async () => {
  await api?.close();
});

describe('form versions', () => {
  it('versions every change; old records stay readable and editable and keep the data of removed fields', async () => {
    const owner = await api.signup('Owner', 'VersionCo');
    const app = await api.post('/api/v1/apps', { name: 'CRM' }, owner.token);
    const v1Fields = [
      { id: 'name', type: 'text', label: 'Name', required: true },
      { id: 'legacy', type: 'text', label: 'Legacy code' },
      { id: 'items', type: 'subform', label: 'Items', fields: [{ id: 'sku', type: 'text', label: 'SKU' }, { id: 'old', type: 'number', label: 'Old column' }] },
    ];
    const form = await api.post(`/api/v1/apps/${app.body.id}/forms`, { name: 'Customers', fields: v1Fields }, owner.token);
    const formId = form.body.id as string;
    expect(form.body.version).toBe(1);
    const rec = await api.post(`/api/v1/forms/${formId}/records`, { data: { name: 'Ada', legacy: 'L-1', items: [{ sku: 'A', old: 1 }] } }, owner.token);
    expect(rec.status).toBe(201);

    const v2Fields = [
      { id: 'name', type: 'text', label: { 'zh-CN': '名称', en: 'Name' }, required: true },
      { id: 'email', type: 'email', label: 'Email' },
      { id: 'items', type: 'subform', label: 'Items', fields: [{ id: 'sku', type: 'text', label: 'SKU' }] },
    ];
    const v2 = await api.put(`/api/v1/forms/${formId}`, { name: 'Customers', fields: v2Fields }, owner.token);
    expect(v2.status, JSON.stringify(v2.body)).toBe(200);
    expect(v2.body.version).toBe(2);
    const versions = await api.get(`/api/v1/forms/${formId}/versions`, owner.token);
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);

    const read = await api.get(`/api/v1/forms/${formId}/records/${rec.body.id}`, owner.token);
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual({ name: 'Ada', legacy: 'L-1', items: [{ sku: 'A', old: 1 }] });
    const listed = await api.get(`/api/v1/forms/${formId}/records`, owner.token);
    expect(listed.body.items[0].data.legacy).toBe('L-1');

    const updated = await api.patch(`/api/v1/forms/${formId}/records/${rec.body.id}`, { data: { email: 'ada@example.com' }, version: 1 }, owner.token);
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.data).toEqual({ name: 'Ada', email: 'ada@example.com', legacy: 'L-1', items: [{ sku: 'A', old: 1 }] });
    const history = await api.get(`/api/v1/forms/${formId}/records/${rec.body.id}/history`, owner.token);
    expect(history.body.items.at(-1).changes).toEqual([{ field: 'email', after: 'ada@example.com' }]);

    // A client echoing the whole record back (removed field unchanged) is fine.
    const echoed = await api.patch(`/api/v1/forms/${formId}/records/${rec.body.id}`, { data: { ...updated.body.data, name: 'Ada' } }, owner.token);
    expect(echoed.status, JSON.stringify(echoed.body)).toBe(200);
    expect(echoed.body.data.legacy).toBe('L-1');
    expect(echoed.body.data.items).toEqual([{ sku: 'A', old: 1 }]);
    const changedOld = await api.patch(`/api/v1/forms/${formId}/records/${rec.body.id}`, { data: { items: [{ sku: 'A', old: 2 }] } }, owner.token);
    expect(changedOld.status).toBe(422);
    expect(changedOld.body.errors[0]).toMatchObject({ field: 'items', row: 0, column: 'old', code: 'unknown_field' });
    const newRows = await api.patch(`/api/v1/forms/${formId}/records/${rec.body.id}`, { data: { items: [{ sku: 'A', old: 1 }, { sku: 'B' }] } }, owner.token);
    expect(newRows.body.data.items).toEqual([{ sku: 'A', old: 1 }, { sku: 'B' }]);

    // Writing a removed field is still refused: it is no longer part of the form.
    const stale = await api.patch(`/api/v1/forms/${formId}/records/${rec.body.id}`, { data: { legacy: 'L-2' } }, owner.token);
    expect(stale.status).toBe(422);
    expect(stale.body.errors[0]).toMatchObject({ field: 'legacy', code: 'unknown_field' });

    const rows = await api.patch(`/api/v1/forms/${formId}/records/${rec.body.id}`, { data: { name: 'Ada L.' } }, owner.token);
    expect(rows.status, JSON.stringify(rows.body)).toBe(200);
    expect(rows.body.data.items).toEqual([{ sku: 'A', old: 1 }, { sku: 'B' }]);

    const created = await api.post(`/api/v1/forms/${formId}/records`, { data: { name: 'Bob', legacy: 'x' } }, owner.token);
    expect(created.status).toBe(422);
  });
});
