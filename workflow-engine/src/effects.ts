import type { InstanceStatus, TaskKind, TaskStatus } from './state.ts';
import type { TimeoutAction } from './schema.ts';

interface EffectBase {
  /** Deterministic: `${instanceId}.e${transition}.${n}`; use it as the outbox / idempotency key. */
  id: string;
}

/** A new task row (status open). */
export interface OpenTaskEffect extends EffectBase {
  type: 'openTask';
  taskId: string;
  nodeId: string;
  visitId: string;
  assigneeId: string;
  kind: TaskKind;
}

export interface CancelTaskEffect extends EffectBase {
  type: 'cancelTask';
  taskId: string;
  reason: string;
}

/** Any other task status change (a decision, a transfer, parked or reopened around added signers). */
export interface UpdateTaskEffect extends EffectBase {
  type: 'updateTask';
  taskId: string;
  status: TaskStatus;
  actorId?: string;
}

export type NotifyKind = 'cc' | 'remind' | 'urge' | 'finished';

export interface NotifyEffect extends EffectBase {
  type: 'notify';
  kind: NotifyKind;
  recipientIds: string[];
  nodeId?: string;
  taskId?: string;
  message?: string;
}

export interface ScheduleTimerEffect extends EffectBase {
  type: 'scheduleTimer';
  timerId: string;
  at: string;
  nodeId: string;
  visitId: string;
  action: TimeoutAction;
}

export interface CancelTimerEffect extends EffectBase {
  type: 'cancelTimer';
  timerId: string;
}

export interface RunAutomationEffect extends EffectBase {
  type: 'runAutomation';
  jobId: string;
  nodeId: string;
  visitId: string;
  attempt: number;
  action: Record<string, unknown> & { kind: string };
}

export interface StartSubprocessEffect extends EffectBase {
  type: 'startSubprocess';
  subprocessId: string;
  nodeId: string;
  formId: string;
  initiatorId: string;
  data: Record<string, unknown>;
  /** The parent does not wait for it (and sends no subprocessFinished). */
  async: boolean;
}

export interface TerminateSubprocessEffect extends EffectBase {
  type: 'terminateSubprocess';
  subprocessId: string;
  reason: string;
}

export interface ApplyRecordPatchEffect extends EffectBase {
  type: 'applyRecordPatch';
  patch: Record<string, unknown>;
  nodeId: string;
  taskId: string;
  actorId: string;
}

export interface FinishEffect extends EffectBase {
  type: 'finish';
  status: Exclude<InstanceStatus, 'running'>;
  reason?: string;
}

export type Effect =
  | OpenTaskEffect
  | CancelTaskEffect
  | UpdateTaskEffect
  | NotifyEffect
  | ScheduleTimerEffect
  | CancelTimerEffect
  | RunAutomationEffect
  | StartSubprocessEffect
  | TerminateSubprocessEffect
  | ApplyRecordPatchEffect
  | FinishEffect;

export type EffectType = Effect['type'];
export type EffectOf<T extends EffectType> = Extract<Effect, { type: T }>;
/** An effect before the interpreter stamps its id. */
export type EffectInput = Effect extends infer E ? (E extends Effect ? Omit<E, 'id'> : never) : never;
