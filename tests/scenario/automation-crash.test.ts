import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { startServer, tempDataDir, type SpawnedServer } from '../support/server.ts';
import { waitFor } from '../support/org.ts';

const dataDir = tempDataDir('qiao-auto-crash-');
let server: SpawnedServer | undefined;
afterAll(async () => {
  await server?.stop({ keepData: true });
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(base: string, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

async function kill9(s: SpawnedServer) {
  s.child.kill('SIGKILL');
  await new Promise((r) => (s.child.exitCode !== null || s.child.signalCode !== null ? r(null) : s.child.once('exit', r)));
}

const orderFields = [
  { id: 'customer', type: 'text', label: 'Customer', required: true },
  { id: 'items', type: 'subform', label: 'Items', fields: [{ id: 'qty', type: 'number', label: 'Qty' }] },
];
const invoiceFields = [
  { id: 'customer', type: 'text', label: 'Customer' },
  { id: 'order', type: 'text', label: 'Order' },
  { id: 'qty', type: 'number', label: 'Qty' },
];

describe('automations survive kill -9 right after the commit', () => {
  it('runs the automation of an acknowledged record after a restart on the same data, exactly once', async () => {
    // Phase 1: the API process has no workers, so when it dies the run can only be in the outbox or the job table.
    server = await startServer({ dataDir, env: { QIAO_WORKER: 'off' } });
    let base = server.url;
    const signup = await call(base, 'POST', '/api/v1/auth/signup', { email: 'auto-crash@example.com', password: 'crash-password', name: 'C', tenantName: 'Crash' });
    const token = signup.body.token;
    const app = await call(base, 'POST', '/api/v1/apps', { name: 'A' }, token);
    const orders = (await call(base, 'POST', `/api/v1/apps/${app.body.id}/forms`, { name: 'Orders', fields: orderFields }, token)).body.id;
    const invoices = (await call(base, 'POST', `/api/v1/apps/${app.body.id}/forms`, { name: 'Invoices', fields: invoiceFields }, token)).body.id;
    const automation = await call(base, 'POST', `/api/v1/apps/${app.body.id}/automations`, {
      name: 'Invoice every order',
      trigger: { kind: 'recordCreated', formId: orders },
      actions: [{ kind: 'createRecord', formId: invoices, mapping: { customer: 'customer', order: 'id', qty: 'SUM(items.qty)' } }],
    }, token);
    expect(automation.status).toBe(201);
    const first = await call(base, 'POST', `/api/v1/forms/${orders}/records`, { data: { customer: 'before-crash', items: [{ qty: 2 }, { qty: 3 }] } }, token);
    expect(first.status).toBe(201);
    await kill9(server);

    // Phase 2: a normal server (with workers) on the same data; it also dies right after acknowledging a record.
    server = await startServer({ dataDir });
    base = server.url;
    let login = await call(base, 'POST', '/api/v1/auth/login', { email: 'auto-crash@example.com', password: 'crash-password' });
    const second = await call(base, 'POST', `/api/v1/forms/${orders}/records`, { data: { customer: 'racing-the-crash', items: [{ qty: 1 }] } }, login.body.token);
    expect(second.status).toBe(201);
    await kill9(server);

    server = await startServer({ dataDir });
    base = server.url;
    login = await call(base, 'POST', '/api/v1/auth/login', { email: 'auto-crash@example.com', password: 'crash-password' });
    const invoicesNow = async () => (await call(base, 'GET', `/api/v1/forms/${invoices}/records?limit=100`, undefined, login.body.token)).body.items as { data: Record<string, unknown> }[];
    // A job the killed process had claimed is taken back once its lock lapses (30 s), hence the long bound.
    const made = await waitFor(async () => {
      const items = await invoicesNow();
      return items.length >= 2 ? items : null;
    }, 60_000, 'both invoices');
    expect(made.map((r) => r.data).sort((a, b) => String(a.customer).localeCompare(String(b.customer)))).toEqual([
      { customer: 'before-crash', order: first.body.id, qty: 5 },
      { customer: 'racing-the-crash', order: second.body.id, qty: 1 },
    ]);
    const runs = await call(base, 'GET', `/api/v1/automations/${automation.body.id}/runs`, undefined, login.body.token);
    expect(runs.body.items.map((r: { status: string }) => r.status)).toEqual(['succeeded', 'succeeded']);
    // Nothing ran twice.
    expect(await invoicesNow()).toHaveLength(2);
  }, 120_000);
});
