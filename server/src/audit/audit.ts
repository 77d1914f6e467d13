import type { Caller } from '../platform/context.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import type { Store } from '../store/port.ts';
import { newId } from '../platform/ids.ts';

/** What an audited action touched, e.g. `{ type: 'member', id }`. */
export interface AuditTarget {
  type: string;
  id: string;
  name?: unknown;
}

export interface AuditEntryDoc {
  _id: string;
  tenantId?: string;
  at: string;
  actorId: string;
  /** How the actor was signed in: a session or an API token (then `tokenId`). */
  via: Caller['via'] | 'system';
  tokenId?: string;
  action: string;
  target: AuditTarget | null;
  detail: Record<string, unknown>;
  [key: string]: unknown;
}

export const AUDIT_COLLECTION = 'audit_log';

export type AuditActor = Pick<Caller, 'userId'> & Partial<Pick<Caller, 'via' | 'sessionId'>>;

/**
 * Append one entry to the tenant's audit log (`actorOrId`: the caller, or just a user id for jobs acting for one). Pass the transaction handle when the audited change is written in
 * one, so the entry commits (or not) with it. The log is append-only: nothing in the API updates or deletes it.
 */
export async function audit(
  db: TenantDb,
  actorOrId: AuditActor | string,
  action: string,
  target: AuditTarget | Record<string, unknown> | null,
  detail: Record<string, unknown> = {},
): Promise<void> {
  const actor: AuditActor = typeof actorOrId === 'string' ? { userId: actorOrId } : actorOrId;
  const entry: AuditEntryDoc = {
    _id: newId(),
    at: new Date().toISOString(),
    actorId: actor.userId,
    via: actor.via ?? 'system',
    ...(actor.via === 'apiToken' && actor.sessionId ? { tokenId: actor.sessionId } : {}),
    action,
    target: target as AuditTarget | null,
    detail,
  };
  await db.collection<AuditEntryDoc>(AUDIT_COLLECTION).insertOne(entry);
}

export const publicAuditEntry = (e: AuditEntryDoc) => ({
  id: e._id,
  at: e.at,
  actorId: e.actorId,
  via: e.via,
  ...(e.tokenId ? { tokenId: e.tokenId } : {}),
  action: e.action,
  target: e.target,
  detail: e.detail,
});

export async function ensureAuditIndexes(store: Store) {
  const col = store.collection(AUDIT_COLLECTION);
  await col.createIndex({ keys: { tenantId: 1, at: -1, _id: -1 }, name: 'audit_by_time' });
  await col.createIndex({ keys: { tenantId: 1, actorId: 1, at: -1 }, name: 'audit_by_actor' });
  await col.createIndex({ keys: { tenantId: 1, action: 1, at: -1 }, name: 'audit_by_action' });
}
