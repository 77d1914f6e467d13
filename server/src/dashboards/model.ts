import { localizedText } from '../apps/routes.ts';
import { groupBySchema, metricsSchema, sortSchema, MAX_GROUP_LIMIT, type GroupBySpec, type MetricSpec } from './aggregate-spec.ts';

export const DASHBOARDS = 'dashboards';

export const WIDGET_TYPES = ['metric', 'bar', 'line', 'pie', 'funnel', 'pivot', 'table'] as const;
export type WidgetType = (typeof WIDGET_TYPES)[number];

/** A detail table shows at most this many records. */
export const TABLE_ROW_LIMIT = 50;
export const MAX_WIDGETS = 50;

export type WidgetSource = { formId: string } | { ledgerId: string };

export interface WidgetDef {
  id: string;
  type: WidgetType;
  title?: unknown;
  source: WidgetSource;
  groupBy?: GroupBySpec[];
  metrics?: MetricSpec[];
  filter?: unknown;
  sort?: string;
  limit?: number;
  /** Detail tables: the fields shown (all visible fields when absent). */
  columns?: string[];
  layout: { x: number; y: number; w: number; h: number };
  options?: Record<string, unknown>;
}

/**
 * One entry of the filter bar. The client's dashboard-wide filter names entries by `key`; each widget applies it
 * to `fields[widgetId]` when given (null: not to this widget), else to `field` (default: the key itself), and
 * skips it when its source has no such field.
 */
export interface DashboardFilterDef {
  key: string;
  label: unknown;
  field?: string;
  fields?: Record<string, string | null>;
  /** A hint for the web's input (select, date range, member picker...); the server does not interpret it. */
  input?: string;
}

export interface DashboardDoc {
  _id: string;
  tenantId?: string;
  appId: string;
  name: unknown;
  description?: unknown;
  filters: DashboardFilterDef[];
  widgets: WidgetDef[];
  version: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  [key: string]: unknown;
}

const id64 = { type: 'string', minLength: 1, maxLength: 64 } as const;
const fieldRef = { type: 'string', minLength: 1, maxLength: 130, pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?$' } as const;
const cell = { type: 'integer', minimum: 0, maximum: 10_000 } as const;
const span = { type: 'integer', minimum: 1, maximum: 1000 } as const;

export const widgetSchema = {
  type: 'object',
  required: ['id', 'type', 'source', 'layout'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    type: { type: 'string', enum: WIDGET_TYPES },
    title: localizedText,
    source: {
      anyOf: [
        { type: 'object', required: ['formId'], additionalProperties: false, properties: { formId: id64 } },
        { type: 'object', required: ['ledgerId'], additionalProperties: false, properties: { ledgerId: id64 } },
      ],
    },
    groupBy: groupBySchema,
    metrics: metricsSchema,
    filter: { type: 'object' },
    sort: sortSchema,
    limit: { type: 'integer', minimum: 1, maximum: MAX_GROUP_LIMIT },
    columns: { type: 'array', maxItems: 100, items: fieldRef },
    layout: { type: 'object', required: ['x', 'y', 'w', 'h'], additionalProperties: false, properties: { x: cell, y: cell, w: span, h: span } },
    options: { type: 'object' },
  },
} as const;

const filterDefSchema = {
  type: 'object',
  required: ['label'],
  additionalProperties: false,
  properties: {
    key: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' },
    field: fieldRef,
    label: localizedText,
    fields: { type: 'object', maxProperties: 100, additionalProperties: { anyOf: [fieldRef, { type: 'null' }] } },
    input: { type: 'string', maxLength: 32 },
  },
} as const;

export const dashboardBodySchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: localizedText,
    description: localizedText,
    filters: { type: 'array', maxItems: 20, items: filterDefSchema },
    widgets: { type: 'array', maxItems: MAX_WIDGETS, items: widgetSchema },
    /** PUT only: the version the editor started from; a stale one is refused with 409. */
    version: { type: 'integer', minimum: 1 },
  },
} as const;

export interface DashboardInput {
  name: unknown;
  description?: unknown;
  filters?: (Omit<DashboardFilterDef, 'key'> & { key?: string })[];
  widgets?: WidgetDef[];
  version?: number;
}

export const publicDashboard = (d: DashboardDoc) => ({
  id: d._id,
  appId: d.appId,
  name: d.name,
  description: d.description ?? undefined,
  filters: d.filters,
  widgets: d.widgets,
  version: d.version,
  createdAt: d.createdAt,
  createdBy: d.createdBy,
  updatedAt: d.updatedAt,
  updatedBy: d.updatedBy,
});

export const isLedgerSource = (s: WidgetSource): s is { ledgerId: string } => 'ledgerId' in s;
