/**
 * Issue 6 benchmark: a member whose permission group has a department data scope and two hidden fields lists
 * 1,000 records, against the owner's unrestricted list of the same 1,000 records in the same run.
 */
import { rmSync } from 'node:fs';
import { createServer } from '../server/src/server.ts';
import { recordsCollection } from '../server/src/forms/store.ts';
import { newId } from '../server/src/platform/ids.ts';
import { ownership } from '../server/src/org/model.ts';
import { tempDataDir, freePort } from '../tests/support/server.ts';
import { alternate, measureRps, type Figure } from './lib.ts';
import { sampleData, twentyFields } from './core.ts';

export async function benchPermissions(options: { quick?: boolean } = {}): Promise<Figure[]> {
  const dataDir = tempDataDir('qiao-bench-perm-');
  const server = await createServer({ dataDir, logLevel: 'silent', webDist: '/nonexistent' });
  const port = await freePort();
  await server.app.listen({ port, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}`;
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(base + path, {
      method,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return res.json() as Promise<any>;
  };

  const owner = await call('POST', '/api/v1/auth/signup', { email: 'perm-owner@example.com', password: 'bench-password', name: 'Owner', tenantName: 'Perm' });
  const sales = await call('POST', '/api/v1/departments', { name: 'Sales' }, owner.token);
  await call('POST', '/api/v1/members', { email: 'perm-member@example.com', name: 'Member', password: 'bench-password', departmentIds: [sales.id] }, owner.token);
  const member = await call('POST', '/api/v1/auth/login', { email: 'perm-member@example.com', password: 'bench-password' });
  const app = await call('POST', '/api/v1/apps', { name: 'Perm' }, owner.token);
  const form = await call('POST', `/api/v1/apps/${app.id}/forms`, { name: 'Deals', fields: twentyFields }, owner.token);
  const group = await call(
    'POST',
    `/api/v1/forms/${form.id}/permission-groups`,
    { name: 'Sales', grantees: { memberIds: [member.user.id] }, actions: ['view'], scope: 'department', fields: { amount: 'hidden', t1: 'hidden' } },
    owner.token,
  );
  if (!group.id) throw new Error(`permission group not created: ${JSON.stringify(group)}`);

  // 1,000 records owned by the member (so both callers list the same rows), seeded through the store.
  const docs = Array.from({ length: 1000 }, (_, i) => {
    const iso = new Date(Date.parse('2026-01-01T00:00:00Z') + i * 1000).toISOString();
    return { _id: newId(), tenantId: member.tenant.id, formId: form.id, formVersion: 1, version: 1, data: sampleData(i), createdAt: iso, createdBy: member.user.id, updatedAt: iso, updatedBy: member.user.id, ...ownership(member.user.id, [sales.id]) };
  });
  await server.services.store.collection(recordsCollection(form.id)).insertMany(docs);
  const url = `${base}/api/v1/forms/${form.id}/records?limit=1000`;
  const check = await (await fetch(url, { headers: { authorization: `Bearer ${member.token}` } })).json() as any;
  if (check.total !== 1000 || 'amount' in check.items[0].data) throw new Error('member list is not the scoped, stripped 1,000 records');

  const durationSec = options.quick ? 2 : 4;
  const run = (token: string) => measureRps({ url, method: 'GET', headers: { authorization: `Bearer ${token}` }, connections: 4, durationSec });
  const result = await alternate(options.quick ? 1 : 3, () => run(owner.token), () => run(member.token));
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  return [
    {
      scenario: 'S6 permissioned list (1,000 records, department scope, 2 hidden fields)',
      metric: 'lists/s',
      subject: result.subject,
      baseline: result.baseline,
      unit: 'req/s',
      better: 'higher',
      target: 'ratio ≥ 0.70',
      pass: result.subject / result.baseline >= 0.7,
    },
  ];
}
