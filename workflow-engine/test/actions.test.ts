import { describe, expect, it } from 'vitest';
import { allowedActions, currentNodeIds, sendBackTargets, type WorkflowDefinition } from '@qiao/workflow-engine';
import { Flow, approval, edge, fill, linear, org } from './helpers.ts';

const ALLOW_ALL = { allow: ['sendBack', 'transfer', 'addSigner'] };

describe('approve with data', () => {
  const def = linear([approval('a1', ['bob'], { fieldPermissions: { amount: 'edit', title: 'read', secret: 'hidden' } })]);

  it('applies a patch limited to editable fields', () => {
    const flow = new Flow(def, { amount: 1, title: 't' });
    flow.actOn('a1', 'bob', 'approve', { data: { amount: 2 } });
    expect(flow.state.record).toEqual({ amount: 2, title: 't' });
    expect(flow.effectsOf('applyRecordPatch')).toEqual([expect.objectContaining({ patch: { amount: 2 } })]);
  });

  it('refuses any other field with 422 field_not_editable and changes nothing', () => {
    const flow = new Flow(def, { amount: 1 });
    for (const data of [{ title: 'x' }, { amount: 3, secret: 's' }, { other: 1 }]) {
      expect(flow.refused({ type: 'task', taskId: flow.open()[0].id, actorId: 'bob', action: 'approve', data })).toEqual({ status: 422, code: 'field_not_editable' });
    }
    expect(flow.state.record).toEqual({ amount: 1 });
  });
});

describe('refusals', () => {
  const def = linear([approval('a1', ['bob'], { requireComment: true, ...ALLOW_ALL }), approval('a2', ['carol'], { requireComment: true, ...ALLOW_ALL })]);

  it('unknown action 422, unknown task 404, stranger 403, decided task 409', () => {
    const flow = new Flow(def);
    const task = flow.open()[0];
    expect(flow.refused({ type: 'task', taskId: task.id, actorId: 'bob', action: 'explode' })).toEqual({ status: 422, code: 'unknown_action' });
    expect(flow.refused({ type: 'task', taskId: 'nope', actorId: 'bob', action: 'approve' })).toEqual({ status: 404, code: 'task_not_found' });
    expect(flow.refused({ type: 'task', taskId: task.id, actorId: 'erin', action: 'approve' })).toEqual({ status: 403, code: 'not_assignee' });
    flow.act(task.id, 'bob', 'approve');
    expect(flow.refused({ type: 'task', taskId: task.id, actorId: 'bob', action: 'approve' })).toEqual({ status: 409, code: 'task_closed' });
    expect(flow.refused({ type: 'task', taskId: task.id, actorId: 'bob', action: 'reject', comment: 'no' })).toEqual({ status: 409, code: 'task_closed' });
    expect(flow.refused({ type: 'nonsense' } as never)).toEqual({ status: 422, code: 'unknown_event' });
  });

  it('an admin or a delegate may act for the holder', () => {
    const flow = new Flow(def);
    flow.act(flow.open()[0].id, 'erin', 'approve', { delegated: true });
    flow.act(flow.open()[0].id, 'admin', 'approve');
    expect(flow.state.status).toBe('approved');
    expect(flow.state.tasks.map((t) => t.actorId)).toEqual(['erin', 'admin']);
  });

  it('requireComment makes a reject or send back without a comment a 422', () => {
    const flow = new Flow(def);
    flow.actOn('a1', 'bob', 'approve');
    const task = flow.open()[0];
    expect(flow.refused({ type: 'task', taskId: task.id, actorId: 'carol', action: 'reject' })).toEqual({ status: 422, code: 'comment_required' });
    expect(flow.refused({ type: 'task', taskId: task.id, actorId: 'carol', action: 'reject', comment: '  ' })).toEqual({ status: 422, code: 'comment_required' });
    expect(flow.refused({ type: 'task', taskId: task.id, actorId: 'carol', action: 'sendBack', toNodeId: 'a1' })).toEqual({ status: 422, code: 'comment_required' });
    flow.act(task.id, 'carol', 'reject', { comment: 'over budget' });
    expect(flow.state.status).toBe('rejected');
    expect(flow.state.log.find((l) => l.action === 'reject')?.comment).toBe('over budget');
  });

  it('actions the node does not allow are 422', () => {
    const flow = new Flow(linear([approval('a1', ['bob'])]));
    const id = flow.open()[0].id;
    expect(flow.refused({ type: 'task', taskId: id, actorId: 'bob', action: 'transfer', toMemberId: 'carol' })).toEqual({ status: 422, code: 'action_not_allowed' });
    expect(flow.refused({ type: 'task', taskId: id, actorId: 'bob', action: 'addSigner', memberIds: ['carol'], position: 'after' })).toEqual({ status: 422, code: 'action_not_allowed' });
    expect(flow.refused({ type: 'task', taskId: id, actorId: 'bob', action: 'sendBack', toNodeId: 'start' })).toEqual({ status: 422, code: 'action_not_allowed' });
    expect(flow.refused({ type: 'task', taskId: id, actorId: 'bob', action: 'submit' })).toEqual({ status: 422, code: 'action_not_allowed' });
  });
});

describe('comment and urge', () => {
  it('comment logs without deciding; urge notifies the holder and is for the initiator', () => {
    const flow = new Flow(linear([approval('a1', ['bob'])]));
    const id = flow.open()[0].id;
    flow.act(id, 'bob', 'comment', { comment: 'looking' });
    flow.act(id, 'alice', 'comment', { comment: 'thanks' });
    expect(flow.open()).toHaveLength(1);
    expect(flow.state.log.filter((l) => l.action === 'comment').map((l) => l.comment)).toEqual(['looking', 'thanks']);
    expect(flow.refused({ type: 'task', taskId: id, actorId: 'bob', action: 'comment' })).toEqual({ status: 422, code: 'comment_required' });
    flow.act(id, 'alice', 'urge');
    expect(flow.effectsOf('notify')).toEqual([expect.objectContaining({ kind: 'urge', recipientIds: ['bob'], taskId: id })]);
    expect(flow.refused({ type: 'task', taskId: id, actorId: 'bob', action: 'urge' })).toEqual({ status: 403, code: 'not_assignee' });
    expect(allowedActions(flow.definition, flow.state, id, 'alice', org)).toEqual(['comment', 'urge']);
    expect(allowedActions(flow.definition, flow.state, id, 'bob', org)).toEqual(['approve', 'reject', 'comment']);
    expect(allowedActions(flow.definition, flow.state, id, 'erin', org)).toEqual([]);
  });
});

describe('send back', () => {
  const chain = (settings?: WorkflowDefinition['settings'], extra: Record<string, unknown> = {}) =>
    linear([approval('a1', ['bob'], { ...ALLOW_ALL, ...extra }), approval('a2', ['carol'], ALLOW_ALL), approval('a3', ['dave', 'erin'], { mode: 'all', ...ALLOW_ALL })], settings);

  it('targets only passed nodes on the serial path, nearest first; others are 422', () => {
    const flow = new Flow(chain());
    flow.actOn('a1', 'bob', 'approve');
    flow.actOn('a2', 'carol', 'approve');
    const task = flow.task('a3', 'dave');
    expect(sendBackTargets(flow.definition, flow.state, task.id)).toEqual(['a2', 'a1', 'start']);
    for (const toNodeId of ['a3', 'end', 'nowhere', undefined]) {
      expect(flow.refused({ type: 'task', taskId: task.id, actorId: 'dave', action: 'sendBack', toNodeId } as never)).toEqual({ status: 422, code: 'invalid_target' });
    }
  });

  it('rerun: cancels the node\'s other tasks and re-runs the path from the target', () => {
    const flow = new Flow(chain());
    flow.actOn('a1', 'bob', 'approve');
    flow.actOn('a2', 'carol', 'approve');
    flow.actOn('a3', 'dave', 'sendBack', { toNodeId: 'a1', comment: 'fix it' });
    expect(flow.task('a3', 'dave', 'sentBack')).toBeTruthy();
    expect(flow.task('a3', 'erin', 'cancelled').reason).toBe('sent back to a1');
    expect(flow.openSummary()).toEqual(['a1:bob']);
    flow.actOn('a1', 'bob', 'approve');
    expect(flow.openSummary()).toEqual(['a2:carol']);
  });

  it('direct: returns straight to the node that sent it back', () => {
    const flow = new Flow(chain({ sendBackReturn: 'direct' }));
    flow.actOn('a1', 'bob', 'approve');
    flow.actOn('a2', 'carol', 'approve');
    flow.actOn('a3', 'erin', 'sendBack', { toNodeId: 'a1' });
    flow.actOn('a1', 'bob', 'approve');
    expect(flow.openSummary()).toEqual(['a3:dave', 'a3:erin']);
    expect(flow.logActions('return_direct')).toBe(1);
    flow.actOn('a3', 'dave', 'approve');
    flow.actOn('a3', 'erin', 'approve');
    expect(flow.state.status).toBe('approved');
  });

  it('to the start node gives the initiator a task to resubmit with data', () => {
    const def = linear([approval('a1', ['bob'], ALLOW_ALL)], { sendBackReturn: 'direct' });
    def.nodes[0] = { id: 'start', type: 'start', data: { fieldPermissions: { approvedBy: 'read' } } };
    const flow = new Flow(def, { amount: 1 });
    flow.actOn('a1', 'bob', 'sendBack', { toNodeId: 'start' });
    const resubmit = flow.task('start', 'alice');
    expect(resubmit.kind).toBe('resubmit');
    expect(flow.effectsOf('openTask')).toEqual([expect.objectContaining({ assigneeId: 'alice', kind: 'resubmit', nodeId: 'start' })]);
    expect(flow.refused({ type: 'task', taskId: resubmit.id, actorId: 'alice', action: 'approve' })).toEqual({ status: 422, code: 'action_not_allowed' });
    expect(flow.refused({ type: 'task', taskId: resubmit.id, actorId: 'alice', action: 'submit', data: { approvedBy: 'me' } })).toEqual({ status: 422, code: 'field_not_editable' });
    flow.act(resubmit.id, 'alice', 'submit', { data: { amount: 2 } });
    expect(flow.task('start', 'alice', 'submitted')).toBeTruthy();
    expect(flow.state.record.amount).toBe(2);
    expect(flow.openSummary()).toEqual(['a1:bob']);
  });

  it('dedupe does not auto-approve a node re-entered through send back', () => {
    const def = linear([approval('a1', ['bob'], { dedupe: true }), approval('a2', ['carol'], ALLOW_ALL), approval('a3', ['bob'], { dedupe: true })]);
    const flow = new Flow(def);
    flow.actOn('a1', 'bob', 'approve');
    flow.actOn('a2', 'carol', 'sendBack', { toNodeId: 'a1' });
    expect(flow.openSummary()).toEqual(['a1:bob']);
    expect(flow.logActions('dedupe_skipped')).toBe(1);
    flow.actOn('a1', 'bob', 'approve');
    flow.actOn('a2', 'carol', 'approve');
    expect(flow.state.status).toBe('approved');
    expect(flow.logActions('dedupe')).toBe(1);
  });

  it('inside a parallel branch, back to an earlier node of the same branch keeps the other branch', () => {
    const def: WorkflowDefinition = {
      nodes: [
        { id: 'start', type: 'start' },
        approval('pre', ['ceo'], ALLOW_ALL),
        { id: 'split', type: 'parallel' },
        approval('b1', ['bob'], ALLOW_ALL),
        approval('b2', ['carol'], ALLOW_ALL),
        approval('c1', ['dave'], ALLOW_ALL),
        { id: 'join', type: 'join' },
        approval('post', ['erin'], ALLOW_ALL),
        { id: 'end', type: 'end' },
      ],
      edges: [edge('start', 'pre'), edge('pre', 'split'), edge('split', 'b1'), edge('b1', 'b2'), edge('b2', 'join'), edge('split', 'c1'), edge('c1', 'join'), edge('join', 'post'), edge('post', 'end')],
    };
    const flow = new Flow(def);
    flow.actOn('pre', 'ceo', 'approve');
    flow.actOn('b1', 'bob', 'approve');
    flow.actOn('c1', 'dave', 'approve');
    expect(sendBackTargets(def, flow.state, flow.task('b2', 'carol').id)).toEqual(['b1', 'pre', 'start']);
    flow.actOn('b2', 'carol', 'sendBack', { toNodeId: 'b1' });
    expect(flow.openSummary()).toEqual(['b1:bob']);
    expect(flow.state.joins[0].arrived).toEqual(['split-c1']);
    flow.actOn('b1', 'bob', 'approve');
    flow.actOn('b2', 'carol', 'approve');
    expect(flow.openSummary()).toEqual(['post:erin']);
    expect(sendBackTargets(def, flow.state, flow.task('post', 'erin').id)).toEqual(['pre', 'start']);
  });

  it('from a parallel branch to before the split resets the whole block, join state included', () => {
    const def: WorkflowDefinition = {
      nodes: [
        { id: 'start', type: 'start' },
        approval('pre', ['ceo']),
        { id: 'split', type: 'parallel' },
        approval('b1', ['bob'], ALLOW_ALL),
        approval('c1', ['dave']),
        approval('c2', ['erin']),
        { id: 'join', type: 'join' },
        { id: 'end', type: 'end' },
      ],
      edges: [edge('start', 'pre'), edge('pre', 'split'), edge('split', 'b1'), edge('b1', 'join'), edge('split', 'c1'), edge('c1', 'c2'), edge('c2', 'join'), edge('join', 'end')],
    };
    const flow = new Flow(def);
    flow.actOn('pre', 'ceo', 'approve');
    flow.actOn('c1', 'dave', 'approve');
    flow.actOn('b1', 'bob', 'sendBack', { toNodeId: 'pre' });
    expect(flow.openSummary()).toEqual(['pre:ceo']);
    expect(flow.task('c2', 'erin', 'cancelled').reason).toBe('sent back to pre');
    expect(flow.state.joins).toEqual([]);
    flow.actOn('pre', 'ceo', 'approve');
    expect(flow.openSummary()).toEqual(['b1:bob', 'c1:dave']);
    flow.actOn('b1', 'bob', 'approve');
    flow.actOn('c1', 'dave', 'approve');
    expect(flow.state.status).toBe('running');
    flow.actOn('c2', 'erin', 'approve');
    expect(flow.state.status).toBe('approved');
    expect(flow.state.nodeVisits.filter((v) => v.nodeId === 'join')).toHaveLength(1);
  });
});

describe('transfer', () => {
  it('hands the task to another member, keeping the vote slot', () => {
    const flow = new Flow(linear([approval('a1', ['bob', 'carol'], { mode: 'all', ...ALLOW_ALL })]));
    const bob = flow.task('a1', 'bob');
    expect(flow.refused({ type: 'task', taskId: bob.id, actorId: 'bob', action: 'transfer', toMemberId: 'gone' })).toEqual({ status: 422, code: 'invalid_member' });
    expect(flow.refused({ type: 'task', taskId: bob.id, actorId: 'bob', action: 'transfer', toMemberId: 'carol' })).toEqual({ status: 422, code: 'already_assignee' });
    flow.act(bob.id, 'bob', 'transfer', { toMemberId: 'erin' });
    expect(flow.task('a1', 'bob', 'transferred')).toBeTruthy();
    expect(flow.task('a1', 'erin')).toMatchObject({ slot: bob.slot, fromTaskId: bob.id });
    expect(flow.refused({ type: 'task', taskId: bob.id, actorId: 'bob', action: 'approve' })).toEqual({ status: 409, code: 'task_closed' });
    flow.actOn('a1', 'erin', 'approve');
    flow.actOn('a1', 'carol', 'approve');
    expect(flow.state.status).toBe('approved');
  });
});

describe('add signer', () => {
  const def = (mode: unknown = 'or') => linear([approval('a1', ['bob'], { mode, ...ALLOW_ALL }), approval('a2', ['ceo'])]);

  it('before: parks the task until the added signers approve, then it comes back', () => {
    const flow = new Flow(def());
    const bob = flow.task('a1', 'bob');
    flow.act(bob.id, 'bob', 'addSigner', { memberIds: ['carol', 'dave'], position: 'before' });
    expect(flow.task('a1', 'bob', 'waiting')).toBeTruthy();
    expect(flow.openSummary()).toEqual(['a1:carol', 'a1:dave']);
    expect(flow.refused({ type: 'task', taskId: bob.id, actorId: 'bob', action: 'approve' })).toEqual({ status: 409, code: 'task_closed' });
    flow.actOn('a1', 'carol', 'approve');
    expect(flow.openSummary()).toEqual(['a1:dave']);
    flow.actOn('a1', 'dave', 'approve');
    expect(flow.openSummary()).toEqual(['a1:bob']);
    expect(flow.effectsOf('updateTask')).toEqual(expect.arrayContaining([expect.objectContaining({ taskId: bob.id, status: 'open' })]));
    flow.actOn('a1', 'bob', 'approve');
    expect(flow.openSummary()).toEqual(['a2:ceo']);
  });

  it('before: an added signer\'s reject rejects the task\'s vote', () => {
    const flow = new Flow(def());
    flow.actOn('a1', 'bob', 'addSigner', { memberIds: ['carol', 'dave'], position: 'before' });
    flow.actOn('a1', 'carol', 'reject');
    expect(flow.state.status).toBe('rejected');
    expect(flow.task('a1', 'bob', 'cancelled').reason).toBe('an added signer rejected');
  });

  it('after: approves the task and waits for the added signers', () => {
    const flow = new Flow(def());
    flow.actOn('a1', 'bob', 'addSigner', { memberIds: ['carol'], position: 'after' });
    expect(flow.task('a1', 'bob', 'approved')).toBeTruthy();
    expect(flow.openSummary()).toEqual(['a1:carol']);
    const carol = flow.task('a1', 'carol');
    expect(allowedActions(flow.definition, flow.state, carol.id)).toEqual(['approve', 'reject', 'comment']);
    expect(flow.refused({ type: 'task', taskId: carol.id, actorId: 'carol', action: 'addSigner', memberIds: ['dave'], position: 'after' })).toEqual({ status: 422, code: 'action_not_allowed' });
    flow.act(carol.id, 'carol', 'approve');
    expect(flow.openSummary()).toEqual(['a2:ceo']);
  });

  it('parallel: adds co-signers to the node\'s vote', () => {
    const flow = new Flow(def('all'));
    flow.actOn('a1', 'bob', 'addSigner', { memberIds: ['carol'], position: 'parallel' });
    expect(flow.openSummary()).toEqual(['a1:bob', 'a1:carol']);
    flow.actOn('a1', 'bob', 'approve');
    expect(flow.openSummary()).toEqual(['a1:carol']);
    flow.actOn('a1', 'carol', 'approve');
    expect(flow.openSummary()).toEqual(['a2:ceo']);
  });

  it('refuses bad positions, bad members and people already on the node', () => {
    const flow = new Flow(def('sequential'));
    const id = flow.open()[0].id;
    expect(flow.refused({ type: 'task', taskId: id, actorId: 'bob', action: 'addSigner', memberIds: ['carol'], position: 'parallel' })).toEqual({ status: 422, code: 'invalid_position' });
    expect(flow.refused({ type: 'task', taskId: id, actorId: 'bob', action: 'addSigner', memberIds: ['carol'], position: 'sideways' })).toEqual({ status: 422, code: 'invalid_position' });
    expect(flow.refused({ type: 'task', taskId: id, actorId: 'bob', action: 'addSigner', memberIds: [], position: 'after' })).toEqual({ status: 422, code: 'invalid_member' });
    expect(flow.refused({ type: 'task', taskId: id, actorId: 'bob', action: 'addSigner', memberIds: ['bob'], position: 'after' })).toEqual({ status: 422, code: 'already_assignee' });
  });
});

describe('fill node actions', () => {
  it('a fill task may be sent back and transferred when allowed', () => {
    const flow = new Flow(linear([approval('a1', ['bob']), fill('f1', ['carol'], ALLOW_ALL)]));
    flow.actOn('a1', 'bob', 'approve');
    flow.actOn('f1', 'carol', 'transfer', { toMemberId: 'dave' });
    flow.actOn('f1', 'dave', 'sendBack', { toNodeId: 'a1' });
    expect(flow.openSummary()).toEqual(['a1:bob']);
    expect(currentNodeIds(flow.state)).toEqual(['a1']);
  });
});
