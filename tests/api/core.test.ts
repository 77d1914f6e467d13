import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(async () => {
  await api?.close();
});

const dealFields = [
  { id: 'name', type: 'text', label: { 'zh-CN': '名称', en: 'Name' }, required: true },
  { id: 'amount', type: 'number', label: 'Amount', min: 0, max: 1_000_000 },
  {
    id: 'stage',
    type: 'select',
    label: 'Stage',
    options: [
      { value: 'new', label: 'New' },
      { value: 'won', label: 'Won' },
    ],
  },
];

async function setup() {
  const owner = await api.signup('Owner', 'Acme');
  const app = await api.post('/api/v1/apps', { name: 'CRM' }, owner.token);
  expect(app.status).toBe(201);
  const form = await api.post(`/api/v1/apps/${app.body.id}/forms`, { name: 'Deals', fields: dealFields }, owner.token);
  expect(form.status).toBe(201);
  return { owner, appId: app.body.id as string, formId: form.body.id as string };
}

describe('auth', () => {
  it('signs up, logs in and rejects wrong passwords and bad tokens', async () => {
    const email = `a${Date.now()}@example.com`;
    const signup = await api.post('/api/v1/auth/signup', { email, password: 'secret-pass-1', name: 'Ann', tenantName: 'T1' });
    expect(signup.status).toBe(201);
    expect(signup.body).toMatchObject({ user: { email, name: 'Ann' }, tenant: { name: 'T1' } });
    expect(typeof signup.body.token).toBe('string');

    const dup = await api.post('/api/v1/auth/signup', { email, password: 'secret-pass-1', name: 'Ann', tenantName: 'T1' });
    expect(dup.status).toBe(409);

    const login = await api.post('/api/v1/auth/login', { email, password: 'secret-pass-1' });
    expect(login.status).toBe(200);
    expect(typeof login.body.token).toBe('string');
    const me = await api.get('/api/v1/auth/me', login.body.token);
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(email);

    const wrong = await api.post('/api/v1/auth/login', { email, password: 'nope-nope-1' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['content-type']).toContain('application/problem+json');

    expect((await api.get('/api/v1/apps')).status).toBe(401);
    expect((await api.get('/api/v1/apps', 'qs_not-a-token')).status).toBe(401);

    const logout = await api.post('/api/v1/auth/logout', {}, login.body.token);
    expect(logout.status).toBe(204);
    expect((await api.get('/api/v1/apps', login.body.token)).status).toBe(401);
  });

  it('lets 10 attempts a minute through and answers 429 to a burst of failures', async () => {
    const { email } = await api.signup('Rate', 'RateCo');
    for (let i = 0; i < 10; i++) {
      const ok = await api.post('/api/v1/auth/login', { email, password: 'correct-horse-1' });
      expect(ok.status).toBe(200);
    }
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await api.post('/api/v1/auth/login', { email, password: 'wrong-password' })).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('validates the signup body with every failing field listed', async () => {
    const res = await api.post('/api/v1/auth/signup', { email: 'not-an-email', password: 'x' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['email', 'password', 'name', 'tenantName']));
  });
});

describe('apps, forms and records', () => {
  it('creates, reads, updates, deletes and lists validated records', async () => {
    const { owner, appId, formId } = await setup();
    expect((await api.get('/api/v1/apps', owner.token)).body.items).toHaveLength(1);
    const forms = await api.get(`/api/v1/apps/${appId}/forms`, owner.token);
    expect(forms.body.items.map((f: { id: string }) => f.id)).toEqual([formId]);
    expect((await api.get(`/api/v1/forms/${formId}`, owner.token)).body.fields).toHaveLength(3);

    const created = await api.post(`/api/v1/forms/${formId}/records`, { data: { name: 'Big deal', amount: 500, stage: 'new' } }, owner.token);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ version: 1, data: { name: 'Big deal', amount: 500, stage: 'new' } });
    const id = created.body.id;

    const read = await api.get(`/api/v1/forms/${formId}/records/${id}`, owner.token);
    expect(read.body.data.name).toBe('Big deal');

    const patched = await api.patch(`/api/v1/forms/${formId}/records/${id}`, { data: { amount: 600 }, version: 1 }, owner.token);
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ version: 2, data: { name: 'Big deal', amount: 600 } });

    const stale = await api.patch(`/api/v1/forms/${formId}/records/${id}`, { data: { amount: 700 }, version: 1 }, owner.token);
    expect(stale.status).toBe(409);
    expect((await api.get(`/api/v1/forms/${formId}/records/${id}`, owner.token)).body.data.amount).toBe(600);

    expect((await api.delete(`/api/v1/forms/${formId}/records/${id}`, owner.token)).status).toBe(204);
    expect((await api.get(`/api/v1/forms/${formId}/records/${id}`, owner.token)).status).toBe(404);
  });

  it('rejects invalid records with every failing field and writes nothing', async () => {
    const { owner, formId } = await setup();
    const res = await api.post(`/api/v1/forms/${formId}/records`, { data: { amount: -5, stage: 'lost', extra: 1 } }, owner.token);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
    const fields = res.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['amount', 'name', 'stage', 'extra']));
    const list = await api.get(`/api/v1/forms/${formId}/records`, owner.token);
    expect(list.body.total).toBe(0);
  });

  it('filters, sorts and pages with a cursor', async () => {
    const { owner, formId } = await setup();
    for (let i = 0; i < 25; i++) {
      const r = await api.post(`/api/v1/forms/${formId}/records`, { data: { name: `deal-${String(i).padStart(2, '0')}`, amount: (i % 5) * 100, stage: i % 2 ? 'won' : 'new' } }, owner.token);
      expect(r.status).toBe(201);
    }
    const filter = encodeURIComponent(JSON.stringify({ and: [{ field: 'amount', op: 'gte', value: 100 }] }));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/forms/${formId}/records?filter=${filter}&sort=-amount,name&limit=7${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await api.get(url, owner.token);
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(20);
      seen.push(...page.body.items.map((r: { data: { name: string; amount: number } }) => `${r.data.amount}:${r.data.name}`));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(20);
    const expected = [...seen].sort((a, b) => {
      const [aa, an] = a.split(':');
      const [ba, bn] = b.split(':');
      return Number(ba) - Number(aa) || an.localeCompare(bn);
    });
    expect(seen).toEqual(expected);
    expect(seen[0].startsWith('400:')).toBe(true);
  });

  it('refuses unknown filter fields and operator injection', async () => {
    const { owner, formId } = await setup();
    const bad = encodeURIComponent(JSON.stringify({ field: 'nope', op: 'eq', value: 1 }));
    expect((await api.get(`/api/v1/forms/${formId}/records?filter=${bad}`, owner.token)).status).toBe(422);
    const injection = encodeURIComponent(JSON.stringify({ field: 'name', op: 'eq', value: { $gt: '' } }));
    expect((await api.get(`/api/v1/forms/${formId}/records?filter=${injection}`, owner.token)).status).toBe(422);
    expect((await api.get(`/api/v1/forms/${formId}/records?filter=%7Bnot-json`, owner.token)).status).toBe(400);
  });
});

describe('errors', () => {
  it('answers problem+json for unknown routes, malformed JSON and oversized bodies', async () => {
    const { owner, formId } = await setup();
    const missing = await api.get('/api/v1/nope', owner.token);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');
    const malformed = await api.request('POST', `/api/v1/forms/${formId}/records`, { token: owner.token, rawBody: '{"data": {' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('malformed_json');
    const huge = await api.request('POST', `/api/v1/forms/${formId}/records`, { token: owner.token, rawBody: JSON.stringify({ data: { name: 'x'.repeat(1_100_000) } }) });
    expect(huge.status).toBe(413);
    const proto = await api.request('POST', `/api/v1/forms/${formId}/records`, { token: owner.token, rawBody: '{"data": {"name": "x", "__proto__": {"admin": true}}}' });
    expect(proto.status).toBe(400);
  });

  it('serves the OpenAPI document without a token', async () => {
    const res = await api.get('/api/docs/json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/v1/forms/{formId}/records', '/api/v1/auth/signup']));
  });

  it('answers health', async () => {
    const res = await api.get('/api/v1/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', store: 'embedded' });
  });
});

describe('tenant isolation', () => {
  it('answers 404 for another tenant’s app, form and record, exactly as if they did not exist', async () => {
    const a = await setup();
    const b = await api.signup('Intruder', 'Other');
    const rec = await api.post(`/api/v1/forms/${a.formId}/records`, { data: { name: 'secret', amount: 1 } }, a.owner.token);
    expect(rec.status).toBe(201);
    const probes = [
      ['GET', `/api/v1/apps/${a.appId}`],
      ['GET', `/api/v1/apps/${a.appId}/forms`],
      ['GET', `/api/v1/forms/${a.formId}`],
      ['GET', `/api/v1/forms/${a.formId}/records`],
      ['GET', `/api/v1/forms/${a.formId}/records/${rec.body.id}`],
      ['GET', `/api/v1/forms/${a.formId}/records/${rec.body.id}/history`],
      ['PATCH', `/api/v1/forms/${a.formId}/records/${rec.body.id}`],
      ['DELETE', `/api/v1/forms/${a.formId}/records/${rec.body.id}`],
      ['POST', `/api/v1/forms/${a.formId}/records`],
      ['POST', `/api/v1/apps/${a.appId}/forms`],
    ] as const;
    for (const [method, url] of probes) {
      const body = method === 'PATCH' ? { data: { name: 'x' } } : method === 'POST' ? (url.endsWith('forms') ? { name: 'x', fields: [] } : { data: { name: 'x' } }) : undefined;
      const res = await api.request(method, url, { token: b.token, body });
      expect(res.status, `${method} ${url}`).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain('secret');
    }
    expect((await api.get(`/api/v1/forms/${a.formId}/records/${rec.body.id}`, a.owner.token)).body.data.name).toBe('secret');
    expect((await api.get('/api/v1/apps', b.token)).body.items).toHaveLength(0);
  });
});
