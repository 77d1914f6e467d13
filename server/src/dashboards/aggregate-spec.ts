import { BUCKETS, type Bucket } from './time-buckets.ts';

export const METRIC_OPS = ['count', 'sum', 'avg', 'min', 'max', 'distinct'] as const;
export type MetricOp = (typeof METRIC_OPS)[number];

export const MAX_GROUP_BY = 3;
export const MAX_METRICS = 10;
export const DEFAULT_GROUP_LIMIT = 1000;
export const MAX_GROUP_LIMIT = 10_000;

const fieldRef = { type: 'string', minLength: 1, maxLength: 130, pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?$' } as const;
/** Output column names: letters, digits, `_` and `.` (so the default `sum_items.qty` is one). */
const keyName = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z_][A-Za-z0-9_.]*$' } as const;

export const groupBySchema = {
  type: 'array',
  maxItems: MAX_GROUP_BY,
  items: {
    type: 'object',
    required: ['field'],
    additionalProperties: false,
    properties: { field: fieldRef, bucket: { type: 'string', enum: BUCKETS }, as: keyName },
  },
} as const;

export const metricsSchema = {
  type: 'array',
  minItems: 1,
  maxItems: MAX_METRICS,
  items: {
    type: 'object',
    required: ['op'],
    additionalProperties: false,
    properties: { op: { type: 'string', enum: METRIC_OPS }, field: fieldRef, as: keyName },
  },
} as const;

/** `-count,stage`: output keys, `-` for descending. */
export const sortSchema = { type: 'string', maxLength: 1000 } as const;

export const aggregateBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    groupBy: groupBySchema,
    metrics: metricsSchema,
    filter: { type: 'object' },
    sort: sortSchema,
    limit: { type: 'integer', minimum: 1, maximum: MAX_GROUP_LIMIT },
  },
} as const;

export interface GroupBySpec {
  field: string;
  bucket?: Bucket;
  as?: string;
}

export interface MetricSpec {
  op: MetricOp;
  field?: string;
  as?: string;
}

/** What to compute: the body of `POST .../aggregate` and the query part of a chart widget. */
export interface AggregateSpec {
  groupBy?: GroupBySpec[];
  metrics?: MetricSpec[];
  filter?: unknown;
  sort?: string;
  limit?: number;
}

/**
 * The stable name of a metric's column: `as` when given, else `count` for a plain count and `<op>_<field>`
 * otherwise (`sum_amount`, `avg_amount`, `distinct_customer`, `sum_items.qty`, `count_phone` for non-empty values).
 */
export function metricKey(metric: MetricSpec): string {
  if (metric.as) return metric.as;
  return metric.field ? `${metric.op}_${metric.field}` : metric.op;
}

/** The name of a group column: `as` when given, else the field reference (`stage`, `items.product`, `createdAt`). */
export function groupKey(group: GroupBySpec): string {
  return group.as ?? group.field;
}
