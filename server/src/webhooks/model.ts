/**
 * Outbound webhooks: every data change (API, batch, import and automation writes alike) becomes a delivery,
 * recorded in the write's unit of work and sent by the queue with retries, signed with the webhook's secret.
 * Automations' `webhook` and chat `notify` actions use the same deliveries.
 */

export const WEBHOOKS = 'webhooks';
export const WEBHOOK_DELIVERIES = 'webhook_deliveries';
export const JOB_WEBHOOK = 'webhook.deliver';

export const WEBHOOK_EVENTS = ['record.created', 'record.updated', 'record.deleted', 'record.restored'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const DEFAULT_MAX_ATTEMPTS = 6;
export const DEFAULT_BACKOFF_MS = 10_000;
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface WebhookDoc {
  _id: string;
  tenantId?: string;
  name?: string;
  url: string;
  /** HMAC-SHA256 key; shown to the admin when the webhook is created. */
  secret: string;
  /** Only changes of these forms (all forms when absent). */
  formIds?: string[];
  /** Only these events (all when absent). */
  events?: WebhookEvent[];
  enabled: boolean;
  maxAttempts: number;
  backoffMs: number;
  timeoutMs: number;
  createdAt: string;
  createdBy: string;
  [key: string]: unknown;
}

export interface DeliveryAttempt {
  n: number;
  at: string;
  /** HTTP status, or null when no answer came (timeout, refused connection). */
  status: number | null;
  ok: boolean;
  error?: string;
  durationMs: number;
  response?: string;
}

export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'failed';

export interface DeliveryDoc {
  _id: string;
  tenantId?: string;
  /** The webhook this delivery belongs to; null for an automation's call. */
  webhookId: string | null;
  origin: 'webhook' | 'automation';
  automationId?: string;
  runId?: string;
  event: string;
  url: string;
  method: 'POST' | 'PUT' | 'PATCH';
  headers: Record<string, string>;
  /** The exact bytes sent (and signed), fixed when the change happened so redeliveries are identical. */
  body: string;
  /** Signing key of an automation's call (a webhook's own key is read from the webhook at send time). */
  secret?: string | null;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  attemptCount: number;
  maxAttempts: number;
  backoffMs: number;
  timeoutMs: number;
  redeliveries: number;
  formId?: string;
  recordId?: string;
  createdAt: string;
  deliveredAt?: string;
  failedAt?: string;
  [key: string]: unknown;
}

export interface DeliveryJob {
  tenantId: string;
  deliveryId: string;
  redelivery?: number;
}

export const publicWebhook = (w: WebhookDoc, withSecret = false) => ({
  id: w._id,
  name: w.name ?? null,
  url: w.url,
  formIds: w.formIds ?? null,
  events: w.events ?? null,
  enabled: w.enabled,
  maxAttempts: w.maxAttempts,
  backoffMs: w.backoffMs,
  timeoutMs: w.timeoutMs,
  createdAt: w.createdAt,
  ...(withSecret ? { secret: w.secret } : { secretHint: `${w.secret.slice(0, 10)}…` }),
});

export const publicDelivery = (d: DeliveryDoc) => ({
  id: d._id,
  webhookId: d.webhookId,
  origin: d.origin,
  automationId: d.automationId ?? null,
  runId: d.runId ?? null,
  event: d.event,
  url: d.url,
  status: d.status,
  attempts: d.attempts,
  attemptCount: d.attemptCount,
  maxAttempts: d.maxAttempts,
  redeliveries: d.redeliveries,
  formId: d.formId ?? null,
  recordId: d.recordId ?? null,
  body: d.body,
  createdAt: d.createdAt,
  deliveredAt: d.deliveredAt ?? null,
  failedAt: d.failedAt ?? null,
});
