import type { RecordChange, RecordHook, Services } from '../platform/context.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import { recordsCollection, type FormDoc } from '../forms/store.ts';
import type { RecordDoc } from '../records/service.ts';
import type { InstanceDoc } from '../workflow/store.ts';
import type { WorkflowFinishedHook, WorkflowNodeHook } from '../workflow/runtime.ts';
import { AUTOMATION_LINEAGE, AUTOMATIONS, MAX_DEPTH, type AutomationDoc, type RunTrigger, type TriggerKind } from './model.ts';
import { recordRun } from './runs.ts';
import { conditionHolds, recordScopeOf, triggerScope, type EvalContext } from './scope.ts';
import { tenantTimeZone } from './tenant-time.ts';

export interface Logger {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

const RECORD_TRIGGERS: Partial<Record<RecordChange['kind'], TriggerKind>> = {
  created: 'recordCreated',
  updated: 'recordUpdated',
  deleted: 'recordDeleted',
};

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function depthMessage(automation: AutomationDoc, depth: number) {
  return `automation "${typeof automation.name === 'string' ? automation.name : automation._id}" was stopped: the change that fired it is ${depth} automation steps away from a person's change (limit ${MAX_DEPTH}), so an automation probably triggers itself, directly or through others`;
}

/** Turns record changes and workflow events into runs, inside the unit of work of the change. */
export class AutomationTriggers {
  constructor(
    private readonly services: Services,
    private readonly log: () => Logger,
  ) {}

  private async context(tx: TenantDb, userId?: string): Promise<EvalContext> {
    return { now: new Date(), timeZone: await tenantTimeZone(this.services.store, tx.tenantId), userId };
  }

  /** Create the run (or a failed run saying why it cannot run) for one automation and one firing. */
  private async fire(tx: TenantDb, automation: AutomationDoc, fire: { runId: string; trigger: RunTrigger; record: RecordDoc; before?: RecordDoc; depth: number; ctx: EvalContext; form: () => Promise<FormDoc | null> }) {
    const record = recordScopeOf(fire.record);
    const before = fire.before ? recordScopeOf(fire.before) : null;
    let failure: string | undefined;
    if (automation.condition !== undefined && automation.condition !== null) {
      try {
        if (!conditionHolds(automation.condition, triggerScope(record, before), await fire.form(), fire.ctx)) return;
      } catch (err) {
        failure = `the condition cannot be evaluated: ${(err as Error).message}`;
      }
    }
    if (!failure && fire.depth >= MAX_DEPTH) {
      failure = depthMessage(automation, fire.depth);
      this.log().error({ automationId: automation._id, runId: fire.runId, depth: fire.depth, tenantId: tx.tenantId }, failure);
    }
    await recordRun(tx, automation, {
      runId: fire.runId,
      trigger: fire.trigger,
      record,
      before,
      depth: fire.depth,
      actorId: fire.record.createdBy,
      initiatorId: fire.record.createdBy,
      triggerRecords: [{ formId: fire.record.formId, recordId: fire.record._id }],
      failure,
    });
  }

  readonly onRecordChange: RecordHook = async (tx, change) => {
    if (change.silent) return;
    const kind = RECORD_TRIGGERS[change.kind];
    if (!kind) return;
    const automations = await tx.cachedFind<AutomationDoc>(AUTOMATIONS, { triggerFormId: change.formId, triggerKind: kind, enabled: true });
    if (automations.length === 0) return;
    const record = (change.kind === 'deleted' ? change.before : change.after) as RecordDoc | undefined;
    if (!record) return;
    const before = change.kind === 'updated' ? (change.before as RecordDoc | undefined) : undefined;
    const ctx = await this.context(tx, change.actorId);
    let form: Promise<FormDoc | null> | undefined;
    const loadForm = () => (form ??= tx.collection<FormDoc>('forms').findOne({ _id: change.formId }));
    for (const automation of automations) {
      const fields = automation.trigger.fields ?? [];
      if (kind === 'recordUpdated' && fields.length && !fields.some((f) => !same(before?.data[f], record.data[f]))) continue;
      await this.fire(tx, automation, {
        // One automation has one trigger kind, so record and version identify the firing.
        runId: `${automation._id}.${record._id}.${record.version}`,
        trigger: { kind, formId: change.formId, recordId: record._id, recordVersion: record.version, change: change.kind, source: change.source, actorId: change.actorId },
        record,
        before,
        depth: change.depth ?? 0,
        ctx,
        form: loadForm,
      });
    }
  };

  /** How many automation steps away from a person's write a record was created (0 when a person created it). */
  private async depthOf(tx: TenantDb, recordId: string): Promise<number> {
    const lineage = await tx.collection(AUTOMATION_LINEAGE).findOne({ _id: recordId });
    return typeof lineage?.depth === 'number' ? lineage.depth : 0;
  }

  private async workflowFiring(tx: TenantDb, instance: InstanceDoc, kind: TriggerKind, match: (a: AutomationDoc) => boolean, runSuffix: (a: AutomationDoc) => string, extra: Partial<RunTrigger>) {
    const automations = (await tx.collection<AutomationDoc>(AUTOMATIONS).find({ triggerFormId: instance.formId, triggerKind: kind, enabled: true })).filter(match);
    if (automations.length === 0) return;
    const record = await tx.collection<RecordDoc>(recordsCollection(instance.formId)).findOne({ _id: instance.recordId });
    if (!record) return;
    const depth = await this.depthOf(tx, record._id);
    const ctx = await this.context(tx, instance.initiatorId);
    let form: Promise<FormDoc | null> | undefined;
    const loadForm = () => (form ??= tx.collection<FormDoc>('forms').findOne({ _id: instance.formId }));
    for (const automation of automations) {
      await this.fire(tx, automation, {
        runId: `${automation._id}.${instance._id}.${runSuffix(automation)}`,
        trigger: { kind, formId: instance.formId, recordId: record._id, recordVersion: record.version, instanceId: instance._id, ...extra },
        record,
        depth,
        ctx,
        form: loadForm,
      });
    }
  }

  readonly onWorkflowFinished: WorkflowFinishedHook = async (tx, instance, status) => {
    const wanted = (a: AutomationDoc) => {
      const outcome = a.trigger.outcome;
      if (outcome === undefined || outcome === null) return true;
      return Array.isArray(outcome) ? outcome.includes(status) : outcome === status;
    };
    await this.workflowFiring(tx, instance, 'workflowFinished', wanted, () => 'finished', { outcome: status });
  };

  readonly onWorkflowNode: WorkflowNodeHook = async (tx, instance, nodeIds) => {
    for (const nodeId of nodeIds) {
      // A node can be entered again (sent back): the instance version tells the visits apart.
      await this.workflowFiring(tx, instance, 'workflowNode', (a) => a.trigger.nodeId === nodeId, () => `${nodeId}.${instance.version}`, { nodeId });
    }
  };
}
