import type { Condition, ConditionEvaluator } from './condition.ts';
import { start, step } from './interpreter/index.ts';
import type { OrgSnapshot } from './org.ts';
import type { WorkflowDefinition } from './schema.ts';
import type { InstanceStatus } from './state.ts';
import type { FormShape } from './validate.ts';

/** The benchmark flow: approval → exclusive branch → parallel pair → join → end. */
export const benchmarkForm: FormShape = {
  fields: [
    { id: 'title', type: 'text' },
    { id: 'amount', type: 'number' },
  ],
};

export const benchmarkDefinition: WorkflowDefinition = {
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'review', type: 'approval', data: { name: 'Review', assignees: [{ kind: 'role', ids: ['reviewers'] }] } },
    { id: 'route', type: 'branch', data: { name: 'Large amount?' } },
    { id: 'director', type: 'approval', data: { name: 'Director', assignees: [{ kind: 'member', ids: ['director'] }] } },
    { id: 'split', type: 'parallel' },
    { id: 'finance', type: 'approval', data: { name: 'Finance', assignees: [{ kind: 'role', ids: ['finance'] }] } },
    { id: 'legal', type: 'approval', data: { name: 'Legal', assignees: [{ kind: 'role', ids: ['legal'] }] } },
    { id: 'join', type: 'join' },
    { id: 'end', type: 'end' },
  ],
  edges: [
    { id: 'e-start', source: 'start', target: 'review' },
    { id: 'e-review', source: 'review', target: 'route' },
    { id: 'e-large', source: 'route', target: 'director', data: { condition: { field: 'amount', op: 'gte', value: 10000 } } },
    { id: 'e-normal', source: 'route', target: 'split', data: { default: true } },
    { id: 'e-director', source: 'director', target: 'split' },
    { id: 'e-finance', source: 'split', target: 'finance' },
    { id: 'e-legal', source: 'split', target: 'legal' },
    { id: 'e-finance-join', source: 'finance', target: 'join' },
    { id: 'e-legal-join', source: 'legal', target: 'join' },
    { id: 'e-end', source: 'join', target: 'end' },
  ],
};

export const benchmarkOrg: OrgSnapshot = {
  members: ['initiator', 'reviewer', 'director', 'finance', 'legal', 'admin'].map((id) => ({ id, departmentIds: ['d1'] })),
  departments: [{ id: 'd1', supervisorId: 'director' }],
  roles: [
    { id: 'reviewers', memberIds: ['reviewer'] },
    { id: 'finance', memberIds: ['finance'] },
    { id: 'legal', memberIds: ['legal'] },
  ],
  admins: ['admin'],
};

/** Enough for the benchmark's own condition; hosts pass form-engine's evaluator for anything else. */
const comparisonEvaluator: ConditionEvaluator = (condition: Condition, record) => {
  if ('and' in condition) return condition.and.every((c) => comparisonEvaluator(c, record, { id: '', departmentIds: [], roleIds: [] }));
  if ('or' in condition) return condition.or.some((c) => comparisonEvaluator(c, record, { id: '', departmentIds: [], roleIds: [] }));
  const value = record[condition.field];
  if (value === undefined || value === null || value === '') return false;
  switch (condition.op) {
    case 'eq':
      return value === condition.value;
    case 'gte':
      return (value as number) >= (condition.value as number);
    case 'lt':
      return (value as number) < (condition.value as number);
    default:
      throw new Error(`the simulation evaluator does not support ${condition.op}`);
  }
};

export interface SimulateOptions {
  instances: number;
  definition?: WorkflowDefinition;
  org?: OrgSnapshot;
  conditionEvaluator?: ConditionEvaluator;
  /** Record of instance i; by default every other instance takes the large-amount path. */
  record?: (i: number) => Record<string, unknown>;
  /** Fixed base time; each action advances it by a second, so runs are reproducible. */
  startAt?: string;
}

export interface SimulationResult {
  instances: number;
  /** Accepted events over all instances, starts included. */
  transitions: number;
  effects: number;
  statuses: Partial<Record<InstanceStatus, number>>;
}

/** Drives instances to completion through start/step alone, approving every open task in turn. */
export function simulate(options: SimulateOptions): SimulationResult {
  const definition = options.definition ?? benchmarkDefinition;
  const org = options.org ?? benchmarkOrg;
  const conditionEvaluator = options.conditionEvaluator ?? comparisonEvaluator;
  const record = options.record ?? ((i: number) => ({ title: `request ${i}`, amount: i % 2 ? 20000 : 500 }));
  let clock = Date.parse(options.startAt ?? '2026-01-01T00:00:00.000Z');
  const result: SimulationResult = { instances: options.instances, transitions: 0, effects: 0, statuses: {} };
  for (let i = 0; i < options.instances; i++) {
    let { state, effects } = start(definition, { instanceId: `sim${i}`, initiatorId: 'initiator', record: record(i), org }, clock, { conditionEvaluator });
    result.effects += effects.length;
    while (state.status === 'running') {
      const task = state.tasks.find((t) => t.status === 'open');
      if (!task) throw new Error(`simulation instance sim${i} waits on something other than a task`);
      clock += 1000;
      const action = task.kind === 'approval' ? 'approve' : 'submit';
      ({ state, effects } = step(definition, state, { type: 'task', taskId: task.id, actorId: task.assigneeId, action }, clock, { org, conditionEvaluator }));
      result.effects += effects.length;
    }
    result.transitions += state.transition;
    result.statuses[state.status] = (result.statuses[state.status] ?? 0) + 1;
  }
  return result;
}
