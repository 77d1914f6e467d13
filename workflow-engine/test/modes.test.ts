import { describe, expect, it } from 'vitest';
import { voteOutcome, type VoteSlot } from '@qiao/workflow-engine';
import { Flow, approval, linear } from './helpers.ts';

const two = (mode: unknown) => linear([approval('a1', ['bob', 'carol', 'dave'], { mode }), approval('a2', ['erin'])]);

describe('or mode (或签)', () => {
  it('the first approval decides and cancels the other tasks with a logged reason', () => {
    const flow = new Flow(two('or'));
    expect(flow.openSummary()).toEqual(['a1:bob', 'a1:carol', 'a1:dave']);
    const carolTask = flow.task('a1', 'carol');
    flow.actOn('a1', 'bob', 'approve');
    expect(flow.openSummary()).toEqual(['a2:erin']);
    expect(flow.task('a1', 'carol', 'cancelled').reason).toBe('node completed');
    expect(flow.effectsOf('cancelTask').map((e) => e.reason)).toEqual(['node completed', 'node completed']);
    expect(flow.state.log.filter((l) => l.kind === 'task_cancelled')).toHaveLength(2);
    expect(flow.refused({ type: 'task', taskId: carolTask.id, actorId: 'carol', action: 'approve' })).toEqual({ status: 409, code: 'task_closed' });
  });

  it('the first reject decides too', () => {
    const flow = new Flow(two('or'));
    flow.actOn('a1', 'dave', 'reject');
    expect(flow.state.status).toBe('rejected');
  });
});

describe('all mode (会签)', () => {
  it('needs every approval', () => {
    const flow = new Flow(two('all'));
    flow.actOn('a1', 'bob', 'approve');
    flow.actOn('a1', 'carol', 'approve');
    expect(flow.openSummary()).toEqual(['a1:dave']);
    flow.actOn('a1', 'dave', 'approve');
    expect(flow.openSummary()).toEqual(['a2:erin']);
  });

  it('the first reject rejects, even after approvals, and late decisions get 409', () => {
    const flow = new Flow(two('all'));
    flow.actOn('a1', 'bob', 'approve');
    const dave = flow.task('a1', 'dave');
    flow.actOn('a1', 'carol', 'reject');
    expect(flow.state.status).toBe('rejected');
    expect(flow.refused({ type: 'task', taskId: dave.id, actorId: 'dave', action: 'approve' })).toEqual({ status: 409, code: 'instance_finished' });
    expect(flow.state.tasks.find((t) => t.id === dave.id)?.status).toBe('cancelled');
  });
});

describe('sequential mode (依次)', () => {
  it('opens one task at a time in list order', () => {
    const flow = new Flow(two('sequential'));
    expect(flow.openSummary()).toEqual(['a1:bob']);
    flow.actOn('a1', 'bob', 'approve');
    expect(flow.openSummary()).toEqual(['a1:carol']);
    flow.actOn('a1', 'carol', 'approve');
    expect(flow.openSummary()).toEqual(['a1:dave']);
    flow.actOn('a1', 'dave', 'approve');
    expect(flow.openSummary()).toEqual(['a2:erin']);
  });

  it('any reject rejects', () => {
    const flow = new Flow(two('sequential'));
    flow.actOn('a1', 'bob', 'approve');
    flow.actOn('a1', 'carol', 'reject');
    expect(flow.state.status).toBe('rejected');
    expect(flow.state.tasks.filter((t) => t.nodeId === 'a1').map((t) => t.assigneeId)).toEqual(['bob', 'carol']);
  });
});

describe('percent mode (票签)', () => {
  it('approves once approvals*100 >= N*total and cancels the rest', () => {
    const flow = new Flow(two({ percent: 60 }));
    flow.actOn('a1', 'bob', 'approve');
    expect(flow.open('a1')).toHaveLength(2);
    flow.actOn('a1', 'carol', 'approve');
    expect(flow.openSummary()).toEqual(['a2:erin']);
    expect(flow.task('a1', 'dave', 'cancelled').reason).toBe('node completed');
  });

  it('a reject that still leaves the threshold reachable does not decide', () => {
    const flow = new Flow(two({ percent: 60 }));
    flow.actOn('a1', 'bob', 'reject');
    expect(flow.state.status).toBe('running');
    flow.actOn('a1', 'carol', 'approve');
    flow.actOn('a1', 'dave', 'approve');
    expect(flow.openSummary()).toEqual(['a2:erin']);
  });

  it('rejects as soon as the threshold can no longer be reached', () => {
    const flow = new Flow(two({ percent: 60 }));
    flow.actOn('a1', 'bob', 'reject');
    flow.actOn('a1', 'carol', 'reject');
    expect(flow.state.status).toBe('rejected');
    expect(flow.task('a1', 'dave', 'cancelled')).toBeTruthy();
  });

  it('follows the exact arithmetic at the boundary', () => {
    const slots = (a: number, r: number, p: number): VoteSlot[] => [
      ...Array.from({ length: a }, () => ({ assigneeId: 'x', outcome: 'approved' as const })),
      ...Array.from({ length: r }, () => ({ assigneeId: 'x', outcome: 'rejected' as const })),
      ...Array.from({ length: p }, () => ({ assigneeId: 'x', outcome: 'pending' as const })),
    ];
    expect(voteOutcome({ percent: 50 }, slots(2, 0, 2))).toBe('approved');
    expect(voteOutcome({ percent: 50 }, slots(1, 2, 1))).toBe('pending');
    expect(voteOutcome({ percent: 50 }, slots(1, 3, 0))).toBe('rejected');
    expect(voteOutcome({ percent: 100 }, slots(2, 0, 1))).toBe('pending');
    expect(voteOutcome({ percent: 100 }, slots(2, 1, 0))).toBe('rejected');
    expect(voteOutcome({ percent: 33.4 }, slots(1, 0, 2))).toBe('pending');
  });
});
