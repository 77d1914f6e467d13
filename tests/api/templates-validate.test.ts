import { describe, expect, it } from 'vitest';
import { checkFormDefinition } from '@qiao/form-engine';
import { validate as validateWorkflow } from '@qiao/workflow-engine';
import {
  allForms,
  checkTemplates,
  componentsOf,
  creationOrder,
  loadTemplates,
  shapeForm,
  summarize,
  templateFolders,
  TEMPLATE_KEYS,
  type FieldTemplate,
  type Template,
} from '@qiao/templates';

const templates = loadTemplates();
const forms = allForms(templates);
const clone = (): Map<string, Template> => new Map([...templates].map(([k, t]) => [k, structuredClone(t)]));

/** The Contract of issue 11: form keys, field ids and types the README, integrators and tests rely on. */
const CONTRACT: Record<string, Record<string, string>> = {
  'crm.customer': { code: 'serial', name: 'text', taxId: 'text', phone: 'phone', level: 'select', owner: 'member', receivedTotal: 'money', lastOrderDate: 'date' },
  'crm.lead': { company: 'text', taxId: 'text', phone: 'phone', contact: 'text', status: 'select', customer: 'relation:crm.customer' },
  'crm.opportunity': { name: 'text', customer: 'relation:crm.customer', amount: 'money', stage: 'select' },
  'erp.product': { sku: 'text', name: 'text', unit: 'select', price: 'money', cost: 'money', safetyStock: 'number' },
  'erp.warehouse': { name: 'text' },
  'crm.quote': { customer: 'relation:crm.customer', opportunity: 'relation:crm.opportunity', items: 'subform', discount: 'number', total: 'formula' },
  'oa.contract': { customer: 'relation:crm.customer', quote: 'relation:crm.quote', opportunity: 'relation:crm.opportunity', items: 'subform', amount: 'formula' },
  'erp.salesOrder': { customer: 'relation:crm.customer', contract: 'relation:oa.contract', opportunity: 'relation:crm.opportunity', items: 'subform', total: 'formula' },
  'erp.shipment': { order: 'relation:erp.salesOrder', customer: 'relation:crm.customer', warehouse: 'relation:erp.warehouse', items: 'subform' },
  'erp.inbound': { warehouse: 'relation:erp.warehouse', items: 'subform', purchaseOrder: 'relation:erp.purchaseOrder' },
  'erp.purchaseRequest': { product: 'relation:erp.product', qty: 'number' },
  'erp.purchaseOrder': { supplier: 'relation:erp.supplier', request: 'relation:erp.purchaseRequest', items: 'subform' },
  'fin.receivable': { customer: 'relation:crm.customer', order: 'relation:erp.salesOrder', shipment: 'relation:erp.shipment', amount: 'money', received: 'money', dueDate: 'date', status: 'formula' },
  'fin.payment': { receivable: 'relation:fin.receivable', customer: 'relation:crm.customer', amount: 'money', date: 'date' },
};

const describeField = (f: FieldTemplate | undefined) => (f ? (f.type === 'relation' ? `relation:${f.form}` : f.type) : 'missing');
const field = (form: string, id: string) => forms.get(form)?.fields.find((f) => f.id === id);
const column = (form: string, subform: string, id: string) => field(form, subform)?.fields?.find((c) => c.id === id);

describe('the shipped templates', () => {
  it('are the five of the contract, each in its folder', () => {
    expect([...TEMPLATE_KEYS].sort()).toEqual(['crm', 'erp', 'finance', 'oa', 'suite']);
    expect(templateFolders()).toEqual([...TEMPLATE_KEYS].sort());
    expect(componentsOf('suite', templates).map((t) => t.manifest.key)).toEqual(['crm', 'erp', 'oa', 'finance']);
    for (const key of TEMPLATE_KEYS) {
      const s = summarize(key, templates);
      expect(s.name['zh-CN'] && s.name.en && s.description['zh-CN'] && s.description.en, key).toBeTruthy();
      expect(s.apps.length, key).toBeGreaterThan(0);
    }
  });

  it('pass every check: form engine, workflow engine, conditions, references, translations, sample data', () => {
    expect(checkTemplates(templates)).toEqual([]);
  });

  it('keep the contract: form keys, field ids and types', () => {
    for (const [formKey, fields] of Object.entries(CONTRACT)) {
      for (const [id, type] of Object.entries(fields)) expect(describeField(field(formKey, id)), `${formKey}.${id}`).toBe(type);
    }
    expect(field('crm.customer', 'taxId')?.unique).toBe(true);
    expect(field('erp.product', 'sku')?.unique).toBe(true);
    expect((field('crm.lead', 'status')?.options as { value: string }[]).map((o) => o.value)).toEqual(expect.arrayContaining(['new', 'converted']));
    const stages = field('crm.opportunity', 'stage')!.options as { value: string; label: { 'zh-CN': string } }[];
    expect(stages.map((o) => o.value)).toEqual(['initial', 'needs', 'quote', 'negotiation', 'won', 'lost']);
    expect(stages.map((o) => o.label['zh-CN'])).toEqual(['初步接洽', '需求确认', '方案报价', '谈判', '赢单', '输单']);
    for (const form of ['crm.quote', 'oa.contract', 'erp.salesOrder']) {
      expect(describeField(column(form, 'items', 'product')), form).toBe('relation:erp.product');
      expect(column(form, 'items', 'qty')?.type, form).toBe('number');
      expect(column(form, 'items', 'price')?.linkage, form).toEqual({ form: 'erp.product', match: [{ field: 'id', value: 'product' }], take: 'price' });
    }
    expect(column('crm.quote', 'items', 'amount')?.formula).toBe('qty * price');
    // Field ids are unique across a form's columns too, so the contract's line amount is `lineAmount` there.
    expect(column('oa.contract', 'items', 'lineAmount')?.formula).toBe('qty * price');
    expect(field('crm.quote', 'total')?.formula).toBe('SUM(items.amount) * (1 - discount / 100)');
    for (const form of ['erp.shipment', 'erp.inbound']) {
      expect(describeField(column(form, 'items', 'product')), form).toBe('relation:erp.product');
      expect(column(form, 'items', 'qty')?.type, form).toBe('number');
    }
    expect(field('fin.receivable', 'status')?.formula).toContain('"settled"');
    const stock = [...templates.values()].flatMap((t) => t.ledgers).find((l) => l.key === 'erp.stock')!;
    expect(stock.keys).toEqual(['product', 'warehouse']);
    expect(stock.constraints).toEqual(['balance >= 0']);
    expect(stock.sources.map((s) => [s.formId, s.sign, s.quantity])).toEqual([
      ['erp.inbound', 1, 'items.qty'],
      ['erp.shipment', -1, 'items.qty'],
    ]);
  });

  it('route quotes, contracts and purchase requests to the contract roles', () => {
    const flow = (form: string) => [...templates.values()].flatMap((t) => t.workflows).find((w) => w.form === form)!.definition;
    const quote = flow('crm.quote');
    const toManager = quote.edges.find((e) => (e as { target: string }).target === 'salesManager') as { data: { condition: unknown } };
    expect(toManager.data.condition).toEqual({ and: [{ field: 'discount', op: 'gt', value: 10 }] });
    expect(quote.nodes.find((n) => n.id === 'salesManager')?.data?.assignees).toEqual([{ kind: 'role', ids: ['salesManager'] }]);
    const contract = flow('oa.contract');
    const path = ['start', 'salesManager', 'legal', 'amountCheck'];
    for (let i = 1; i < path.length; i++) expect(contract.edges.some((e) => (e as { source: string; target: string }).source === path[i - 1] && (e as { target: string }).target === path[i])).toBe(true);
    expect(contract.nodes.find((n) => n.id === 'legal')?.data?.allow).toContain('sendBack');
    expect(contract.nodes.find((n) => n.id === 'finance')?.data).toMatchObject({ assignees: [{ kind: 'role', ids: ['finance'] }], mode: 'all' });
    const toFinance = contract.edges.find((e) => (e as { target: string }).target === 'finance') as { data: { condition: unknown } };
    expect(toFinance.data.condition).toEqual({ and: [{ field: 'amount', op: 'gte', value: 100000 }] });
    expect(flow('erp.purchaseRequest').nodes.find((n) => n.type === 'approval')?.data?.assignees).toEqual([{ kind: 'role', ids: ['admin'] }]);
    const leave = flow('oa.leave');
    expect(leave.nodes.find((n) => n.id === 'departmentHead')?.data?.assignees).toEqual([{ kind: 'supervisor', level: 2 }]);
  });

  it('have forms that the form engine accepts as they are installed, alone or together', () => {
    for (const key of ['crm', 'erp', 'oa', 'finance', 'suite']) {
      const parts = componentsOf(key, templates);
      const own = new Set(parts.flatMap((p) => p.forms.map((f) => f.key)));
      for (const form of creationOrder(parts.flatMap((p) => p.forms))) {
        // Installed alone, a template's relations to forms of uninstalled templates wait; the rest must still be valid.
        const shaped = shapeForm(form, (k) => (own.has(k) ? `id_${k.replace('.', '_')}` : undefined));
        const result = checkFormDefinition({ name: form.name, fields: shaped.fields, rules: shaped.rules });
        expect(result.ok ? [] : result.errors, `${key}: ${form.key}`).toEqual([]);
        const wf = parts.flatMap((p) => p.workflows).find((w) => w.form === form.key);
        if (wf) expect(validateWorkflow(wf.definition, { fields: shaped.fields as never }), `${key}: workflow ${form.key}`).toEqual([]);
      }
    }
  });

  describe('the checker itself', () => {
    it('names a missing translation, an unknown form, an unknown field and an unknown role', () => {
      const broken = clone();
      const crm = broken.get('crm')!;
      const customer = crm.forms.find((f) => f.key === 'crm.customer')!;
      (customer.fields[1].label as unknown as Record<string, string>).en = '';
      crm.forms.find((f) => f.key === 'crm.contact')!.fields[1].form = 'crm.nowhere';
      crm.permissionGroups.find((g) => g.form === 'crm.customer')!.groups[0].fields = { secret: 'hidden' };
      crm.workflows[0].definition.nodes.find((n) => n.id === 'salesManager')!.data!.assignees = [{ kind: 'role', ids: ['ceo'] }];
      const messages = checkTemplates(broken).map((p) => `${p.where}: ${p.message}`);
      expect(messages).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/form crm.customer: .*label lacks en text/),
          expect.stringMatching(/form crm.contact: refers to unknown form "crm.nowhere"/),
          expect.stringMatching(/permission groups of crm.customer: .*sets field "secret"/),
          expect.stringMatching(/workflow crm.quote: names role "ceo"/),
        ]),
      );
    });

    it('reports a formula the form engine refuses and a workflow condition on a missing field', () => {
      const broken = clone();
      const crm = broken.get('crm')!;
      crm.forms.find((f) => f.key === 'crm.quote')!.fields.find((f) => f.id === 'total')!.formula = 'SUM(items.nope)';
      const edge = crm.workflows[0].definition.edges.find((e) => (e as { target: string }).target === 'salesManager') as { data: { condition: unknown } };
      edge.data.condition = { and: [{ field: 'rebate', op: 'gt', value: 10 }] };
      const messages = checkTemplates(broken).map((p) => `${p.where}: ${p.message}`);
      expect(messages.some((m) => m.startsWith('form crm.quote: /fields/') && m.includes('nope'))).toBe(true);
      expect(messages.some((m) => m.startsWith('workflow crm.quote:') && m.includes('unknown_field'))).toBe(true);
    });

    it('refuses sample data that the form would refuse', () => {
      const broken = clone();
      broken.get('erp')!.sampleData.find((f) => f.form === 'erp.product')!.records[0].data.price = -5;
      expect(checkTemplates(broken).some((p) => p.where.startsWith('sample data products.json') && p.message.includes('price'))).toBe(true);
    });
  });
});
