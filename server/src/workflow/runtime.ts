import {
  currentNodeIds,
  diagnose,
  start,
  step,
  WorkflowActionError,
  type Effect,
  type InstanceState,
  type WorkflowDefinition,
  type WorkflowEvent,
} from '@qiao/workflow-engine';
import type { Caller, RecordChange, Services } from '../platform/context.ts';
import { TenantDb } from '../platform/tenant-db.ts';
import { newId } from '../platform/ids.ts';
import { ApiError, notFound } from '../http/problem.ts';
import { writeOutbox } from '../queue/index.ts';
import type { OutboxJob } from '../queue/port.ts';
import { getForm, recordsCollection, type FormDoc } from '../forms/store.ts';
import type { RecordDoc, RecordService } from '../records/service.ts';
import { loadOrgSnapshot } from '../org/snapshot.ts';
import { makeConditionEvaluator } from './conditions.ts';
import { publishedDefinition, type CcDoc, type InstanceDoc, type TaskDoc, type WorkflowDoc } from './store.ts';

export const JOB_TIMER = 'wf.timer';
export const JOB_AUTOMATION = 'wf.automation';
export const JOB_SUBPROCESS = 'wf.subprocess';
export const JOB_EVENT = 'wf.event';
/** Queue attempts of an automation node's job; its handler (server/src/automations) reports failure on the last one. */
export const AUTOMATION_JOB_ATTEMPTS = 3;

export interface TimerJob { tenantId: string; instanceId: string; timerId: string }
export interface EventJob { tenantId: string; instanceId: string; event: WorkflowEvent }
export interface SubprocessJob {
  tenantId: string;
  parentInstanceId: string;
  subprocessId: string;
  formId: string;
  initiatorId: string;
  data: Record<string, unknown>;
  async: boolean;
}
export interface AutomationJob { tenantId: string; instanceId: string; jobId: string; nodeId: string; action: Record<string, unknown> & { kind: string } }

/** Called inside the unit of work that finishes an instance (automations listen for outcomes). */
export type WorkflowFinishedHook = (tx: TenantDb, instance: InstanceDoc, status: InstanceState['status']) => Promise<void>;
/** Called inside the unit of work in which an instance enters nodes. */
export type WorkflowNodeHook = (tx: TenantDb, instance: InstanceDoc, nodeIds: string[]) => Promise<void>;

class CasConflict extends Error {}

const TERMINAL_TASK = new Set(['approved', 'rejected', 'sentBack', 'transferred', 'cancelled', 'done', 'submitted']);

/** The record as workflow conditions and assignee rules see it: its data plus system columns. */
export function recordScope(record: RecordDoc): Record<string, unknown> {
  return { ...record.data, id: record._id, createdAt: record.createdAt, createdBy: record.createdBy, updatedAt: record.updatedAt };
}

export function nodeName(definition: WorkflowDefinition, nodeId: string): string {
  const node = definition.nodes.find((n) => n.id === nodeId);
  const name = (node?.data as { name?: unknown } | undefined)?.name;
  if (typeof name === 'string') return name;
  if (name && typeof name === 'object') return String((name as Record<string, string>)['zh-CN'] ?? (name as Record<string, string>).en ?? nodeId);
  return nodeId;
}

/**
 * Applies workflow-engine steps to stored instances: load, step, then compare-and-set the instance and apply the
 * effects in one unit of work (tasks, notifications, outbox jobs for timers/automations/subprocesses, record patches).
 */
export class WorkflowRuntime {
  readonly finishedHooks: WorkflowFinishedHook[] = [];
  readonly nodeHooks: WorkflowNodeHook[] = [];
  sweepStats = { lastSweepAt: null as string | null, stuck: 0, repaired: 0 };

  constructor(
    private readonly services: Services,
    private readonly records: RecordService,
  ) {}

  /** Record hook: a record created on a form with a published workflow starts an instance in the same unit of work. */
  readonly onRecordChange = async (tx: TenantDb, change: RecordChange) => {
    if (change.kind !== 'created' || change.meta?.skipWorkflow) return;
    const [workflow] = await tx.cachedFind<WorkflowDoc>('workflows', { _id: change.formId });
    if (!workflow || workflow.publishedVersion < 1) return;
    const record = change.after as unknown as RecordDoc;
    const initiatorId = (change.meta?.initiatorId as string | undefined) ?? change.actorId;
    const instance = await this.startInstance(tx, change.formId, change.appId, workflow.publishedVersion, record, initiatorId, change.meta?.parent as InstanceDoc['parent']);
    record.instance = { id: instance._id, status: instance.status };
  };

  private async startInstance(tx: TenantDb, formId: string, appId: string, version: number, record: RecordDoc, initiatorId: string, parent?: InstanceDoc['parent']) {
    const definition = await publishedDefinition(tx, formId, version);
    const org = await loadOrgSnapshot(tx);
    const instanceId = newId();
    const now = new Date();
    const result = start(definition, { instanceId, initiatorId, record: recordScope(record), org }, now, { conditionEvaluator: makeConditionEvaluator(await getForm(tx, formId)) });
    const iso = now.toISOString();
    const instance: InstanceDoc = {
      _id: instanceId,
      formId,
      appId,
      recordId: record._id,
      workflowVersion: version,
      initiatorId,
      status: result.state.status,
      currentNodeIds: currentNodeIds(result.state),
      state: result.state,
      version: 1,
      ...(parent ? { parent } : {}),
      createdAt: iso,
      updatedAt: iso,
    };
    await tx.collection<InstanceDoc>('wf_instances').insertOne(instance);
    await tx.collection<RecordDoc>(recordsCollection(formId)).updateOne({ _id: record._id }, { $set: { instance: { id: instanceId, status: instance.status } } });
    await this.applyEffects(tx, instance, definition, result.effects, now);
    for (const hook of this.nodeHooks) await hook(tx, instance, instance.currentNodeIds);
    return instance;
  }

  /**
   * Feed one event to an instance. Racing events (two countersigners, two branches reaching a join) each
   * re-read the instance and retry on a version conflict, so the instance advances exactly once per event.
   */
  async dispatch(db: TenantDb, instanceId: string, event: WorkflowEvent): Promise<InstanceDoc | null> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const instance = await db.collection<InstanceDoc>('wf_instances').findOne({ _id: instanceId });
      if (!instance) throw notFound('instance');
      const definition = await publishedDefinition(db, instance.formId, instance.workflowVersion);
      const form = await getForm(db, instance.formId);
      const record = await db.collection<RecordDoc>(recordsCollection(instance.formId)).findOne({ _id: instance.recordId });
      const org = await loadOrgSnapshot(db);
      const now = new Date();
      let result;
      try {
        result = step(definition, instance.state, event, now, {
          org,
          conditionEvaluator: makeConditionEvaluator(form),
          ...(record ? { record: recordScope(record) } : {}),
        });
      } catch (err) {
        if (err instanceof WorkflowActionError) {
          const e = err as WorkflowActionError & { status: number; code: string; details?: Record<string, unknown> };
          const extra: Record<string, unknown> = { ...(e.details ?? {}) };
          if (e.code === 'field_not_editable' && Array.isArray(e.details?.fields)) {
            extra.errors = (e.details.fields as string[]).map((field) => ({ field, message: 'this field is not editable at this node', code: 'field_not_editable' }));
          }
          if (e.code === 'comment_required') extra.errors = [{ field: 'comment', message: e.message, code: 'comment_required' }];
          throw new ApiError(e.status, e.code, e.message, extra);
        }
        throw err;
      }
      if (!result.changed) return instance;
      const next: InstanceDoc = {
        ...instance,
        state: result.state,
        status: result.state.status,
        currentNodeIds: currentNodeIds(result.state),
        version: instance.version + 1,
        updatedAt: now.toISOString(),
      };
      try {
        await db.transaction(async (tx) => {
          const res = await tx.collection<InstanceDoc>('wf_instances').updateOne(
            { _id: instanceId, version: instance.version },
            { $set: { state: next.state, status: next.status, currentNodeIds: next.currentNodeIds, version: next.version, updatedAt: next.updatedAt } },
          );
          if (res.matchedCount === 0) throw new CasConflict();
          await this.applyEffects(tx, next, definition, result.effects, now);
          const entered = next.currentNodeIds.filter((id) => !instance.currentNodeIds.includes(id));
          if (entered.length) for (const hook of this.nodeHooks) await hook(tx, next, entered);
        });
      } catch (err) {
        if (err instanceof CasConflict) continue;
        throw err;
      }
      this.services.notifyOutbox();
      return next;
    }
    throw new ApiError(409, 'busy', 'the instance is changing too quickly; retry');
  }

  private async applyEffects(tx: TenantDb, instance: InstanceDoc, definition: WorkflowDefinition, effects: Effect[], now: Date) {
    const iso = now.toISOString();
    const jobs: OutboxJob[] = [];
    const tasks = tx.collection<TaskDoc>('wf_tasks');
    const notify = async (userIds: string[], kind: string, extra: Record<string, unknown>) => {
      if (userIds.length === 0) return;
      await tx.collection('notifications').insertMany(
        userIds.map((userId) => ({ _id: newId(), userId, kind, instanceId: instance._id, formId: instance.formId, recordId: instance.recordId, read: false, createdAt: iso, ...extra })),
      );
    };
    for (const effect of effects) {
      switch (effect.type) {
        case 'openTask': {
          const existing = await tasks.findOne({ _id: effect.taskId });
          if (existing) break; // a redelivered step never opens a task twice
          await tasks.insertOne({
            _id: effect.taskId,
            instanceId: instance._id,
            formId: instance.formId,
            recordId: instance.recordId,
            nodeId: effect.nodeId,
            nodeName: nodeName(definition, effect.nodeId),
            assigneeId: effect.assigneeId,
            initiatorId: instance.initiatorId,
            kind: effect.kind,
            status: 'open',
            createdAt: iso,
          });
          await notify([effect.assigneeId], 'task', { taskId: effect.taskId, nodeName: nodeName(definition, effect.nodeId) });
          break;
        }
        case 'cancelTask':
          await tasks.updateOne({ _id: effect.taskId }, { $set: { status: 'cancelled', closedAt: iso, reason: effect.reason } });
          break;
        case 'updateTask': {
          const set: Record<string, unknown> = { status: effect.status };
          if (effect.actorId) set.actorId = effect.actorId;
          if (TERMINAL_TASK.has(effect.status)) set.closedAt = iso;
          await tasks.updateOne({ _id: effect.taskId }, { $set: set });
          break;
        }
        case 'notify':
          if (effect.kind === 'cc' && effect.nodeId) {
            const cc: CcDoc[] = effect.recipientIds.map((memberId) => ({
              _id: `${effect.id}.${memberId}`,
              instanceId: instance._id,
              formId: instance.formId,
              recordId: instance.recordId,
              nodeId: effect.nodeId!,
              nodeName: nodeName(definition, effect.nodeId!),
              memberId,
              initiatorId: instance.initiatorId,
              createdAt: iso,
            }));
            if (cc.length) await tx.collection<CcDoc>('wf_cc').insertMany(cc);
          }
          await notify(effect.recipientIds, effect.kind, { taskId: effect.taskId, nodeId: effect.nodeId, message: effect.message });
          break;
        case 'scheduleTimer':
          jobs.push({
            name: JOB_TIMER,
            payload: { tenantId: tx.tenantId, instanceId: instance._id, timerId: effect.timerId } satisfies TimerJob,
            options: { jobId: effect.timerId, delay: Math.max(0, Date.parse(effect.at) - now.getTime()), attempts: 5, backoff: { type: 'exponential', delay: 1000 } },
          });
          break;
        case 'cancelTimer':
          break; // a fired timer checks the state and does nothing when its task is closed
        case 'runAutomation':
          jobs.push({
            name: JOB_AUTOMATION,
            payload: { tenantId: tx.tenantId, instanceId: instance._id, jobId: effect.jobId, nodeId: effect.nodeId, action: effect.action } satisfies AutomationJob,
            options: { jobId: effect.jobId, attempts: AUTOMATION_JOB_ATTEMPTS, backoff: { type: 'exponential', delay: 500 } },
          });
          break;
        case 'startSubprocess':
          jobs.push({
            name: JOB_SUBPROCESS,
            payload: { tenantId: tx.tenantId, parentInstanceId: instance._id, subprocessId: effect.subprocessId, formId: effect.formId, initiatorId: effect.initiatorId, data: effect.data, async: effect.async } satisfies SubprocessJob,
            options: { jobId: effect.subprocessId, attempts: 3, backoff: { type: 'exponential', delay: 500 } },
          });
          break;
        case 'terminateSubprocess': {
          const child = await tx.collection<InstanceDoc>('wf_instances').findOne({ 'parent.subprocessId': effect.subprocessId });
          if (child && child.status === 'running') {
            jobs.push({
              name: JOB_EVENT,
              payload: { tenantId: tx.tenantId, instanceId: child._id, event: { type: 'admin', action: 'terminate', actorId: '__system__', comment: effect.reason } } satisfies EventJob,
              options: { jobId: `${effect.id}.terminate` },
            });
          }
          break;
        }
        case 'applyRecordPatch': {
          const form = await getForm(tx, instance.formId);
          await this.records.update(tx, form, instance.recordId, effect.patch, undefined, { userId: effect.actorId }, { source: 'workflow' });
          break;
        }
        case 'finish': {
          await tx.collection<RecordDoc>(recordsCollection(instance.formId)).updateOne({ _id: instance.recordId }, { $set: { instance: { id: instance._id, status: effect.status } } });
          await notify([instance.initiatorId], 'finished', { status: effect.status, reason: effect.reason });
          if (instance.parent) {
            jobs.push({
              name: JOB_EVENT,
              payload: {
                tenantId: tx.tenantId,
                instanceId: instance.parent.instanceId,
                event: { type: 'subprocessFinished', subprocessId: instance.parent.subprocessId, outcome: effect.status, reason: effect.reason },
              } satisfies EventJob,
              options: { jobId: `${effect.id}.parent` },
            });
          }
          for (const hook of this.finishedHooks) await hook(tx, instance, effect.status);
          break;
        }
      }
    }
    if (jobs.length) await writeOutbox(tx.rawSession, jobs);
  }

  /** Register the queue handlers that drive timers, automation nodes, subprocesses and cross-instance events. */
  registerJobs() {
    const { queue, store } = this.services;
    queue.process<TimerJob>(JOB_TIMER, async ({ payload }) => {
      await this.dispatchQuietly(new TenantDb(store, payload.tenantId), payload.instanceId, { type: 'timerFired', timerId: payload.timerId });
    }, { concurrency: 4 });
    queue.process<EventJob>(JOB_EVENT, async ({ payload }) => {
      const db = new TenantDb(store, payload.tenantId);
      let event = payload.event;
      if (event.type === 'admin' && event.actorId === '__system__') {
        const org = await loadOrgSnapshot(db);
        event = { ...event, actorId: org.admins[0] ?? '__system__' };
      }
      await this.dispatchQuietly(db, payload.instanceId, event);
    }, { concurrency: 4 });
    queue.process<SubprocessJob>(JOB_SUBPROCESS, async ({ payload }) => {
      const db = new TenantDb(store, payload.tenantId);
      const already = await db.collection<InstanceDoc>('wf_instances').findOne({ 'parent.subprocessId': payload.subprocessId });
      if (already) return; // a redelivered job starts the child once
      const form = await getForm(db, payload.formId);
      try {
        await this.records.create(db, form, payload.data, { userId: payload.initiatorId }, {
          source: 'workflow',
          meta: { initiatorId: payload.initiatorId, ...(payload.async ? {} : { parent: { instanceId: payload.parentInstanceId, subprocessId: payload.subprocessId } }) },
        });
      } catch (err) {
        if (payload.async) throw err;
        const reason = err instanceof ApiError ? `${err.code}: ${err.title} ${JSON.stringify(err.extra.errors ?? '')}` : String(err);
        await this.dispatchQuietly(db, payload.parentInstanceId, { type: 'subprocessFinished', subprocessId: payload.subprocessId, outcome: 'failed', reason: `the subprocess record could not be created (${reason})` });
      }
    }, { concurrency: 2 });
  }

  /** Events from jobs: a refused event (e.g. a stale timer after an admin jump) is logged, not retried forever. */
  private async dispatchQuietly(db: TenantDb, instanceId: string, event: WorkflowEvent) {
    try {
      await this.dispatch(db, instanceId, event);
    } catch (err) {
      if (err instanceof ApiError && err.status < 500 && err.code !== 'busy') return;
      throw err;
    }
  }

  /** Find running instances that wait on nothing and repair them (health reports the count). */
  async sweep(olderThanMs = 5_000) {
    const cutoff = new Date(Date.now() - olderThanMs).toISOString();
    const running = await this.services.store.collection<InstanceDoc>('wf_instances').find({ status: 'running', updatedAt: { $lt: cutoff } }, { limit: 500 });
    let stuck = 0;
    let repaired = 0;
    for (const instance of running) {
      const db = new TenantDb(this.services.store, instance.tenantId as string);
      const definition = await publishedDefinition(db, instance.formId, instance.workflowVersion);
      const diagnosis = diagnose(definition, instance.state);
      if (!diagnosis.stuck) {
        await this.resumeLostWork(db, instance);
        continue;
      }
      stuck++;
      if (diagnosis.repair) {
        try {
          const after = await this.dispatch(db, instance._id, diagnosis.repair.event as WorkflowEvent);
          if (after && !diagnose(definition, after.state).stuck) repaired++;
        } catch {
          /* counted as stuck; reported in health */
        }
      }
    }
    this.sweepStats = { lastSweepAt: new Date().toISOString(), stuck: stuck - repaired, repaired: this.sweepStats.repaired + repaired };
    return { stuck, repaired };
  }

  /** Re-enqueue timers whose jobs vanished (e.g. a Redis flush); jobIds make this harmless when they exist. */
  private async resumeLostWork(db: TenantDb, instance: InstanceDoc) {
    const jobs: OutboxJob[] = instance.state.timers.map((t) => ({
      name: JOB_TIMER,
      payload: { tenantId: db.tenantId, instanceId: instance._id, timerId: t.timerId } satisfies TimerJob,
      options: { jobId: t.timerId, delay: Math.max(0, Date.parse(t.at) - Date.now()), attempts: 5, backoff: { type: 'exponential', delay: 1000 } },
    }));
    const status = (this.services.queue as { status?: (name: string, id: string) => Promise<string | null> }).status;
    const missing: OutboxJob[] = [];
    for (const job of jobs) {
      const s = status ? await status.call(this.services.queue, job.name, job.options!.jobId!) : 'pending';
      if (s === null) missing.push(job);
    }
    if (missing.length) {
      await db.transaction(async (tx) => writeOutbox(tx.rawSession, missing));
      this.services.notifyOutbox();
    }
  }

  /** Who may look at an instance: its initiator, anyone who held or holds a task, cc'd members, admins. */
  async canView(db: TenantDb, instance: InstanceDoc, caller: Caller) {
    if (caller.role === 'owner' || caller.role === 'admin') return true;
    if (instance.initiatorId === caller.userId) return true;
    if (instance.state.tasks.some((t) => t.assigneeId === caller.userId || t.actorId === caller.userId)) return true;
    return !!(await db.collection('wf_cc').findOne({ instanceId: instance._id, memberId: caller.userId }, { projection: { _id: 1 } }));
  }
}

export type { FormDoc };
