import type { FastifyInstance } from 'fastify';
import type { Services } from '../platform/context.ts';
import type { Store } from '../store/port.ts';
import { registerAggregateRoutes } from './aggregate-routes.ts';
import { registerDashboardRoutes } from './dashboard-routes.ts';
import { DASHBOARDS } from './model.ts';

export { aggregateForm } from './form-aggregate.ts';
export { checkDashboard } from './validate.ts';
export { createDashboard } from './create.ts';
export { DASHBOARDS, publicDashboard, WIDGET_TYPES, type DashboardDoc, type DashboardInput, type WidgetDef } from './model.ts';
export { METRIC_OPS, metricKey, groupKey, type AggregateSpec } from './aggregate-spec.ts';
export { BUCKETS } from './time-buckets.ts';

export async function ensureDashboardIndexes(store: Store) {
  await store.collection(DASHBOARDS).createIndex({ keys: { tenantId: 1, appId: 1, createdAt: 1 }, name: 'dashboards_by_app' });
}

/** Aggregates over forms and ledgers, and the dashboards built on them. */
export function registerDashboardModule(app: FastifyInstance, services: Services) {
  registerAggregateRoutes(app, services);
  registerDashboardRoutes(app, services);
}
