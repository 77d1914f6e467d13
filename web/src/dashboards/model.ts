// Dashboards (仪表盘) as `GET /dashboards/:id` answers them; the server's model is in server/src/dashboards/model.ts.
import type { Condition, Localized } from '../api/types.ts';

export const WIDGET_TYPES = ['metric', 'bar', 'line', 'pie', 'funnel', 'pivot', 'table'] as const;
export type WidgetType = (typeof WIDGET_TYPES)[number];

export const METRIC_OPS = ['count', 'sum', 'avg', 'min', 'max', 'distinct'] as const;
export type MetricOp = (typeof METRIC_OPS)[number];
/** Ops that need a number field. */
export const NUMERIC_OPS = new Set<MetricOp>(['sum', 'avg', 'min', 'max']);

export const BUCKETS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type Bucket = (typeof BUCKETS)[number];

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

export type WidgetSource = { formId: string } | { ledgerId: string };

export interface WidgetLayout {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface WidgetDef {
  id: string;
  type: WidgetType;
  title?: Localized;
  source: WidgetSource;
  groupBy?: GroupBySpec[];
  metrics?: MetricSpec[];
  filter?: Condition;
  sort?: string;
  limit?: number;
  columns?: string[];
  layout: WidgetLayout;
  options?: Record<string, unknown>;
}

/** One entry of the filter bar; widgets apply it to `fields[widgetId]`, else `field`, else the key itself. */
export interface DashboardFilterDef {
  key: string;
  label: Localized;
  field?: string;
  fields?: Record<string, string | null>;
  input?: string;
}

export interface Dashboard {
  id: string;
  appId: string;
  name: Localized;
  description?: Localized;
  filters: DashboardFilterDef[];
  widgets: WidgetDef[];
  version: number;
  updatedAt?: string;
}

export type WidgetResult =
  | { rows: Record<string, unknown>[]; total: number; groups?: string[]; metrics?: string[] }
  | { error: { status: number; code: string; title: string } };

export interface FormDrill {
  formId: string;
  filter: Condition | null;
  path: string;
}

export type DrillTarget = FormDrill | { ledgerId: string; sources: (FormDrill & { sign: 1 | -1 })[] };

/** The grid is 12 columns wide; a widget's height counts rows of this many pixels. */
export const GRID_COLUMNS = 12;
export const ROW_HEIGHT = 56;

/** How many group-by fields each widget type takes, as the server checks it. */
export const GROUP_LIMITS: Record<WidgetType, [number, number]> = {
  metric: [0, 0],
  pie: [1, 1],
  funnel: [1, 1],
  bar: [1, 2],
  line: [1, 2],
  pivot: [1, 3],
  table: [0, 0],
};

export const metricKey = (m: MetricSpec) => m.as ?? (m.field ? `${m.op}_${m.field}` : m.op);
export const groupKey = (g: GroupBySpec) => g.as ?? g.field;
export const isLedger = (s: WidgetSource): s is { ledgerId: string } => 'ledgerId' in s;
export const hasError = (r: WidgetResult | undefined): r is { error: { status: number; code: string; title: string } } => Boolean(r && 'error' in r);
