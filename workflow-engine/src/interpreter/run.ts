import type { ConditionEvaluator } from '../condition.ts';
import type { Effect, EffectInput } from '../effects.ts';
import type { Graph } from '../graph.ts';
import type { OrgSnapshot } from '../org.ts';
import type { InstanceState, LogEntry, ScopeFrame, NodeVisit } from '../state.ts';

export interface EngineOptions {
  /** Evaluates branch conditions; the server passes form-engine's matchCondition. */
  conditionEvaluator: ConditionEvaluator;
}

export interface StepContext extends EngineOptions {
  /** The organization as it is now (assignees are resolved when a node is entered). */
  org: OrgSnapshot;
  /** The stored record data, when the host has a fresher copy than the state. */
  record?: Record<string, unknown>;
}

export type Instant = string | number | Date;

/** Where a token goes next. */
export interface Arrival {
  nodeId: string;
  scope: ScopeFrame[];
  prevVisitId?: string;
  viaEdgeId?: string;
  /** The start node on instance start: the initiator has just submitted. */
  initial?: boolean;
  viaSendBack?: boolean;
  returnTo?: NodeVisit['returnTo'];
}

/** Mutable working set of one interpreter call; `state` is a private copy. */
export interface Run {
  graph: Graph;
  state: InstanceState;
  now: string;
  org: OrgSnapshot;
  evaluate: ConditionEvaluator;
  effects: Effect[];
  queue: Arrival[];
  seq: number;
}

export function toIso(now: Instant): string {
  const date = now instanceof Date ? now : new Date(now);
  if (Number.isNaN(date.getTime())) throw new TypeError(`invalid instant ${String(now)}`);
  return date.toISOString();
}

/** Ids embed the instance and the transition number, so replaying an event yields the same ids. */
export function newId(run: Run, kind: string): string {
  run.seq += 1;
  return `${run.state.instanceId}.${kind}${run.state.transition}.${run.seq}`;
}

export function emit(run: Run, effect: EffectInput): void {
  run.effects.push({ ...effect, id: newId(run, 'e') } as Effect);
}

export function log(run: Run, entry: Omit<LogEntry, 'at'>): void {
  const clean: LogEntry = { at: run.now, kind: entry.kind };
  for (const [key, value] of Object.entries(entry)) {
    if (value !== undefined) (clean as unknown as Record<string, unknown>)[key] = value;
  }
  run.state.log.push(clean);
}

export function findVisit(run: Run, visitId: string | undefined): NodeVisit | undefined {
  if (!visitId) return undefined;
  // Recent visits are the ones looked up; search from the end.
  const visits = run.state.nodeVisits;
  for (let i = visits.length - 1; i >= 0; i--) if (visits[i].id === visitId) return visits[i];
  return undefined;
}
