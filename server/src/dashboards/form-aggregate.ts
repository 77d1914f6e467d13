import type { FastifyRequest } from 'fastify';
import type { Filter } from '../store/port.ts';
import type { Store } from '../store/port.ts';
import { recordsCollection, type FormDoc } from '../forms/store.ts';
import { compileFilter } from '../records/query.ts';
import { accessFor, callerOrg, type FormAccess } from '../access/index.ts';
import type { AggregateSpec } from './aggregate-spec.ts';
import { buildPlan, planFieldIds, type AggregatePlan } from './aggregate-plan.ts';
import { runAggregate, type AggregateResult } from './aggregate-run.ts';
import { formSource } from './source-fields.ts';
import { tenantZone } from './tenant-zone.ts';

export const and = (parts: Filter[]): Filter => {
  const useful = parts.filter((p) => Object.keys(p).length > 0);
  return useful.length === 0 ? {} : useful.length === 1 ? useful[0] : { $and: useful };
};

/**
 * The caller's view of a form's records as one store filter: every condition compiled (hidden fields refused,
 * unknown fields 422), ANDed, then restricted to the caller's data scope for `view`.
 */
export async function viewerMatch(store: Store, request: FastifyRequest, form: FormDoc, access: FormAccess, conditions: unknown[]): Promise<Filter> {
  const present = conditions.filter((c) => c !== undefined && c !== null);
  for (const condition of present) access.assertConditionQueryable(condition);
  const [org, zone] = await Promise.all([callerOrg(request), tenantZone(store, request)]);
  const ctx = { userId: request.caller.userId, departmentIds: [...org.departmentIds], now: new Date(), timeZone: zone };
  return access.restrict('view', and(present.map((c) => compileFilter(form, c, ctx))));
}

export interface FormAggregate extends AggregateResult {
  plan: AggregatePlan;
}

/**
 * Aggregate a form's records as the caller may see them: the `view` right, no hidden field grouped, aggregated
 * or filtered on, and only the rows of their data scope. `extraConditions` (a dashboard's filter bar) AND in.
 */
export async function aggregateForm(store: Store, request: FastifyRequest, form: FormDoc, spec: AggregateSpec, extraConditions: unknown[] = []): Promise<FormAggregate> {
  const access = await accessFor(request, form);
  access.assert('view');
  const source = formSource(form, recordsCollection(form._id));
  const plan = buildPlan(source, spec);
  access.assertQueryable(planFieldIds(plan));
  const match = await viewerMatch(store, request, form, access, [spec.filter, ...extraConditions]);
  const zone = await tenantZone(store, request);
  return { ...(await runAggregate(request.db, source.collection, plan, match, zone)), plan };
}
