import { refuse } from '../errors.ts';
import { SIGNER_POSITIONS, TASK_ACTIONS, type SignerPosition, type TaskAction, type TaskActionEvent } from '../events.ts';
import { nodeFieldPermissions, permissionOf } from '../field-permissions.ts';
import { isActiveMember } from '../org.ts';
import type { UserTaskNode } from '../schema.ts';
import { isTaskLive, type NodeVisit, type Task, type TaskStatus } from '../state.ts';
import { cancelTask, completeVisit } from './flow.ts';
import { emit, findVisit, log, type Run } from './run.ts';
import { sendBack, sendBackTargetVisits } from './send-back.ts';
import { holderActions } from './task-rules.ts';
import { modeOf, openTask, settle } from './user-task.ts';

export function onTaskAction(run: Run, event: TaskActionEvent): void {
  const { state } = run;
  if (!(TASK_ACTIONS as readonly string[]).includes(event.action)) refuse(422, 'unknown_action', `unknown action ${JSON.stringify(event.action)}`);
  const task = state.tasks.find((t) => t.id === event.taskId) ?? refuse(404, 'task_not_found', `task ${event.taskId} not found`);
  if (state.status !== 'running') refuse(409, 'instance_finished', `the instance is ${state.status}`);
  authorize(run, task, event);
  if (task.status !== 'open') refuse(409, 'task_closed', `task ${task.id} is ${task.status}`);
  const visit = findVisit(run, task.visitId) ?? refuse(409, 'task_closed', `task ${task.id} has no active node`);
  if (visit.status !== 'active') refuse(409, 'task_closed', `node ${visit.nodeId} is no longer active`);

  let action = event.action as TaskAction;
  if (action === 'approve' && task.kind === 'fill') action = 'submit';
  if (action === 'urge') return urge(run, task, event);
  if (!holderActions(run.graph, state, task).includes(action)) {
    if (action === 'sendBack' && allowsSendBack(run, task)) refuse(422, 'invalid_target', 'there is no node to send this task back to');
    refuse(422, 'action_not_allowed', `${action} is not allowed on task ${task.id}`);
  }
  if (event.data !== undefined && action !== 'approve' && action !== 'submit') {
    refuse(422, 'field_not_editable', `data is only accepted with approve or submit`);
  }
  const node = run.graph.nodes.get(task.nodeId);
  switch (action) {
    case 'approve':
      return decide(run, task, visit, 'approved', event);
    case 'submit':
      return decide(run, task, visit, task.kind === 'resubmit' ? 'submitted' : 'done', event);
    case 'reject':
      requireCommentIfNeeded(node as UserTaskNode, event);
      return decide(run, task, visit, 'rejected', event);
    case 'sendBack':
      return sendBackTask(run, task, visit, node as UserTaskNode, event);
    case 'transfer':
      return handOver(run, task, visit, event.toMemberId, event.actorId, 'transfer', event.comment);
    case 'addSigner':
      return addSigners(run, task, visit, node as UserTaskNode, event);
    case 'comment':
      if (!event.comment?.trim()) refuse(422, 'comment_required', 'a comment needs text');
      log(run, { kind: 'task_action', nodeId: task.nodeId, visitId: visit.id, taskId: task.id, actorId: event.actorId, action: 'comment', comment: event.comment });
      return;
  }
}

function authorize(run: Run, task: Task, event: TaskActionEvent): void {
  const isAdmin = run.org.admins.includes(event.actorId);
  const isHolder = event.actorId === task.assigneeId || event.delegated === true || isAdmin;
  const isInitiator = event.actorId === run.state.initiatorId;
  const allowed = event.action === 'urge' ? isInitiator || isAdmin : event.action === 'comment' ? isHolder || isInitiator : isHolder;
  if (!allowed) refuse(403, 'not_assignee', `${event.actorId} may not ${event.action} task ${task.id}`);
}

function allowsSendBack(run: Run, task: Task): boolean {
  const node = run.graph.nodes.get(task.nodeId);
  return !task.parentTaskId && (node?.type === 'approval' || node?.type === 'fill') && (node.data.allow ?? []).includes('sendBack');
}

function requireCommentIfNeeded(node: UserTaskNode, event: TaskActionEvent): void {
  if (node.data.requireComment && !event.comment?.trim()) refuse(422, 'comment_required', `node ${node.id} requires a comment to ${event.action}`);
}

function checkedPatch(run: Run, task: Task, data: unknown): Record<string, unknown> | undefined {
  if (data === undefined) return undefined;
  if (!data || typeof data !== 'object' || Array.isArray(data)) refuse(422, 'field_not_editable', 'data must be an object of field values');
  const permissions = nodeFieldPermissions(run.graph.nodes.get(task.nodeId));
  const patch = data as Record<string, unknown>;
  const refused = Object.keys(patch).filter((field) => permissionOf(permissions, field) !== 'edit');
  if (refused.length) refuse(422, 'field_not_editable', `node ${task.nodeId} does not let ${refused.join(', ')} be edited`, { fields: refused });
  return Object.keys(patch).length ? patch : undefined;
}

function closeTask(run: Run, task: Task, status: TaskStatus, actorId: string, comment?: string): void {
  task.status = status;
  task.closedAt = run.now;
  task.actorId = actorId;
  if (comment) task.comment = comment;
  emit(run, { type: 'updateTask', taskId: task.id, status, actorId });
}

function decide(run: Run, task: Task, visit: NodeVisit, status: 'approved' | 'rejected' | 'done' | 'submitted', event: TaskActionEvent): void {
  const patch = checkedPatch(run, task, event.data);
  closeTask(run, task, status, event.actorId, event.comment);
  log(run, { kind: 'task_action', nodeId: task.nodeId, visitId: visit.id, taskId: task.id, actorId: event.actorId, action: event.action, comment: event.comment, detail: patch ? { fields: Object.keys(patch) } : undefined });
  if (patch) {
    Object.assign(run.state.record, patch);
    emit(run, { type: 'applyRecordPatch', patch, nodeId: task.nodeId, taskId: task.id, actorId: event.actorId });
  }
  if (task.kind === 'resubmit') return completeVisit(run, visit, 'done');
  const positive = status !== 'rejected';
  if (task.parentTaskId) addedSignerDecided(run, task, visit, positive);
  else visit.slots![task.slot].outcome = positive ? 'approved' : 'rejected';
  settle(run, visit, run.graph.nodes.get(task.nodeId) as UserTaskNode);
}

/** A signer added before a task reopens it once all of them approved; after a task, completes its vote. */
function addedSignerDecided(run: Run, child: Task, visit: NodeVisit, approved: boolean): void {
  const parent = run.state.tasks.find((t) => t.id === child.parentTaskId)!;
  const siblings = run.state.tasks.filter((t) => t.parentTaskId === parent.id && t.signPosition === child.signPosition);
  if (!approved) {
    const reason = 'an added signer rejected';
    for (const sibling of siblings) if (isTaskLive(sibling)) cancelTask(run, sibling, reason);
    if (isTaskLive(parent)) cancelTask(run, parent, reason);
    visit.slots![parent.slot].outcome = 'rejected';
    return;
  }
  if (siblings.some(isTaskLive)) return;
  if (child.signPosition === 'before') {
    parent.status = 'open';
    emit(run, { type: 'updateTask', taskId: parent.id, status: 'open' });
    log(run, { kind: 'system', nodeId: parent.nodeId, visitId: visit.id, taskId: parent.id, action: 'task_reopened', reason: 'the signers added before it approved' });
  } else {
    visit.slots![parent.slot].outcome = 'approved';
  }
}

function sendBackTask(run: Run, task: Task, visit: NodeVisit, node: UserTaskNode, event: TaskActionEvent): void {
  if (typeof event.toNodeId !== 'string') refuse(422, 'invalid_target', 'sendBack needs toNodeId');
  const target = sendBackTargetVisits(run.state, visit).find((v) => v.nodeId === event.toNodeId);
  if (!target) refuse(422, 'invalid_target', `${event.toNodeId} is not a node this task can be sent back to`);
  requireCommentIfNeeded(node, event);
  closeTask(run, task, 'sentBack', event.actorId, event.comment);
  log(run, { kind: 'task_action', nodeId: task.nodeId, visitId: visit.id, taskId: task.id, actorId: event.actorId, action: 'sendBack', comment: event.comment, detail: { toNodeId: event.toNodeId } });
  sendBack(run, visit, target!, `sent back to ${event.toNodeId}`);
}

/** Transfer (by the holder) and reassign (by an admin): the slot moves to another member. */
export function handOver(run: Run, task: Task, visit: NodeVisit, toMemberId: unknown, actorId: string, action: 'transfer' | 'reassign', comment?: string): void {
  if (typeof toMemberId !== 'string' || !isActiveMember(run.org, toMemberId)) refuse(422, 'invalid_member', `${String(toMemberId)} is not an active member`);
  const member = toMemberId as string;
  if (holdsLiveTask(run, visit, member)) refuse(422, 'already_assignee', `${member} already has a task on node ${visit.nodeId}`);
  closeTask(run, task, 'transferred', actorId, comment);
  log(run, { kind: 'task_action', nodeId: task.nodeId, visitId: visit.id, taskId: task.id, actorId, action, comment, detail: { toMemberId: member } });
  const extra: Partial<Task> = { fromTaskId: task.id };
  if (task.parentTaskId) {
    extra.parentTaskId = task.parentTaskId;
    extra.signPosition = task.signPosition;
  } else {
    visit.slots![task.slot].assigneeId = member;
  }
  openTask(run, visit, task.nodeId, task.kind, member, task.slot, extra);
}

function holdsLiveTask(run: Run, visit: NodeVisit, memberId: string): boolean {
  return run.state.tasks.some((t) => t.visitId === visit.id && t.assigneeId === memberId && isTaskLive(t));
}

function addSigners(run: Run, task: Task, visit: NodeVisit, node: UserTaskNode, event: TaskActionEvent): void {
  const position = event.position as SignerPosition;
  if (!SIGNER_POSITIONS.includes(position)) refuse(422, 'invalid_position', 'position must be before, after or parallel');
  if (position === 'parallel' && modeOf(node) === 'sequential') refuse(422, 'invalid_position', 'a sequential node takes signers before or after a task, not in parallel');
  const memberIds = Array.isArray(event.memberIds) ? [...new Set(event.memberIds)] : [];
  if (memberIds.length === 0) refuse(422, 'invalid_member', 'addSigner needs memberIds');
  for (const id of memberIds) {
    if (typeof id !== 'string' || !isActiveMember(run.org, id)) refuse(422, 'invalid_member', `${String(id)} is not an active member`);
    if (id === task.assigneeId || holdsLiveTask(run, visit, id)) refuse(422, 'already_assignee', `${id} already has a task on node ${node.id}`);
  }
  log(run, { kind: 'task_action', nodeId: node.id, visitId: visit.id, taskId: task.id, actorId: event.actorId, action: 'addSigner', comment: event.comment, detail: { memberIds, position } });
  if (position === 'parallel') {
    for (const id of memberIds) {
      visit.slots!.push({ assigneeId: id, outcome: 'pending' });
      openTask(run, visit, node.id, task.kind, id, visit.slots!.length - 1);
    }
  } else {
    if (position === 'before') {
      task.status = 'waiting';
      emit(run, { type: 'updateTask', taskId: task.id, status: 'waiting', actorId: event.actorId });
    } else {
      // Adding signers after oneself is approving and handing the rest of the vote to them.
      closeTask(run, task, task.kind === 'fill' ? 'done' : 'approved', event.actorId, event.comment);
    }
    for (const id of memberIds) openTask(run, visit, node.id, task.kind, id, task.slot, { parentTaskId: task.id, signPosition: position });
  }
  settle(run, visit, node);
}

function urge(run: Run, task: Task, event: TaskActionEvent): void {
  emit(run, { type: 'notify', kind: 'urge', recipientIds: [task.assigneeId], nodeId: task.nodeId, taskId: task.id, message: event.comment });
  log(run, { kind: 'task_action', nodeId: task.nodeId, visitId: task.visitId, taskId: task.id, actorId: event.actorId, action: 'urge', comment: event.comment });
}
