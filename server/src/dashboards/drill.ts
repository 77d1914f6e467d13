import { ApiError } from '../http/problem.ts';
import { MAX_CONDITION_DEPTH } from '@qiao/form-engine';
import type { AggregatePlan, Dimension } from './aggregate-plan.ts';
import { bucketDays, startOfLocalDay } from './time-buckets.ts';
import { conditionDepth, filterItems } from './dashboard-filter.ts';

type Clause = { field: string; op: string; value?: unknown };

const badGroup = (key: string, message: string) =>
  new ApiError(422, 'invalid_group', message, { errors: [{ field: key, path: `group.${key}`, code: 'invalid_group', message }] });

/** Clauses selecting the records behind one group value of a dimension, on the field `ref`. */
function dimensionClauses(d: Dimension, ref: string, value: unknown, zone: string): Clause[] {
  if (value === null) return [{ field: ref, op: 'empty' }];
  if (d.bucket) {
    const days = typeof value === 'string' ? bucketDays(value, d.bucket) : null;
    if (!days) throw badGroup(d.key, `${JSON.stringify(value)} is not a ${d.bucket} bucket`);
    if (d.field.kind === 'datetime') {
      return [
        { field: ref, op: 'gte', value: startOfLocalDay(days.start, zone) },
        { field: ref, op: 'lt', value: startOfLocalDay(days.end, zone) },
      ];
    }
    return [
      { field: ref, op: 'gte', value: days.start },
      { field: ref, op: 'lt', value: days.end },
    ];
  }
  if (typeof value === 'object') throw badGroup(d.key, 'a group value is a single value');
  return [{ field: ref, op: d.field.multi ? 'contains' : 'eq', value }];
}

/**
 * The clauses behind a clicked segment: `group` maps result columns (as in the rows) to their values; columns
 * left out are not constrained (a click on a whole series). `fieldFor` maps a dimension to the field the
 * records are filtered on, or null when no record field stands behind it.
 */
export function groupClauses(plan: AggregatePlan, group: Record<string, unknown>, zone: string, fieldFor: (d: Dimension) => string | null = (d) => d.field.ref): Clause[] {
  const known = new Set(plan.dimensions.map((d) => d.key));
  for (const key of Object.keys(group)) if (!known.has(key)) throw badGroup(key, `${key} is not a group column of this widget`);
  const clauses: Clause[] = [];
  for (const d of plan.dimensions) {
    if (!Object.prototype.hasOwnProperty.call(group, d.key)) continue;
    const ref = fieldFor(d);
    if (ref) clauses.push(...dimensionClauses(d, ref, group[d.key], zone));
  }
  return clauses;
}

/** One condition (the list filter format) ANDing the parts; 422 if it would nest deeper than conditions may. */
export function combineConditions(parts: unknown[]): unknown {
  const items = parts.flatMap((p) => filterItems(p));
  if (items.length === 0) return null;
  const combined = items.length === 1 ? items[0] : { and: items };
  if (conditionDepth(combined) > MAX_CONDITION_DEPTH) {
    throw new ApiError(422, 'drill_too_deep', `the widget's filter and the segment together nest deeper than ${MAX_CONDITION_DEPTH} groups`);
  }
  return combined;
}
