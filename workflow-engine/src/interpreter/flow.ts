import { initiatorInfo, resolveAssignees } from '../org.ts';
import type { Condition } from '../condition.ts';
import type { WorkflowNode } from '../schema.ts';
import { SYSTEM_ACTOR, isTaskLive, type InstanceStatus, type NodeVisit, type ScopeFrame, type Task } from '../state.ts';
import { enterAutomation, enterSubprocess } from './async-nodes.ts';
import { emit, findVisit, log, newId, type Arrival, type Run } from './run.ts';
import { enterUserTask, openResubmitTask } from './user-task.ts';

export function enqueue(run: Run, arrival: Arrival): void {
  run.queue.push(arrival);
}

/** Moves tokens until every one of them waits or the instance has finished. */
export function drain(run: Run): void {
  while (run.queue.length && run.state.status === 'running') enter(run, run.queue.shift()!);
  run.queue.length = 0;
  if (run.state.status === 'running' && !run.state.nodeVisits.some((v) => v.status === 'active')) {
    fail(run, 'no node is active any more');
  }
}

function enter(run: Run, arrival: Arrival): void {
  const node = run.graph.nodes.get(arrival.nodeId);
  if (!node) return fail(run, `node ${arrival.nodeId} does not exist in this version of the workflow`);
  if (node.type === 'join') return arriveAtJoin(run, node, arrival);
  const visit = createVisit(run, node, arrival);
  switch (node.type) {
    case 'start':
      if (arrival.initial) return completeVisit(run, visit, 'done');
      return openResubmitTask(run, visit);
    case 'end':
      return reachEnd(run, visit);
    case 'approval':
    case 'fill':
      return enterUserTask(run, visit, node);
    case 'cc':
      return enterCc(run, visit, node);
    case 'branch':
      return takeBranch(run, visit, node);
    case 'parallel':
      return split(run, visit, node);
    case 'automation':
      return enterAutomation(run, visit, node);
    case 'subprocess':
      return enterSubprocess(run, visit, node);
  }
}

function createVisit(run: Run, node: WorkflowNode, arrival: Arrival): NodeVisit {
  const visit: NodeVisit = {
    id: newId(run, 'v'),
    nodeId: node.id,
    type: node.type,
    status: 'active',
    enteredAt: run.now,
    scope: arrival.scope,
  };
  if (arrival.prevVisitId) visit.prevVisitId = arrival.prevVisitId;
  if (arrival.viaSendBack) visit.viaSendBack = true;
  if (arrival.returnTo) visit.returnTo = arrival.returnTo;
  run.state.nodeVisits.push(visit);
  log(run, { kind: 'node_entered', nodeId: node.id, visitId: visit.id, detail: arrival.viaEdgeId ? { edgeId: arrival.viaEdgeId } : undefined });
  return visit;
}

/** Leaves a visit normally and sends the token on. */
export function completeVisit(run: Run, visit: NodeVisit, outcome: NonNullable<NodeVisit['outcome']>): void {
  visit.status = 'completed';
  visit.outcome = outcome;
  visit.leftAt = run.now;
  releaseVisit(run, visit, 'node completed');
  log(run, { kind: 'node_left', nodeId: visit.nodeId, visitId: visit.id, action: outcome });
  if (visit.returnTo) {
    log(run, { kind: 'system', nodeId: visit.nodeId, visitId: visit.id, action: 'return_direct', reason: `returning straight to ${visit.returnTo.nodeId}` });
    enqueue(run, { nodeId: visit.returnTo.nodeId, scope: visit.returnTo.scope, prevVisitId: visit.returnTo.prevVisitId });
    return;
  }
  const edges = run.graph.out.get(visit.nodeId) ?? [];
  if (edges.length === 0) return fail(run, `node ${visit.nodeId} has no outgoing edge`);
  const edge = edges[0];
  enqueue(run, { nodeId: edge.target, scope: visit.scope, prevVisitId: visit.id, viaEdgeId: edge.id });
}

/** Closes what a visit holds open: live tasks (with the reason), its timers, jobs and subprocesses. */
export function releaseVisit(run: Run, visit: NodeVisit, reason: string): void {
  for (const task of run.state.tasks) {
    if (task.visitId === visit.id && isTaskLive(task)) cancelTask(run, task, reason);
  }
  run.state.timers = run.state.timers.filter((timer) => {
    if (timer.visitId !== visit.id) return true;
    emit(run, { type: 'cancelTimer', timerId: timer.timerId });
    return false;
  });
  run.state.jobs = run.state.jobs.filter((job) => {
    if (job.visitId !== visit.id) return true;
    // A running automation cannot be recalled; its late result is ignored because the job is gone.
    log(run, { kind: 'system', nodeId: job.nodeId, visitId: visit.id, action: 'automation_abandoned', reason, detail: { jobId: job.jobId } });
    return false;
  });
  run.state.subprocesses = run.state.subprocesses.filter((sub) => {
    if (sub.visitId !== visit.id) return true;
    emit(run, { type: 'terminateSubprocess', subprocessId: sub.subprocessId, reason });
    return false;
  });
}

/** Cancels an active visit (send back, jump, finish) without moving the token on. */
export function cancelVisit(run: Run, visit: NodeVisit, reason: string): void {
  if (visit.status !== 'active') return;
  visit.status = 'cancelled';
  visit.outcome = visit.outcome ?? 'cancelled';
  visit.leftAt = run.now;
  releaseVisit(run, visit, reason);
  log(run, { kind: 'node_left', nodeId: visit.nodeId, visitId: visit.id, action: 'cancelled', reason });
}

export function cancelTask(run: Run, task: Task, reason: string): void {
  task.status = 'cancelled';
  task.closedAt = run.now;
  task.actorId = SYSTEM_ACTOR;
  task.reason = reason;
  emit(run, { type: 'cancelTask', taskId: task.id, reason });
  log(run, { kind: 'task_cancelled', nodeId: task.nodeId, visitId: task.visitId, taskId: task.id, actorId: SYSTEM_ACTOR, reason });
}

function reachEnd(run: Run, visit: NodeVisit): void {
  visit.status = 'completed';
  visit.outcome = 'done';
  visit.leftAt = run.now;
  log(run, { kind: 'node_left', nodeId: visit.nodeId, visitId: visit.id, action: 'done' });
  if (!run.state.nodeVisits.some((v) => v.status === 'active')) finish(run, 'approved');
}

function enterCc(run: Run, visit: NodeVisit, node: Extract<WorkflowNode, { type: 'cc' }>): void {
  const { memberIds, dropped } = resolveAssignees(node.data.assignees, { org: run.org, initiatorId: run.state.initiatorId, record: run.state.record });
  if (dropped.length) log(run, { kind: 'system', nodeId: node.id, visitId: visit.id, action: 'assignees_dropped', reason: 'disabled or unknown members', detail: { memberIds: dropped } });
  if (memberIds.length) {
    for (const memberId of memberIds) run.state.cc.push({ nodeId: node.id, visitId: visit.id, memberId, at: run.now });
    emit(run, { type: 'notify', kind: 'cc', recipientIds: memberIds, nodeId: node.id });
    log(run, { kind: 'system', nodeId: node.id, visitId: visit.id, action: 'cc', detail: { memberIds } });
  } else {
    log(run, { kind: 'system', nodeId: node.id, visitId: visit.id, action: 'empty_assignees', reason: 'nobody to copy; cc never blocks' });
  }
  completeVisit(run, visit, 'done');
}

/** Exclusive branch: edges in definition order, first true condition wins, else the default edge. */
function takeBranch(run: Run, visit: NodeVisit, node: WorkflowNode): void {
  const edges = run.graph.out.get(node.id) ?? [];
  const initiator = initiatorInfo(run.org, run.state.initiatorId);
  let chosen = undefined as (typeof edges)[number] | undefined;
  for (const edge of edges) {
    const condition = edge.data?.condition;
    if (edge.data?.default === true || condition === undefined) continue;
    let matched: boolean;
    try {
      matched = run.evaluate(condition as unknown as Condition, run.state.record, initiator) === true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return fail(run, `branch ${node.id}: the condition of edge ${edge.id} cannot be evaluated: ${message}`, node.id);
    }
    if (matched) {
      chosen = edge;
      break;
    }
  }
  chosen ??= edges.find((e) => e.data?.default === true);
  if (!chosen) return fail(run, `branch ${node.id}: no condition matched and there is no default edge`, node.id);
  log(run, { kind: 'system', nodeId: node.id, visitId: visit.id, action: 'branch_taken', detail: { edgeId: chosen.id, default: chosen.data?.default === true } });
  visit.status = 'completed';
  visit.outcome = 'done';
  visit.leftAt = run.now;
  log(run, { kind: 'node_left', nodeId: node.id, visitId: visit.id, action: 'done' });
  enqueue(run, { nodeId: chosen.target, scope: visit.scope, prevVisitId: visit.id, viaEdgeId: chosen.id });
}

function split(run: Run, visit: NodeVisit, node: WorkflowNode): void {
  visit.status = 'completed';
  visit.outcome = 'done';
  visit.leftAt = run.now;
  log(run, { kind: 'node_left', nodeId: node.id, visitId: visit.id, action: 'done' });
  for (const edge of run.graph.out.get(node.id) ?? []) {
    const frame: ScopeFrame = { splitVisitId: visit.id, edgeId: edge.id };
    enqueue(run, { nodeId: edge.target, scope: [...visit.scope, frame], prevVisitId: visit.id, viaEdgeId: edge.id });
  }
}

/**
 * Join arrivals are keyed by (join, split activation) and count distinct branch edges of that
 * split, so the join fires exactly once per activation however the arrivals are ordered.
 */
function arriveAtJoin(run: Run, node: WorkflowNode, arrival: Arrival): void {
  const frame = arrival.scope.at(-1);
  const splitVisit = findVisit(run, frame?.splitVisitId);
  if (!frame || !splitVisit || run.graph.blocks.joinOfSplit.get(splitVisit.nodeId) !== node.id) {
    return fail(run, `a token reached join ${node.id} from outside its parallel block`, node.id);
  }
  let join = run.state.joins.find((j) => j.joinNodeId === node.id && j.splitVisitId === frame.splitVisitId);
  if (!join) {
    join = {
      joinNodeId: node.id,
      splitVisitId: frame.splitVisitId,
      arrived: [],
      expected: (run.graph.out.get(splitVisit.nodeId) ?? []).map((e) => e.id),
      fired: false,
      scope: arrival.scope.slice(0, -1),
    };
    run.state.joins.push(join);
  }
  if (join.fired || join.arrived.includes(frame.edgeId)) {
    log(run, { kind: 'system', nodeId: node.id, action: 'join_arrival_ignored', reason: join.fired ? 'join already fired' : 'branch already arrived', detail: { edgeId: frame.edgeId } });
    return;
  }
  join.arrived.push(frame.edgeId);
  log(run, { kind: 'system', nodeId: node.id, action: 'join_arrival', detail: { edgeId: frame.edgeId, arrived: join.arrived.length, expected: join.expected.length } });
  if (!join.expected.every((e) => join.arrived.includes(e))) return;
  join.fired = true;
  const visit = createVisit(run, node, { nodeId: node.id, scope: join.scope, prevVisitId: join.splitVisitId, viaEdgeId: arrival.viaEdgeId });
  completeVisit(run, visit, 'done');
}

export function fail(run: Run, reason: string, nodeId?: string): void {
  log(run, { kind: 'system', nodeId, action: 'failed', reason });
  finish(run, 'failed', reason);
}

/** Ends the instance: everything still open is closed with a reason, and one finish effect is emitted. */
export function finish(run: Run, status: Exclude<InstanceStatus, 'running'>, reason?: string, actorId?: string): void {
  const state = run.state;
  if (state.status !== 'running') return;
  const why = reason ?? `instance ${status}`;
  for (const visit of state.nodeVisits) if (visit.status === 'active') cancelVisit(run, visit, why);
  for (const task of state.tasks) if (isTaskLive(task)) cancelTask(run, task, why);
  for (const timer of state.timers) emit(run, { type: 'cancelTimer', timerId: timer.timerId });
  for (const sub of state.subprocesses) emit(run, { type: 'terminateSubprocess', subprocessId: sub.subprocessId, reason: why });
  state.timers = [];
  state.jobs = [];
  state.subprocesses = [];
  state.joins = [];
  state.status = status;
  if (reason) state.reason = reason;
  else delete state.reason;
  state.finishedAt = run.now;
  run.queue.length = 0;
  log(run, { kind: 'finished', action: status, actorId, reason });
  emit(run, reason ? { type: 'finish', status, reason } : { type: 'finish', status });
  emit(run, { type: 'notify', kind: 'finished', recipientIds: [state.initiatorId], message: reason ?? status });
}
