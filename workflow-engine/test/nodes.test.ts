import { describe, expect, it } from 'vitest';
import { currentNodeIds, step, type WorkflowDefinition } from '@qiao/workflow-engine';
import { Flow, approval, edge, evaluate, fill, linear, org, T0 } from './helpers.ts';

describe('start and end', () => {
  it('a flow with only start and end is approved at once', () => {
    const flow = new Flow(linear([]));
    expect(flow.state.status).toBe('approved');
    expect(flow.effectsOf('finish')).toEqual([expect.objectContaining({ status: 'approved' })]);
    expect(flow.state.log.map((l) => l.kind)).toEqual(['started', 'node_entered', 'node_left', 'node_entered', 'node_left', 'finished']);
  });
});

describe('approval node', () => {
  it('opens a task per assignee and moves on when approved', () => {
    const flow = new Flow(linear([approval('a1', ['bob'])]));
    expect(flow.state.status).toBe('running');
    expect(currentNodeIds(flow.state)).toEqual(['a1']);
    expect(flow.effectsOf('openTask')).toEqual([expect.objectContaining({ nodeId: 'a1', assigneeId: 'bob', kind: 'approval', taskId: flow.task('a1', 'bob').id })]);
    flow.actOn('a1', 'bob', 'approve', { comment: 'ok' });
    expect(flow.state.status).toBe('approved');
    expect(flow.state.tasks[0]).toMatchObject({ status: 'approved', actorId: 'bob', comment: 'ok' });
    expect(flow.effectsOf('updateTask')).toEqual([expect.objectContaining({ status: 'approved', actorId: 'bob' })]);
  });

  it('reject ends the instance rejected', () => {
    const flow = new Flow(linear([approval('a1', ['bob']), approval('a2', ['carol'])]));
    flow.actOn('a1', 'bob', 'reject');
    expect(flow.state.status).toBe('rejected');
    expect(flow.state.tasks.map((t) => t.nodeId)).toEqual(['a1']);
    expect(flow.effectsOf('finish')).toEqual([expect.objectContaining({ status: 'rejected' })]);
  });
});

describe('fill node', () => {
  it('is submitted with the fields it makes editable', () => {
    const flow = new Flow(linear([fill('f1', ['bob'], { fieldPermissions: { amount: 'edit' } })]), { amount: 1 });
    expect(flow.open()[0].kind).toBe('fill');
    expect(flow.refused({ type: 'task', taskId: flow.open()[0].id, actorId: 'bob', action: 'reject' })).toEqual({ status: 422, code: 'action_not_allowed' });
    flow.actOn('f1', 'bob', 'submit', { data: { amount: 7 } });
    expect(flow.state.status).toBe('approved');
    expect(flow.state.record.amount).toBe(7);
    expect(flow.state.tasks[0].status).toBe('done');
    expect(flow.effectsOf('applyRecordPatch')).toEqual([expect.objectContaining({ patch: { amount: 7 }, nodeId: 'f1', actorId: 'bob' })]);
  });

  it('accepts approve as a synonym of submit', () => {
    const flow = new Flow(linear([fill('f1', ['bob'])]));
    flow.actOn('f1', 'bob', 'approve');
    expect(flow.state.status).toBe('approved');
  });
});

describe('cc node', () => {
  it('notifies and records the cc box without blocking', () => {
    const def = linear([{ id: 'cc', type: 'cc', data: { assignees: [{ kind: 'role', ids: ['finance'] }], fieldPermissions: { amount: 'edit' } } }, approval('a1', ['bob'])]);
    const flow = new Flow(def);
    expect(currentNodeIds(flow.state)).toEqual(['a1']);
    expect(flow.effectsOf('notify')).toEqual([expect.objectContaining({ kind: 'cc', recipientIds: ['carol', 'dave'], nodeId: 'cc' })]);
    expect(flow.state.cc.map((c) => c.memberId)).toEqual(['carol', 'dave']);
  });

  it('an empty cc list is logged and passes', () => {
    const flow = new Flow(linear([{ id: 'cc', type: 'cc', data: { assignees: [{ kind: 'member', ids: ['gone'] }] } }]));
    expect(flow.state.status).toBe('approved');
    expect(flow.logActions('empty_assignees')).toBe(1);
  });
});

describe('exclusive branch', () => {
  const def: WorkflowDefinition = {
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'pick', type: 'branch' },
      approval('big', ['carol']),
      approval('huge', ['ceo']),
      approval('small', ['bob']),
      { id: 'end', type: 'end' },
    ],
    edges: [
      edge('start', 'pick'),
      edge('pick', 'small', { default: true }),
      edge('pick', 'big', { condition: { field: 'amount', op: 'gte', value: 1000 } }),
      edge('pick', 'huge', { condition: { field: 'amount', op: 'gte', value: 100000 } }),
      edge('big', 'end'),
      edge('huge', 'end'),
      edge('small', 'end'),
    ],
  };

  it('takes the first matching edge in edge order, even when a later one matches too', () => {
    expect(currentNodeIds(new Flow(def, { amount: 500000 }).state)).toEqual(['big']);
    expect(currentNodeIds(new Flow(def, { amount: 1000 }).state)).toEqual(['big']);
  });

  it('takes the default edge, wherever it sits, when nothing matches or the field has no value', () => {
    expect(currentNodeIds(new Flow(def, { amount: 5 }).state)).toEqual(['small']);
    expect(currentNodeIds(new Flow(def, {}).state)).toEqual(['small']);
    const flow = new Flow(def, { amount: 5 });
    expect(flow.state.log.find((l) => l.action === 'branch_taken')?.detail).toEqual({ edgeId: 'pick-small', default: true });
  });

  it('fails the instance with the reason when a condition cannot be evaluated', () => {
    const flow = new Flow(def, { amount: 5 }, { evaluator: () => { throw new Error('field amount is hidden'); } });
    expect(flow.state.status).toBe('failed');
    expect(flow.state.reason).toMatch(/pick.*pick-big.*field amount is hidden/);
    expect(flow.effectsOf('finish')).toEqual([expect.objectContaining({ status: 'failed', reason: flow.state.reason })]);
  });
});

describe('parallel and join', () => {
  const def: WorkflowDefinition = {
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'split', type: 'parallel' },
      approval('fin', ['carol']),
      approval('legal', ['erin']),
      approval('after', ['ceo']),
      { id: 'join', type: 'join' },
      { id: 'end', type: 'end' },
    ],
    edges: [edge('start', 'split'), edge('split', 'fin'), edge('split', 'legal'), edge('fin', 'join'), edge('legal', 'join'), edge('join', 'after'), edge('after', 'end')],
  };

  it('opens both branches and continues once both arrived', () => {
    const flow = new Flow(def);
    expect(flow.openSummary()).toEqual(['fin:carol', 'legal:erin']);
    flow.actOn('fin', 'carol', 'approve');
    expect(flow.openSummary()).toEqual(['legal:erin']);
    expect(flow.state.joins[0]).toMatchObject({ arrived: ['split-fin'], fired: false });
    flow.actOn('legal', 'erin', 'approve');
    expect(flow.openSummary()).toEqual(['after:ceo']);
    expect(flow.state.nodeVisits.filter((v) => v.nodeId === 'join')).toHaveLength(1);
  });

  it('fires the join exactly once when both branches arrive in the same step and instant', () => {
    const auto = structuredClone(def);
    auto.nodes[2] = approval('fin', ['gone'], { onEmpty: 'autoApprove' });
    auto.nodes[3] = { id: 'legal', type: 'cc', data: { assignees: [{ kind: 'member', ids: ['erin'] }] } };
    const flow = new Flow(auto);
    expect(flow.openSummary()).toEqual(['after:ceo']);
    expect(flow.state.nodeVisits.filter((v) => v.nodeId === 'join')).toHaveLength(1);
    expect(flow.state.nodeVisits.filter((v) => v.nodeId === 'after')).toHaveLength(1);
    expect(flow.effectsOf('openTask')).toHaveLength(1);
  });

  it('joins nested blocks and branches that take an exclusive path straight to the join', () => {
    const nested: WorkflowDefinition = {
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'outer', type: 'parallel' },
        { id: 'inner', type: 'parallel' },
        approval('a', ['bob']),
        approval('b', ['carol']),
        { id: 'innerJoin', type: 'join' },
        { id: 'pick', type: 'branch' },
        approval('c', ['erin']),
        { id: 'outerJoin', type: 'join' },
        { id: 'end', type: 'end' },
      ],
      edges: [
        edge('start', 'outer'),
        edge('outer', 'inner'),
        edge('outer', 'pick'),
        edge('inner', 'a'),
        edge('inner', 'b'),
        edge('a', 'innerJoin'),
        edge('b', 'innerJoin'),
        edge('innerJoin', 'outerJoin'),
        edge('pick', 'c', { condition: { field: 'amount', op: 'gt', value: 10 } }),
        edge('pick', 'outerJoin', { default: true }),
        edge('c', 'outerJoin'),
        edge('outerJoin', 'end'),
      ],
    };
    const quick = new Flow(nested, { amount: 1 });
    expect(quick.openSummary()).toEqual(['a:bob', 'b:carol']);
    quick.actOn('a', 'bob', 'approve');
    expect(quick.state.status).toBe('running');
    quick.actOn('b', 'carol', 'approve');
    expect(quick.state.status).toBe('approved');

    const slow = new Flow(nested, { amount: 100 });
    expect(slow.openSummary()).toEqual(['a:bob', 'b:carol', 'c:erin']);
    slow.actOn('a', 'bob', 'approve');
    slow.actOn('c', 'erin', 'approve');
    expect(slow.state.status).toBe('running');
    slow.actOn('b', 'carol', 'approve');
    expect(slow.state.status).toBe('approved');
    expect(slow.state.nodeVisits.filter((v) => v.type === 'join').map((v) => v.nodeId)).toEqual(['innerJoin', 'outerJoin']);
  });

  it('a reject in one branch rejects the instance and cancels the sibling branch', () => {
    const flow = new Flow(def);
    flow.actOn('fin', 'carol', 'reject');
    expect(flow.state.status).toBe('rejected');
    expect(flow.task('legal', 'erin', 'cancelled').reason).toBe('node fin rejected');
    expect(flow.effectsOf('cancelTask')).toEqual([expect.objectContaining({ taskId: flow.task('legal', 'erin', 'cancelled').id })]);
  });
});

describe('automation node', () => {
  const def = (data: Record<string, unknown> = {}) =>
    linear([{ id: 'auto', type: 'automation', data: { action: { kind: 'webhook', url: 'https://example.test/hook' }, ...data } } as never, approval('a1', ['bob'])]);

  it('emits runAutomation and waits for automationDone', () => {
    const flow = new Flow(def());
    const [run] = flow.effectsOf('runAutomation');
    expect(run).toMatchObject({ nodeId: 'auto', attempt: 1, action: { kind: 'webhook' } });
    expect(currentNodeIds(flow.state)).toEqual(['auto']);
    flow.send({ type: 'automationDone', jobId: run.jobId });
    expect(currentNodeIds(flow.state)).toEqual(['a1']);
  });

  it('ignores a redelivered or unknown result', () => {
    const flow = new Flow(def());
    const { jobId } = flow.effectsOf('runAutomation')[0];
    flow.send({ type: 'automationDone', jobId });
    const tasks = flow.state.tasks.length;
    const again = flow.send({ type: 'automationDone', jobId });
    expect(again).toMatchObject({ changed: false, effects: [] });
    expect(flow.state.tasks).toHaveLength(tasks);
    expect(flow.send({ type: 'automationFailed', jobId: 'nope' }).changed).toBe(false);
  });

  it('fails the instance with the reason when the automation fails', () => {
    const flow = new Flow(def());
    flow.send({ type: 'automationFailed', jobId: flow.effectsOf('runAutomation')[0].jobId, error: 'HTTP 500' });
    expect(flow.state).toMatchObject({ status: 'failed', reason: expect.stringMatching(/auto.*HTTP 500/) });
  });

  it('retries with a fresh job id under a retry policy, or continues when told to', () => {
    const flow = new Flow(def({ retry: { attempts: 1 } }));
    const first = flow.effectsOf('runAutomation')[0];
    flow.send({ type: 'automationFailed', jobId: first.jobId, error: 'timeout' });
    const second = flow.effectsOf('runAutomation')[0];
    expect(second).toMatchObject({ attempt: 2 });
    expect(second.jobId).not.toBe(first.jobId);
    flow.send({ type: 'automationFailed', jobId: second.jobId, error: 'timeout' });
    expect(flow.state.status).toBe('failed');

    const lenient = new Flow(def({ onFailure: 'continue' }));
    lenient.send({ type: 'automationFailed', jobId: lenient.effectsOf('runAutomation')[0].jobId, error: 'x' });
    expect(currentNodeIds(lenient.state)).toEqual(['a1']);
  });
});

describe('subprocess node', () => {
  const def = (data: Record<string, unknown> = {}) =>
    linear([{ id: 'sub', type: 'subprocess', data: { formId: 'contracts', mapping: { total: 'amount' }, initiatorField: 'owner', ...data } } as never, approval('a1', ['bob'])]);

  it('starts the child with mapped data and waits for an approved outcome', () => {
    const flow = new Flow(def(), { amount: 42, owner: 'erin' });
    const [started] = flow.effectsOf('startSubprocess');
    expect(started).toMatchObject({ formId: 'contracts', data: { total: 42 }, initiatorId: 'erin', async: false });
    expect(currentNodeIds(flow.state)).toEqual(['sub']);
    flow.send({ type: 'subprocessFinished', subprocessId: started.subprocessId, outcome: 'approved' });
    expect(currentNodeIds(flow.state)).toEqual(['a1']);
  });

  it('a rejected child rejects the parent; another ending fails it', () => {
    const flow = new Flow(def(), { amount: 1 });
    flow.send({ type: 'subprocessFinished', subprocessId: flow.effectsOf('startSubprocess')[0].subprocessId, outcome: 'rejected' });
    expect(flow.state).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/subprocess at sub/) });
    const other = new Flow(def());
    other.send({ type: 'subprocessFinished', subprocessId: other.effectsOf('startSubprocess')[0].subprocessId, outcome: 'terminated' });
    expect(other.state.status).toBe('failed');
  });

  it('terminating the parent terminates the waiting child', () => {
    const flow = new Flow(def());
    const { subprocessId } = flow.effectsOf('startSubprocess')[0];
    flow.send({ type: 'admin', action: 'terminate', actorId: 'admin' });
    expect(flow.effectsOf('terminateSubprocess')).toEqual([expect.objectContaining({ subprocessId })]);
  });

  it('the async variant starts the child and goes on', () => {
    const flow = new Flow(def({ async: true }), { owner: 'gone' });
    expect(flow.effectsOf('startSubprocess')[0]).toMatchObject({ async: true, initiatorId: 'alice' });
    expect(currentNodeIds(flow.state)).toEqual(['a1']);
  });
});

describe('determinism', () => {
  it('the same inputs give the same state and effects, with ids from the instance and transition', () => {
    const run = () => {
      const flow = new Flow(linear([approval('a1', ['bob', 'carol'], { mode: 'all', timeout: { after: 'PT1H', then: 'remind' } })]));
      flow.advance(1000).actOn('a1', 'bob', 'approve');
      return { state: flow.state, effects: flow.effects };
    };
    const a = run();
    expect(run()).toEqual(a);
    expect(a.effects.every((e) => e.id.startsWith('i1.e2.'))).toBe(true);
    expect(a.state.tasks.map((t) => t.id)).toEqual(expect.arrayContaining([expect.stringMatching(/^i1\.t1\.\d+$/)]));
    expect(a.state.transition).toBe(2);
    expect(new Set(a.state.tasks.map((t) => t.id)).size).toBe(a.state.tasks.length);
    expect(a.state.startedAt).toBe(T0);
  });
});

describe('record refresh', () => {
  it('conditions read the stored record the host passes with the event', () => {
    const def: WorkflowDefinition = {
      nodes: [{ id: 'start', type: 'start' }, approval('a1', ['bob']), { id: 'pick', type: 'branch' }, approval('big', ['ceo']), { id: 'end', type: 'end' }],
      edges: [edge('start', 'a1'), edge('a1', 'pick'), edge('pick', 'big', { condition: { field: 'amount', op: 'gt', value: 100 } }), edge('pick', 'end', { default: true }), edge('big', 'end')],
    };
    const flow = new Flow(def, { amount: 1 });
    const { state } = step(def, flow.state, { type: 'task', taskId: flow.open()[0].id, actorId: 'bob', action: 'approve' }, T0, { org, conditionEvaluator: evaluate, record: { amount: 500 } });
    expect(currentNodeIds(state)).toEqual(['big']);
    expect(state.record).toEqual({ amount: 500 });
  });
});
