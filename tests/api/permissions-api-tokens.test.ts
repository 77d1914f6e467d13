import { createHash } from 'node:crypto';
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
const fields = [{ id: 'title', type: 'text', label: 'Title' }];

async function setup() {
  const owner = await api.signup('Owner', 'Tokens');
  const crm = (await api.post('/api/v1/apps', { name: 'CRM' }, owner.token)).body.id as string;
  const hr = (await api.post('/api/v1/apps', { name: 'HR' }, owner.token)).body.id as string;
  const deals = (await api.post(`/api/v1/apps/${crm}/forms`, { name: 'Deals', fields }, owner.token)).body.id as string;
  const salaries = (await api.post(`/api/v1/apps/${hr}/forms`, { name: 'Salaries', fields }, owner.token)).body.id as string;
  await api.post(`/api/v1/forms/${deals}/records`, { data: { title: 'deal-1' } }, owner.token);
  await api.post(`/api/v1/forms/${salaries}/records`, { data: { title: 'salary-1' } }, owner.token);
  const member = async (name: string, role = 'member') => {
    const email = `${name}-${Math.random().toString(36).slice(2)}@example.com`;
    const res = await api.post('/api/v1/members', { email, name, password: PASSWORD, role }, owner.token);
    return { id: res.body.id as string, token: (await api.post('/api/v1/auth/login', { email, password: PASSWORD })).body.token as string };
  };
  return { owner, crm, hr, deals, salaries, member };
}

describe('API tokens', () => {
  it('are shown once, stored hashed and listed without secrets', async () => {
    const { owner, crm } = await setup();
    const created = await api.post('/api/v1/api-tokens', { name: 'ERP sync', appIds: [crm], actions: ['view'] }, owner.token);
    expect(created.status).toBe(201);
    const secret: string = created.body.token;
    expect(secret).toMatch(/^qt_[A-Za-z0-9_-]{40,}$/);
    expect(created.body).toMatchObject({ name: 'ERP sync', appIds: [crm], actions: ['view'], revoked: false });

    const stored = await api.server.services.store.collection('api_tokens').findOne({ _id: created.body.id });
    expect(stored).toBeTruthy();
    expect(JSON.stringify(stored)).not.toContain(secret.slice(3));
    expect(stored!.digest).toBe(createHash('sha256').update(secret).digest('hex'));

    const list = await api.get('/api/v1/api-tokens', owner.token);
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].token).toBeUndefined();
    expect(JSON.stringify(list.body)).not.toContain(secret.slice(3));
  });

  it('act as their creator, limited to their apps and actions', async () => {
    const { owner, crm, deals, salaries } = await setup();
    const secret = (await api.post('/api/v1/api-tokens', { name: 'reader', appIds: [crm], actions: ['view', 'submit'] }, owner.token)).body.token;

    const apps = await api.get('/api/v1/apps', secret);
    expect(apps.status).toBe(200);
    expect(apps.body.items.map((a: { id: string }) => a.id)).toEqual([crm]);
    const list = await api.get(`/api/v1/forms/${deals}/records`, secret);
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: { data: { title: string } }) => r.data.title)).toEqual(['deal-1']);
    // Outside its apps the form does not exist for the token.
    expect((await api.get(`/api/v1/forms/${salaries}/records`, secret)).status).toBe(404);
    expect((await api.get(`/api/v1/forms/${salaries}`, secret)).status).toBe(404);

    // Writes are attributed to the creator.
    const created = await api.post(`/api/v1/forms/${deals}/records`, { data: { title: 'from-sync' } }, secret);
    expect(created.status).toBe(201);
    expect(created.body.createdBy).toBe(owner.userId);
    expect(created.body.ownerId).toBe(owner.userId);
    // Not granted: edit, delete, and every admin route.
    expect((await api.patch(`/api/v1/forms/${deals}/records/${created.body.id}`, { data: { title: 'x' } }, secret)).status).toBe(403);
    expect((await api.delete(`/api/v1/forms/${deals}/records/${created.body.id}`, secret)).status).toBe(403);
    expect((await api.post('/api/v1/apps', { name: 'New' }, secret)).status).toBe(403);
    expect((await api.post('/api/v1/members', { email: 'x@example.com', name: 'X' }, secret)).status).toBe(403);
    expect((await api.get('/api/v1/audit-log', secret)).status).toBe(403);
    expect((await api.post('/api/v1/api-tokens', { name: 'child' }, secret)).status).toBe(403);

    // An unrestricted admin token manages, but still cannot mint tokens.
    const admin = (await api.post('/api/v1/api-tokens', { name: 'admin' }, owner.token)).body.token;
    expect((await api.get('/api/v1/audit-log', admin)).status).toBe(200);
    expect((await api.get(`/api/v1/forms/${salaries}/records`, admin)).status).toBe(200);
    expect((await api.post('/api/v1/api-tokens', { name: 'child' }, admin)).status).toBe(403);
  });

  it('stop at once when revoked, expired, or when their creator is disabled', async () => {
    const { owner, deals, member } = await setup();
    const secret = (await api.post('/api/v1/api-tokens', { name: 'one' }, owner.token)).body;
    expect((await api.get(`/api/v1/forms/${deals}/records`, secret.token)).status).toBe(200);
    expect((await api.delete(`/api/v1/api-tokens/${secret.id}`, owner.token)).status).toBe(204);
    expect((await api.get(`/api/v1/forms/${deals}/records`, secret.token)).status).toBe(401);
    expect((await api.get('/api/v1/api-tokens', owner.token)).body.items[0].revoked).toBe(true);
    expect((await api.delete('/api/v1/api-tokens/unknown', owner.token)).status).toBe(404);

    const expiring = (await api.post('/api/v1/api-tokens', { name: 'soon', expiresAt: new Date(Date.now() + 3600_000).toISOString() }, owner.token)).body;
    expect((await api.get('/api/v1/apps', expiring.token)).status).toBe(200);
    await api.server.services.store.collection('api_tokens').updateOne({ _id: expiring.id }, { $set: { expiresAt: new Date(Date.now() - 1000).toISOString() } });
    expect((await api.get('/api/v1/apps', expiring.token)).status).toBe(401);
    expect((await api.post('/api/v1/api-tokens', { name: 'past', expiresAt: '2001-01-01T00:00:00Z' }, owner.token)).status).toBe(422);

    const admin = await member('integrator', 'admin');
    const theirs = (await api.post('/api/v1/api-tokens', { name: 'theirs' }, admin.token)).body.token;
    expect((await api.get('/api/v1/apps', theirs)).status).toBe(200);
    expect((await api.patch(`/api/v1/members/${admin.id}`, { disabled: true }, owner.token)).status).toBe(200);
    expect((await api.get('/api/v1/apps', theirs)).status).toBe(401);
    expect((await api.get('/api/v1/apps', admin.token)).status).toBe(401);
  });

  it('only admins create, list and revoke tokens', async () => {
    const { owner, member } = await setup();
    const m = await member('plain');
    expect((await api.post('/api/v1/api-tokens', { name: 'mine' }, m.token)).status).toBe(403);
    expect((await api.get('/api/v1/api-tokens', m.token)).status).toBe(403);
    const t = (await api.post('/api/v1/api-tokens', { name: 'owner' }, owner.token)).body;
    expect((await api.delete(`/api/v1/api-tokens/${t.id}`, m.token)).status).toBe(403);
    expect((await api.post('/api/v1/api-tokens', { name: 'bad', appIds: ['nope'] }, owner.token)).status).toBe(422);
    expect((await api.post('/api/v1/api-tokens', { name: 'bad', actions: ['fly'] }, owner.token)).status).toBe(422);
  });
});
