import type { FastifyRequest } from 'fastify';
import type { Store } from '../store/port.ts';
import { ApiError } from '../http/problem.ts';
import { recordsCollection } from '../forms/store.ts';
import { accessFor } from '../access/index.ts';
import { buildPlan, planFieldIds } from './aggregate-plan.ts';
import { viewerMatch } from './form-aggregate.ts';
import { assertLedgerFieldsVisible, ledgerSource } from './ledger-aggregate.ts';
import { formSource } from './source-fields.ts';
import { collectFieldRefs, renameFields, widgetFilterParts } from './dashboard-filter.ts';
import { combineConditions, groupClauses } from './drill.ts';
import { tenantZone } from './tenant-zone.ts';
import { widgetSpec, type SourceCache } from './widget-data.ts';
import { isLedgerSource, type DashboardDoc, type WidgetDef } from './model.ts';

/** Where the web lists records matching `filter` (the records route takes the same condition as `?filter=`). */
export const recordsPath = (formId: string, filter: unknown) =>
  `/api/v1/forms/${formId}/records${filter ? `?filter=${encodeURIComponent(JSON.stringify(filter))}` : ''}`;

export interface FormDrill {
  formId: string;
  filter: unknown;
  path: string;
}

export type DrillTarget = FormDrill | { ledgerId: string; sources: (FormDrill & { sign: 1 | -1 })[] };

/**
 * The records behind one segment of a widget, as a condition for the form's record list: the widget's filter,
 * the dashboard-wide filter as bound to the widget, and the segment's group values. For a ledger, one such
 * condition per source form the caller may view (its records are what the balance sums).
 */
export async function drillTarget(
  store: Store,
  request: FastifyRequest,
  sources: SourceCache,
  dashboard: DashboardDoc,
  widget: WidgetDef,
  group: Record<string, unknown>,
  dashboardFilter: unknown,
): Promise<DrillTarget> {
  const zone = await tenantZone(store, request);
  if (isLedgerSource(widget.source)) {
    const r = await sources.ledger(widget.source.ledgerId);
    const source = ledgerSource(r);
    const plan = buildPlan(source, widgetSpec(widget));
    assertLedgerFieldsVisible(r, plan.dimensions.map((d) => d.field.ref));
    const keyParts = [widget.filter, ...widgetFilterParts(dashboard.filters, widget, dashboardFilter, source)].filter((p) => p !== undefined && p !== null);
    const out: (FormDrill & { sign: 1 | -1 })[] = [];
    for (const access of r.viewable) {
      for (const s of r.ledger.sources.filter((x) => x.formId === access.formId)) {
        // Only conditions on the ledger's keys translate to the source's fields; `balance` has no record behind it.
        const translated = keyParts.flatMap((part) => {
          const refs = [...collectFieldRefs(part)];
          return refs.every((ref) => s.keys[ref]) ? [renameFields(part, (ref) => s.keys[ref])] : [];
        });
        const clauses = groupClauses(plan, group, zone, (d) => s.keys[d.field.ref] ?? null);
        const filter = combineConditions([s.filter, ...translated, ...clauses]);
        const form = r.forms.get(s.formId)!;
        await viewerMatch(store, request, form, access, [filter]);
        out.push({ formId: s.formId, sign: s.sign, filter, path: recordsPath(s.formId, filter) });
      }
    }
    return { ledgerId: r.ledger._id, sources: out };
  }

  const form = await sources.form(widget.source.formId);
  const access = await accessFor(request, form);
  access.assert('view');
  const source = formSource(form, recordsCollection(form._id));
  let clauses: unknown[] = [];
  if (widget.type === 'table') {
    if (Object.keys(group).length) throw new ApiError(422, 'invalid_group', 'a detail table has no groups to drill into');
  } else {
    const plan = buildPlan(source, widgetSpec(widget));
    access.assertQueryable(planFieldIds(plan));
    clauses = groupClauses(plan, group, zone);
  }
  const filter = combineConditions([widget.filter, ...widgetFilterParts(dashboard.filters, widget, dashboardFilter, source), ...clauses]);
  // The condition must work in the record list for this caller: compile it now (422 or 403 here rather than there).
  await viewerMatch(store, request, form, access, [filter]);
  return { formId: form._id, filter, path: recordsPath(form._id, filter) };
}
