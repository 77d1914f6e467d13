import type { TenantDb } from '../platform/tenant-db.ts';
import type { Store } from '../store/port.ts';

/**
 * One document per tenant and installed template part (crm, erp, oa, finance; the suite adds a marker of its own).
 * The id includes the tenant so the primary key itself refuses a second (or a concurrent) install.
 */
export const TEMPLATE_INSTALLS = 'template_installs';

export interface InstallDoc {
  _id: string;
  tenantId?: string;
  key: string;
  version: string;
  /** The template the user installed (`suite` for its parts). */
  via: string;
  status: 'installing' | 'installed';
  installedAt: string;
  installedBy: string;
  apps: Record<string, string>;
  forms: Record<string, string>;
  roles: Record<string, string>;
  ledgers: Record<string, string>;
  automations: Record<string, string>;
  dashboards: Record<string, string>;
  /** Per form key, the field paths left out because their target form was not installed yet. */
  deferred: Record<string, string[]>;
  [key: string]: unknown;
}

export const installId = (tenantId: string, key: string) => `${tenantId}:${key}`;

/** One install at a time per tenant: installs wire each other's forms, so two at once could lose an update. */
export const INSTALL_LOCKS = 'template_install_locks';
/** A lock this old belongs to a process that died mid-install (an install takes seconds); it may be taken over. */
export const STALE_LOCK_MS = 10 * 60_000;

export async function installsOf(db: TenantDb): Promise<InstallDoc[]> {
  return db.collection<InstallDoc>(TEMPLATE_INSTALLS).find({}, { sort: { installedAt: 1, _id: 1 } });
}

export async function ensureTemplateIndexes(store: Store) {
  await store.collection(TEMPLATE_INSTALLS).createIndex({ keys: { tenantId: 1, key: 1 }, name: 'installs_by_key' });
}
