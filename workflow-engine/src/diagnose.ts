import type { RepairEvent } from './events.ts';
import type { WorkflowDefinition } from './schema.ts';
import { isTaskLive, type InstanceState, type NodeVisit } from './state.ts';

/** Active visits that wait on nothing: no live task, no pending automation job or subprocess. */
export function stuckVisits(_definition: WorkflowDefinition, state: InstanceState): NodeVisit[] {
  if (state.status !== 'running') return [];
  const live = new Set(state.tasks.filter(isTaskLive).map((t) => t.visitId));
  const jobs = new Set(state.jobs.map((j) => j.visitId));
  const subs = new Set(state.subprocesses.map((s) => s.visitId));
  return state.nodeVisits.filter((v) => v.status === 'active' && !live.has(v.id) && !jobs.has(v.id) && !subs.has(v.id));
}

export interface Diagnosis {
  stuck: boolean;
  problems: string[];
  /** What the sweeper should do: feed `event` to `step`. */
  repair?: { event: RepairEvent; description: string };
}

/**
 * For the server's sweeper. A running instance must always wait on something: an open task, a
 * pending timer, automation or subprocess. Anything else is a stuck instance.
 */
export function diagnose(definition: WorkflowDefinition, state: InstanceState): Diagnosis {
  if (state.status !== 'running') return { stuck: false, problems: [] };
  const problems: string[] = [];
  const active = state.nodeVisits.filter((v) => v.status === 'active');
  const waiting = state.tasks.some(isTaskLive) || state.timers.length > 0 || state.jobs.length > 0 || state.subprocesses.length > 0;
  if (active.length === 0) problems.push('running with no active node');
  else if (!waiting) problems.push('running with nothing open and nothing pending');
  for (const visit of stuckVisits(definition, state)) problems.push(`node ${visit.nodeId} (visit ${visit.id}) is active but waits on nothing`);
  if (problems.length === 0) return { stuck: false, problems };
  const description =
    active.length === 0
      ? 'mark the instance failed with the reason'
      : 're-enter the nodes that wait on nothing (fresh assignee resolution and tasks)';
  return { stuck: true, problems, repair: { event: { type: 'repair' }, description } };
}
