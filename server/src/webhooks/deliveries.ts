import type { Services } from '../platform/context.ts';
import { TenantDb } from '../platform/tenant-db.ts';
import { newId } from '../platform/ids.ts';
import { writeOutbox } from '../queue/index.ts';
import type { JobInfo, OutboxJob } from '../queue/port.ts';
import { signatureOf } from './signing.ts';
import {
  DEFAULT_BACKOFF_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_TIMEOUT_MS,
  JOB_WEBHOOK,
  WEBHOOK_DELIVERIES,
  WEBHOOKS,
  type DeliveryAttempt,
  type DeliveryDoc,
  type DeliveryJob,
  type WebhookDoc,
} from './model.ts';

export interface DeliverySpec {
  webhookId: string | null;
  origin: DeliveryDoc['origin'];
  event: string;
  url: string;
  method?: DeliveryDoc['method'];
  headers?: Record<string, string>;
  body: string;
  secret?: string | null;
  maxAttempts?: number;
  backoffMs?: number;
  timeoutMs?: number;
  automationId?: string;
  runId?: string;
  formId?: string;
  recordId?: string;
  /** A stable id makes re-recording the same delivery (a redelivered automation run) a no-op. */
  id?: string;
}

export function deliveryJob(tenantId: string, d: Pick<DeliveryDoc, '_id' | 'maxAttempts' | 'backoffMs'>, redelivery?: number): OutboxJob<DeliveryJob> {
  return {
    name: JOB_WEBHOOK,
    payload: { tenantId, deliveryId: d._id, ...(redelivery ? { redelivery } : {}) },
    options: { jobId: redelivery ? `${d._id}.r${redelivery}` : d._id, attempts: d.maxAttempts, backoff: { type: 'exponential', delay: d.backoffMs } },
  };
}

/** Record a delivery and its job in the caller's unit of work: it is sent after commit, or never if the write fails. */
export async function recordDelivery(tx: TenantDb, spec: DeliverySpec, now = new Date().toISOString()): Promise<DeliveryDoc> {
  const doc: DeliveryDoc = {
    _id: spec.id ?? newId(),
    webhookId: spec.webhookId,
    origin: spec.origin,
    ...(spec.automationId ? { automationId: spec.automationId } : {}),
    ...(spec.runId ? { runId: spec.runId } : {}),
    event: spec.event,
    url: spec.url,
    method: spec.method ?? 'POST',
    headers: spec.headers ?? {},
    body: spec.body,
    ...(spec.secret ? { secret: spec.secret } : {}),
    status: 'pending',
    attempts: [],
    attemptCount: 0,
    maxAttempts: spec.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    backoffMs: spec.backoffMs ?? DEFAULT_BACKOFF_MS,
    timeoutMs: spec.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    redeliveries: 0,
    ...(spec.formId ? { formId: spec.formId } : {}),
    ...(spec.recordId ? { recordId: spec.recordId } : {}),
    createdAt: now,
  };
  await tx.collection<DeliveryDoc>(WEBHOOK_DELIVERIES).insertOne(doc);
  await writeOutbox(tx.rawSession, [deliveryJob(tx.tenantId, doc)]);
  return doc;
}

const RESPONSE_SNIPPET = 500;

/** One HTTP attempt. Redirects are not followed: a delivery goes to the configured URL and nowhere else. */
export async function sendOnce(d: Pick<DeliveryDoc, '_id' | 'event' | 'url' | 'method' | 'headers' | 'body' | 'timeoutMs'>, secret: string | null | undefined, n: number): Promise<DeliveryAttempt> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    ...d.headers,
    'content-type': 'application/json',
    'user-agent': 'Qiao-Webhooks/1',
    'x-qiao-delivery': d._id,
    'x-qiao-event': d.event,
    'x-qiao-timestamp': timestamp,
  };
  if (secret) headers['x-qiao-signature'] = signatureOf(secret, timestamp, d.body);
  const started = performance.now();
  const at = new Date().toISOString();
  try {
    const res = await fetch(d.url, { method: d.method, headers, body: d.body, redirect: 'manual', signal: AbortSignal.timeout(d.timeoutMs) });
    const text = await res.text().catch(() => '');
    const ok = res.status >= 200 && res.status < 300;
    return {
      n,
      at,
      status: res.status,
      ok,
      ...(ok ? {} : { error: `the receiver answered ${res.status}` }),
      durationMs: Math.round(performance.now() - started),
      ...(text ? { response: text.slice(0, RESPONSE_SNIPPET) } : {}),
    };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const error = e.name === 'TimeoutError' ? `no answer within ${d.timeoutMs} ms` : `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`;
    return { n, at, status: null, ok: false, error, durationMs: Math.round(performance.now() - started) };
  }
}

export class DeliveryFailed extends Error {}

/** The queue handler: send, log the attempt, and let the queue retry with backoff until the last attempt fails. */
export function deliveryHandler(services: Services) {
  return async (job: JobInfo<DeliveryJob>) => {
    const { tenantId, deliveryId, redelivery } = job.payload;
    const db = new TenantDb(services.store, tenantId);
    const deliveries = db.collection<DeliveryDoc>(WEBHOOK_DELIVERIES);
    const d = await deliveries.findOne({ _id: deliveryId });
    if (!d || d.status === 'delivered') return;
    // A failed delivery only goes out again when an admin asks for it (a new job with `redelivery`).
    if (d.status === 'failed' && (redelivery ?? 0) <= 0) return;
    if (redelivery && redelivery !== d.redeliveries) return;
    let secret = d.secret;
    if (d.webhookId) {
      const hook = await db.collection<WebhookDoc>(WEBHOOKS).findOne({ _id: d.webhookId });
      if (!hook) {
        await deliveries.updateOne({ _id: d._id }, { $set: { status: 'failed', failedAt: new Date().toISOString() } });
        return;
      }
      secret = hook.secret;
    }
    const attempt = await sendOnce(d, secret, d.attemptCount + 1);
    const last = job.attempt >= d.maxAttempts;
    const status = attempt.ok ? 'delivered' : last ? 'failed' : 'retrying';
    const set: Record<string, unknown> = { status };
    if (attempt.ok) set.deliveredAt = attempt.at;
    if (status === 'failed') set.failedAt = attempt.at;
    await deliveries.updateOne({ _id: d._id }, { $set: set, $push: { attempts: attempt }, $inc: { attemptCount: 1 } });
    if (status === 'retrying') throw new DeliveryFailed(`delivery ${d._id} attempt ${job.attempt}: ${attempt.error}`);
  };
}
