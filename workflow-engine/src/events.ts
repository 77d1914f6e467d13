
export const TASK_ACTIONS = ['approve', 'reject', 'sendBack', 'transfer', 'addSigner', 'comment', 'urge', 'submit'] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];
export const SIGNER_POSITIONS = ['before', 'after', 'parallel'] as const;
export type SignerPosition = (typeof SIGNER_POSITIONS)[number];

/** `POST /tasks/:taskId/actions`, after authentication. */
export interface TaskActionEvent {
  type: 'task';
  taskId: string;
  actorId: string;
  action: TaskAction | (string & {});
  comment?: string;
  data?: Record<string, unknown>;
  toNodeId?: string;
  toMemberId?: string;
  memberIds?: string[];
  position?: SignerPosition | (string & {});
  /** The host checked that the actor holds a current delegation (委托) from the assignee. */
  delegated?: boolean;
}

export interface WithdrawEvent {
  type: 'withdraw';
  actorId: string;
  comment?: string;
}

export interface TimerFiredEvent {
  type: 'timerFired';
  timerId: string;
}

export interface AutomationDoneEvent {
  type: 'automationDone';
  jobId: string;
}

export interface AutomationFailedEvent {
  type: 'automationFailed';
  jobId: string;
  error?: string;
}

export interface SubprocessFinishedEvent {
  type: 'subprocessFinished';
  subprocessId: string;
  outcome: 'approved' | 'rejected' | 'withdrawn' | 'terminated' | 'failed';
  reason?: string;
}

export type AdminEvent =
  | { type: 'admin'; action: 'reassign'; actorId: string; taskId: string; toMemberId: string; comment?: string }
  | { type: 'admin'; action: 'jumpTo'; actorId: string; nodeId: string; comment?: string }
  | { type: 'admin'; action: 'terminate'; actorId: string; comment?: string }
  | { type: 'admin'; action: 'reactivate'; actorId: string; nodeId?: string; comment?: string };

/** Sent by the host's sweeper for a state `diagnose` reports as stuck. */
export interface RepairEvent {
  type: 'repair';
}

export type WorkflowEvent =
  | TaskActionEvent
  | WithdrawEvent
  | TimerFiredEvent
  | AutomationDoneEvent
  | AutomationFailedEvent
  | SubprocessFinishedEvent
  | AdminEvent
  | RepairEvent;

