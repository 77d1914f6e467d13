import type { TenantDb } from '../platform/tenant-db.ts';
import { writeOutbox } from '../queue/index.ts';
import type { OutboxJob } from '../queue/port.ts';
import { AUTOMATION_RUNS, JOB_AUTOMATION_RUN, RUN_ATTEMPTS, RUN_BACKOFF_MS, type AutomationDoc, type RecordRef, type RunDoc, type RunJob, type RunTrigger } from './model.ts';
import type { Scope } from './scope.ts';

export interface NewRun {
  /** Derived from what fired it (e.g. `${automationId}.${recordId}.${version}`): the same firing never makes two runs. */
  runId: string;
  trigger: RunTrigger;
  record: Scope | null;
  before?: Scope | null;
  depth: number;
  actorId: string;
  initiatorId: string;
  triggerRecords: RecordRef[];
  /** Recorded as failed without running (depth limit, a condition that cannot be evaluated). */
  failure?: string;
}

export function runJob(tenantId: string, runId: string, jobId = runId): OutboxJob<RunJob> {
  return { name: JOB_AUTOMATION_RUN, payload: { tenantId, runId }, options: { jobId, attempts: RUN_ATTEMPTS, backoff: { type: 'exponential', delay: RUN_BACKOFF_MS } } };
}

/**
 * Record a run and its job in the caller's unit of work (the trigger's own transaction): committed with the change
 * that fired it, so a crash right after the commit loses no automation. Returns false when the run already exists.
 */
export async function recordRun(tx: TenantDb, automation: AutomationDoc, run: NewRun): Promise<boolean> {
  const runs = tx.collection<RunDoc>(AUTOMATION_RUNS);
  // Checked first rather than caught: on MongoDB a failed insert aborts the surrounding transaction.
  if (await runs.findOne({ _id: run.runId }, { projection: { _id: 1 } })) return false;
  const now = new Date().toISOString();
  const doc: RunDoc = {
    _id: run.runId,
    automationId: automation._id,
    appId: automation.appId,
    automationName: automation.name,
    status: run.failure ? 'failed' : 'pending',
    trigger: run.trigger,
    inputs: { record: run.record, ...(run.before ? { before: run.before } : {}) },
    depth: run.depth,
    actorId: run.actorId,
    initiatorId: run.initiatorId,
    actions: [],
    triggerRecords: run.triggerRecords,
    createdRecords: [],
    changedRecords: [],
    deletedRecords: [],
    recordIds: run.triggerRecords.map((r) => r.recordId),
    deliveryIds: [],
    error: run.failure ?? null,
    attempts: 0,
    retries: 0,
    createdAt: now,
    ...(run.failure ? { finishedAt: now, durationMs: 0 } : {}),
  };
  await runs.insertOne(doc);
  if (!run.failure) await writeOutbox(tx.rawSession, [runJob(tx.tenantId, run.runId)]);
  return true;
}
