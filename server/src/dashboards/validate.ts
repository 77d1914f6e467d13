import type { TenantDb } from '../platform/tenant-db.ts';
import { ApiError } from '../http/problem.ts';
import { recordsCollection, type FormDoc } from '../forms/store.ts';
import { compileFilter, parseSort } from '../records/query.ts';
import { LEDGERS, type LedgerDoc } from '../ledgers/index.ts';
import { planProblems, type PlanProblem } from './aggregate-plan.ts';
import { formSource, type AggregateSource } from './source-fields.ts';
import { ledgerSource } from './ledger-aggregate.ts';
import { bindFilterField, collectFieldRefs } from './dashboard-filter.ts';
import { isLedgerSource, TABLE_ROW_LIMIT, type DashboardFilterDef, type DashboardInput, type WidgetDef } from './model.ts';

/** The source of each widget as stored: what its fields are, for checks that need no caller. */
export interface LoadedSources {
  forms: Map<string, FormDoc>;
  ledgers: Map<string, LedgerDoc>;
  sourceOf(widget: WidgetDef): AggregateSource | null;
}

export async function loadSources(db: TenantDb, widgets: WidgetDef[]): Promise<LoadedSources> {
  const formIds = new Set<string>();
  const ledgerIds = new Set<string>();
  for (const w of widgets) {
    if (isLedgerSource(w.source)) ledgerIds.add(w.source.ledgerId);
    else formIds.add(w.source.formId);
  }
  const ledgers = new Map(ledgerIds.size ? (await db.collection<LedgerDoc>(LEDGERS).find({ _id: { $in: [...ledgerIds] } })).map((l) => [l._id, l]) : []);
  for (const l of ledgers.values()) for (const id of l.sourceFormIds) formIds.add(id);
  const forms = new Map(formIds.size ? (await db.collection<FormDoc>('forms').find({ _id: { $in: [...formIds] } })).map((f) => [f._id, f]) : []);
  return {
    forms,
    ledgers,
    sourceOf(widget) {
      if (isLedgerSource(widget.source)) {
        const ledger = ledgers.get(widget.source.ledgerId);
        return ledger ? ledgerSource({ ledger, forms, viewable: [] }) : null;
      }
      const form = forms.get(widget.source.formId);
      return form ? formSource(form, recordsCollection(form._id)) : null;
    },
  };
}

const GROUPS: Record<WidgetDef['type'], [number, number]> = {
  metric: [0, 0],
  pie: [1, 1],
  funnel: [1, 1],
  bar: [1, 2],
  line: [1, 2],
  pivot: [1, 3],
  table: [0, 0],
};

/** Normalize the filter bar: `key` defaults to `field`; keys are unique. */
export function normalizeFilters(input: DashboardInput['filters'], problems: PlanProblem[]): DashboardFilterDef[] {
  const out: DashboardFilterDef[] = [];
  const seen = new Set<string>();
  (input ?? []).forEach((f, i) => {
    const key = f.key ?? f.field;
    if (!key) {
      problems.push({ field: '', path: `filters.${i}`, code: 'key_required', message: 'a filter needs a key or a field' });
      return;
    }
    if (seen.has(key)) problems.push({ field: key, path: `filters.${i}.key`, code: 'duplicate_key', message: `two filters use the key ${key}` });
    seen.add(key);
    out.push({ key, label: f.label, ...(f.field ? { field: f.field } : {}), ...(f.fields ? { fields: f.fields } : {}), ...(f.input ? { input: f.input } : {}) });
  });
  return out;
}

/**
 * Check every widget against its source form or ledger (422 naming each unknown form, ledger and field) and the
 * filter bar's bindings against the widgets. `userId` resolves dynamic values while compiling filters.
 */
export async function checkDashboard(db: TenantDb, input: DashboardInput, userId: string): Promise<{ filters: DashboardFilterDef[]; widgets: WidgetDef[] }> {
  const problems: PlanProblem[] = [];
  const widgets = input.widgets ?? [];
  const sources = await loadSources(db, widgets);
  const ids = new Set<string>();
  const ctx = { userId, departmentIds: [], now: new Date(), timeZone: 'Asia/Shanghai' };

  widgets.forEach((w, i) => {
    const at = `widgets.${i}.`;
    if (ids.has(w.id)) problems.push({ field: w.id, path: `${at}id`, code: 'duplicate_widget', message: `two widgets have the id ${w.id}` });
    ids.add(w.id);
    const source = sources.sourceOf(w);
    if (!source) {
      const [what, id] = isLedgerSource(w.source) ? ['ledger', w.source.ledgerId] : ['form', w.source.formId];
      problems.push({ field: id, path: `${at}source`, code: `unknown_${what}`, message: `${what} ${id} does not exist` });
      return;
    }
    const [min, max] = GROUPS[w.type];
    const groups = w.groupBy?.length ?? 0;
    if (groups < min || groups > max) {
      problems.push({ field: '', path: `${at}groupBy`, code: 'invalid_group_by', message: `a ${w.type} widget groups by ${min === max ? min : `${min} to ${max}`} field(s), not ${groups}` });
    }
    if (w.type === 'table') {
      if (w.metrics?.length) problems.push({ field: '', path: `${at}metrics`, code: 'invalid_metrics', message: 'a detail table lists records: it has no metrics' });
      if (isLedgerSource(w.source)) problems.push({ field: w.source.ledgerId, path: `${at}source`, code: 'invalid_source', message: 'a detail table lists the records of a form' });
      if ((w.limit ?? 0) > TABLE_ROW_LIMIT) problems.push({ field: '', path: `${at}limit`, code: 'invalid_limit', message: `a detail table shows at most ${TABLE_ROW_LIMIT} records` });
      const form = isLedgerSource(w.source) ? undefined : sources.forms.get(w.source.formId);
      if (form) {
        const fieldIds = new Set(form.fields.map((f) => f.id));
        (w.columns ?? []).forEach((c, j) => {
          if (!fieldIds.has(c)) problems.push({ field: c, path: `${at}columns.${j}`, code: 'unknown_field', message: `the form has no field ${c}` });
        });
        try {
          parseSort(form, w.sort);
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          problems.push(...((err.extra.errors as { field: string; code: string; message: string }[]) ?? []).map((e) => ({ ...e, path: `${at}sort` })));
        }
      }
    } else {
      if (w.columns) problems.push({ field: '', path: `${at}columns`, code: 'invalid_columns', message: 'only detail tables have columns' });
      if (!w.metrics?.length) problems.push({ field: '', path: `${at}metrics`, code: 'metrics_required', message: `a ${w.type} widget needs at least one metric` });
      else problems.push(...planProblems(source, { groupBy: w.groupBy, metrics: w.metrics, sort: w.sort, limit: w.limit }, at).problems);
    }
    if (w.filter !== undefined) {
      const form = isLedgerSource(w.source) ? undefined : sources.forms.get(w.source.formId);
      try {
        if (form) compileFilter(form, w.filter, ctx);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        problems.push(...((err.extra.errors as { field: string; code?: string; message: string }[]) ?? []).map((e) => ({ field: e.field, code: e.code ?? 'invalid_filter', message: e.message, path: `${at}filter` })));
      }
      if (!form) {
        // Ledger filters name the ledger's keys and balance.
        for (const ref of collectFieldRefs(w.filter)) if (!source.lookup(ref).ok) problems.push({ field: ref, path: `${at}filter`, code: 'unknown_field', message: `the ledger has no key or column ${ref}` });
      }
    }
  });

  const filters = normalizeFilters(input.filters, problems);
  filters.forEach((f, i) => {
    for (const [widgetId, field] of Object.entries(f.fields ?? {})) {
      const widget = widgets.find((w) => w.id === widgetId);
      if (!widget) {
        problems.push({ field: widgetId, path: `filters.${i}.fields.${widgetId}`, code: 'unknown_widget', message: `no widget has the id ${widgetId}` });
        continue;
      }
      const source = sources.sourceOf(widget);
      const bound = bindFilterField(f, widget);
      if (source && field !== null && bound && !source.lookup(bound).ok) {
        problems.push({ field: bound, path: `filters.${i}.fields.${widgetId}`, code: 'unknown_field', message: `the source of widget ${widgetId} has no field ${bound}` });
      }
    }
  });

  if (problems.length) {
    const names = [...new Set(problems.map((p) => p.field).filter(Boolean))];
    throw new ApiError(422, 'invalid_dashboard', names.length ? `the dashboard names what does not exist or cannot be used: ${names.join(', ')}` : 'the dashboard is invalid', { errors: problems });
  }
  return { filters, widgets };
}

