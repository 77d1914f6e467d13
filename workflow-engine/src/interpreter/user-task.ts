import { addDuration, dateFieldToIso, parseDuration } from '../duration.ts';
import { isActiveMember, resolveAssignees } from '../org.ts';
import type { SignMode, UserTaskNode } from '../schema.ts';
import { SYSTEM_ACTOR, isTaskLive, type NodeVisit, type SlotOutcome, type Task, type VoteSlot } from '../state.ts';
import { completeVisit, fail, finish, releaseVisit } from './flow.ts';
import { emit, log, newId, type Run } from './run.ts';

const DEDUPE_REASON = 'dedupe: already approved in this instance';

export function modeOf(node: UserTaskNode): SignMode {
  return node.data.mode ?? 'or';
}

/** The node's decision from its vote slots, per sign mode. */
export function voteOutcome(mode: SignMode, slots: VoteSlot[]): SlotOutcome {
  const total = slots.length;
  const approved = slots.filter((s) => s.outcome === 'approved').length;
  const rejected = slots.filter((s) => s.outcome === 'rejected').length;
  if (typeof mode === 'object') {
    if (approved * 100 >= mode.percent * total) return 'approved';
    if ((total - rejected) * 100 < mode.percent * total) return 'rejected';
    return 'pending';
  }
  if (mode === 'or') {
    if (approved > 0) return 'approved';
    if (rejected > 0) return 'rejected';
    return 'pending';
  }
  if (rejected > 0) return 'rejected';
  return approved === total ? 'approved' : 'pending';
}

export function enterUserTask(run: Run, visit: NodeVisit, node: UserTaskNode): void {
  const { data } = node;
  const resolution = resolveAssignees(data.assignees, { org: run.org, initiatorId: run.state.initiatorId, record: run.state.record });
  if (resolution.dropped.length) {
    log(run, { kind: 'system', nodeId: node.id, visitId: visit.id, action: 'assignees_dropped', reason: 'disabled or unknown members', detail: { memberIds: resolution.dropped } });
  }
  let assignees = resolution.memberIds;
  if (assignees.length === 0) {
    const policy = data.onEmpty ?? 'admin';
    if (policy === 'autoApprove') {
      log(run, { kind: 'system', nodeId: node.id, visitId: visit.id, action: 'empty_assignees', reason: 'no assignee: approved automatically' });
      visit.slots = [];
      return completeVisit(run, visit, 'approved');
    }
    if (policy === 'fail') return fail(run, `node ${node.id} has no assignee`, node.id);
    assignees = run.org.admins.filter((id, i, all) => all.indexOf(id) === i && isActiveMember(run.org, id));
    if (assignees.length === 0) return fail(run, `node ${node.id} has no assignee and no active admin to hand it to`, node.id);
    log(run, { kind: 'system', nodeId: node.id, visitId: visit.id, action: 'empty_assignees', reason: 'no assignee: handed to the admins', detail: { memberIds: assignees } });
  }
  visit.slots = assignees.map((assigneeId) => ({ assigneeId, outcome: 'pending' }));
  if (data.dedupe && node.type === 'approval') applyDedupe(run, visit, node);
  settle(run, visit, node);
  if (visit.status === 'active') scheduleTimeout(run, visit, node);
}

/** Auto-approves people who already approved in this instance, unless the node was re-entered by a send back. */
function applyDedupe(run: Run, visit: NodeVisit, node: UserTaskNode): void {
  if (visit.viaSendBack) {
    log(run, { kind: 'system', nodeId: node.id, visitId: visit.id, action: 'dedupe_skipped', reason: 're-entered through send back' });
    return;
  }
  // A timeout's automatic approval is not the person approving; an earlier dedupe is.
  const approvedByThemselves = (t: Task) => t.actorId !== SYSTEM_ACTOR || t.reason === DEDUPE_REASON;
  const approvers = new Set(
    run.state.tasks.filter((t) => t.kind === 'approval' && t.status === 'approved' && t.visitId !== visit.id && approvedByThemselves(t)).map((t) => t.assigneeId),
  );
  visit.slots!.forEach((slot, index) => {
    if (!approvers.has(slot.assigneeId)) return;
    // Opened and decided in one go, so the host's task rows (and the done box) show the auto-approval.
    const task = openTask(run, visit, node.id, 'approval', slot.assigneeId, index);
    task.status = 'approved';
    task.closedAt = run.now;
    task.actorId = SYSTEM_ACTOR;
    task.reason = DEDUPE_REASON;
    emit(run, { type: 'updateTask', taskId: task.id, status: 'approved', actorId: SYSTEM_ACTOR });
    slot.outcome = 'approved';
    log(run, { kind: 'system', nodeId: node.id, visitId: visit.id, taskId: task.id, action: 'dedupe', reason: task.reason, detail: { assigneeId: slot.assigneeId } });
  });
}

function createTask(run: Run, visit: NodeVisit, nodeId: string, kind: Task['kind'], assigneeId: string, slot: number, extra: Partial<Task> = {}): Task {
  const task: Task = { id: newId(run, 't'), nodeId, visitId: visit.id, kind, assigneeId, status: 'open', slot, createdAt: run.now, ...extra };
  run.state.tasks.push(task);
  return task;
}

export function openTask(run: Run, visit: NodeVisit, nodeId: string, kind: Task['kind'], assigneeId: string, slot: number, extra: Partial<Task> = {}): Task {
  const task = createTask(run, visit, nodeId, kind, assigneeId, slot, extra);
  emit(run, { type: 'openTask', taskId: task.id, nodeId, visitId: visit.id, assigneeId, kind });
  log(run, { kind: 'task_opened', nodeId, visitId: visit.id, taskId: task.id, detail: { assigneeId, kind } });
  return task;
}

/** The initiator's task after a send back to (or jump to) the start node. */
export function openResubmitTask(run: Run, visit: NodeVisit): void {
  visit.slots = [{ assigneeId: run.state.initiatorId, outcome: 'pending' }];
  openTask(run, visit, visit.nodeId, 'resubmit', run.state.initiatorId, 0);
}

/**
 * Decides the node if its mode allows, otherwise opens what has to be open next: every uncovered
 * slot in the parallel modes, the next slot in list order in sequential mode.
 */
export function settle(run: Run, visit: NodeVisit, node: UserTaskNode): void {
  if (visit.status !== 'active') return;
  const mode = modeOf(node);
  const outcome = voteOutcome(mode, visit.slots ?? []);
  if (outcome === 'approved') return completeVisit(run, visit, node.type === 'fill' ? 'done' : 'approved');
  if (outcome === 'rejected') return rejectNode(run, visit, `node ${node.id} rejected`);
  const kind = node.type === 'fill' ? 'fill' : 'approval';
  const covered = (index: number) => run.state.tasks.some((t) => t.visitId === visit.id && t.slot === index && isTaskLive(t));
  const pending = (visit.slots ?? []).map((slot, index) => ({ slot, index })).filter(({ slot }) => slot.outcome === 'pending');
  if (mode === 'sequential') {
    if (pending.some(({ index }) => covered(index))) return;
    const next = pending[0];
    openTask(run, visit, node.id, kind, next.slot.assigneeId, next.index);
    return;
  }
  for (const { slot, index } of pending) if (!covered(index)) openTask(run, visit, node.id, kind, slot.assigneeId, index);
}

/** A rejected node rejects the instance; the node's other tasks are cancelled with the reason. */
export function rejectNode(run: Run, visit: NodeVisit, reason: string, actorId?: string): void {
  visit.status = 'completed';
  visit.outcome = 'rejected';
  visit.leftAt = run.now;
  releaseVisit(run, visit, reason);
  log(run, { kind: 'node_left', nodeId: visit.nodeId, visitId: visit.id, action: 'rejected' });
  finish(run, 'rejected', reason, actorId);
}

function scheduleTimeout(run: Run, visit: NodeVisit, node: UserTaskNode): void {
  const timeout = node.data.timeout;
  if (!timeout) return;
  const duration = parseDuration(timeout.after);
  const at = duration ? addDuration(visit.enteredAt, duration) : dateFieldToIso(run.state.record[timeout.after]);
  if (!at) {
    log(run, { kind: 'system', nodeId: node.id, visitId: visit.id, action: 'timeout_skipped', reason: `date field ${timeout.after} has no usable value` });
    return;
  }
  const timerId = newId(run, 'tm');
  run.state.timers.push({ timerId, visitId: visit.id, nodeId: node.id, at, action: timeout.then });
  emit(run, { type: 'scheduleTimer', timerId, at, nodeId: node.id, visitId: visit.id, action: timeout.then });
}
