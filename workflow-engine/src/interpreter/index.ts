import { refuse } from '../errors.ts';
import type { Effect } from '../effects.ts';
import type { WorkflowEvent } from '../events.ts';
import { graphOf } from '../graph.ts';
import type { OrgSnapshot } from '../org.ts';
import type { WorkflowDefinition } from '../schema.ts';
import type { InstanceState } from '../state.ts';
import { onAutomationResult, onSubprocessFinished } from './async-nodes.ts';
import { drain, enqueue } from './flow.ts';
import { log, toIso, type EngineOptions, type Instant, type Run, type StepContext } from './run.ts';
import { onAdmin, onRepair, onTimerFired, onWithdraw } from './system-events.ts';
import { onTaskAction } from './task-actions.ts';

export interface StartInput {
  instanceId: string;
  initiatorId: string;
  record: Record<string, unknown>;
  org: OrgSnapshot;
}

export interface StepResult {
  state: InstanceState;
  effects: Effect[];
  /** False when the event had nothing to act on (a stale timer, a redelivered job): persist nothing. */
  changed: boolean;
}

/** Starts an instance: the initiator has submitted the record at `now`. */
export function start(definition: WorkflowDefinition, input: StartInput, now: Instant, options: EngineOptions): StepResult {
  const graph = graphOf(definition);
  if (graph.starts.length !== 1) throw new Error('the workflow definition needs exactly one start node; validate it before publishing');
  const at = toIso(now);
  const state: InstanceState = {
    instanceId: input.instanceId,
    initiatorId: input.initiatorId,
    status: 'running',
    record: structuredClone(input.record),
    transition: 1,
    startedAt: at,
    nodeVisits: [],
    tasks: [],
    joins: [],
    timers: [],
    jobs: [],
    subprocesses: [],
    cc: [],
    log: [],
  };
  const run: Run = { graph, state, now: at, org: input.org, evaluate: options.conditionEvaluator, effects: [], queue: [], seq: 0 };
  log(run, { kind: 'started', actorId: input.initiatorId });
  enqueue(run, { nodeId: graph.starts[0].id, scope: [], initial: true });
  drain(run);
  return { state: run.state, effects: run.effects, changed: true };
}

/**
 * Applies one event. Deterministic in (definition, state, event, now, context); never mutates its
 * inputs. Refused events throw a WorkflowActionError and change nothing.
 */
export function step(definition: WorkflowDefinition, state: InstanceState, event: WorkflowEvent, now: Instant, context: StepContext): StepResult {
  const graph = graphOf(definition);
  const next = structuredClone(state);
  if (context.record) next.record = structuredClone(context.record);
  next.transition += 1;
  const run: Run = { graph, state: next, now: toIso(now), org: context.org, evaluate: context.conditionEvaluator, effects: [], queue: [], seq: 0 };
  if (!dispatch(run, event)) return { state, effects: [], changed: false };
  drain(run);
  return { state: run.state, effects: run.effects, changed: true };
}

function dispatch(run: Run, event: WorkflowEvent): boolean {
  switch (event?.type) {
    case 'task':
      onTaskAction(run, event);
      return true;
    case 'withdraw':
      onWithdraw(run, event);
      return true;
    case 'timerFired':
      return run.state.status === 'running' && onTimerFired(run, event);
    case 'automationDone':
    case 'automationFailed':
      return run.state.status === 'running' && onAutomationResult(run, event);
    case 'subprocessFinished':
      return run.state.status === 'running' && onSubprocessFinished(run, event);
    case 'admin':
      onAdmin(run, event);
      return true;
    case 'repair':
      return onRepair(run);
  }
  return refuse(422, 'unknown_event', `unknown event type ${JSON.stringify((event as { type?: unknown })?.type)}`);
}
