import { ConditionError } from '@qiao/form-engine';
import type { Services } from '../platform/context.ts';
import { TenantDb } from '../platform/tenant-db.ts';
import { ApiError } from '../http/problem.ts';
import type { JobInfo } from '../queue/port.ts';
import { ActionExecutor, RunState } from './executor.ts';
import { AUTOMATION_RUNS, AUTOMATIONS, RUN_ATTEMPTS, type ActionResult, type AutomationDoc, type RunDoc, type RunJob } from './model.ts';
import { ActionError, isFormulaError, triggerScope } from './scope.ts';
import { tenantTimeZone } from './tenant-time.ts';
import type { Logger } from './triggers.ts';

class AlreadyFinished extends Error {}

const RUNNABLE = ['pending', 'retrying', 'running'];

/** Errors that another attempt cannot fix (bad values, broken ledger constraints, missing forms): fail the run at once. */
export function isPermanent(err: unknown): boolean {
  if (err instanceof ActionError || err instanceof ConditionError || isFormulaError(err)) return true;
  if (err instanceof ApiError) return err.status >= 400 && err.status < 500 && err.code !== 'version_conflict' && err.code !== 'busy';
  return false;
}

export function describeError(err: unknown): { error: string; errors: unknown[] | null } {
  if (err instanceof ActionError) return { error: err.message, errors: err.errors.length ? err.errors : null };
  if (err instanceof ApiError) {
    const errors = Array.isArray(err.extra.errors) ? (err.extra.errors as unknown[]) : null;
    return { error: `${err.code}: ${err.title}`, errors };
  }
  return { error: err instanceof Error ? err.message : String(err), errors: null };
}

/** After a rollback, ids of records an action wrote point at nothing: keep what it did, drop the ids. */
export function withoutRolledBackIds(result: ActionResult): ActionResult {
  const { created, changed, deleted, deliveryId, ...rest } = result;
  const wrote = (created?.length ?? 0) + (changed?.length ?? 0) + (deleted?.length ?? 0) + (deliveryId ? 1 : 0);
  return wrote && rest.status === 'done' ? { ...rest, reason: 'rolled back: a later action failed' } : rest;
}

export function summaryOf(state: RunState) {
  return {
    actions: state.results,
    createdRecords: state.created,
    changedRecords: state.changed,
    deletedRecords: state.deleted,
    deliveryIds: state.deliveries,
  };
}

/**
 * The queue handler of `automation.run`. A run's record writes and its "succeeded" mark commit in one unit of work,
 * and that mark is conditional: a redelivered or duplicated job finds the run finished (or loses the race and
 * rolls back), so a run takes effect at most once.
 */
export class AutomationRunner {
  constructor(
    private readonly services: Services,
    private readonly executor: ActionExecutor,
    private readonly log: () => Logger,
  ) {}

  readonly handle = async (job: JobInfo<RunJob>) => {
    const { tenantId, runId } = job.payload;
    const db = new TenantDb(this.services.store, tenantId);
    const runs = db.collection<RunDoc>(AUTOMATION_RUNS);
    const run = await runs.findOne({ _id: runId });
    if (!run || !RUNNABLE.includes(run.status)) return;
    const automation = await db.collection<AutomationDoc>(AUTOMATIONS).findOne({ _id: run.automationId });
    const startedAt = new Date();
    if (!automation || !automation.enabled) {
      await runs.updateOne({ _id: runId, status: { $in: RUNNABLE } }, { $set: { status: 'skipped', error: automation ? 'the automation is disabled' : 'the automation was deleted', finishedAt: startedAt.toISOString(), durationMs: 0 } });
      return;
    }
    await runs.updateOne({ _id: runId, status: { $in: RUNNABLE } }, { $set: { status: 'running', startedAt: startedAt.toISOString() }, $inc: { attempts: 1 } });
    const ctx = { now: startedAt, timeZone: await tenantTimeZone(this.services.store, tenantId), userId: run.actorId };
    const state = new RunState(runId, automation._id, run.depth, run.actorId, run.initiatorId, ctx, automation.trigger.formId);
    const elapsed = () => Date.now() - startedAt.getTime();
    try {
      await db.transaction(async (tx) => {
        state.begin(tx);
        await this.executor.run(state, automation.actions, triggerScope(run.inputs.record, run.inputs.before));
        const finishedAt = new Date().toISOString();
        const done = await tx.collection<RunDoc>(AUTOMATION_RUNS).updateOne(
          { _id: runId, status: { $in: RUNNABLE } },
          {
            $set: { status: 'succeeded', ...summaryOf(state), recordIds: [...new Set([...run.triggerRecords.map((r) => r.recordId), ...state.recordIds])], error: null, errors: null, finishedAt, durationMs: elapsed() },
          },
        );
        if (done.matchedCount === 0) throw new AlreadyFinished();
      });
      this.services.notifyOutbox();
    } catch (err) {
      if (err instanceof AlreadyFinished) return;
      const final = isPermanent(err) || job.attempt >= RUN_ATTEMPTS;
      const { error, errors } = describeError(err);
      await runs.updateOne(
        { _id: runId, status: { $in: RUNNABLE } },
        // The records the failed attempt wrote were rolled back: the log keeps what each action did, not their ids.
        { $set: { status: final ? 'failed' : 'retrying', actions: state.results.map(withoutRolledBackIds), error, errors, finishedAt: new Date().toISOString(), durationMs: elapsed() } },
      );
      if (!final) throw err;
      this.log().warn({ automationId: automation._id, runId, tenantId, error }, 'automation run failed');
    }
  };
}
