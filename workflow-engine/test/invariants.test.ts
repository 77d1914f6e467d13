import { describe, expect, it } from 'vitest';
import {
  allowedActions,
  diagnose,
  sendBackTargets,
  start,
  step,
  validate,
  WorkflowActionError,
  type Effect,
  type InstanceState,
  type WorkflowDefinition,
  type WorkflowEvent,
} from '@qiao/workflow-engine';
import { approval, edge, evaluate, org, T0 } from './helpers.ts';

/** Every node type and policy in one graph, for random walks. */
const definition: WorkflowDefinition = {
  nodes: [
    { id: 'start', type: 'start' },
    approval('a1', ['bob', 'carol'], { mode: 'or', allow: ['sendBack', 'transfer', 'addSigner'], timeout: { after: 'PT1H', then: 'sendBack' } }),
    { id: 'pick', type: 'branch' },
    approval('big', ['bob', 'carol'], { mode: 'all', dedupe: true, allow: ['sendBack', 'addSigner'], timeout: { after: 'PT2H', then: 'approve' } }),
    { id: 'split', type: 'parallel' },
    approval('b1', ['erin', 'dave'], { mode: 'sequential', allow: ['sendBack', 'addSigner', 'transfer'], requireComment: true }),
    { id: 'auto', type: 'automation', data: { action: { kind: 'webhook' }, retry: { attempts: 1 } } },
    approval('c1', ['carol', 'dave', 'frank'], { mode: { percent: 50 }, allow: ['sendBack', 'transfer', 'addSigner'], timeout: { after: 'PT3H', then: 'remind' } }),
    { id: 'join', type: 'join' },
    { id: 'cc', type: 'cc', data: { assignees: [{ kind: 'initiator' }] } },
    { id: 'sub', type: 'subprocess', data: { formId: 'child' } },
    approval('last', ['ceo'], { allow: ['sendBack'], timeout: { after: 'PT1H', then: 'reject' } }),
    { id: 'end', type: 'end' },
  ],
  edges: [
    edge('start', 'a1'),
    edge('a1', 'pick'),
    edge('pick', 'big', { condition: { field: 'amount', op: 'gte', value: 100 } }),
    edge('pick', 'split', { default: true }),
    edge('big', 'split'),
    edge('split', 'b1'),
    edge('split', 'auto'),
    edge('auto', 'c1'),
    edge('b1', 'join'),
    edge('c1', 'join'),
    edge('join', 'cc'),
    edge('cc', 'sub'),
    edge('sub', 'last'),
    edge('last', 'end'),
  ],
  settings: { withdraw: 'beforeNextAction', sendBackReturn: 'direct' },
};

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const pick = <T,>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)];

function randomEvent(random: () => number, state: InstanceState, effects: Effect[]): WorkflowEvent {
  const roll = random();
  if (roll > 0.22 && roll < 0.225) return { type: 'task', taskId: 'nope', actorId: 'bob', action: 'approve' };
  if (roll < 0.08 && state.timers.length) return { type: 'timerFired', timerId: pick(random, state.timers).timerId };
  if (roll < 0.16 && state.jobs.length) {
    const { jobId } = pick(random, state.jobs);
    return random() < 0.6 ? { type: 'automationDone', jobId } : { type: 'automationFailed', jobId, error: 'boom' };
  }
  if (roll < 0.22 && state.subprocesses.length) {
    return { type: 'subprocessFinished', subprocessId: state.subprocesses[0].subprocessId, outcome: random() < 0.85 ? 'approved' : 'rejected' };
  }
  if (roll >= 0.225 && roll < 0.23) return { type: 'withdraw', actorId: 'alice' };
  if (roll >= 0.23 && roll < 0.235) return { type: 'admin', action: 'jumpTo', actorId: 'admin', nodeId: pick(random, ['a1', 'split', 'last']) };
  // Stale events: old timers, jobs and tasks must be harmless.
  if (roll >= 0.235 && roll < 0.3) {
    const old = effects.filter((e) => e.type === 'scheduleTimer' || e.type === 'runAutomation');
    if (old.length) {
      const e = pick(random, old);
      return e.type === 'scheduleTimer' ? { type: 'timerFired', timerId: e.timerId } : { type: 'automationDone', jobId: e.jobId };
    }
  }
  const candidates = random() < 0.1 ? state.tasks : state.tasks.filter((t) => t.status === 'open');
  if (candidates.length === 0) return { type: 'repair' };
  const task = pick(random, candidates);
  const actions = allowedActions(definition, state, task.id);
  const choice = random();
  const action = actions.length === 0 ? 'approve' : choice < 0.6 ? actions[0] : choice < 0.64 ? 'reject' : pick(random, actions);
  const actorId = random() < 0.95 ? task.assigneeId : 'erin';
  const comment = random() < 0.7 ? 'because' : undefined;
  switch (action) {
    case 'sendBack':
      return { type: 'task', taskId: task.id, actorId, action, comment, toNodeId: pick(random, [...sendBackTargets(definition, state, task.id), 'end']) };
    case 'transfer':
      return { type: 'task', taskId: task.id, actorId, action, toMemberId: pick(random, ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gone']) };
    case 'addSigner':
      return { type: 'task', taskId: task.id, actorId, action, memberIds: [pick(random, ['alice', 'frank', 'ceo', 'erin'])], position: pick(random, ['before', 'after', 'parallel']) };
    case 'approve':
      return { type: 'task', taskId: task.id, actorId, action, comment, data: random() < 0.1 ? { amount: 1 } : undefined };
    default:
      return { type: 'task', taskId: task.id, actorId, action, comment };
  }
}

function checkInvariants(before: InstanceState, after: InstanceState, effects: Effect[]): void {
  expect(diagnose(definition, after).stuck).toBe(false);
  const ids = after.tasks.map((t) => t.id);
  expect(new Set(ids).size).toBe(ids.length);
  const joinsPerSplit = after.nodeVisits.filter((v) => v.type === 'join').map((v) => v.prevVisitId);
  expect(new Set(joinsPerSplit).size).toBe(joinsPerSplit.length);
  const oldStatus = new Map(before.tasks.map((t) => [t.id, t.status]));
  for (const task of after.tasks) {
    if (oldStatus.get(task.id) === task.status) continue;
    expect(effects.some((e) => 'taskId' in e && e.taskId === task.id && (e.type === 'openTask' || e.type === 'cancelTask' || e.type === 'updateTask'))).toBe(true);
  }
  for (const e of effects) if (e.type === 'openTask') expect(oldStatus.has(e.taskId)).toBe(false);
  if (after.status !== 'running') {
    expect(after.tasks.filter((t) => t.status === 'open' || t.status === 'waiting')).toEqual([]);
    expect([after.timers, after.jobs, after.subprocesses]).toEqual([[], [], []]);
    expect(effects.filter((e) => e.type === 'finish')).toHaveLength(before.status === 'running' ? 1 : 0);
  }
  expect(new Set(effects.map((e) => e.id)).size).toBe(effects.length);
}

describe('random walks', () => {
  it('the definition is valid', () => {
    expect(validate(definition, { fields: [{ id: 'amount', type: 'number' }] })).toEqual([]);
  });

  it('never leave an instance stuck, never open a task twice, and fire each join activation once', () => {
    const finals: Record<string, number> = {};
    const coverage: Record<string, number> = {};
    for (let seed = 1; seed <= 200; seed++) {
      const random = rng(seed);
      let clock = Date.parse(T0);
      let { state, effects } = start(definition, { instanceId: `w${seed}`, initiatorId: 'alice', record: { amount: seed % 3 ? 500 : 5 }, org }, clock, { conditionEvaluator: evaluate });
      const history: Effect[] = [...effects];
      for (let i = 0; i < 80 && state.status === 'running'; i++) {
        clock += Math.floor(random() * 2 * 3600_000);
        const event = randomEvent(random, state, history);
        const snapshot = JSON.stringify(state);
        try {
          const result = step(definition, state, event, clock, { org, conditionEvaluator: evaluate });
          expect(JSON.stringify(state)).toBe(snapshot);
          if (!result.changed) {
            expect(result.effects).toEqual([]);
            expect(result.state).toBe(state);
            continue;
          }
          checkInvariants(state, result.state, result.effects);
          expect(result.state.transition).toBe(state.transition + 1);
          state = result.state;
          history.push(...result.effects);
        } catch (error) {
          if (!(error instanceof WorkflowActionError)) throw error;
          expect([403, 404, 409, 422]).toContain(error.status);
        }
      }
      finals[state.status] = (finals[state.status] ?? 0) + 1;
      for (const l of state.log) if (l.action) coverage[l.action] = (coverage[l.action] ?? 0) + 1;
      expect(new Set(history.map((e) => e.id)).size).toBe(history.length);
    }
    for (const action of ['join_arrival', 'sent_back', 'return_direct', 'addSigner', 'task_reopened', 'transfer', 'timeout', 'dedupe', 'automation_retry', 'subprocess_finished', 'withdraw', 'jump']) {
      expect(coverage[action] ?? 0, action).toBeGreaterThan(0);
    }
    // The walks reach every kind of ending, so the invariants were exercised on each.
    expect(Object.keys(finals).sort()).toEqual(expect.arrayContaining(['approved', 'failed', 'rejected', 'withdrawn']));
  });
});
