import type { RecordChange, RecordHook } from '../platform/context.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import { newId } from '../platform/ids.ts';
import { publicRecord, type RecordDoc } from '../records/service.ts';
import { recordDelivery } from './deliveries.ts';
import { WEBHOOKS, type WebhookDoc, type WebhookEvent } from './model.ts';

const EVENT: Record<RecordChange['kind'], WebhookEvent> = {
  created: 'record.created',
  updated: 'record.updated',
  deleted: 'record.deleted',
  restored: 'record.restored',
};

/**
 * Record hook: each matching webhook gets a delivery recorded in the write's unit of work, so a committed change
 * is always announced (the outbox survives a crash) and a refused one never is. `silent` writes are not announced:
 * it is the writer's explicit opt-out (e.g. an integration writing back what it was just told).
 */
export const webhookRecordHook: RecordHook = async (tx: TenantDb, change: RecordChange) => {
  if (change.silent) return;
  const hooks = await tx.cachedFind<WebhookDoc>(WEBHOOKS, { enabled: true });
  if (hooks.length === 0) return;
  const event = EVENT[change.kind];
  const matching = hooks.filter((h) => (!h.formIds || h.formIds.includes(change.formId)) && (!h.events || h.events.includes(event)));
  if (matching.length === 0) return;
  const occurredAt = new Date().toISOString();
  const after = change.after as RecordDoc | undefined;
  const before = change.before as RecordDoc | undefined;
  for (const hook of matching) {
    const id = newId();
    const body = JSON.stringify({
      id,
      event,
      occurredAt,
      tenantId: tx.tenantId,
      appId: change.appId,
      formId: change.formId,
      recordId: change.recordId,
      source: change.source,
      actorId: change.actorId,
      record: after && change.kind !== 'deleted' ? publicRecord(after) : null,
      ...(before ? { previous: publicRecord(before) } : {}),
    });
    await recordDelivery(
      tx,
      { id, webhookId: hook._id, origin: 'webhook', event, url: hook.url, body, maxAttempts: hook.maxAttempts, backoffMs: hook.backoffMs, timeoutMs: hook.timeoutMs, formId: change.formId, recordId: change.recordId },
      occurredAt,
    );
  }
};
