import { describe, expect, it } from 'vitest';
import { currentNodeIds, diagnose, fieldPermissionsAt, type InstanceState, type WorkflowDefinition } from '@qiao/workflow-engine';
import { Flow, approval, edge, linear, org } from './helpers.ts';

const HOUR = 3600_000;

describe('withdraw', () => {
  const def = (withdraw?: 'never' | 'untouched' | 'beforeNextAction') =>
    linear([approval('a1', ['bob']), approval('a2', ['carol', 'dave'], { mode: 'all' })], withdraw ? { withdraw } : undefined);

  it('never: 409', () => {
    const flow = new Flow(def('never'));
    expect(flow.refused({ type: 'withdraw', actorId: 'alice' })).toEqual({ status: 409, code: 'withdraw_not_allowed' });
  });

  it('only the initiator may withdraw', () => {
    const flow = new Flow(def('untouched'));
    expect(flow.refused({ type: 'withdraw', actorId: 'bob' })).toEqual({ status: 403, code: 'not_initiator' });
  });

  it('untouched (the default): allowed until an approver acts', () => {
    const fresh = new Flow(def());
    fresh.send({ type: 'withdraw', actorId: 'alice' });
    expect(fresh.state.status).toBe('withdrawn');
    expect(fresh.task('a1', 'bob', 'cancelled').reason).toBe('withdrawn by the initiator');
    expect(fresh.effectsOf('finish')).toEqual([expect.objectContaining({ status: 'withdrawn' })]);
    expect(fresh.refused({ type: 'withdraw', actorId: 'alice' })).toEqual({ status: 409, code: 'instance_finished' });

    const touched = new Flow(def('untouched'));
    touched.actOn('a1', 'bob', 'approve');
    expect(touched.refused({ type: 'withdraw', actorId: 'alice' })).toEqual({ status: 409, code: 'withdraw_not_allowed' });
  });

  it('beforeNextAction: allowed while the current approvers have not acted', () => {
    const flow = new Flow(def('beforeNextAction'));
    flow.actOn('a1', 'bob', 'approve');
    const copy = new Flow(def('beforeNextAction'));
    copy.actOn('a1', 'bob', 'approve');
    copy.send({ type: 'withdraw', actorId: 'alice' });
    expect(copy.state.status).toBe('withdrawn');
    flow.actOn('a2', 'carol', 'approve');
    expect(flow.refused({ type: 'withdraw', actorId: 'alice' })).toEqual({ status: 409, code: 'withdraw_not_allowed' });
  });

  it('is blocked once an automation has been started', () => {
    const flow = new Flow(linear([{ id: 'auto', type: 'automation', data: { action: { kind: 'webhook' } } }]));
    expect(flow.refused({ type: 'withdraw', actorId: 'alice' })).toEqual({ status: 409, code: 'withdraw_not_allowed' });
  });
});

describe('empty assignees', () => {
  const def = (onEmpty?: string) => linear([approval('a1', ['gone'], onEmpty ? { onEmpty } : {}), approval('a2', ['bob'])]);

  it('autoApprove passes the node and logs it', () => {
    const flow = new Flow(def('autoApprove'));
    expect(flow.openSummary()).toEqual(['a2:bob']);
    expect(flow.state.log.find((l) => l.action === 'empty_assignees')?.reason).toMatch(/approved automatically/);
    expect(flow.logActions('assignees_dropped')).toBe(1);
  });

  it('admin (the default) hands the node to the admins', () => {
    expect(new Flow(def('admin')).openSummary()).toEqual(['a1:admin']);
    expect(new Flow(def()).openSummary()).toEqual(['a1:admin']);
  });

  it('admin without an active admin fails rather than stalls', () => {
    const flow = new Flow(def('admin'), {}, { org: { ...org, admins: ['gone'] } });
    expect(flow.state).toMatchObject({ status: 'failed', reason: expect.stringMatching(/no active admin/) });
  });

  it('fail ends the instance failed with the reason', () => {
    const flow = new Flow(def('fail'));
    expect(flow.state).toMatchObject({ status: 'failed', reason: 'node a1 has no assignee' });
    expect(flow.effectsOf('finish')).toEqual([expect.objectContaining({ status: 'failed', reason: 'node a1 has no assignee' })]);
  });
});

describe('dedupe', () => {
  it('auto-approves a person who already approved earlier, and only with dedupe on', () => {
    const def = linear([approval('a1', ['bob']), approval('a2', ['bob', 'carol'], { mode: 'all', dedupe: true }), approval('a3', ['bob'])]);
    const flow = new Flow(def);
    flow.actOn('a1', 'bob', 'approve');
    expect(flow.openSummary()).toEqual(['a2:carol']);
    expect(flow.task('a2', 'bob', 'approved')).toMatchObject({ actorId: 'system', reason: expect.stringMatching(/dedupe/) });
    flow.actOn('a2', 'carol', 'approve');
    expect(flow.openSummary()).toEqual(['a3:bob']);
  });
});

describe('dedupe and timeouts', () => {
  it('an approval made by a timeout does not count as the person having approved', () => {
    const def = linear([approval('a1', ['bob'], { timeout: { after: 'PT1H', then: 'approve' } }), approval('a2', ['bob'], { dedupe: true })]);
    const flow = new Flow(def);
    flow.advance(HOUR).send({ type: 'timerFired', timerId: flow.state.timers[0].timerId });
    expect(flow.openSummary()).toEqual(['a2:bob']);
    expect(flow.logActions('dedupe')).toBe(0);
  });
});

describe('timeouts', () => {
  const def = (then: string, after = 'PT2H') => linear([approval('a1', ['bob'], { allow: ['sendBack'] }), approval('a2', ['carol', 'dave'], { mode: 'all', timeout: { after, then } }), approval('a3', ['erin'])]);

  const atA2 = (then: string, after?: string, record: Record<string, unknown> = {}) => {
    const flow = new Flow(def(then, after), record);
    flow.advance(HOUR).actOn('a1', 'bob', 'approve');
    return flow;
  };

  it('schedules a timer at entry + duration with an id unique to the activation', () => {
    const flow = atA2('remind');
    const [timer] = flow.effectsOf('scheduleTimer');
    expect(timer).toMatchObject({ nodeId: 'a2', at: '2026-03-01T11:00:00.000Z', action: 'remind' });
    expect(timer.timerId).toMatch(/^i1\.tm2\.\d+$/);
  });

  it('takes the due time from a date field', () => {
    const flow = atA2('remind', 'due', { due: '2026-03-05' });
    expect(flow.effectsOf('scheduleTimer')[0].at).toBe('2026-03-05T00:00:00.000Z');
    const empty = atA2('remind', 'due', {});
    expect(empty.effectsOf('scheduleTimer')).toEqual([]);
    expect(empty.logActions('timeout_skipped')).toBe(1);
  });

  it('remind notifies the open tasks and changes nothing else', () => {
    const flow = atA2('remind');
    const { timerId } = flow.effectsOf('scheduleTimer')[0];
    flow.advance(2 * HOUR).send({ type: 'timerFired', timerId });
    expect(flow.effectsOf('notify')).toEqual([expect.objectContaining({ kind: 'remind', recipientIds: ['carol', 'dave'] })]);
    expect(flow.openSummary()).toEqual(['a2:carol', 'a2:dave']);
    expect(flow.logActions('timeout')).toBe(1);
    expect(flow.send({ type: 'timerFired', timerId })).toMatchObject({ changed: false, effects: [] });
  });

  it('approve decides the node for everyone still open', () => {
    const flow = atA2('approve');
    flow.actOn('a2', 'carol', 'approve');
    flow.send({ type: 'timerFired', timerId: flow.state.timers[0].timerId });
    expect(flow.task('a2', 'dave', 'approved')).toMatchObject({ actorId: 'system', reason: 'timeout' });
    expect(flow.openSummary()).toEqual(['a3:erin']);
  });

  it('reject rejects the instance', () => {
    const flow = atA2('reject');
    flow.send({ type: 'timerFired', timerId: flow.state.timers[0].timerId });
    expect(flow.state).toMatchObject({ status: 'rejected', reason: 'node a2 rejected on timeout' });
  });

  it('sendBack returns to the previous user node', () => {
    const flow = atA2('sendBack');
    flow.send({ type: 'timerFired', timerId: flow.state.timers[0].timerId });
    expect(flow.openSummary()).toEqual(['a1:bob']);
    expect(flow.task('a2', 'carol', 'sentBack')).toMatchObject({ actorId: 'system' });
  });

  it('a timer firing after its node closed does nothing and returns no effects', () => {
    const flow = atA2('approve');
    const { timerId } = flow.effectsOf('scheduleTimer')[0];
    flow.actOn('a2', 'carol', 'approve');
    flow.actOn('a2', 'dave', 'approve');
    expect(flow.effectsOf('cancelTimer')).toEqual([expect.objectContaining({ timerId })]);
    const before = flow.state;
    const result = flow.send({ type: 'timerFired', timerId });
    expect(result).toEqual({ state: before, effects: [], changed: false });
    expect(flow.openSummary()).toEqual(['a3:erin']);
  });

  it('a timer of an earlier activation does not fire on a re-entered node', () => {
    const def2 = linear([approval('a1', ['bob']), approval('a2', ['carol'], { allow: ['sendBack'], timeout: { after: 'PT1H', then: 'reject' } })]);
    const flow = new Flow(def2);
    flow.actOn('a1', 'bob', 'approve');
    const old = flow.state.timers[0].timerId;
    flow.actOn('a2', 'carol', 'sendBack', { toNodeId: 'a1' });
    flow.actOn('a1', 'bob', 'approve');
    expect(flow.send({ type: 'timerFired', timerId: old }).changed).toBe(false);
    expect(flow.state.timers).toHaveLength(1);
    expect(flow.state.timers[0].timerId).not.toBe(old);
    expect(flow.state.status).toBe('running');
  });

  it('a timer does nothing once the instance has finished', () => {
    const flow = atA2('reject');
    const { timerId } = flow.state.timers[0];
    flow.send({ type: 'admin', action: 'terminate', actorId: 'admin' });
    expect(flow.send({ type: 'timerFired', timerId }).changed).toBe(false);
  });
});

describe('admin actions', () => {
  const def = linear([approval('a1', ['bob']), approval('a2', ['carol']), approval('a3', ['dave'])]);

  it('only admins', () => {
    const flow = new Flow(def);
    expect(flow.refused({ type: 'admin', action: 'terminate', actorId: 'bob' })).toEqual({ status: 403, code: 'not_admin' });
  });

  it('reassign moves an open task to another member', () => {
    const flow = new Flow(def);
    const task = flow.open()[0];
    flow.send({ type: 'admin', action: 'reassign', actorId: 'admin', taskId: task.id, toMemberId: 'erin' });
    expect(flow.openSummary()).toEqual(['a1:erin']);
    expect(flow.refused({ type: 'admin', action: 'reassign', actorId: 'admin', taskId: task.id, toMemberId: 'frank' })).toEqual({ status: 409, code: 'task_closed' });
  });

  it('jumpTo cancels what is open and enters the node', () => {
    const flow = new Flow(def);
    flow.send({ type: 'admin', action: 'jumpTo', actorId: 'admin', nodeId: 'a3' });
    expect(flow.openSummary()).toEqual(['a3:dave']);
    expect(flow.task('a1', 'bob', 'cancelled').reason).toMatch(/admin moved/);
    expect(flow.refused({ type: 'admin', action: 'jumpTo', actorId: 'admin', nodeId: 'nope' })).toEqual({ status: 422, code: 'invalid_target' });
  });

  it('jumpTo refuses nodes inside a parallel block', () => {
    const par: WorkflowDefinition = {
      nodes: [{ id: 'start', type: 'start' }, { id: 'split', type: 'parallel' }, approval('x', ['bob']), approval('y', ['carol']), { id: 'join', type: 'join' }, { id: 'end', type: 'end' }],
      edges: [edge('start', 'split'), edge('split', 'x'), edge('split', 'y'), edge('x', 'join'), edge('y', 'join'), edge('join', 'end')],
    };
    const flow = new Flow(par);
    expect(flow.refused({ type: 'admin', action: 'jumpTo', actorId: 'admin', nodeId: 'x' })).toEqual({ status: 422, code: 'invalid_target' });
    flow.send({ type: 'admin', action: 'jumpTo', actorId: 'admin', nodeId: 'split' });
    expect(flow.openSummary()).toEqual(['x:bob', 'y:carol']);
  });

  it('terminate ends the instance; reactivate reopens it at the last user node or a chosen one', () => {
    const flow = new Flow(def);
    flow.actOn('a1', 'bob', 'approve');
    expect(flow.refused({ type: 'admin', action: 'reactivate', actorId: 'admin' })).toEqual({ status: 409, code: 'instance_running' });
    flow.send({ type: 'admin', action: 'terminate', actorId: 'admin', comment: 'duplicate' });
    expect(flow.state).toMatchObject({ status: 'terminated', reason: 'terminated by an admin: duplicate' });
    expect(flow.refused({ type: 'admin', action: 'jumpTo', actorId: 'admin', nodeId: 'a1' })).toEqual({ status: 409, code: 'instance_finished' });
    flow.send({ type: 'admin', action: 'reactivate', actorId: 'admin' });
    expect(flow.state.status).toBe('running');
    expect(flow.state.reason).toBeUndefined();
    expect(flow.openSummary()).toEqual(['a2:carol']);
    flow.send({ type: 'admin', action: 'terminate', actorId: 'admin' });
    flow.send({ type: 'admin', action: 'reactivate', actorId: 'admin', nodeId: 'a1' });
    expect(flow.openSummary()).toEqual(['a1:bob']);
  });
});

describe('diagnose and repair', () => {
  const def = linear([approval('a1', ['bob']), approval('a2', ['carol'])]);

  it('a healthy running instance is not stuck', () => {
    expect(diagnose(def, new Flow(def).state)).toEqual({ stuck: false, problems: [] });
  });

  it('finds a node that waits on nothing and the repair event re-enters it', () => {
    const flow = new Flow(def);
    // A host bug closed the task behind the engine's back.
    const broken: InstanceState = structuredClone(flow.state);
    broken.tasks[0].status = 'cancelled';
    const diagnosis = diagnose(def, broken);
    expect(diagnosis.stuck).toBe(true);
    expect(diagnosis.problems.join()).toMatch(/a1/);
    flow.state = broken;
    flow.send(diagnosis.repair!.event);
    expect(flow.openSummary()).toEqual(['a1:bob']);
    expect(diagnose(def, flow.state).stuck).toBe(false);
  });

  it('a running instance with no active node is repaired by failing it with a reason', () => {
    const flow = new Flow(def);
    const broken: InstanceState = structuredClone(flow.state);
    broken.nodeVisits.forEach((v) => (v.status = 'completed'));
    broken.tasks.forEach((t) => (t.status = 'cancelled'));
    expect(diagnose(def, broken)).toMatchObject({ stuck: true, problems: ['running with no active node'] });
    flow.state = broken;
    flow.send({ type: 'repair' });
    expect(flow.state).toMatchObject({ status: 'failed', reason: expect.stringMatching(/no active node/) });
    expect(flow.send({ type: 'repair' }).changed).toBe(false);
  });
});

describe('field permissions', () => {
  it('per node, read by default, edit on the start node, nothing editable once finished', () => {
    const def = linear([approval('a1', ['bob'], { fieldPermissions: { amount: 'edit', secret: 'hidden' } })]);
    const flow = new Flow(def);
    expect(fieldPermissionsAt(def, flow.state, 'a1')).toEqual({ default: 'read', fields: { amount: 'edit', secret: 'hidden' } });
    expect(fieldPermissionsAt(def, flow.state, 'start')).toEqual({ default: 'edit', fields: {} });
    flow.actOn('a1', 'bob', 'approve');
    expect(fieldPermissionsAt(def, flow.state, 'a1')).toEqual({ default: 'read', fields: { amount: 'read', secret: 'hidden' } });
    expect(currentNodeIds(flow.state)).toEqual([]);
  });
});
