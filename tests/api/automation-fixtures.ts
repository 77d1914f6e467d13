import { expect } from 'vitest';
import type { TestApi } from '../support/api.ts';
import { waitFor } from '../support/org.ts';

/** Shared setup of the automation, ledger, webhook and open-API tests: a tenant, an app and its forms. */
export interface Tenant {
  token: string;
  userId: string;
  tenantId: string;
  appId: string;
}

export async function newTenant(api: TestApi, name = 'Owner'): Promise<Tenant> {
  const owner = await api.signup(name, `${name} Co`);
  const app = await api.post('/api/v1/apps', { name: 'ERP' }, owner.token);
  expect(app.status).toBe(201);
  return { token: owner.token, userId: owner.userId, tenantId: owner.tenantId, appId: app.body.id };
}

export async function newForm(api: TestApi, t: Tenant, name: string, fields: unknown[]): Promise<string> {
  const res = await api.post(`/api/v1/apps/${t.appId}/forms`, { name, fields }, t.token);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

export async function newAutomation(api: TestApi, t: Tenant, body: Record<string, unknown>): Promise<string> {
  const res = await api.post(`/api/v1/apps/${t.appId}/automations`, { name: 'auto', ...body }, t.token);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

export async function create(api: TestApi, t: { token: string }, formId: string, data: Record<string, unknown>) {
  const res = await api.post(`/api/v1/forms/${formId}/records`, { data }, t.token);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; version: number; data: Record<string, unknown>; createdBy: string; instance?: { id: string; status: string } };
}

export async function list(api: TestApi, t: { token: string }, formId: string, filter?: unknown) {
  const q = filter ? `?limit=1000&filter=${encodeURIComponent(JSON.stringify(filter))}` : '?limit=1000';
  const res = await api.get(`/api/v1/forms/${formId}/records${q}`, t.token);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as { id: string; data: Record<string, unknown>; createdBy: string; instance?: { id: string; status: string } }[];
}

export async function runs(api: TestApi, t: Tenant, automationId: string) {
  const res = await api.get(`/api/v1/automations/${automationId}/runs`, t.token);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as any[];
}

const FINISHED = new Set(['succeeded', 'failed', 'skipped']);

/** Poll until the automation has `count` finished runs (never a fixed sleep). */
export async function finishedRuns(api: TestApi, t: Tenant, automationId: string, count = 1) {
  return waitFor(
    async () => {
      const items = await runs(api, t, automationId);
      const done = items.filter((r) => FINISHED.has(r.status));
      return done.length >= count ? done : null;
    },
    15_000,
    `${count} finished run(s) of ${automationId}`,
  );
}

export const orderFields = [
  { id: 'customer', type: 'text', label: 'Customer', required: true },
  { id: 'discount', type: 'number', label: 'Discount' },
  {
    id: 'items',
    type: 'subform',
    label: 'Items',
    fields: [
      { id: 'product', type: 'text', label: 'Product' },
      { id: 'qty', type: 'number', label: 'Qty' },
      { id: 'price', type: 'number', label: 'Price' },
    ],
  },
  { id: 'status', type: 'select', label: 'Status', options: [{ value: 'new', label: 'New' }, { value: 'approved', label: 'Approved' }, { value: 'closed', label: 'Closed' }] },
];

export const invoiceFields = [
  { id: 'customer', type: 'text', label: 'Customer' },
  { id: 'amount', type: 'number', label: 'Amount', min: 0 },
  { id: 'source', type: 'text', label: 'Source' },
  {
    id: 'lines',
    type: 'subform',
    label: 'Lines',
    fields: [
      { id: 'product', type: 'text', label: 'Product' },
      { id: 'qty', type: 'number', label: 'Qty', min: 0 },
    ],
  },
];
