import { ApiError } from '../http/problem.ts';
import type { AggregateSource, SourceField } from './source-fields.ts';
import { DEFAULT_GROUP_LIMIT, groupKey, metricKey, type AggregateSpec, type MetricOp } from './aggregate-spec.ts';
import type { Bucket } from './time-buckets.ts';

export interface Dimension {
  key: string;
  field: SourceField;
  bucket?: Bucket;
}

export interface Measure {
  key: string;
  op: MetricOp;
  field?: SourceField;
}

/** An aggregate resolved against its source: every field known, usable and named. */
export interface AggregatePlan {
  dimensions: Dimension[];
  measures: Measure[];
  /** The subform whose rows are counted instead of records, when a field of it is used. */
  subformPath?: string;
  sort: { key: string; dir: 1 | -1 }[];
  limit: number;
}

export interface PlanProblem {
  field: string;
  path: string;
  code: string;
  message: string;
}

const NUMERIC_OPS = new Set<MetricOp>(['sum', 'avg', 'min', 'max']);

/** Problems of a spec against a source (empty when it is valid); shared by the aggregate route and widget checks. */
export function planProblems(source: AggregateSource, spec: AggregateSpec, at = ''): { plan?: AggregatePlan; problems: PlanProblem[] } {
  const problems: PlanProblem[] = [];
  const add = (field: string, path: string, code: string, message: string) => problems.push({ field, path: `${at}${path}`, code, message });
  const resolve = (ref: string, path: string): SourceField | undefined => {
    const found = source.lookup(ref);
    if (found.ok) return found.field;
    add(ref, path, found.code, found.message);
    return undefined;
  };

  const keys = new Set<string>();
  const claim = (key: string, path: string) => {
    if (keys.has(key)) add(key, path, 'duplicate_key', `two columns are named ${key}: set "as" on one of them`);
    keys.add(key);
  };

  const dimensions: Dimension[] = [];
  (spec.groupBy ?? []).forEach((g, i) => {
    const field = resolve(g.field, `groupBy.${i}.field`);
    claim(groupKey(g), `groupBy.${i}`);
    if (!field) return;
    if (g.bucket && field.kind !== 'date' && field.kind !== 'datetime') {
      add(g.field, `groupBy.${i}.bucket`, 'invalid_bucket', `${g.field} is not a date: it cannot be bucketed by ${g.bucket}`);
      return;
    }
    dimensions.push({ key: groupKey(g), field, bucket: g.bucket });
  });

  const measures: Measure[] = [];
  (spec.metrics ?? [{ op: 'count' }]).forEach((m, i) => {
    const key = metricKey(m);
    claim(key, `metrics.${i}`);
    if (!m.field) {
      if (m.op !== 'count') add('', `metrics.${i}.field`, 'field_required', `${m.op} needs a field`);
      else measures.push({ key, op: 'count' });
      return;
    }
    const field = resolve(m.field, `metrics.${i}.field`);
    if (!field) return;
    if (NUMERIC_OPS.has(m.op) && field.kind !== 'number' && field.kind !== 'any') {
      add(m.field, `metrics.${i}.field`, 'not_numeric', `${m.op} needs a number field; ${m.field} is not one`);
      return;
    }
    if (field.multi && m.op !== 'count') {
      add(m.field, `metrics.${i}.field`, 'multi_valued', `${m.field} holds several values: only count applies to it`);
      return;
    }
    measures.push({ key, op: m.op, field });
  });

  const subforms = new Set([...dimensions.map((d) => d.field), ...measures.flatMap((m) => (m.field ? [m.field] : []))].flatMap((f) => (f.subformPath ? [f.subformPath] : [])));
  if (subforms.size > 1) add([...subforms].map((p) => p.slice(5)).join(', '), 'groupBy', 'several_subforms', 'an aggregate may use the columns of one subform only');

  const sort: AggregatePlan['sort'] = [];
  for (const part of (spec.sort ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const desc = part.startsWith('-');
    const key = part.replace(/^[-+]/, '');
    if (!keys.has(key)) add(key, 'sort', 'invalid_sort', `cannot sort by ${key}: not a column of the result`);
    else sort.push({ key, dir: desc ? -1 : 1 });
  }

  if (problems.length) return { problems };
  return {
    problems,
    plan: { dimensions, measures, subformPath: [...subforms][0], sort, limit: spec.limit ?? DEFAULT_GROUP_LIMIT },
  };
}

export function buildPlan(source: AggregateSource, spec: AggregateSpec): AggregatePlan {
  const { plan, problems } = planProblems(source, spec);
  if (!plan) {
    const names = [...new Set(problems.map((p) => p.field).filter(Boolean))];
    throw new ApiError(422, 'invalid_aggregate', names.length ? `the aggregate cannot use ${names.join(', ')}` : 'the aggregate is invalid', { errors: problems });
  }
  return plan;
}

/** Top-level field ids the plan reads, for field permissions. */
export function planFieldIds(plan: AggregatePlan): string[] {
  const ids = [...plan.dimensions.map((d) => d.field), ...plan.measures.flatMap((m) => (m.field ? [m.field] : []))].flatMap((f) => (f.permissionId ? [f.permissionId] : []));
  return [...new Set(ids)];
}
