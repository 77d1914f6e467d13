import { applyDefaults, checkFormDefinition, compileConditionToMongo, computeFormulas, validateRecord } from '@qiao/form-engine';
import { validate as validateWorkflow } from '@qiao/workflow-engine';
import { allForms, componentsOf } from './bundle.ts';
import { creationOrder, shapeForm } from './shape.ts';
import { formRefs, ledgerRefs, resolveSampleValue, roleRefs, sampleRefs } from './refs.ts';
import type { FieldTemplate, FormTemplate, Template } from './types.ts';
import { ROLE_NAMES } from './types.ts';

export interface TemplateProblem {
  template: string;
  /** What the problem is in: `form crm.quote`, `workflow oa.contract`, `automation crm.leadConversion`... */
  where: string;
  message: string;
}

const VERSION = /^\d+\.\d+\.\d+$/;
const TEXT_KEYS = new Set(['name', 'label', 'description', 'title', 'help', 'content']);

/** Every user-facing text must be given in both languages. */
function bilingualProblems(node: unknown, path: string, out: string[], strings = true) {
  if (Array.isArray(node)) {
    node.forEach((item, i) => bilingualProblems(item, `${path}[${i}]`, out, strings));
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    const at = path ? `${path}.${key}` : key;
    if (TEXT_KEYS.has(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const text = value as Record<string, unknown>;
      const isLocalized = 'zh-CN' in text || 'en' in text;
      if (isLocalized) {
        for (const lang of ['zh-CN', 'en']) if (typeof text[lang] !== 'string' || !(text[lang] as string).trim()) out.push(`${at} lacks ${lang} text`);
        continue;
      }
    }
    // Workflow node and edge names are plain strings in the engine's format, and automation titles are formulas.
    if (strings && (key === 'label' || key === 'title') && typeof value === 'string') out.push(`${at} is "${value}": give { "zh-CN", "en" }`);
    bilingualProblems(value, at, out, strings);
  }
}

function fieldIds(form: FormTemplate): Map<string, FieldTemplate> {
  return new Map(form.fields.map((f) => [f.id, f]));
}

/** `field` or `subform.column` of a form, or undefined. */
function pathField(form: FormTemplate, path: string): FieldTemplate | undefined {
  const [head, column] = path.split('.');
  const field = form.fields.find((f) => f.id === head);
  if (column === undefined) return field;
  return field?.fields?.find((c) => c.id === column);
}

const SYSTEM_FIELDS = new Set(['id', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy']);

/**
 * Checks the shipped templates with the same engines the API uses (form definitions, workflows, conditions,
 * record validation for sample data) plus what only the template format has: keys, references and translations.
 * Checks that need a tenant (ledgers, automations, dashboards against stored forms) run in the API tests.
 */
export function checkTemplates(templates: ReadonlyMap<string, Template>): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const forms = allForms(templates);
  const ledgers = new Set([...templates.values()].flatMap((t) => t.ledgers.map((l) => l.key)));
  const seenForms = new Map<string, string>();

  for (const [key, template] of templates) {
    const add = (where: string, message: string) => problems.push({ template: key, where, message });
    const m = template.manifest;
    if (m.key !== key) add('manifest', `key "${m.key}" does not match its folder "${key}"`);
    if (!VERSION.test(m.version ?? '')) add('manifest', `version "${m.version}" is not x.y.z`);
    const texts: string[] = [];
    bilingualProblems({ name: m.name, description: m.description }, 'manifest', texts);
    if (!m.name || !m.description) add('manifest', 'name and description are required');
    for (const app of m.apps) bilingualProblems({ name: app.name, description: app.description }, `app ${app.key}`, texts);
    for (const text of texts) add('manifest', text);
    for (const r of m.roles) if (!ROLE_NAMES[r]) add('manifest', `unknown role key "${r}" (known: ${Object.keys(ROLE_NAMES).join(', ')})`);
    for (const inc of [...(m.includes ?? []), ...(m.requires ?? [])]) if (!templates.has(inc)) add('manifest', `unknown template "${inc}"`);

    let parts: Template[];
    try {
      parts = componentsOf(key, templates);
    } catch (err) {
      add('manifest', (err as Error).message);
      continue;
    }
    // What an install of this template can see: its own forms and those of the templates it requires.
    const reachable = new Set<string>();
    const collect = (t: Template, seen = new Set<string>()) => {
      if (seen.has(t.manifest.key)) return;
      seen.add(t.manifest.key);
      for (const f of t.forms) reachable.add(f.key);
      for (const r of t.manifest.requires ?? []) if (templates.get(r)) collect(templates.get(r)!, seen);
    };
    for (const p of parts) collect(p);
    const appKeys = new Set(m.apps.map((a) => a.key));
    const roles = new Set(m.roles);

    const listed = new Set(m.forms);
    for (const form of template.forms) {
      if (!listed.has(form.key)) add(`form ${form.key}`, 'is not listed in the manifest');
      if (seenForms.has(form.key)) add(`form ${form.key}`, `is also defined by template ${seenForms.get(form.key)}`);
      seenForms.set(form.key, key);
      if (!appKeys.has(form.app)) add(`form ${form.key}`, `belongs to app "${form.app}", which the manifest does not create`);
      const texts: string[] = [];
      bilingualProblems(form, '', texts);
      for (const text of texts) add(`form ${form.key}`, text);
      checkForm(form, forms, (message) => add(`form ${form.key}`, message));
    }
    for (const f of m.forms) if (!template.forms.some((t) => t.key === f)) add('manifest', `lists form "${f}" but no forms/*.json defines it`);
    try {
      creationOrder(template.forms);
    } catch (err) {
      add('forms', (err as Error).message);
    }
    for (const form of template.forms) {
      for (const ref of formRefs(form.fields)) if (!forms.has(ref)) add(`form ${form.key}`, `refers to unknown form "${ref}"`);
    }

    const checkRefs = (where: string, node: unknown, needsReachable: boolean, strings = true) => {
      for (const ref of formRefs(node)) {
        if (!forms.has(ref)) add(where, `refers to unknown form "${ref}"`);
        else if (needsReachable && !reachable.has(ref)) add(where, `refers to form "${ref}", which neither this template nor the ones it requires define`);
      }
      for (const ref of ledgerRefs(node)) if (!ledgers.has(ref)) add(where, `refers to unknown ledger "${ref}"`);
      for (const role of roleRefs(node)) if (!roles.has(role)) add(where, `names role "${role}", which the manifest does not list`);
      const texts: string[] = [];
      bilingualProblems(node, '', texts, strings);
      for (const text of texts) add(where, text);
    };

    for (const wf of template.workflows) {
      const where = `workflow ${wf.form}`;
      const form = template.forms.find((f) => f.key === wf.form);
      if (!form) {
        add(where, `is for form "${wf.form}", which this template does not define`);
        continue;
      }
      checkRefs(where, wf.definition, true, false);
      for (const p of validateWorkflow(wf.definition, { fields: form.fields as never })) add(where, `${p.nodeId ?? p.edgeId ?? ''} ${p.code}: ${p.message}`.trim());
      for (const node of wf.definition.nodes) if (typeof node.data?.name !== 'string' || !node.data.name.trim()) add(where, `node ${node.id} has no name`);
    }

    for (const group of template.permissionGroups) {
      const where = `permission groups of ${group.form}`;
      const form = template.forms.find((f) => f.key === group.form);
      if (!form) {
        add(where, `are for form "${group.form}", which this template does not define`);
        continue;
      }
      checkRefs(where, group, false);
      const ids = fieldIds(form);
      for (const g of group.groups) {
        for (const id of Object.keys(g.fields ?? {})) if (!ids.has(id)) add(where, `group "${g.name.en}" sets field "${id}", which the form lacks`);
        if (!g.roles.length) add(where, `group "${g.name.en}" grants nobody`);
        if (typeof g.scope === 'object') {
          try {
            compileConditionToMongo(g.scope.filter, form as never, { userId: 'u' });
          } catch (err) {
            add(where, `group "${g.name.en}" scope: ${(err as Error).message}`);
          }
        }
      }
    }

    for (const ledger of template.ledgers) {
      const where = `ledger ${ledger.key}`;
      checkRefs(where, ledger, true);
      if (!appKeys.has(ledger.app)) add(where, `belongs to app "${ledger.app}", which the manifest does not create`);
      for (const source of ledger.sources) {
        const form = forms.get(source.formId);
        if (!form) continue;
        if (!pathField(form, source.quantity)) add(where, `source ${source.formId} has no quantity field "${source.quantity}"`);
        for (const [k, path] of Object.entries(source.keys)) {
          if (!ledger.keys.includes(k)) add(where, `source ${source.formId} maps unknown key "${k}"`);
          if (!pathField(form, path)) add(where, `source ${source.formId} has no field "${path}" for key "${k}"`);
        }
        for (const k of ledger.keys) if (!(k in source.keys)) add(where, `source ${source.formId} does not say where key "${k}" comes from`);
      }
    }

    for (const automation of template.automations) {
      const where = `automation ${automation.key}`;
      checkRefs(where, automation, false, false);
      if (!appKeys.has(automation.app)) add(where, `belongs to app "${automation.app}", which the manifest does not create`);
      const formsOf = [automation.trigger, ...automation.actions].map((x) => x.formId).filter((x): x is string => typeof x === 'string');
      if (!formsOf.some((f) => template.forms.some((t) => t.key === f))) add(where, 'touches no form of its own template');
      for (const action of automation.actions) {
        const target = typeof action.formId === 'string' ? forms.get(action.formId) : undefined;
        const mapping = action.mapping as Record<string, unknown> | undefined;
        if (!target || !mapping) continue;
        for (const [fieldId, spec] of Object.entries(mapping)) {
          const field = target.fields.find((f) => f.id === fieldId);
          if (!field) add(where, `maps field "${fieldId}", which ${target.key} lacks`);
          const columns = spec && typeof spec === 'object' && 'columns' in spec ? (spec as { columns: Record<string, unknown> }).columns : undefined;
          for (const column of Object.keys(columns ?? {})) if (!field?.fields?.some((c) => c.id === column)) add(where, `maps column "${fieldId}.${column}", which ${target.key} lacks`);
        }
      }
      const trigger = automation.trigger.formId ? forms.get(automation.trigger.formId) : undefined;
      for (const f of (automation.trigger.fields as string[] | undefined) ?? []) if (trigger && !trigger.fields.some((x) => x.id === f)) add(where, `trigger watches field "${f}", which ${trigger.key} lacks`);
    }

    for (const dashboard of template.dashboards) {
      const where = `dashboard ${dashboard.key}`;
      checkRefs(where, dashboard, true);
      if (!appKeys.has(dashboard.app)) add(where, `belongs to app "${dashboard.app}", which the manifest does not create`);
      for (const widget of dashboard.widgets) {
        const source = widget.source as { formId?: string; ledgerId?: string };
        const form = source.formId ? forms.get(source.formId) : undefined;
        const ledger = source.ledgerId ? [...templates.values()].flatMap((t) => t.ledgers).find((l) => l.key === source.ledgerId) : undefined;
        const known = (name: string) => (form ? !!pathField(form, name) || SYSTEM_FIELDS.has(name) : ledger ? ledger.keys.includes(name) || name === 'balance' : true);
        const names = [
          ...((widget.groupBy as { field: string }[] | undefined) ?? []).map((g) => g.field),
          ...((widget.metrics as { field?: string }[] | undefined) ?? []).flatMap((x) => (x.field ? [x.field] : [])),
          ...((widget.columns as string[] | undefined) ?? []),
        ];
        for (const name of names) if (!known(name)) add(where, `widget ${String(widget.id)} names "${name}", which its source lacks`);
      }
    }

    checkSampleData(template, forms, add);
  }
  return problems;
}

function checkForm(form: FormTemplate, forms: ReadonlyMap<string, FormTemplate>, add: (message: string) => void) {
  // The engine checks the definition as it is stored: targets become ids, which the checker only needs non-empty.
  const shaped = shapeForm(form, (k) => (forms.has(k) ? k : undefined));
  const result = checkFormDefinition({ id: form.key, name: form.name, description: form.description, fields: shaped.fields, rules: shaped.rules, settings: shaped.settings });
  if (!result.ok) for (const e of result.errors) add(`${e.path}: ${e.message}`);
  const visit = (field: FieldTemplate) => {
    const target = typeof field.form === 'string' ? forms.get(field.form) : undefined;
    if (target) {
      for (const name of (field.displayFields as string[] | undefined) ?? []) if (!target.fields.some((f) => f.id === name)) add(`field ${field.id} displays "${name}", which ${target.key} lacks`);
    }
    if (field.linkage) {
      const source = forms.get(field.linkage.form);
      if (source) {
        if (field.linkage.take !== 'id' && !source.fields.some((f) => f.id === field.linkage!.take)) add(`field ${field.id} takes "${field.linkage.take}" from ${source.key}, which lacks it`);
        for (const m of field.linkage.match) if (!SYSTEM_FIELDS.has(m.field) && !source.fields.some((f) => f.id === m.field)) add(`field ${field.id} matches on "${m.field}", which ${source.key} lacks`);
      }
    }
    for (const column of field.fields ?? []) visit(column);
  };
  form.fields.forEach(visit);
}

function checkSampleData(template: Template, forms: ReadonlyMap<string, FormTemplate>, add: (where: string, message: string) => void) {
  const refs = new Map<string, string>();
  const now = new Date();
  const files = template.manifest.sampleData ?? [];
  template.sampleData.forEach((file, i) => {
    const where = `sample data ${files[i] ?? i}`;
    const form = forms.get(file.form);
    if (!form) {
      add(where, `is for unknown form "${file.form}"`);
      return;
    }
    if (!template.forms.some((f) => f.key === form.key)) add(where, `is for form "${form.key}" of another template`);
    for (const name of sampleRefs(file)) if (!refs.has(name) && !file.records.some((r) => r.ref === name)) add(where, `refers to "$ref:${name}" before it is defined`);
    const shaped = shapeForm(form, (k) => (forms.has(k) ? k : undefined));
    const engineForm = { id: form.key, name: form.name, fields: shaped.fields, rules: shaped.rules };
    for (const [n, record] of file.records.entries()) {
      if (record.ref) {
        if (refs.has(record.ref)) add(where, `defines "${record.ref}" twice`);
        refs.set(record.ref, `sample_${record.ref.replace(/[^A-Za-z0-9_-]/g, '_')}`);
      }
      let data: Record<string, unknown>;
      try {
        data = resolveSampleValue(record.data, { records: refs, userId: 'sample-user', today: now.toISOString().slice(0, 10) }) as Record<string, unknown>;
      } catch (err) {
        add(where, `record ${n + 1}: ${(err as Error).message}`);
        continue;
      }
      const ctx = { now, timeZone: 'Asia/Shanghai' };
      const prepared = computeFormulas(engineForm as never, applyDefaults(engineForm as never, data, ctx), ctx);
      for (const e of validateRecord(engineForm as never, prepared, ctx).errors) add(where, `record ${n + 1}: ${e.field}${e.column ? `.${e.column}` : ''}: ${e.message}`);
    }
  });
}
