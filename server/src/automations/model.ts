/**
 * Automations (智能助手): a trigger, an optional condition and ordered actions, owned by an app.
 * Every firing is a run in `automation_runs` (the integration log 对接日志), created in the unit of work of
 * whatever fired it and executed by the queue.
 */

export const AUTOMATIONS = 'automations';
export const AUTOMATION_RUNS = 'automation_runs';
/** Depth at which an automation created each record, for triggers that fire later (workflow outcomes). */
export const AUTOMATION_LINEAGE = 'automation_lineage';
export const JOB_AUTOMATION_RUN = 'automation.run';

/** A write this many automation hops away from a person's write does not trigger automations any more. */
export const MAX_DEPTH = 5;
/** Attempts of a run job before the run is marked failed (validation errors fail at once). */
export const RUN_ATTEMPTS = 5;
export const RUN_BACKOFF_MS = 1000;

export const TRIGGER_KINDS = ['recordCreated', 'recordUpdated', 'recordDeleted', 'workflowFinished', 'workflowNode', 'schedule', 'button'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

export const ACTION_KINDS = ['createRecord', 'updateRecords', 'upsertRecord', 'deleteRecords', 'queryRecords', 'startWorkflow', 'notify', 'webhook', 'updateRecord'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export const WORKFLOW_OUTCOMES = ['approved', 'rejected', 'withdrawn', 'terminated', 'failed'] as const;

export interface Trigger {
  kind: TriggerKind;
  formId?: string;
  /** recordUpdated: only when one of these fields changes. */
  fields?: string[];
  /** workflowFinished: only these outcomes (any when absent). */
  outcome?: string | string[];
  /** workflowNode: the node entered. */
  nodeId?: string;
  /** schedule: a cron expression (5 fields, or 6 with seconds first) in the tenant's time zone. */
  cron?: string;
  /** schedule over a form: only records matching this condition. */
  filter?: unknown;
  /** schedule by date: fire for records whose `dateField` is `offsetDays` away (−3 = three days before). */
  dateField?: string;
  offsetDays?: number;
  /** schedule by date: time of day `HH:mm` (default 09:00) when no cron is given. */
  time?: string;
  /** button: its label. */
  label?: unknown;
}

/** A mapping value: a formula (text), a literal (`{ value }`, numbers, booleans) or subform rows from a list. */
export type MappingValue = string | number | boolean | null | { value: unknown } | { from: string; columns: Record<string, MappingValue> };

export interface Action {
  kind: ActionKind;
  /** Name under which later actions see the result (`order.id`, `SUM(stock.balance)`). */
  id?: string;
  name?: string;
  /** A formula: the action runs only when it is true. */
  when?: string;
  /** Run once per row of this subform (of the trigger record), with the row's columns in scope. */
  forEachRow?: string;
  formId?: string;
  ledgerId?: string;
  mapping?: Record<string, MappingValue>;
  /** updateRecords / upsertRecord / deleteRecords / queryRecords: which records (the list filter format; values may be `{ ref }` or `{ formula }`). */
  filter?: unknown;
  /** queryRecords on a ledger: key → formula. */
  keys?: Record<string, string>;
  sort?: string;
  limit?: number;
  /** updateRecord / startWorkflow: which record (a formula; the trigger record by default). */
  recordId?: string;
  /** notify */
  to?: { memberIds?: string[]; fields?: string[]; roleIds?: string[] };
  title?: string;
  message?: string;
  chatWebhookUrl?: string;
  /** webhook */
  url?: string;
  method?: 'POST' | 'PUT' | 'PATCH';
  headers?: Record<string, string>;
  body?: Record<string, MappingValue>;
  secret?: string;
  [key: string]: unknown;
}

export interface AutomationDoc {
  _id: string;
  tenantId?: string;
  appId: string;
  name: unknown;
  description?: unknown;
  enabled: boolean;
  trigger: Trigger;
  condition?: unknown;
  actions: Action[];
  /** Denormalized trigger for the hooks' lookups. */
  triggerKind: TriggerKind;
  triggerFormId: string | null;
  /** schedule: the next firing (epoch ms); claimed by compare-and-set so one worker fires it. */
  nextRunAt?: number | null;
  version: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  [key: string]: unknown;
}

export type RunStatus = 'pending' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'skipped';

export interface RecordRef {
  formId: string;
  recordId: string;
}

export interface ActionResult {
  index: number;
  kind: string;
  id?: string;
  name?: string;
  status: 'done' | 'skipped' | 'failed';
  /** forEachRow: the row this result is for. */
  row?: number;
  created?: RecordRef[];
  changed?: RecordRef[];
  deleted?: RecordRef[];
  count?: number;
  deliveryId?: string;
  instanceId?: string;
  reason?: string;
  error?: string;
  errors?: unknown[];
}

export interface RunTrigger {
  kind: TriggerKind | 'workflowAutomationNode';
  formId?: string;
  recordId?: string;
  recordVersion?: number;
  change?: string;
  source?: string;
  instanceId?: string;
  nodeId?: string;
  outcome?: string;
  firedAt?: string;
  actorId?: string;
}

export interface RunDoc {
  _id: string;
  tenantId?: string;
  automationId: string;
  appId: string;
  automationName?: unknown;
  status: RunStatus;
  trigger: RunTrigger;
  /** The trigger record as it was when the automation fired (what the actions' formulas read). */
  inputs: { record?: Record<string, unknown> | null; before?: Record<string, unknown> | null };
  depth: number;
  /** Who the records it creates are created by, and the initiator of their workflows. */
  actorId: string;
  initiatorId: string;
  actions: ActionResult[];
  triggerRecords: RecordRef[];
  createdRecords: RecordRef[];
  changedRecords: RecordRef[];
  deletedRecords: RecordRef[];
  /** Every record id the run touched, for the per-record integration log. */
  recordIds: string[];
  deliveryIds: string[];
  error?: string | null;
  errors?: unknown[] | null;
  attempts: number;
  retries: number;
  createdAt: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  durationMs?: number | null;
  [key: string]: unknown;
}

export interface RunJob {
  tenantId: string;
  runId: string;
}

export const publicAutomation = (a: AutomationDoc) => ({
  id: a._id,
  appId: a.appId,
  name: a.name,
  description: a.description ?? null,
  enabled: a.enabled,
  trigger: a.trigger,
  condition: a.condition ?? null,
  actions: a.actions,
  nextRunAt: a.nextRunAt ? new Date(a.nextRunAt).toISOString() : null,
  version: a.version,
  createdAt: a.createdAt,
  createdBy: a.createdBy,
  updatedAt: a.updatedAt,
});

export const publicRun = (r: RunDoc) => ({
  id: r._id,
  automationId: r.automationId,
  appId: r.appId,
  automationName: r.automationName ?? null,
  status: r.status,
  trigger: r.trigger,
  inputs: r.inputs,
  depth: r.depth,
  actorId: r.actorId,
  initiatorId: r.initiatorId,
  actions: r.actions,
  triggerRecords: r.triggerRecords,
  createdRecords: r.createdRecords,
  changedRecords: r.changedRecords,
  deletedRecords: r.deletedRecords,
  deliveryIds: r.deliveryIds,
  error: r.error ?? null,
  errors: r.errors ?? null,
  attempts: r.attempts,
  retries: r.retries,
  createdAt: r.createdAt,
  startedAt: r.startedAt ?? null,
  finishedAt: r.finishedAt ?? null,
  durationMs: r.durationMs ?? null,
});
