import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { loadTemplates, type Template } from '@qiao/templates';
import { TestApi } from '../support/api.ts';
import { waitFor } from '../support/org.ts';
import { TenantDb } from '../../server/src/platform/tenant-db.ts';
import { TemplateInstaller } from '../../server/src/templates/index.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(async () => {
  await api?.close();
});

type Owner = { token: string; userId: string; tenantId: string };
const install = (owner: Owner, key: string, body: Record<string, unknown> = { sampleData: false }) => api.post(`/api/v1/templates/${key}/install`, body, owner.token);

/** Every installed form's fields (and subform columns) and every automation and ledger name, by template key. */
async function shapeOfTenant(owner: Owner) {
  const installs = (await api.get('/api/v1/templates', owner.token)).body.items as { key: string; installed: boolean }[];
  const apps = (await api.get('/api/v1/apps', owner.token)).body.items as { id: string; key: string }[];
  const forms: Record<string, string[]> = {};
  const groups: Record<string, string[]> = {};
  const automations: string[] = [];
  const ledgers: string[] = [];
  for (const app of apps) {
    for (const form of (await api.get(`/api/v1/apps/${app.id}/forms`, owner.token)).body.items as { key: string; fields: { id: string; form?: string; linkage?: unknown; fields?: { id: string; linkage?: unknown }[] }[] }[]) {
      forms[form.key] = form.fields.flatMap((f) => [`${f.id}${f.linkage ? '+linkage' : ''}`, ...(f.fields ?? []).map((c) => `${f.id}.${c.id}${c.linkage ? '+linkage' : ''}`)]);
      const list = (await api.get(`/api/v1/forms/${(form as unknown as { id: string }).id}/permission-groups`, owner.token)).body.items as { name: { en: string }; fields: Record<string, string> }[];
      groups[form.key] = list.map((g) => `${g.name.en} ${JSON.stringify(Object.entries(g.fields).sort())}`).sort();
    }
    automations.push(...((await api.get(`/api/v1/apps/${app.id}/automations`, owner.token)).body.items as { name: { en: string } }[]).map((a) => a.name.en));
    ledgers.push(...((await api.get(`/api/v1/apps/${app.id}/ledgers`, owner.token)).body.items as { key: string }[]).map((l) => l.key));
  }
  return { installed: installs.filter((i) => i.installed).map((i) => i.key).sort(), forms, groups, automations: automations.sort(), ledgers: ledgers.sort() };
}

describe('installing the apps one by one', () => {
  it('refuses an app whose required apps are missing', async () => {
    const owner = await api.signup('Order', 'Order Co');
    const erp = await install(owner, 'erp');
    expect(erp.status).toBe(422);
    expect(erp.body.code).toBe('missing_requirement');
    expect(erp.body.requires).toEqual(['crm']);
    expect((await install(owner, 'finance')).body.requires).toEqual(['crm', 'erp']);
    expect((await api.get('/api/v1/apps', owner.token)).body.items).toHaveLength(0);
  });

  it('defers what points at apps not installed yet and wires it when they arrive, ending like the suite', async () => {
    const owner = await api.signup('Stepwise', 'Step Co');
    const crm = await install(owner, 'crm');
    expect(crm.status, JSON.stringify(crm.body)).toBe(201);
    expect(crm.body.deferred).toEqual({ 'crm.quote': ['items.product', 'items.price#linkage'] });
    expect(crm.body.pending).toEqual([]);
    // The CRM works alone: a lead converts into a customer and an opportunity.
    const lead = await api.post(`/api/v1/forms/${crm.body.forms['crm.lead']}/records`, { data: { company: '单独安装公司', taxId: '91000000STEP00001' } }, owner.token);
    await api.patch(`/api/v1/forms/${crm.body.forms['crm.lead']}/records/${lead.body.id}`, { data: { status: 'converted' } }, owner.token);
    await waitFor(async () => (await api.get(`/api/v1/forms/${crm.body.forms['crm.lead']}/records/${lead.body.id}`, owner.token)).body.data.customer, 20_000, 'the conversion');

    const oa = await install(owner, 'oa');
    expect(oa.status, JSON.stringify(oa.body)).toBe(201);
    expect(oa.body.deferred).toEqual({ 'oa.contract': ['items.product', 'items.price#linkage'] });
    // Quote lines become contract lines by product: the automation waits until there are products.
    expect(oa.body.pending).toEqual(['automation:oa.quoteToContract']);

    const quoteBefore = (await api.get(`/api/v1/forms/${crm.body.forms['crm.quote']}`, owner.token)).body;
    const erp = await install(owner, 'erp');
    expect(erp.status, JSON.stringify(erp.body)).toBe(201);
    expect(erp.body.deferred).toEqual({});
    expect(erp.body.wired).toEqual(expect.arrayContaining(['crm.quote.items.product', 'crm.quote.items.price (linkage)', 'oa.contract.items.product', 'automation:oa.quoteToContract']));
    expect(erp.body.pending).toEqual([]);
    const quote = (await api.get(`/api/v1/forms/${crm.body.forms['crm.quote']}`, owner.token)).body;
    // One new version of the quote form, with the product column put back at its place.
    expect(quote.version).toBe(quoteBefore.version + 1);
    expect(quote.fields.find((f: { id: string }) => f.id === 'items').fields.map((c: { id: string }) => c.id)).toEqual(['product', 'qty', 'price', 'amount']);
    const product = quote.fields.find((f: { id: string }) => f.id === 'items').fields.find((c: { id: string }) => c.id === 'product');
    expect(product.form).toBe(erp.body.forms['erp.product']);

    const finance = await install(owner, 'finance');
    expect(finance.status, JSON.stringify(finance.body)).toBe(201);
    expect(finance.body.pending).toEqual([]);

    const suiteOwner = await api.signup('Suite', 'Suite Co');
    expect((await install(suiteOwner, 'suite')).status).toBe(201);
    const [stepwise, suite] = [await shapeOfTenant(owner), await shapeOfTenant(suiteOwner)];
    expect(stepwise.installed).toEqual(['crm', 'erp', 'finance', 'oa', 'suite']);
    expect(stepwise.forms).toEqual(suite.forms);
    expect(stepwise.groups).toEqual(suite.groups);
    expect(stepwise.automations).toEqual(suite.automations);
    expect(stepwise.ledgers).toEqual(suite.ledgers);
    expect((await install(owner, 'suite')).status).toBe(409);
  });

  it('ends like the suite in the other order too (ERP before OA), permissions of wired fields included', async () => {
    const owner = await api.signup('Reverse', 'Reverse Co');
    for (const key of ['crm', 'erp', 'oa', 'finance']) {
      const res = await install(owner, key);
      expect(res.status, `${key} ${JSON.stringify(res.body)}`).toBe(201);
      if (key === 'erp') expect(res.body.deferred).toEqual({ 'erp.salesOrder': ['contract'] });
      if (key === 'oa') expect(res.body.wired).toEqual(expect.arrayContaining(['erp.salesOrder.contract', 'automation:erp.contractToOrder']));
    }
    const suiteOwner = await api.signup('Suite2', 'Suite2 Co');
    expect((await install(suiteOwner, 'suite')).status).toBe(201);
    const [stepwise, suite] = [await shapeOfTenant(owner), await shapeOfTenant(suiteOwner)];
    expect(stepwise.forms).toEqual(suite.forms);
    expect(stepwise.groups).toEqual(suite.groups);
    expect(stepwise.automations).toEqual(suite.automations);
    expect(stepwise.groups['erp.salesOrder'].find((g) => g.startsWith('Warehouse'))).toContain('["contract","hidden"]');
  });

  it('installs the OA alone with contracts waiting for the CRM', async () => {
    const owner = await api.signup('Office', 'Office Co');
    const oa = await install(owner, 'oa');
    expect(oa.status, JSON.stringify(oa.body)).toBe(201);
    expect(oa.body.deferred['oa.contract']).toEqual(expect.arrayContaining(['customer', 'quote', 'opportunity', 'items.product']));
    expect(oa.body.pending).toEqual(['automation:oa.quoteToContract']);
    expect(Object.keys(oa.body.roles)).toEqual(['sales', 'salesManager', 'legal', 'finance', 'warehouse', 'admin']);
    const crm = await install(owner, 'crm');
    expect(crm.status, JSON.stringify(crm.body)).toBe(201);
    expect(crm.body.wired).toEqual(expect.arrayContaining(['oa.contract.customer', 'oa.contract.quote', 'oa.contract.opportunity']));
    const automations = async () => ((await api.get(`/api/v1/apps/${oa.body.apps[0].id}/automations`, owner.token)).body.items as { name: { en: string } }[]).map((a) => a.name.en);
    expect(await automations()).not.toContain('Approved quote → contract');
    const erp = await install(owner, 'erp');
    expect(erp.body.wired).toEqual(expect.arrayContaining(['oa.contract.items.product', 'automation:oa.quoteToContract']));
    expect(await automations()).toContain('Approved quote → contract');
  });
});

describe('a failed install', () => {
  it('is rolled back completely, also what it changed on existing roles, and can be retried', async () => {
    const owner = await api.signup('Rollback', 'Undo Co');
    const admins = (await api.post('/api/v1/roles', { name: '管理员', key: 'admin' }, owner.token)).body;
    // A template whose last sample record the product form refuses: everything before it must disappear.
    const broken = new Map([...loadTemplates()].map(([k, t]) => [k, structuredClone(t)])) as Map<string, Template>;
    const inbound = broken.get('erp')!.sampleData.find((f) => f.form === 'erp.inbound')!;
    inbound.records[inbound.records.length - 1].data.items = [{ product: '$ref:p-servo', qty: -3 }];
    const installer = new TemplateInstaller(api.server.app, broken);
    const request = {
      caller: { userId: owner.userId, tenantId: owner.tenantId, role: 'owner', via: 'session', sessionId: 'test' },
      db: new TenantDb(api.server.services.store, owner.tenantId),
      headers: { authorization: `Bearer ${owner.token}` },
      log: { error: () => undefined },
    } as unknown as FastifyRequest;
    const failure = await installer.install(request, 'suite', {}).then(
      () => null,
      (err: { status: number; code: string; extra: { step: string } }) => err,
    );
    expect(failure).toMatchObject({ status: 500, code: 'template_install_failed' });
    expect(failure!.extra.step).toMatch(/^sample record \d+ of inbound\.json$/);

    expect((await api.get('/api/v1/apps', owner.token)).body.items).toEqual([]);
    const roles = (await api.get('/api/v1/roles', owner.token)).body.items as { id: string; memberIds: string[] }[];
    expect(roles).toEqual([expect.objectContaining({ id: admins.id, memberIds: [] })]);
    const db = new TenantDb(api.server.services.store, owner.tenantId);
    for (const collection of ['forms', 'form_versions', 'workflows', 'workflow_versions', 'permission_groups', 'ledgers', 'ledger_balances', 'automations', 'dashboards', 'template_installs']) {
      expect(await db.collection(collection).countDocuments({}), collection).toBe(0);
    }
    expect((await api.get('/api/v1/templates', owner.token)).body.items.every((i: { installed: boolean }) => !i.installed)).toBe(true);

    const retry = await install(owner, 'suite', {});
    expect(retry.status, JSON.stringify(retry.body)).toBe(201);
    expect(retry.body.roles.admin).toBe(admins.id);
  });
});
