import { refuse } from '../errors.ts';
import type { AdminEvent, TimerFiredEvent, WithdrawEvent } from '../events.ts';
import type { UserTaskNode } from '../schema.ts';
import { SYSTEM_ACTOR, isTaskLive, type InstanceState, type NodeVisit, type Task } from '../state.ts';
import { stuckVisits } from '../diagnose.ts';
import { cancelVisit, completeVisit, enqueue, fail, finish } from './flow.ts';
import { emit, findVisit, log, type Run } from './run.ts';
import { previousUserVisit, sendBack } from './send-back.ts';
import { handOver } from './task-actions.ts';
import { rejectNode } from './user-task.ts';

function systemDecide(run: Run, task: Task, status: Task['status'], reason: string): void {
  task.status = status;
  task.closedAt = run.now;
  task.actorId = SYSTEM_ACTOR;
  task.reason = reason;
  emit(run, { type: 'updateTask', taskId: task.id, status, actorId: SYSTEM_ACTOR });
  log(run, { kind: 'task_action', nodeId: task.nodeId, visitId: task.visitId, taskId: task.id, actorId: SYSTEM_ACTOR, action: status, reason });
}

/** Returns false (nothing to do) when the timer is unknown or its node no longer has a live task. */
export function onTimerFired(run: Run, event: TimerFiredEvent): boolean {
  const timer = run.state.timers.find((t) => t.timerId === event.timerId);
  const visit = findVisit(run, timer?.visitId);
  if (!timer || !visit || visit.status !== 'active') return false;
  const live = run.state.tasks.filter((t) => t.visitId === visit.id && isTaskLive(t));
  if (live.length === 0) return false;
  run.state.timers = run.state.timers.filter((t) => t !== timer);
  const reason = 'timeout';
  log(run, { kind: 'system', nodeId: visit.nodeId, visitId: visit.id, action: 'timeout', reason: `timed out: ${timer.action}`, detail: { timerId: timer.timerId } });
  const open = live.filter((t) => t.status === 'open');
  const node = run.graph.nodes.get(visit.nodeId) as UserTaskNode;
  switch (timer.action) {
    case 'remind':
      emit(run, { type: 'notify', kind: 'remind', recipientIds: [...new Set(open.map((t) => t.assigneeId))], nodeId: visit.nodeId });
      return true;
    case 'approve':
      for (const task of open) systemDecide(run, task, task.kind === 'approval' ? 'approved' : task.kind === 'fill' ? 'done' : 'submitted', reason);
      completeVisit(run, visit, node?.type === 'approval' ? 'approved' : 'done');
      return true;
    case 'reject':
      for (const task of open) systemDecide(run, task, 'rejected', reason);
      rejectNode(run, visit, `node ${visit.nodeId} rejected on timeout`, SYSTEM_ACTOR);
      return true;
    case 'sendBack': {
      const target = previousUserVisit(run.state, visit);
      if (!target) {
        log(run, { kind: 'system', nodeId: visit.nodeId, visitId: visit.id, action: 'timeout_send_back_unavailable', reason: 'no earlier node to send back to; reminding instead' });
        emit(run, { type: 'notify', kind: 'remind', recipientIds: [...new Set(open.map((t) => t.assigneeId))], nodeId: visit.nodeId });
        return true;
      }
      for (const task of open) systemDecide(run, task, 'sentBack', reason);
      sendBack(run, visit, target, `timed out: sent back to ${target.nodeId}`);
      return true;
    }
  }
}

function hasHumanAction(task: Task): boolean {
  return task.kind !== 'resubmit' && (task.status === 'waiting' || (!!task.actorId && task.actorId !== SYSTEM_ACTOR));
}

export function onWithdraw(run: Run, event: WithdrawEvent): void {
  const { state } = run;
  if (state.status !== 'running') refuse(409, 'instance_finished', `the instance is ${state.status}`);
  if (event.actorId !== state.initiatorId) refuse(403, 'not_initiator', 'only the initiator may withdraw');
  const policy = run.graph.definition.settings?.withdraw ?? 'untouched';
  if (policy === 'never') refuse(409, 'withdraw_not_allowed', 'this workflow does not allow withdrawing');
  if (state.sideEffectsStarted) refuse(409, 'withdraw_not_allowed', 'an automation or subprocess has already been started');
  const activeIds = new Set(state.nodeVisits.filter((v) => v.status === 'active').map((v) => v.id));
  const relevant = policy === 'untouched' ? state.tasks : state.tasks.filter((t) => activeIds.has(t.visitId));
  if (relevant.some(hasHumanAction)) {
    refuse(409, 'withdraw_not_allowed', policy === 'untouched' ? 'an approver has already acted' : 'the current approver has already acted');
  }
  log(run, { kind: 'system', actorId: event.actorId, action: 'withdraw', comment: event.comment });
  finish(run, 'withdrawn', 'withdrawn by the initiator', event.actorId);
}

/** The last visit on the top level, used as the predecessor of a node entered by jump or reactivation. */
function lastTopLevelVisit(state: InstanceState): NodeVisit | undefined {
  for (let i = state.nodeVisits.length - 1; i >= 0; i--) {
    const v = state.nodeVisits[i];
    if (v.scope.length === 0 && v.status === 'completed') return v;
  }
  return undefined;
}

function checkJumpTarget(run: Run, nodeId: unknown): string {
  const node = typeof nodeId === 'string' ? run.graph.nodes.get(nodeId) : undefined;
  if (!node) refuse(422, 'invalid_target', `node ${String(nodeId)} does not exist`);
  if (node!.type === 'join' || run.graph.blocks.insideBlock.has(node!.id)) {
    refuse(422, 'invalid_target', `node ${node!.id} is inside a parallel block; jump to the block's split or beyond it`);
  }
  return node!.id;
}

export function onAdmin(run: Run, event: AdminEvent): void {
  const { state } = run;
  if (!run.org.admins.includes(event.actorId)) refuse(403, 'not_admin', `${event.actorId} is not an admin`);
  switch (event.action) {
    case 'reassign': {
      if (state.status !== 'running') refuse(409, 'instance_finished', `the instance is ${state.status}`);
      const task = state.tasks.find((t) => t.id === event.taskId) ?? refuse(404, 'task_not_found', `task ${event.taskId} not found`);
      if (task.status !== 'open') refuse(409, 'task_closed', `task ${task.id} is ${task.status}`);
      const visit = findVisit(run, task.visitId)!;
      return handOver(run, task, visit, event.toMemberId, event.actorId, 'reassign', event.comment);
    }
    case 'jumpTo': {
      if (state.status !== 'running') refuse(409, 'instance_finished', `the instance is ${state.status}; reactivate it instead`);
      const nodeId = checkJumpTarget(run, event.nodeId);
      const reason = `an admin moved the instance to ${nodeId}`;
      for (const visit of state.nodeVisits) if (visit.status === 'active') cancelVisit(run, visit, reason);
      state.joins = [];
      log(run, { kind: 'system', actorId: event.actorId, action: 'jump', comment: event.comment, detail: { toNodeId: nodeId } });
      enqueue(run, { nodeId, scope: [], prevVisitId: lastTopLevelVisit(state)?.id });
      return;
    }
    case 'terminate':
      if (state.status !== 'running') refuse(409, 'instance_finished', `the instance is ${state.status}`);
      log(run, { kind: 'system', actorId: event.actorId, action: 'terminate', comment: event.comment });
      return finish(run, 'terminated', event.comment ? `terminated by an admin: ${event.comment}` : 'terminated by an admin', event.actorId);
    case 'reactivate': {
      if (state.status === 'running') refuse(409, 'instance_running', 'the instance is still running');
      const lastUserVisit = [...state.nodeVisits].reverse().find((v) => (v.type === 'approval' || v.type === 'fill') && v.scope.length === 0);
      const nodeId = checkJumpTarget(run, event.nodeId ?? lastUserVisit?.nodeId);
      state.status = 'running';
      delete state.reason;
      delete state.finishedAt;
      log(run, { kind: 'reactivated', actorId: event.actorId, comment: event.comment, detail: { nodeId } });
      enqueue(run, { nodeId, scope: [], prevVisitId: lastTopLevelVisit(state)?.id });
      return;
    }
  }
  refuse(422, 'unknown_action', `unknown admin action ${JSON.stringify((event as { action?: unknown }).action)}`);
}

/** Re-enters visits that wait on nothing; fails the instance when there is nothing to re-enter. */
export function onRepair(run: Run): boolean {
  const { state } = run;
  if (state.status !== 'running') return false;
  const stuck = stuckVisits(run.graph.definition, state);
  const anyActive = state.nodeVisits.some((v) => v.status === 'active');
  if (anyActive && stuck.length === 0) return false;
  if (!anyActive) {
    fail(run, 'repair: the instance was running with no active node');
    return true;
  }
  for (const visit of stuck) {
    cancelVisit(run, visit, 'repair: the node waited on nothing');
    log(run, { kind: 'system', nodeId: visit.nodeId, visitId: visit.id, action: 'repair', reason: 're-entering a node that waited on nothing' });
    enqueue(run, { nodeId: visit.nodeId, scope: visit.scope, prevVisitId: visit.prevVisitId });
  }
  return true;
}

