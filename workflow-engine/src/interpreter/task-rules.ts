import type { TaskAction } from '../events.ts';
import type { Graph } from '../graph.ts';
import type { InstanceState, Task } from '../state.ts';
import { sendBackTargetVisits } from './send-back.ts';

function visitOf(state: InstanceState, task: Task) {
  return state.nodeVisits.find((v) => v.id === task.visitId);
}

/** Node ids an open task may be sent back to. */
export function sendBackTargetsOf(state: InstanceState, task: Task): string[] {
  const visit = visitOf(state, task);
  if (!visit || task.kind === 'resubmit') return [];
  return sendBackTargetVisits(state, visit).map((v) => v.nodeId);
}

/**
 * The actions a task's holder may take, before looking at who asks. Signers added to a task decide
 * only; the node's `allow` list governs send back, transfer and add signer on the original tasks.
 */
export function holderActions(graph: Graph, state: InstanceState, task: Task): TaskAction[] {
  if (task.status !== 'open' || state.status !== 'running') return [];
  if (task.kind === 'resubmit') return ['submit', 'comment'];
  const actions: TaskAction[] = task.kind === 'approval' ? ['approve', 'reject'] : ['submit'];
  const node = graph.nodes.get(task.nodeId);
  if (!task.parentTaskId && (node?.type === 'approval' || node?.type === 'fill')) {
    const allow = node.data.allow ?? [];
    if (allow.includes('sendBack') && sendBackTargetsOf(state, task).length) actions.push('sendBack');
    if (allow.includes('transfer')) actions.push('transfer');
    if (allow.includes('addSigner')) actions.push('addSigner');
  }
  actions.push('comment');
  return actions;
}
