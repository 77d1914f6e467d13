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

const productFields = [
  { id: 'sku', type: 'text', label: 'SKU', required: true, unique: true },
  { id: 'price', type: 'number', label: 'Price', min: 0 },
  { id: 'secretCost', type: 'number', label: 'Cost' },
];

async function products(t: Tenant) {
  return newForm(api, t, 'Products', productFields);
}

describe('batch API', () => {
  it('creates up to 1,000 records in one call', async () => {
    const t = await newTenant(api);
    const formId = await products(t);
    const records = Array.from({ length: 1000 }, (_, i) => ({ data: { sku: `SKU-${i}`, price: i } }));
    const res = await api.post(`/api/v1/forms/${formId}/records/batch`, { records }, t.token);
    expect(res.status).toBe(201);
    expect(res.body.total).toBe(1000);
    expect(res.body.items[999].data).toEqual({ sku: 'SKU-999', price: 999 });
    expect((await api.get(`/api/v1/forms/${formId}/records?limit=1`, t.token)).body.total).toBe(1000);
    const tooMany = await api.post(`/api/v1/forms/${formId}/records/batch`, { records: [...records, { data: { sku: 'one more' } }] }, t.token);
    expect(tooMany.status).toBe(422);
  });

  it('writes nothing when any record is refused, and reports every refusal with its index', async () => {
    const t = await newTenant(api);
    const formId = await products(t);
    await create(api, t, formId, { sku: 'TAKEN' });
    const res = await api.post(
      `/api/v1/forms/${formId}/records/batch`,
      { records: [{ data: { sku: 'A1', price: 1 } }, { data: { price: -5 } }, { data: { sku: 'A3' } }, { data: { sku: 'TAKEN' } }, { data: { sku: 'A5', price: 'cheap' } }] },
      t.token,
    );
    expect(res.status).toBe(409);
    const byIndex = (i: number) => res.body.errors.filter((e: { index: number }) => e.index === i).map((e: { field?: string; code: string }) => `${e.field}:${e.code}`);
    expect(byIndex(0)).toEqual([]);
    expect(byIndex(1).sort()).toEqual(expect.arrayContaining([expect.stringMatching(/^sku:/), expect.stringMatching(/^price:/)]));
    expect(byIndex(3)).toEqual(['sku:duplicate']);
    expect(byIndex(4)).toEqual([expect.stringMatching(/^price:/)]);
    expect((await list(api, t, formId)).map((r) => r.data.sku)).toEqual(['TAKEN']);

    const invalidOnly = await api.post(`/api/v1/forms/${formId}/records/batch`, { records: [{ data: { sku: 'B1' } }, { data: { price: 1 } }] }, t.token);
    expect(invalidOnly.status).toBe(422);
    expect(invalidOnly.body.code).toBe('validation_failed');
    expect(invalidOnly.body.errors).toEqual([expect.objectContaining({ index: 1, field: 'sku' })]);
    expect(await list(api, t, formId)).toHaveLength(1);
  });

  it('updates many records all or nothing, each guarded by its version', async () => {
    const t = await newTenant(api);
    const formId = await products(t);
    const a = await create(api, t, formId, { sku: 'A', price: 1 });
    const b = await create(api, t, formId, { sku: 'B', price: 2 });
    const stale = await api.patch(`/api/v1/forms/${formId}/records/batch`, { records: [{ id: a.id, data: { price: 10 }, version: 1 }, { id: b.id, data: { price: 20 }, version: 7 }] }, t.token);
    expect(stale.status).toBe(409);
    expect(stale.body.errors).toEqual([expect.objectContaining({ index: 1, id: b.id, code: 'version_conflict' })]);
    expect((await list(api, t, formId)).map((r) => r.data.price).sort()).toEqual([1, 2]);
    const ok = await api.patch(`/api/v1/forms/${formId}/records/batch`, { records: [{ id: a.id, data: { price: 10 }, version: 1 }, { id: b.id, data: { price: 20 } }] }, t.token);
    expect(ok.status).toBe(200);
    expect(ok.body.items.map((r: { version: number; data: { price: number } }) => [r.version, r.data.price])).toEqual([[2, 10], [2, 20]]);
    const missing = await api.patch(`/api/v1/forms/${formId}/records/batch`, { records: [{ id: 'nope', data: { price: 1 } }] }, t.token);
    expect(missing.status).toBe(404);
  });

  it('follows the caller’s rights: no submit right, no batch; hidden fields never come back', async () => {
    const t = await newTenant(api);
    const formId = await products(t);
    const clerk = await addMember(api, t.token, t.tenantId, 'Clerk');
    expect((await api.post(`/api/v1/forms/${formId}/records/batch`, { records: [{ data: { sku: 'X' } }] }, clerk.token)).status).toBe(403);
    const group = await api.post(`/api/v1/forms/${formId}/permission-groups`, { name: 'Clerks', grantees: { memberIds: [clerk.id] }, actions: ['submit', 'view'], scope: 'all', fields: { secretCost: 'hidden' } }, t.token);
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    await api.post(`/api/v1/forms/${formId}/records`, { data: { sku: 'W', secretCost: 99 } }, t.token);
    const res = await api.post(`/api/v1/forms/${formId}/records/batch`, { records: [{ data: { sku: 'X', price: 1 } }] }, clerk.token);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const pulled = await api.get(`/api/v1/forms/${formId}/changes?settle=0`, clerk.token);
    expect(pulled.body.items).toHaveLength(2);
    expect(JSON.stringify(pulled.body)).not.toContain('secretCost');
    const sneaky = await api.post(`/api/v1/forms/${formId}/records/batch`, { records: [{ data: { sku: 'Y', secretCost: 1 } }] }, clerk.token);
    expect(sneaky.status).toBe(422);
  });
});

describe('Idempotency-Key', () => {
  it('replays the first answer to a retried POST instead of creating a duplicate', async () => {
    const t = await newTenant(api);
    const formId = await products(t);
    const send = (body: unknown, key: string) => api.request('POST', `/api/v1/forms/${formId}/records`, { token: t.token, body, headers: { 'idempotency-key': key } });
    const first = await send({ data: { sku: 'K1' } }, 'key-1');
    expect(first.status).toBe(201);
    const retry = await send({ data: { sku: 'K1' } }, 'key-1');
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(await list(api, t, formId)).toHaveLength(1);
    // The same key for another request is refused; another key is a new request.
    expect((await send({ data: { sku: 'K2' } }, 'key-1')).status).toBe(422);
    expect((await send({ data: { sku: 'K2' } }, 'key-2')).status).toBe(201);
    // Keys belong to a tenant: another tenant's identical key is unrelated.
    const other = await newTenant(api, 'Other');
    const otherForm = await products(other);
    const theirs = await api.request('POST', `/api/v1/forms/${otherForm}/records`, { token: other.token, body: { data: { sku: 'K1' } }, headers: { 'idempotency-key': 'key-1' } });
    expect(theirs.status).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    // Refusals are replayed too (the request did take effect: it was refused).
    const dup1 = await send({ data: { sku: 'K1' } }, 'key-3');
    const dup2 = await send({ data: { sku: 'K1' } }, 'key-3');
    expect([dup1.status, dup2.status]).toEqual([409, 409]);
    expect(dup2.headers['idempotent-replayed']).toBe('true');
    // Works for batches as for anything else posted.
    const batch = { records: [{ data: { sku: 'B1' } }, { data: { sku: 'B2' } }] };
    const b1 = await api.request('POST', `/api/v1/forms/${formId}/records/batch`, { token: t.token, body: batch, headers: { 'idempotency-key': 'batch-1' } });
    const b2 = await api.request('POST', `/api/v1/forms/${formId}/records/batch`, { token: t.token, body: batch, headers: { 'idempotency-key': 'batch-1' } });
    expect([b1.status, b2.status]).toEqual([201, 201]);
    expect(b2.body).toEqual(b1.body);
    expect(await list(api, t, formId)).toHaveLength(4);
  });
});

describe('changes feed', () => {
  it('pulls creates, updates and deletes since an instant, then from a cursor kept between polls', async () => {
    const t = await newTenant(api);
    const formId = await products(t);
    const before = await create(api, t, formId, { sku: 'OLD' });
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5)); // timestamps are per millisecond: make "since" strictly earlier
    const a = await create(api, t, formId, { sku: 'A', price: 1 });
    await api.patch(`/api/v1/forms/${formId}/records/${a.id}`, { data: { price: 2 } }, t.token);
    await api.delete(`/api/v1/forms/${formId}/records/${before.id}`, t.token);
    const first = await api.get(`/api/v1/forms/${formId}/changes?since=${encodeURIComponent(since)}&settle=0&limit=2`, t.token);
    expect(first.status).toBe(200);
    expect(first.body.items.map((c: { op: string; recordId: string }) => [c.op, c.recordId])).toEqual([['create', a.id], ['update', a.id]]);
    expect(first.body.items[0].record).toMatchObject({ id: a.id, version: 2, data: { price: 2 } });
    expect(first.body.hasMore).toBe(true);
    const second = await api.get(`/api/v1/forms/${formId}/changes?cursor=${first.body.nextCursor}&settle=0`, t.token);
    expect(second.body.items).toEqual([expect.objectContaining({ op: 'delete', recordId: before.id, record: null })]);
    expect(second.body.hasMore).toBe(false);
    // Nothing new: the cursor stays put; a later change shows up from it.
    const idle = await api.get(`/api/v1/forms/${formId}/changes?cursor=${second.body.nextCursor}&settle=0`, t.token);
    expect(idle.body).toMatchObject({ items: [], nextCursor: second.body.nextCursor });
    const b = await create(api, t, formId, { sku: 'B' });
    const later = await api.get(`/api/v1/forms/${formId}/changes?cursor=${idle.body.nextCursor}&settle=0`, t.token);
    expect(later.body.items.map((c: { recordId: string }) => c.recordId)).toEqual([b.id]);
    // By default very recent changes are held back a moment, so a slower concurrent commit is not skipped.
    const settled = await api.get(`/api/v1/forms/${formId}/changes?cursor=${idle.body.nextCursor}`, t.token);
    expect(settled.body.items).toEqual([]);
    const stranger = await addMember(api, t.token, t.tenantId, 'Stranger');
    expect((await api.get(`/api/v1/forms/${formId}/changes`, stranger.token)).status).toBe(403);
  });
});

describe('API tokens and the OpenAPI document', () => {
  it('an API token pushes a batch, pulls changes and reads ledger balances', async () => {
    const t = await newTenant(api);
    const formId = await products(t);
    const token = await api.post('/api/v1/api-tokens', { name: 'ERP' }, t.token);
    expect(token.status).toBe(201);
    const erp = { token: token.body.token as string };
    const pushed = await api.post(`/api/v1/forms/${formId}/records/batch`, { records: [{ data: { sku: 'E1', price: 3 } }] }, erp.token);
    expect(pushed.status).toBe(201);
    const pulled = await api.get(`/api/v1/forms/${formId}/changes?settle=0`, erp.token);
    expect(pulled.body.items.map((c: { record: { data: { sku: string } } }) => c.record.data.sku)).toEqual(['E1']);
    const ledger = await api.post(`/api/v1/apps/${t.appId}/ledgers`, { name: 'Value', keys: ['sku'], sources: [{ formId, sign: 1, quantity: 'price', keys: { sku: 'sku' } }] }, erp.token);
    expect(ledger.status).toBe(201);
    expect((await api.get(`/api/v1/ledgers/${ledger.body.id}/balances?sku=E1`, erp.token)).body.items).toEqual([{ keys: { sku: 'E1' }, balance: 3 }]);
  });

  it('documents the automation, ledger, webhook, batch and changes endpoints', async () => {
    const res = await api.get('/api/docs/json');
    expect(res.status).toBe(200);
    const paths = Object.keys(res.body.paths);
    for (const path of [
      '/api/v1/apps/{appId}/automations',
      '/api/v1/automations/{id}/runs',
      '/api/v1/automation-runs/{runId}/retry',
      '/api/v1/forms/{formId}/records/{recordId}/runs',
      '/api/v1/forms/{formId}/records/{recordId}/buttons/{automationId}',
      '/api/v1/apps/{appId}/ledgers',
      '/api/v1/ledgers/{id}/balances',
      '/api/v1/ledgers/{id}/check',
      '/api/v1/webhooks',
      '/api/v1/webhook-deliveries/{id}/redeliver',
      '/api/v1/forms/{formId}/records/batch',
      '/api/v1/forms/{formId}/changes',
    ]) {
      expect(paths, path).toContain(path);
    }
    const batch = res.body.paths['/api/v1/forms/{formId}/records/batch'];
    expect(Object.keys(batch).sort()).toEqual(['patch', 'post']);
    expect(JSON.stringify(batch.post)).toContain('"maxItems":1000');
    expect(res.body.paths['/api/v1/apps/{appId}/automations'].post.requestBody.content['application/json'].schema.properties.trigger.properties.kind.enum).toEqual([
      'recordCreated',
      'recordUpdated',
      'recordDeleted',
      'workflowFinished',
      'workflowNode',
      'schedule',
      'button',
    ]);
  });
});
