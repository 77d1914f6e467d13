import type { TimeoutAction } from './schema.ts';

export type InstanceStatus = 'running' | 'approved' | 'rejected' | 'withdrawn' | 'terminated' | 'failed';

export type TaskStatus =
  | 'open'
  /** Parked while signers added "before" it decide. */
  | 'waiting'
  | 'approved'
  | 'rejected'
  | 'sentBack'
  | 'transferred'
  | 'cancelled'
  /** A fill task that was submitted. */
  | 'done'
  /** The initiator's resubmission after a send back to the start. */
  | 'submitted';

export type TaskKind = 'approval' | 'fill' | 'resubmit';

export interface Task {
  id: string;
  nodeId: string;
  visitId: string;
  kind: TaskKind;
  assigneeId: string;
  status: TaskStatus;
  /** Vote slot within the node visit; a transfer keeps the slot. */
  slot: number;
  createdAt: string;
  closedAt?: string;
  /** Who decided; "system" for automatic decisions. */
  actorId?: string;
  comment?: string;
  /** Why the system closed or decided it (timeout, dedupe, node completed, ...). */
  reason?: string;
  /** The assignee it was transferred or reassigned from. */
  fromTaskId?: string;
  /** Set on tasks of signers added before/after another task. */
  parentTaskId?: string;
  signPosition?: 'before' | 'after';
}

/** A scope frame: the token went through `splitVisitId` along branch edge `edgeId`. */
export interface ScopeFrame {
  splitVisitId: string;
  edgeId: string;
}

export type SlotOutcome = 'pending' | 'approved' | 'rejected';

export interface VoteSlot {
  assigneeId: string;
  outcome: SlotOutcome;
}

export type VisitStatus = 'active' | 'completed' | 'cancelled';

/** One activation of a node. The history of visits is the instance's path. */
export interface NodeVisit {
  id: string;
  nodeId: string;
  type: string;
  status: VisitStatus;
  enteredAt: string;
  leftAt?: string;
  /** The visit that led here; following it backwards gives the serial path (a join points at its split). */
  prevVisitId?: string;
  scope: ScopeFrame[];
  /** Entered as the target of a send back: dedupe is off for it. */
  viaSendBack?: boolean;
  /** "direct" send back return: where to go once this visit completes instead of following edges. */
  returnTo?: { nodeId: string; prevVisitId?: string; scope: ScopeFrame[] };
  outcome?: 'approved' | 'rejected' | 'sentBack' | 'done' | 'cancelled';
  /** User-task voting state. */
  slots?: VoteSlot[];
}

export interface JoinState {
  joinNodeId: string;
  splitVisitId: string;
  /** Branch edges of the split whose token has arrived. */
  arrived: string[];
  expected: string[];
  fired: boolean;
  /** The scope outside the block, restored when the join fires. */
  scope: ScopeFrame[];
}

export interface PendingTimer {
  timerId: string;
  visitId: string;
  nodeId: string;
  at: string;
  action: TimeoutAction;
}

export interface PendingJob {
  jobId: string;
  visitId: string;
  nodeId: string;
  attempt: number;
}

export interface PendingSubprocess {
  subprocessId: string;
  visitId: string;
  nodeId: string;
  formId: string;
}

export interface CcEntry {
  nodeId: string;
  visitId: string;
  memberId: string;
  at: string;
}

export type LogKind =
  | 'started'
  | 'node_entered'
  | 'node_left'
  | 'task_opened'
  | 'task_action'
  | 'task_cancelled'
  | 'system'
  | 'finished'
  | 'reactivated';

export interface LogEntry {
  at: string;
  kind: LogKind;
  nodeId?: string;
  visitId?: string;
  taskId?: string;
  actorId?: string;
  action?: string;
  comment?: string;
  reason?: string;
  detail?: Record<string, unknown>;
}

export interface InstanceState {
  instanceId: string;
  initiatorId: string;
  status: InstanceStatus;
  reason?: string;
  /** The engine's copy of the record data; hosts may refresh it through the step context. */
  record: Record<string, unknown>;
  /** Number of accepted events (start counts as 1); effect and entity ids embed it. */
  transition: number;
  startedAt: string;
  finishedAt?: string;
  nodeVisits: NodeVisit[];
  tasks: Task[];
  joins: JoinState[];
  timers: PendingTimer[];
  jobs: PendingJob[];
  subprocesses: PendingSubprocess[];
  cc: CcEntry[];
  /** An automation or subprocess has been started: withdraw is no longer possible. */
  sideEffectsStarted?: boolean;
  log: LogEntry[];
}

export const SYSTEM_ACTOR = 'system';

export function activeVisits(state: InstanceState): NodeVisit[] {
  return state.nodeVisits.filter((v) => v.status === 'active');
}

/** The nodes the instance currently waits at. */
export function currentNodeIds(state: InstanceState): string[] {
  return [...new Set(activeVisits(state).map((v) => v.nodeId))];
}

export function openTasks(state: InstanceState): Task[] {
  return state.tasks.filter((t) => t.status === 'open');
}

export function isTaskLive(task: Task): boolean {
  return task.status === 'open' || task.status === 'waiting';
}
