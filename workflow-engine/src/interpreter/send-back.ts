import type { InstanceState, NodeVisit, ScopeFrame } from '../state.ts';
import type { SendBackReturn } from '../schema.ts';
import { cancelVisit, enqueue, releaseVisit } from './flow.ts';
import { log, type Run } from './run.ts';

const TARGET_TYPES = new Set(['start', 'approval', 'fill']);

function visitById(state: InstanceState, id: string | undefined): NodeVisit | undefined {
  if (!id) return undefined;
  for (let i = state.nodeVisits.length - 1; i >= 0; i--) if (state.nodeVisits[i].id === id) return state.nodeVisits[i];
  return undefined;
}

/**
 * Legal send back targets from a visit: user nodes (or the start) that this instance has passed on
 * the serial path leading here, nearest first. The path of a node after a join skips the join's
 * branches, so a send back never crosses into a parallel branch.
 */
export function sendBackTargetVisits(state: InstanceState, visit: NodeVisit): NodeVisit[] {
  const found: NodeVisit[] = [];
  const seenNodes = new Set([visit.nodeId]);
  const seenVisits = new Set<string>();
  let current = visitById(state, visit.prevVisitId);
  while (current && !seenVisits.has(current.id)) {
    seenVisits.add(current.id);
    if (TARGET_TYPES.has(current.type) && current.status === 'completed' && !seenNodes.has(current.nodeId)) {
      seenNodes.add(current.nodeId);
      found.push(current);
    }
    current = visitById(state, current.prevVisitId);
  }
  return found;
}

function sameFrame(a: ScopeFrame, b: ScopeFrame): boolean {
  return a.splitVisitId === b.splitVisitId && a.edgeId === b.edgeId;
}

/**
 * The region a send back resets: everything under the target's scope that belongs to the
 * outermost parallel block the sender is in and the target is not (or only the sender's own
 * serial path when both share a scope).
 */
function regionTest(target: NodeVisit, from: NodeVisit): (scope: ScopeFrame[]) => boolean {
  const base = target.scope;
  const depth = base.length;
  const splitVisitId = from.scope.length > depth ? from.scope[depth].splitVisitId : undefined;
  return (scope) => {
    if (scope.length < depth) return false;
    for (let i = 0; i < depth; i++) if (!sameFrame(scope[i], base[i])) return false;
    return splitVisitId === undefined || (scope.length > depth && scope[depth].splitVisitId === splitVisitId);
  };
}

/** Resets the region between `from` and `target` and re-enters the target with a fresh activation. */
export function sendBack(run: Run, from: NodeVisit, target: NodeVisit, reason: string): void {
  const inRegion = regionTest(target, from);
  for (const visit of run.state.nodeVisits) {
    if (visit.status === 'active' && visit !== from && inRegion(visit.scope)) cancelVisit(run, visit, reason);
  }
  from.status = 'completed';
  from.outcome = 'sentBack';
  from.leftAt = run.now;
  releaseVisit(run, from, reason);
  log(run, { kind: 'node_left', nodeId: from.nodeId, visitId: from.id, action: 'sentBack', reason });
  run.state.joins = run.state.joins.filter((join) => !inRegion([...join.scope, { splitVisitId: join.splitVisitId, edgeId: '' }]));

  const mode: SendBackReturn = run.graph.definition.settings?.sendBackReturn ?? 'rerun';
  const sameScope = from.scope.length === target.scope.length;
  let returnTo: NodeVisit['returnTo'];
  if (mode === 'direct' && sameScope) {
    returnTo = { nodeId: from.nodeId, scope: from.scope };
    if (from.prevVisitId) returnTo.prevVisitId = from.prevVisitId;
  } else if (mode === 'direct') {
    log(run, { kind: 'system', nodeId: from.nodeId, visitId: from.id, action: 'return_rerun', reason: 'a direct return cannot re-enter a parallel branch; the path is re-run' });
  }
  log(run, { kind: 'system', nodeId: from.nodeId, visitId: from.id, action: 'sent_back', reason, detail: { toNodeId: target.nodeId, mode } });
  enqueue(run, { nodeId: target.nodeId, scope: target.scope, prevVisitId: target.prevVisitId, viaSendBack: true, returnTo });
}

/** The nearest passed user node before a visit (falling back to the start), for timeout send backs. */
export function previousUserVisit(state: InstanceState, visit: NodeVisit): NodeVisit | undefined {
  return sendBackTargetVisits(state, visit)[0];
}
