import type { Filter, Pipeline } from '../store/port.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import type { AggregatePlan, Dimension, Measure } from './aggregate-plan.ts';
import { datePrefixLength, datetimePrefixLength, foldBucket } from './time-buckets.ts';

export type Row = Record<string, unknown>;

export interface AggregateResult {
  rows: Row[];
  /** Groups before the limit. */
  total: number;
}

const ref = (path: string) => `$${path}`;
/** `null` for a value that is not a number, so $min/$max ignore it the way $sum and $avg do. */
const numericOnly = (path: string) => ({ $cond: [{ $isNumber: ref(path) }, ref(path), null] });
const present = (path: string) => ({ $cond: [{ $eq: [{ $ifNull: [ref(path), null] }, null] }, 0, 1] });

function dimensionExpression(d: Dimension, zone: string): unknown {
  if (!d.bucket) return ref(d.field.path);
  const length = d.field.kind === 'datetime' ? datetimePrefixLength(zone, d.bucket) : datePrefixLength(d.bucket);
  return { $substrBytes: [{ $ifNull: [ref(d.field.path), ''] }, 0, length] };
}

/**
 * Partial accumulators that merge exactly when several partial groups fold into one bucket: an average is kept
 * as a sum and a count of numbers, a distinct count as the set of values.
 */
function accumulators(m: Measure, i: number): Record<string, unknown> {
  const path = m.field?.path;
  switch (m.op) {
    case 'count':
      return { [`m${i}`]: path ? { $sum: present(path) } : { $sum: 1 } };
    case 'sum':
      return { [`m${i}`]: { $sum: ref(path!) } };
    case 'avg':
      return { [`m${i}`]: { $sum: ref(path!) }, [`n${i}`]: { $sum: { $cond: [{ $isNumber: ref(path!) }, 1, 0] } } };
    case 'min':
      return { [`m${i}`]: { $min: m.field!.kind === 'number' ? ref(path!) : numericOnly(path!) } };
    case 'max':
      return { [`m${i}`]: { $max: m.field!.kind === 'number' ? ref(path!) : numericOnly(path!) } };
    case 'distinct':
      return { [`m${i}`]: { $addToSet: ref(path!) } };
  }
}

/** The store pipeline: the scoped $match first (indexes apply), unwinds, then one $group. */
export function buildPipeline(plan: AggregatePlan, match: Filter, zone: string): Pipeline {
  const pipeline: Pipeline = [];
  if (Object.keys(match).length) pipeline.push({ $match: match });
  if (plan.subformPath) pipeline.push({ $unwind: ref(plan.subformPath) });
  for (const d of plan.dimensions) if (d.field.multi) pipeline.push({ $unwind: { path: ref(d.field.path), preserveNullAndEmptyArrays: true } });
  const group: Record<string, unknown> = {
    _id: plan.dimensions.length ? Object.fromEntries(plan.dimensions.map((d, i) => [`d${i}`, dimensionExpression(d, zone)])) : null,
  };
  plan.measures.forEach((m, i) => Object.assign(group, accumulators(m, i)));
  pipeline.push({ $group: group });
  return pipeline;
}

interface Partial {
  key: unknown[];
  values: unknown[];
  counts: number[];
  sets: Map<string, unknown>[];
}

/** Drop binary float noise (0.1 + 0.2) from sums of decimals; integers stay exact. */
const roundNoise = (x: number) => (Number.isFinite(x) && !Number.isInteger(x) ? Number(x.toPrecision(15)) : x);
const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function merge(into: Partial, m: Measure, i: number, row: Row) {
  const v = row[`m${i}`];
  switch (m.op) {
    case 'count':
    case 'sum':
      into.values[i] = (into.values[i] as number) + (isNumber(v) ? v : 0);
      break;
    case 'avg':
      into.values[i] = (into.values[i] as number) + (isNumber(v) ? v : 0);
      into.counts[i] += isNumber(row[`n${i}`]) ? (row[`n${i}`] as number) : 0;
      break;
    case 'min':
    case 'max':
      if (isNumber(v) && (into.values[i] === null || (m.op === 'min' ? v < (into.values[i] as number) : v > (into.values[i] as number)))) into.values[i] = v;
      break;
    case 'distinct':
      for (const item of Array.isArray(v) ? v : []) if (item !== null && item !== undefined && item !== '') into.sets[i].set(JSON.stringify(item), item);
      break;
  }
}

function finalValue(p: Partial, m: Measure, i: number): unknown {
  switch (m.op) {
    case 'count':
      return p.values[i];
    case 'sum':
      return roundNoise(p.values[i] as number);
    case 'avg':
      return p.counts[i] ? roundNoise((p.values[i] as number) / p.counts[i]) : null;
    case 'min':
    case 'max':
      return p.values[i];
    case 'distinct':
      return p.sets[i].size;
  }
}

/** Nulls last, numbers by value, everything else by its text. */
function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Fold the store's partial groups into the final buckets, finish the metrics, sort and cut. The work here is
 * proportional to the number of groups the store returned, never to the number of records.
 */
export function finishRows(plan: AggregatePlan, partials: Row[], zone: string): AggregateResult {
  const caches = plan.dimensions.map(() => new Map<string, string | null>());
  const groups = new Map<string, Partial>();
  for (const row of partials) {
    const id = (row._id ?? {}) as Record<string, unknown>;
    const key = plan.dimensions.map((d, i) => {
      const raw = id[`d${i}`];
      if (d.bucket) return foldBucket(raw, d.bucket, d.field.kind === 'datetime' ? zone : null, caches[i]);
      return raw === undefined ? null : raw;
    });
    const signature = JSON.stringify(key);
    let group = groups.get(signature);
    if (!group) {
      group = {
        key,
        values: plan.measures.map((m) => (m.op === 'min' || m.op === 'max' ? null : 0)),
        counts: plan.measures.map(() => 0),
        sets: plan.measures.map(() => new Map()),
      };
      groups.set(signature, group);
    }
    plan.measures.forEach((m, i) => merge(group, m, i, row));
  }
  // A metric card over no records still has a value: zero records, zero sum, no average.
  if (plan.dimensions.length === 0 && groups.size === 0) {
    groups.set('[]', { key: [], values: plan.measures.map((m) => (m.op === 'min' || m.op === 'max' ? null : 0)), counts: plan.measures.map(() => 0), sets: plan.measures.map(() => new Map()) });
  }
  const rows: Row[] = [];
  for (const group of groups.values()) {
    const row: Row = {};
    plan.dimensions.forEach((d, i) => (row[d.key] = group.key[i]));
    plan.measures.forEach((m, i) => (row[m.key] = finalValue(group, m, i)));
    rows.push(row);
  }
  const order = plan.sort.length ? plan.sort : plan.dimensions.map((d) => ({ key: d.key, dir: 1 as const }));
  if (order.length) {
    rows.sort((a, b) => {
      for (const { key, dir } of order) {
        const c = compare(a[key], b[key]);
        if (c !== 0) return a[key] === null || b[key] === null ? c : c * dir;
      }
      return 0;
    });
  }
  return { rows: rows.slice(0, plan.limit), total: rows.length };
}

/** Run a plan over `collection` restricted by `match` (which must already carry the caller's data scope). */
export async function runAggregate(db: TenantDb, collection: string, plan: AggregatePlan, match: Filter, zone: string): Promise<AggregateResult> {
  const partials = await db.collection(collection).aggregate<Row>(buildPipeline(plan, match, zone));
  return finishRows(plan, partials, zone);
}
