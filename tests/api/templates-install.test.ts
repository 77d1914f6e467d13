import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { addMember } from '../support/org.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(async () => {
  await api?.close();
});

const SUITE_FORMS = [
  'crm.customer', 'crm.contact', 'crm.opportunity', 'crm.lead', 'crm.followUp', 'crm.quote',
  'erp.supplier', 'erp.warehouse', 'erp.product', 'erp.salesOrder', 'erp.shipment', 'erp.purchaseRequest', 'erp.purchaseOrder', 'erp.inbound',
  'oa.contract', 'oa.leave', 'oa.expense', 'oa.seal', 'oa.announcement',
  'fin.receivable', 'fin.payment', 'fin.payable', 'fin.paymentMade',
];
const ROLES = ['sales', 'salesManager', 'legal', 'finance', 'warehouse', 'admin'];

const records = async (token: string, formId: string, filter?: unknown) =>
  (await api.get(`/api/v1/forms/${formId}/records?limit=100${filter ? `&filter=${encodeURIComponent(JSON.stringify(filter))}` : ''}`, token)).body as { items: { id: string; data: Record<string, any> }[]; total: number };

describe('GET /api/v1/templates', () => {
  it('lists crm, erp, oa, finance and the suite in both languages', async () => {
    const owner = await api.signup('Lister', 'List Co');
    const res = await api.get('/api/v1/templates', owner.token);
    expect(res.status).toBe(200);
    const items = res.body.items as { key: string; name: Record<string, string>; description: Record<string, string>; version: string; apps: { key: string }[]; roles: { key: string }[]; installed: boolean }[];
    expect(items.map((i) => i.key)).toEqual(['suite', 'crm', 'erp', 'oa', 'finance']);
    for (const item of items) {
      expect(item.name['zh-CN'] && item.name.en && item.description['zh-CN'] && item.description.en, item.key).toBeTruthy();
      expect(item.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(item.installed).toBe(false);
    }
    expect(items[0].apps.map((a) => a.key)).toEqual(['crm', 'erp', 'oa', 'finance']);
    expect(items[0].roles.map((r) => r.key)).toEqual(ROLES);
    expect((await api.get('/api/v1/templates')).status).toBe(401);
  });
});

describe('POST /api/v1/templates/suite/install', () => {
  let owner: { token: string; userId: string; tenantId: string };
  let result: any;

  beforeAll(async () => {
    owner = await api.signup('Installer', 'Suite Co');
    const res = await api.post('/api/v1/templates/suite/install', {}, owner.token);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    result = res.body;
  });

  it('answers the apps, forms, roles and ledgers it created', () => {
    expect(result.apps.map((a: { key: string }) => a.key)).toEqual(['crm', 'erp', 'oa', 'finance']);
    expect(Object.keys(result.forms).sort()).toEqual([...SUITE_FORMS].sort());
    const appOf = (key: string) => result.apps.find((a: { key: string }) => a.key === key).id;
    expect(result.formApps['fin.receivable']).toBe(appOf('finance'));
    expect(result.formApps['oa.contract']).toBe(appOf('oa'));
    expect(Object.keys(result.roles)).toEqual(ROLES);
    expect(Object.keys(result.ledgers).sort()).toEqual(['erp.stock', 'fin.customerBalance', 'fin.supplierBalance']);
    expect(Object.keys(result.automations).length).toBeGreaterThanOrEqual(12);
    expect(Object.keys(result.dashboards).sort()).toEqual(['crm.salesFunnel', 'erp.stockLevels', 'fin.monthlyRevenue', 'fin.receivableAging']);
    // Installed together, nothing waits for anything.
    expect(result.deferred).toEqual({});
    expect(result.pending).toEqual([]);
  });

  it('keeps every form’s template key, in the form and in form lists', async () => {
    for (const [key, id] of Object.entries(result.forms as Record<string, string>)) {
      const form = await api.get(`/api/v1/forms/${id}`, owner.token);
      expect(form.body.key, key).toBe(key);
    }
    const crm = result.apps.find((a: { key: string }) => a.key === 'crm').id;
    const listed = (await api.get(`/api/v1/apps/${crm}/forms`, owner.token)).body.items as { key: string }[];
    expect(listed.map((f) => f.key).sort()).toEqual(SUITE_FORMS.filter((k) => k.startsWith('crm.')).sort());
    // Relations point at the installed forms' ids, never at template keys.
    const quote = (await api.get(`/api/v1/forms/${result.forms['crm.quote']}`, owner.token)).body;
    const items = quote.fields.find((f: { id: string }) => f.id === 'items');
    expect(items.fields.find((c: { id: string }) => c.id === 'product').form).toBe(result.forms['erp.product']);
  });

  it('creates the roles named in both languages, with the installing user in admin', async () => {
    const roles = (await api.get('/api/v1/roles', owner.token)).body.items as { id: string; key: string; name: Record<string, string>; memberIds: string[] }[];
    for (const key of ROLES) {
      const role = roles.find((r) => r.id === result.roles[key]);
      expect(role?.key, key).toBe(key);
      expect(role?.name['zh-CN'] && role?.name.en, key).toBeTruthy();
    }
    expect(roles.find((r) => r.key === 'admin')?.memberIds).toEqual([owner.userId]);
  });

  it('publishes the workflows and sets up permission groups per role', async () => {
    for (const key of ['crm.quote', 'oa.contract', 'oa.leave', 'oa.expense', 'oa.seal', 'oa.announcement', 'erp.purchaseRequest']) {
      const wf = await api.get(`/api/v1/forms/${result.forms[key]}/workflow`, owner.token);
      expect(wf.body.published?.version, key).toBe(1);
    }
    const groups = (await api.get(`/api/v1/forms/${result.forms['erp.product']}/permission-groups`, owner.token)).body.items as { grantees: { roleIds: string[] }; fields: Record<string, string> }[];
    const sales = groups.find((g) => g.grantees.roleIds.includes(result.roles.sales));
    expect(sales?.fields.cost).toBe('hidden');
    for (const key of SUITE_FORMS) {
      const list = (await api.get(`/api/v1/forms/${result.forms[key]}/permission-groups`, owner.token)).body.items as unknown[];
      expect(list.length, key).toBeGreaterThanOrEqual(2);
    }
  });

  it('loads sample data: customers, products, suppliers, open opportunities and opening stock', async () => {
    expect(result.sampleRecords).toBeGreaterThan(20);
    expect((await records(owner.token, result.forms['crm.customer'])).total).toBe(3);
    expect((await records(owner.token, result.forms['erp.product'])).total).toBe(4);
    expect((await records(owner.token, result.forms['erp.supplier'])).total).toBe(3);
    const open = await records(owner.token, result.forms['crm.opportunity'], { field: 'stage', op: 'nin', value: ['won', 'lost'] });
    expect(open.total).toBe(4);
    const customers = (await records(owner.token, result.forms['crm.customer'])).items;
    for (const o of open.items) expect(customers.map((c) => c.id)).toContain(o.data.customer);
    const plc = (await records(owner.token, result.forms['erp.product'], { field: 'sku', op: 'eq', value: 'QC-PLC-200' })).items[0];
    const balances = (await api.get(`/api/v1/ledgers/${result.ledgers['erp.stock']}/balances?product=${plc.id}`, owner.token)).body.items as { balance: number }[];
    expect(balances.map((b) => b.balance).sort((a, b) => a - b)).toEqual([40, 120]);
  });

  it('makes dashboards that compute without errors', async () => {
    for (const [key, id] of Object.entries(result.dashboards as Record<string, string>)) {
      const data = await api.post(`/api/v1/dashboards/${id}/data`, {}, owner.token);
      expect(data.status, key).toBe(200);
      for (const [widget, out] of Object.entries(data.body.widgets as Record<string, { error?: unknown; rows?: unknown[] }>)) {
        expect(out.error, `${key}/${widget}`).toBeUndefined();
        expect(Array.isArray(out.rows), `${key}/${widget}`).toBe(true);
      }
    }
    const funnel = await api.post(`/api/v1/dashboards/${result.dashboards['crm.salesFunnel']}/data`, { widgetIds: ['funnel'] }, owner.token);
    const rows = funnel.body.widgets.funnel.rows as Record<string, unknown>[];
    expect(rows.map((r) => r.stage).sort()).toEqual(['initial', 'needs', 'negotiation', 'quote']);
  });

  it('is listed as installed, audited, and refused a second time', async () => {
    const listed = (await api.get('/api/v1/templates', owner.token)).body.items as { key: string; installed: boolean }[];
    expect(listed.every((i) => i.installed)).toBe(true);
    const log = (await api.get('/api/v1/audit-log?action=template.install', owner.token)).body.items as { action: string; target: { id: string }; detail: Record<string, unknown> }[];
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ action: 'template.install', target: { id: 'suite' }, detail: { version: '1.0.0', parts: ['crm', 'erp', 'oa', 'finance'] } });
    const again = await api.post('/api/v1/templates/suite/install', {}, owner.token);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('already_installed');
    expect(again.body.title).toContain('already installed');
    const part = await api.post('/api/v1/templates/crm/install', {}, owner.token);
    expect(part.status).toBe(409);
    expect(part.body.code).toBe('already_installed');
    expect((await api.get('/api/v1/apps', owner.token)).body.items).toHaveLength(4);
  });
});

describe('install rules', () => {
  it('only tenant admins install; unknown templates and bad role maps are refused before anything is written', async () => {
    const owner = await api.signup('Rules', 'Rules Co');
    const member = await addMember(api, owner.token, owner.tenantId, 'Plain');
    expect((await api.post('/api/v1/templates/crm/install', {}, member.token)).status).toBe(403);
    expect((await api.post('/api/v1/templates/nope/install', {}, owner.token)).status).toBe(404);
    const bad = await api.post('/api/v1/templates/crm/install', { roleMap: { sales: 'missing-role', ceo: 'x' } }, owner.token);
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['roleMap.ceo', 'roleMap.sales']);
    expect((await api.get('/api/v1/apps', owner.token)).body.items).toHaveLength(0);
    expect((await api.get('/api/v1/roles', owner.token)).body.items).toHaveLength(0);
  });

  it('maps template roles to existing roles, by roleMap or by key, and creates only the missing ones', async () => {
    const owner = await api.signup('Mapper', 'Map Co');
    const seller = await addMember(api, owner.token, owner.tenantId, 'Seller');
    const team = (await api.post('/api/v1/roles', { name: '销售团队', memberIds: [seller.id] }, owner.token)).body;
    const legal = (await api.post('/api/v1/roles', { name: { 'zh-CN': '法务部', en: 'Legal dept' }, key: 'legal' }, owner.token)).body;
    const res = await api.post('/api/v1/templates/crm/install', { roleMap: { sales: team.id }, sampleData: false }, owner.token);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.roles.sales).toBe(team.id);
    expect(res.body.roles.legal).toBe(legal.id);
    const roles = (await api.get('/api/v1/roles', owner.token)).body.items as { key?: string; name: unknown }[];
    expect(roles.filter((r) => r.key === 'sales')).toHaveLength(0);
    expect(roles.map((r) => r.key).filter(Boolean).sort()).toEqual(['admin', 'finance', 'legal', 'salesManager', 'warehouse']);
    // The mapped role's members work in the template at once.
    const leads = res.body.forms['crm.lead'];
    expect((await api.post(`/api/v1/forms/${leads}/records`, { data: { company: '映射测试公司' } }, seller.token)).status).toBe(201);
    expect((await records(owner.token, res.body.forms['crm.customer'])).total).toBe(0);
  });

  it('lets exactly one of two concurrent installs through', async () => {
    const owner = await api.signup('Racer', 'Race Co');
    const [a, b] = await Promise.all([
      api.post('/api/v1/templates/oa/install', { sampleData: false }, owner.token),
      api.post('/api/v1/templates/oa/install', { sampleData: false }, owner.token),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect([a, b].find((r) => r.status === 409)!.body.code).toBe('already_installed');
    expect((await api.get('/api/v1/apps', owner.token)).body.items).toHaveLength(1);
    expect((await api.get('/api/v1/roles', owner.token)).body.items.filter((r: { key: string }) => r.key === 'admin')).toHaveLength(1);
  });

  it('installs one template at a time per tenant; the other is asked to retry, and then succeeds', async () => {
    const owner = await api.signup('Queue', 'Queue Co');
    const install = (key: string) => api.post(`/api/v1/templates/${key}/install`, { sampleData: false }, owner.token);
    // Both requests are in flight together: the second asks for the tenant's install lock while the first holds it.
    const [crm, oa] = await Promise.all([install('crm'), install('oa')]);
    expect([crm.status, oa.status].sort()).toEqual([201, 409]);
    const loser = crm.status === 409 ? 'crm' : 'oa';
    expect((loser === 'crm' ? crm : oa).body.code).toBe('install_in_progress');
    expect((await install(loser)).status).toBe(201);
    expect((await api.get('/api/v1/templates', owner.token)).body.items.filter((i: { installed: boolean }) => i.installed).map((i: { key: string }) => i.key).sort()).toEqual(['crm', 'oa']);
  });
});
