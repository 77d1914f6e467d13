import type { FastifyRequest } from 'fastify';
import type { Store } from '../store/port.ts';
import { ApiError } from '../http/problem.ts';
import { getForm, recordsCollection, type FormDoc } from '../forms/store.ts';
import { parseProjection, parseSort } from '../records/query.ts';
import { publicRecord, type RecordDoc } from '../records/service.ts';
import { accessFor } from '../access/index.ts';
import type { AggregateSpec } from './aggregate-spec.ts';
import { aggregateForm, viewerMatch } from './form-aggregate.ts';
import { aggregateLedger, ledgerSource, readableLedger, type ReadableLedger } from './ledger-aggregate.ts';
import { formSource } from './source-fields.ts';
import { widgetFilterParts } from './dashboard-filter.ts';
import { isLedgerSource, TABLE_ROW_LIMIT, type DashboardDoc, type WidgetDef } from './model.ts';

export type WidgetResult =
  | { rows: Record<string, unknown>[]; total: number; groups?: string[]; metrics?: string[] }
  | { error: { status: number; code: string; title: string; errors?: unknown } };

export const widgetSpec = (w: WidgetDef): AggregateSpec => ({ groupBy: w.groupBy ?? [], metrics: w.metrics, filter: w.filter, sort: w.sort, limit: w.limit });

/** Loads each widget's source once per request, as the caller may see it. */
export class SourceCache {
  private forms = new Map<string, Promise<FormDoc>>();
  private ledgers = new Map<string, Promise<ReadableLedger>>();
  constructor(private readonly request: FastifyRequest) {}

  form(formId: string): Promise<FormDoc> {
    let f = this.forms.get(formId);
    if (!f) this.forms.set(formId, (f = getForm(this.request.db, formId)));
    return f;
  }

  ledger(ledgerId: string): Promise<ReadableLedger> {
    let l = this.ledgers.get(ledgerId);
    if (!l) this.ledgers.set(ledgerId, (l = readableLedger(this.request, ledgerId)));
    return l;
  }
}

/** A detail table: the first records of the list as the caller would get them (scope, hidden fields, sort). */
async function tableData(store: Store, request: FastifyRequest, form: FormDoc, widget: WidgetDef, extra: unknown[]) {
  const access = await accessFor(request, form);
  access.assert('view');
  const sortIds = (widget.sort ?? '').split(',').map((s) => s.trim().replace(/^[-+]/, '')).filter(Boolean);
  access.assertQueryable([...(widget.columns ?? []), ...sortIds]);
  const match = await viewerMatch(store, request, form, access, [widget.filter, ...extra]);
  const sort = parseSort(form, widget.sort);
  const projection = widget.columns?.length ? parseProjection(form, widget.columns.join(',')) : undefined;
  const limit = Math.min(widget.limit ?? TABLE_ROW_LIMIT, TABLE_ROW_LIMIT);
  const col = request.db.collection<RecordDoc>(recordsCollection(form._id));
  const [records, total] = await Promise.all([col.find(match, { sort, limit, projection }), col.countDocuments(match)]);
  const rows = records.map((r) => {
    const out = publicRecord(r);
    return { ...out, data: access.stripData(out.data) };
  });
  return { rows, total };
}

/** One widget's data for the caller; a widget the caller may not see answers its own error, not the whole board's. */
export async function widgetData(store: Store, request: FastifyRequest, sources: SourceCache, dashboard: DashboardDoc, widget: WidgetDef, filter: unknown): Promise<WidgetResult> {
  try {
    if (isLedgerSource(widget.source)) {
      const ledger = await sources.ledger(widget.source.ledgerId);
      const extra = widgetFilterParts(dashboard.filters, widget, filter, ledgerSource(ledger));
      const result = await aggregateLedger(store, request, ledger, widgetSpec(widget), extra);
      return { rows: result.rows, total: result.total, groups: result.plan.dimensions.map((d) => d.key), metrics: result.plan.measures.map((m) => m.key) };
    }
    const form = await sources.form(widget.source.formId);
    const extra = widgetFilterParts(dashboard.filters, widget, filter, formSource(form, recordsCollection(form._id)));
    if (widget.type === 'table') return await tableData(store, request, form, widget, extra);
    const result = await aggregateForm(store, request, form, widgetSpec(widget), extra);
    return { rows: result.rows, total: result.total, groups: result.plan.dimensions.map((d) => d.key), metrics: result.plan.measures.map((m) => m.key) };
  } catch (err) {
    if (err instanceof ApiError) return { error: { status: err.status, code: err.code, title: err.title, ...(err.extra.errors ? { errors: err.extra.errors } : {}) } };
    throw err;
  }
}

