import type { Services } from '../platform/context.ts';
import type { Store } from '../store/port.ts';
import { deliveryHandler } from './deliveries.ts';
import { JOB_WEBHOOK, WEBHOOK_DELIVERIES, WEBHOOKS } from './model.ts';

export { registerWebhookRoutes } from './routes.ts';
export { webhookRecordHook } from './hook.ts';
export { recordDelivery, sendOnce, type DeliverySpec } from './deliveries.ts';
export { signatureOf, verifySignature } from './signing.ts';
export { JOB_WEBHOOK, WEBHOOKS, WEBHOOK_DELIVERIES, type DeliveryDoc, type WebhookDoc } from './model.ts';

export async function ensureWebhookIndexes(store: Store) {
  await store.collection(WEBHOOKS).createIndex({ keys: { tenantId: 1, enabled: 1 }, name: 'webhooks_enabled' });
  await store.collection(WEBHOOK_DELIVERIES).createIndex({ keys: { tenantId: 1, webhookId: 1, createdAt: -1 }, name: 'deliveries_by_webhook' });
  await store.collection(WEBHOOK_DELIVERIES).createIndex({ keys: { tenantId: 1, runId: 1 }, name: 'deliveries_by_run' });
}

export function registerWebhookJobs(services: Services) {
  services.queue.process(JOB_WEBHOOK, deliveryHandler(services), { concurrency: 8 });
}
