import type { Services } from '../platform/context.ts';
import { AUTOMATION_RUNS, type RunDoc } from '../automations/index.ts';
import { runJob } from '../automations/runs.ts';
import { WEBHOOK_DELIVERIES, type DeliveryDoc } from '../webhooks/index.ts';
import { deliveryJob } from '../webhooks/deliveries.ts';

/** Work older than this that still waits is checked for a lost job. */
const STALE_MS = 2 * 60_000;
const BATCH = 200;

/**
 * Runs and deliveries are recorded in the store, their jobs in the queue. If the queue loses a job (a Redis flush or
 * failover), the run would wait forever: re-enqueue the job of everything still waiting after a while. Job ids make
 * this a no-op when the job still exists, so every worker may sweep.
 */
export async function sweepLostJobs(services: Services, now = Date.now()): Promise<number> {
  const cutoffIso = new Date(now - STALE_MS).toISOString();
  let enqueued = 0;
  const runs = await services.store.collection<RunDoc>(AUTOMATION_RUNS).find({ status: { $in: ['pending', 'retrying'] }, createdAt: { $lt: cutoffIso } }, { limit: BATCH, projection: { _id: 1, tenantId: 1, retries: 1 } });
  for (const run of runs) {
    const job = runJob(run.tenantId as string, run._id, run.retries ? `${run._id}.retry${run.retries}` : run._id);
    await services.queue.enqueue(job.name, job.payload, job.options);
    enqueued++;
  }
  const deliveries = await services.store
    .collection<DeliveryDoc>(WEBHOOK_DELIVERIES)
    .find({ status: { $in: ['pending', 'retrying'] }, createdAt: { $lt: cutoffIso } }, { limit: BATCH, projection: { _id: 1, tenantId: 1, maxAttempts: 1, backoffMs: 1, redeliveries: 1 } });
  for (const d of deliveries) {
    const job = deliveryJob(d.tenantId as string, d, d.redeliveries || undefined);
    await services.queue.enqueue(job.name, job.payload, job.options);
    enqueued++;
  }
  return enqueued;
}
