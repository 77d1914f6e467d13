import {
  diagnose,
  start,
  step,
  type Condition,
  type ConditionEvaluator,
  type Effect,
  type InstanceState,
  type OrgSnapshot,
  type StepResult,
  type Task,
  type WorkflowDefinition,
  type WorkflowEvent,
} from '@qiao/workflow-engine';

export const T0 = '2026-03-01T08:00:00.000Z';

export const org: OrgSnapshot = {
  members: [
    { id: 'alice', departmentIds: ['sales-east'] },
    { id: 'bob', departmentIds: ['sales'] },
    { id: 'carol', departmentIds: ['finance'] },
    { id: 'dave', departmentIds: ['finance'] },
    { id: 'erin', departmentIds: ['legal'] },
    { id: 'frank', departmentIds: ['sales-east'] },
    { id: 'gone', departmentIds: ['finance'], disabled: true },
    { id: 'ceo', departmentIds: ['hq'] },
    { id: 'admin', departmentIds: ['hq'] },
  ],
  departments: [
    { id: 'hq', supervisorId: 'ceo' },
    { id: 'sales', parentId: 'hq', supervisorId: 'bob' },
    { id: 'sales-east', parentId: 'sales', supervisorId: 'frank' },
    { id: 'finance', parentId: 'hq', supervisorId: 'carol' },
    { id: 'legal', parentId: 'hq' },
  ],
  roles: [
    { id: 'finance', memberIds: ['carol', 'dave', 'gone'] },
    { id: 'legal', memberIds: ['erin'] },
  ],
  admins: ['admin'],
};

/** A small stand-in for form-engine's matchCondition; a value-less field compares false. */
export const evaluate: ConditionEvaluator = (condition: Condition, record) => {
  if ('and' in condition) return condition.and.every((c) => evaluate(c, record, { id: '', departmentIds: [], roleIds: [] }));
  if ('or' in condition) return condition.or.some((c) => evaluate(c, record, { id: '', departmentIds: [], roleIds: [] }));
  const value = record[condition.field];
  const empty = value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
  if (condition.op === 'empty') return empty;
  if (condition.op === 'notEmpty') return !empty;
  if (empty) return false;
  const target = condition.value as never;
  switch (condition.op) {
    case 'eq':
      return value === target;
    case 'ne':
      return value !== target;
    case 'gt':
      return (value as number) > target;
    case 'gte':
      return (value as number) >= target;
    case 'lt':
      return (value as number) < target;
    case 'lte':
      return (value as number) <= target;
    case 'in':
      return (target as unknown[]).includes(value);
    case 'nin':
      return !(target as unknown[]).includes(value);
    case 'contains':
      return String(value).includes(String(target));
    case 'startsWith':
      return String(value).startsWith(String(target));
    case 'between':
      return (value as number) >= (target as number[])[0] && (value as number) <= (target as number[])[1];
  }
};

type NodeSpec = WorkflowDefinition['nodes'][number];
type EdgeSpec = WorkflowDefinition['edges'][number];

/** Chains nodes start → ...middle → end with edges named `${a}-${b}`. */
export function linear(middle: NodeSpec[], settings?: WorkflowDefinition['settings']): WorkflowDefinition {
  const nodes: NodeSpec[] = [{ id: 'start', type: 'start' }, ...middle, { id: 'end', type: 'end' }];
  const edges: EdgeSpec[] = nodes.slice(1).map((n, i) => ({ id: `${nodes[i].id}-${n.id}`, source: nodes[i].id, target: n.id }));
  return settings ? { nodes, edges, settings } : { nodes, edges };
}

export function edge(source: string, target: string, data?: EdgeSpec['data']): EdgeSpec {
  return data ? { id: `${source}-${target}`, source, target, data } : { id: `${source}-${target}`, source, target };
}

export function approval(id: string, ids: string[], data: Record<string, unknown> = {}): NodeSpec {
  return { id, type: 'approval', data: { assignees: [{ kind: 'member', ids }], ...data } } as NodeSpec;
}

export function fill(id: string, ids: string[], data: Record<string, unknown> = {}): NodeSpec {
  return { id, type: 'fill', data: { assignees: [{ kind: 'member', ids }], ...data } } as NodeSpec;
}

/** The engine's promise: a running instance always waits on something. */
function assertNotStuck(definition: WorkflowDefinition, state: InstanceState): void {
  const diagnosis = diagnose(definition, state);
  if (diagnosis.stuck) throw new Error(`instance is stuck: ${diagnosis.problems.join('; ')}`);
}

/** Drives one instance; every call checks the interpreter did not mutate its inputs. */
export class Flow {
  state: InstanceState;
  effects: Effect[];
  clock: number;

  constructor(
    readonly definition: WorkflowDefinition,
    record: Record<string, unknown> = {},
    readonly options: { org?: OrgSnapshot; evaluator?: ConditionEvaluator; initiatorId?: string; instanceId?: string } = {},
  ) {
    this.clock = Date.parse(T0);
    const result = start(
      definition,
      { instanceId: options.instanceId ?? 'i1', initiatorId: options.initiatorId ?? 'alice', record, org: options.org ?? org },
      this.clock,
      { conditionEvaluator: options.evaluator ?? evaluate },
    );
    assertNotStuck(definition, result.state);
    this.state = result.state;
    this.effects = result.effects;
  }

  get now(): string {
    return new Date(this.clock).toISOString();
  }

  advance(ms: number): this {
    this.clock += ms;
    return this;
  }

  send(event: WorkflowEvent): StepResult {
    const before = JSON.stringify(this.state);
    const result = step(this.definition, this.state, event, this.clock, { org: this.options.org ?? org, conditionEvaluator: this.options.evaluator ?? evaluate });
    if (JSON.stringify(this.state) !== before) throw new Error('step mutated its input state');
    assertNotStuck(this.definition, result.state);
    this.state = result.state;
    this.effects = result.effects;
    return result;
  }

  /** Sends an event expected to be refused; asserts the state is untouched and returns the error. */
  refused(event: WorkflowEvent): { status: number; code: string } {
    const before = JSON.stringify(this.state);
    try {
      this.send(event);
    } catch (error) {
      if (JSON.stringify(this.state) !== before) throw new Error('a refused event changed the state');
      const e = error as { status: number; code: string; name: string };
      if (e.name !== 'WorkflowActionError') throw error;
      return { status: e.status, code: e.code };
    }
    throw new Error(`event was accepted: ${JSON.stringify(event)}`);
  }

  act(taskId: string, actorId: string, action: string, extra: Record<string, unknown> = {}): StepResult {
    return this.send({ type: 'task', taskId, actorId, action, ...extra } as WorkflowEvent);
  }

  /** Acts on the single open task of `nodeId` held by `assigneeId`. */
  actOn(nodeId: string, assigneeId: string, action: string, extra: Record<string, unknown> = {}): StepResult {
    return this.act(this.task(nodeId, assigneeId).id, assigneeId, action, extra);
  }

  task(nodeId: string, assigneeId: string, status: Task['status'] = 'open'): Task {
    const found = this.state.tasks.filter((t) => t.nodeId === nodeId && t.assigneeId === assigneeId && t.status === status);
    if (found.length !== 1) throw new Error(`expected one ${status} task of ${assigneeId} at ${nodeId}, found ${found.length}`);
    return found[0];
  }

  open(nodeId?: string): Task[] {
    return this.state.tasks.filter((t) => t.status === 'open' && (!nodeId || t.nodeId === nodeId));
  }

  /** "node:assignee" for every open task, sorted, for compact assertions. */
  openSummary(): string[] {
    return this.open().map((t) => `${t.nodeId}:${t.assigneeId}`).sort();
  }

  effectsOf<T extends Effect['type']>(type: T): Extract<Effect, { type: T }>[] {
    return this.effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
  }

  logActions(action: string): number {
    return this.state.log.filter((l) => l.action === action).length;
  }
}
