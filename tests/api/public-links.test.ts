import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { postMultipart } from '../support/multipart.ts';
import { PUBLIC_LIMITS } from '../../server/src/public-links/routes.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(async () => {
  await api?.close();
});

const PASSWORD = 'member-pass-1';
let ipSeq = 1;
/** Each test submits from its own client address, so rate limits of one test never leak into another. */
const nextIp = () => `10.0.0.${ipSeq++}`;

async function setup() {
  const owner = await api.signup('Owner', 'PublicCo');
  const app = await api.post('/api/v1/apps', { name: 'Events' }, owner.token);
  const products = await api.post(`/api/v1/apps/${app.body.id}/forms`, { name: 'Products', fields: [{ id: 'name', type: 'text', label: 'Name' }, { id: 'price', type: 'number', label: 'Price' }] }, owner.token);
  const form = await api.post(
    `/api/v1/apps/${app.body.id}/forms`,
    {
      name: { 'zh-CN': '报名', en: 'Sign-up' },
      fields: [
        { id: 'name', type: 'text', label: 'Name', required: true },
        { id: 'phone', type: 'phone', label: 'Phone', format: 'mobile' },
        { id: 'photo', type: 'image', label: 'Photo' },
        { id: 'product', type: 'text', label: 'Product' },
        { id: 'price', type: 'number', label: 'Price', linkage: { form: products.body.id, match: [{ field: 'name', value: 'product' }], take: 'price' } },
        { id: 'internal', type: 'textarea', label: 'Internal note' },
        { id: 'reviewer', type: 'member', label: 'Reviewer' },
        { id: 'no', type: 'serial', label: 'No', pattern: 'REG-{0000}' },
      ],
      rules: [
        { when: { field: 'name', op: 'notEmpty' }, show: ['phone'] },
        { when: { field: 'internal', op: 'notEmpty' }, require: ['phone'] },
      ],
    },
    owner.token,
  );
  expect(form.status, JSON.stringify(form.body)).toBe(201);
  return { owner, formId: form.body.id as string, productsId: products.body.id as string };
}

const submit = (token: string, data: unknown, ip = '10.9.9.9') => api.server.app.inject({ method: 'POST', url: `/api/v1/public/forms/${token}/records`, payload: { data }, remoteAddress: ip });
const view = (token: string, ip = '10.9.9.9') => api.server.app.inject({ method: 'GET', url: `/api/v1/public/forms/${token}`, remoteAddress: ip });

describe('public links', () => {
  it('lets admins create, list and revoke unguessable links, and checks what they expose', async () => {
    const { owner, formId } = await setup();
    const a = await api.post(`/api/v1/forms/${formId}/public-links`, { fields: ['name', 'phone'] }, owner.token);
    const b = await api.post(`/api/v1/forms/${formId}/public-links`, { fields: ['name'], name: 'Poster' }, owner.token);
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(a.body).toMatchObject({ id: expect.any(String), formId, fields: ['name', 'phone'], url: `/public/forms/${a.body.token}`, expiresAt: null });
    expect(a.body.token).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(a.body.token).not.toBe(b.body.token);
    const listed = await api.get(`/api/v1/forms/${formId}/public-links`, owner.token);
    expect(listed.body.items.map((l: { id: string }) => l.id).sort()).toEqual([a.body.id, b.body.id].sort());

    const bad = await api.post(`/api/v1/forms/${formId}/public-links`, { fields: ['phone', 'nope', 'reviewer'] }, owner.token);
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`).sort()).toEqual(['name:required_not_exposed', 'nope:unknown_field', 'reviewer:not_exposable']);
    expect((await api.post(`/api/v1/forms/${formId}/public-links`, { fields: ['name'], expiresAt: '2001-01-01T00:00:00Z' }, owner.token)).status).toBe(422);
    expect((await api.post(`/api/v1/forms/${formId}/public-links`, { fields: [] }, owner.token)).status).toBe(422);

    const member = await api.post('/api/v1/members', { email: `m-${Date.now()}@example.com`, name: 'Mem', password: PASSWORD }, owner.token);
    const login = await api.post('/api/v1/auth/login', { email: member.body.email, password: PASSWORD });
    expect((await api.post(`/api/v1/forms/${formId}/public-links`, { fields: ['name'] }, login.body.token)).status).toBe(403);
    expect((await api.get(`/api/v1/forms/${formId}/public-links`, login.body.token)).status).toBe(403);
    expect((await api.delete(`/api/v1/forms/${formId}/public-links/${a.body.id}`, login.body.token)).status).toBe(403);

    const other = await api.signup('Other', 'OtherCo');
    expect((await api.delete(`/api/v1/forms/${formId}/public-links/${a.body.id}`, other.token)).status).toBe(404);
    expect((await view(a.body.token)).statusCode).toBe(200);
    expect((await api.delete(`/api/v1/forms/${formId}/public-links/${a.body.id}`, owner.token)).status).toBe(204);
    expect((await view(a.body.token)).statusCode).toBe(404);
    expect((await api.delete(`/api/v1/forms/${formId}/public-links/${a.body.id}`, owner.token)).status).toBe(404);
  });

  it('shows anonymous visitors only the exposed fields and rules among them, without a token', async () => {
    const { owner, formId } = await setup();
    const link = await api.post(`/api/v1/forms/${formId}/public-links`, { fields: ['name', 'phone', 'product', 'price', 'no'] }, owner.token);
    const res = await view(link.body.token, nextIp());
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.form.fields.map((f: { id: string }) => f.id)).toEqual(['name', 'phone', 'product', 'price', 'no']);
    expect(body.form.fields.find((f: { id: string }) => f.id === 'price').linkage).toBeUndefined();
    expect(body.form.rules).toEqual([{ when: { field: 'name', op: 'notEmpty' }, show: ['phone'] }]);
    expect(JSON.stringify(body)).not.toContain('internal');
    expect((await view('x'.repeat(40), nextIp())).statusCode).toBe(404);
    expect((await view('short', nextIp())).statusCode).toBe(422);
    const routes = api.server.app.registeredRoutes.filter((r) => r.url.startsWith('/api/v1/public/'));
    expect(routes.length).toBeGreaterThanOrEqual(3);
    expect(routes.every((r) => r.public)).toBe(true);
  });

  it('accepts anonymous submissions of exposed fields only, recorded as created by "public"', async () => {
    const { owner, formId, productsId } = await setup();
    await api.post(`/api/v1/forms/${productsId}/records`, { data: { name: 'Ticket', price: 99 } }, owner.token);
    const link = await api.post(`/api/v1/forms/${formId}/public-links`, { fields: ['name', 'phone', 'product', 'price', 'no'] }, owner.token);
    const ip = nextIp();
    const ok = await submit(link.body.token, { name: 'Visitor', phone: '13800000001', product: 'Ticket' }, ip);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ id: expect.any(String), data: { name: 'Visitor', phone: '13800000001', product: 'Ticket', price: 99, no: 'REG-0001' } });
    const stored = await api.get(`/api/v1/forms/${formId}/records/${ok.json().id}`, owner.token);
    expect(stored.body).toMatchObject({ createdBy: 'public', data: { name: 'Visitor', price: 99 } });

    const sneaky = await submit(link.body.token, { name: 'X', internal: 'hi', reviewer: owner.userId, nope: 1 }, ip);
    expect(sneaky.statusCode).toBe(422);
    expect(sneaky.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['internal', 'nope', 'reviewer']);
    const invalid = await submit(link.body.token, { phone: '123' }, ip);
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['name', 'phone']);
    const wrongBody = await api.server.app.inject({ method: 'POST', url: `/api/v1/public/forms/${link.body.token}/records`, payload: { data: { name: 'x' }, createdBy: 'admin' }, remoteAddress: ip });
    expect(wrongBody.statusCode).toBe(422);
    expect((await api.get(`/api/v1/forms/${formId}/records`, owner.token)).body.total).toBe(1);
  });

  it('rate-limits submissions per client address and refuses expired links', async () => {
    const { owner, formId } = await setup();
    const link = await api.post(`/api/v1/forms/${formId}/public-links`, { fields: ['name'] }, owner.token);
    const ip = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i < PUBLIC_LIMITS.submit + 1; i++) statuses.push((await submit(link.body.token, { name: `n${i}` }, ip)).statusCode);
    expect(statuses.slice(0, PUBLIC_LIMITS.submit).every((s) => s === 201)).toBe(true);
    const limited = await submit(link.body.token, { name: 'late' }, ip);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('rate_limited');
    expect((await submit(link.body.token, { name: 'elsewhere' }, nextIp())).statusCode).toBe(201);

    await api.server.services.store.collection('public_links').updateOne({ _id: link.body.id }, { $set: { expiresAt: '2001-01-01T00:00:00.000Z' } });
    const expired = await submit(link.body.token, { name: 'too late' }, nextIp());
    expect(expired.statusCode).toBe(410);
    expect(expired.json().code).toBe('link_expired');
  });

  it('takes anonymous uploads for exposed file fields and only files uploaded through the link', async () => {
    const { owner, formId } = await setup();
    const withPhoto = await api.post(`/api/v1/forms/${formId}/public-links`, { fields: ['name', 'photo'] }, owner.token);
    const without = await api.post(`/api/v1/forms/${formId}/public-links`, { fields: ['name'] }, owner.token);
    const ip = nextIp();
    const up = await postMultipart(api, `/api/v1/public/forms/${withPhoto.body.token}/files`, { file: { data: 'png-bytes', filename: 'me.png', type: 'image/png' } }, undefined, {});
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect((await postMultipart(api, `/api/v1/public/forms/${without.body.token}/files`, { file: { data: 'x', filename: 'x.png', type: 'image/png' } })).status).toBe(403);
    const ok = await submit(withPhoto.body.token, { name: 'Pic', photo: [up.body] }, ip);
    expect(ok.statusCode, ok.body).toBe(201);
    const internal = await postMultipart(api, '/api/v1/files', { file: { data: 'secret', filename: 's.png', type: 'image/png' } }, owner.token);
    const stolen = await submit(withPhoto.body.token, { name: 'Pic', photo: [internal.body] }, ip);
    expect(stolen.statusCode).toBe(422);
    expect(stolen.json().errors[0]).toMatchObject({ field: 'photo', code: 'file_missing' });
  });
});
