import type { TenantDb } from '../platform/tenant-db.ts';
import { newId } from '../platform/ids.ts';
import { audit, type AuditActor } from '../audit/audit.ts';
import { checkDashboard } from './validate.ts';
import { DASHBOARDS, type DashboardDoc, type DashboardInput } from './model.ts';

/**
 * Validate and store a dashboard of `appId` (422 naming unknown forms, ledgers and fields), audited. Pass the
 * transaction handle when forms are created in the same unit of work (a template install), so they are found.
 */
export async function createDashboard(db: TenantDb, actor: AuditActor, appId: string, input: DashboardInput): Promise<DashboardDoc> {
  const { filters, widgets } = await checkDashboard(db, input, actor.userId);
  const now = new Date().toISOString();
  const dashboard: DashboardDoc = {
    _id: newId(),
    appId,
    name: input.name,
    ...(input.description !== undefined ? { description: input.description } : {}),
    filters,
    widgets,
    version: 1,
    createdAt: now,
    createdBy: actor.userId,
    updatedAt: now,
    updatedBy: actor.userId,
  };
  await db.collection<DashboardDoc>(DASHBOARDS).insertOne(dashboard);
  await audit(db, actor, 'dashboard.create', { type: 'dashboard', id: dashboard._id, name: dashboard.name }, { appId });
  return dashboard;
}
