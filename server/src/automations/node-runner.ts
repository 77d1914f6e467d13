import type { WorkflowEvent } from '@qiao/workflow-engine';
import type { Services } from '../platform/context.ts';
import { TenantDb } from '../platform/tenant-db.ts';
import { ApiError } from '../http/problem.ts';
import type { JobInfo } from '../queue/port.ts';
import { recordsCollection } from '../forms/store.ts';
import type { RecordDoc } from '../records/service.ts';
import { AUTOMATION_JOB_ATTEMPTS, type AutomationJob, type WorkflowRuntime } from '../workflow/runtime.ts';
import type { InstanceDoc } from '../workflow/store.ts';
import { sendOnce } from '../webhooks/index.ts';
import { ActionExecutor, evalObject, RunState } from './executor.ts';
import { AUTOMATION_LINEAGE, AUTOMATION_RUNS, type Action, type RunDoc } from './model.ts';
import { describeError, isPermanent, summaryOf, withoutRolledBackIds } from './runner.ts';
import { recordScopeOf, triggerScope } from './scope.ts';
import { tenantTimeZone } from './tenant-time.ts';

class AlreadyFinished extends Error {}

/**
 * The handler of the workflow `automation` node's job (`wf.automation`): runs the node's action with the same
 * executor as automations, logs it as a run (so it shows in the record's integration log), then tells the
 * instance `automationDone` or `automationFailed`. The result is recorded before it is reported, so a
 * redelivered job reports the same outcome again instead of acting twice.
 */
export class WorkflowNodeRunner {
  constructor(
    private readonly services: Services,
    private readonly executor: ActionExecutor,
    private readonly workflow: WorkflowRuntime,
  ) {}

  private async report(db: TenantDb, instanceId: string, event: WorkflowEvent) {
    try {
      await this.workflow.dispatch(db, instanceId, event);
    } catch (err) {
      // A stale result (the instance moved on, was withdrawn or terminated) is refused by the engine: nothing to do.
      if (err instanceof ApiError && err.status < 500 && err.code !== 'busy') return;
      throw err;
    }
  }

  readonly handle = async (job: JobInfo<AutomationJob>) => {
    const { tenantId, instanceId, jobId, nodeId } = job.payload;
    const action = job.payload.action as unknown as Action;
    const db = new TenantDb(this.services.store, tenantId);
    const runs = db.collection<RunDoc>(AUTOMATION_RUNS);
    const runId = `wf.${jobId}`;
    const done = () => this.report(db, instanceId, { type: 'automationDone', jobId });
    const failed = (error: string) => this.report(db, instanceId, { type: 'automationFailed', jobId, error });

    const existing = await runs.findOne({ _id: runId });
    if (existing?.status === 'succeeded') return done();
    if (existing?.status === 'failed') return failed(existing.error ?? 'failed');
    const instance = await db.collection<InstanceDoc>('wf_instances').findOne({ _id: instanceId }, { projection: { state: 0 } });
    if (!instance) return;
    const record = await db.collection<RecordDoc>(recordsCollection(instance.formId)).findOne({ _id: instance.recordId });
    const lineage = record ? await db.collection(AUTOMATION_LINEAGE).findOne({ _id: record._id }) : null;
    const depth = typeof lineage?.depth === 'number' ? lineage.depth : 0;
    const startedAt = new Date();
    if (!existing) {
      const doc: RunDoc = {
        _id: runId,
        automationId: `wf:${instance.formId}:${nodeId}`,
        appId: instance.appId,
        automationName: `workflow node ${nodeId}`,
        status: 'running',
        trigger: { kind: 'workflowAutomationNode', formId: instance.formId, recordId: instance.recordId, instanceId, nodeId },
        inputs: { record: record ? recordScopeOf(record) : null },
        depth,
        actorId: instance.initiatorId,
        initiatorId: instance.initiatorId,
        actions: [],
        triggerRecords: [{ formId: instance.formId, recordId: instance.recordId }],
        createdRecords: [],
        changedRecords: [],
        deletedRecords: [],
        recordIds: [instance.recordId],
        deliveryIds: [],
        attempts: 0,
        retries: 0,
        createdAt: startedAt.toISOString(),
      };
      try {
        await runs.insertOne(doc);
      } catch {
        /* a concurrent delivery of the same job inserted it */
      }
    }
    await runs.updateOne({ _id: runId, status: { $nin: ['succeeded', 'failed'] } }, { $set: { status: 'running', startedAt: startedAt.toISOString() }, $inc: { attempts: 1 } });
    const ctx = { now: startedAt, timeZone: await tenantTimeZone(this.services.store, tenantId), userId: instance.initiatorId };
    const scope = triggerScope(record ? recordScopeOf(record) : {}, null);
    const elapsed = () => Date.now() - startedAt.getTime();
    const last = job.attempt >= AUTOMATION_JOB_ATTEMPTS;

    if (action.kind === 'webhook') {
      // The node waits for the call itself, so it is made here (outside any transaction), not queued as a delivery.
      let body: unknown;
      try {
        body = action.body ? evalObject(action.body, scope, ctx) : { instanceId, nodeId, record: scope.record ?? null };
      } catch (err) {
        if (!isPermanent(err)) throw err;
        const { error, errors } = describeError(err);
        await runs.updateOne({ _id: runId }, { $set: { status: 'failed', error, errors, finishedAt: new Date().toISOString(), durationMs: elapsed() } });
        return failed(error);
      }
      const attempt = await sendOnce(
        { _id: runId, event: 'workflow.automation', url: String(action.url), method: action.method ?? 'POST', headers: action.headers ?? {}, body: JSON.stringify(body), timeoutMs: 10_000 },
        action.secret,
        job.attempt,
      );
      const result = { index: 0, kind: 'webhook', status: attempt.ok ? ('done' as const) : ('failed' as const), ...(attempt.error ? { error: attempt.error } : {}) };
      const status = attempt.ok ? 'succeeded' : last ? 'failed' : 'retrying';
      await runs.updateOne({ _id: runId }, { $set: { status, actions: [result], error: attempt.error ?? null, finishedAt: new Date().toISOString(), durationMs: elapsed() } });
      if (attempt.ok) return done();
      if (last) return failed(attempt.error ?? 'the webhook failed');
      throw new Error(attempt.error ?? 'the webhook failed');
    }

    const state = new RunState(runId, `wf:${instance.formId}:${nodeId}`, depth, instance.initiatorId, instance.initiatorId, ctx, instance.formId);
    try {
      await db.transaction(async (tx) => {
        state.begin(tx);
        await this.executor.run(state, [action], scope);
        const res = await tx.collection<RunDoc>(AUTOMATION_RUNS).updateOne(
          { _id: runId, status: { $nin: ['succeeded', 'failed'] } },
          { $set: { status: 'succeeded', ...summaryOf(state), recordIds: [...new Set([instance.recordId, ...state.recordIds])], error: null, finishedAt: new Date().toISOString(), durationMs: elapsed() } },
        );
        if (res.matchedCount === 0) throw new AlreadyFinished();
      });
      this.services.notifyOutbox();
    } catch (err) {
      if (err instanceof AlreadyFinished) return done();
      const final = isPermanent(err) || last;
      const { error, errors } = describeError(err);
      await runs.updateOne(
        { _id: runId, status: { $nin: ['succeeded', 'failed'] } },
        { $set: { status: final ? 'failed' : 'retrying', actions: state.results.map(withoutRolledBackIds), error, errors, finishedAt: new Date().toISOString(), durationMs: elapsed() } },
      );
      if (!final) throw err;
      return failed(error);
    }
    return done();
  };
}
