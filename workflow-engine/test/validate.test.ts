import { describe, expect, it } from 'vitest';
import { benchmarkDefinition, benchmarkForm, validate, type WorkflowDefinition, type FormShape, parseDuration, addDuration } from '@qiao/workflow-engine';

const form: FormShape = {
  fields: [
    { id: 'title', type: 'text' },
    { id: 'amount', type: 'number' },
    { id: 'owner', type: 'member' },
    { id: 'dept', type: 'department' },
    { id: 'due', type: 'date' },
    { id: 'items', type: 'subform' },
  ],
};

type Def = { nodes: any[]; edges: any[]; settings?: any };
const clone = (d: WorkflowDefinition): Def => structuredClone(d) as Def;
const codes = (def: unknown) => validate(def, form).map((p) => p.code);
const find = (def: unknown, code: string) => validate(def, form).filter((p) => p.code === code);

describe('validate', () => {
  it('accepts a well-formed definition', () => {
    expect(validate(benchmarkDefinition, benchmarkForm)).toEqual([]);
  });

  it('reports schema errors with the node they concern and still analyses the graph', () => {
    const def = clone(benchmarkDefinition);
    def.nodes[1].data.mode = 'majority';
    def.nodes.push({ id: 'weird', type: 'teleport' });
    const problems = validate(def, form);
    expect(problems.filter((p) => p.code === 'schema').map((p) => p.nodeId)).toEqual(expect.arrayContaining(['review', 'weird']));
    expect(problems.some((p) => p.code === 'unreachable' && p.nodeId === 'weird')).toBe(true);
    expect(codes({ nodes: 'x' })).toEqual(['schema', 'schema']);
  });

  it('reports a missing start and end', () => {
    expect(codes({ nodes: [], edges: [] })).toEqual(['no_start', 'no_end']);
  });

  it('reports every start beyond the first', () => {
    const def = clone(benchmarkDefinition);
    def.nodes.push({ id: 'start2', type: 'start' });
    def.edges.push({ id: 'x', source: 'start2', target: 'review' });
    expect(find(def, 'multiple_starts').map((p) => p.nodeId)).toEqual(['start2']);
  });

  it('reports unreachable nodes', () => {
    const def = clone(benchmarkDefinition);
    def.nodes.push({ id: 'orphan', type: 'approval', data: { assignees: [{ kind: 'initiator' }] } });
    def.edges.push({ id: 'orphan-end', source: 'orphan', target: 'end' });
    expect(find(def, 'unreachable').map((p) => p.nodeId)).toEqual(['orphan']);
  });

  it('reports dead ends: no outgoing edge, or no end reachable', () => {
    const def = clone(benchmarkDefinition);
    def.nodes.push({ id: 'stuck', type: 'approval', data: { assignees: [{ kind: 'initiator' }] } });
    def.nodes.push({ id: 'loop', type: 'approval', data: { assignees: [{ kind: 'initiator' }] } });
    def.nodes.push({ id: 'pick', type: 'branch' });
    const e = def.edges.find((x) => x.id === 'e-review')!;
    e.target = 'pick';
    def.edges.push({ id: 'p1', source: 'pick', target: 'route', data: { default: true } });
    def.edges.push({ id: 'p2', source: 'pick', target: 'stuck', data: { condition: { field: 'amount', op: 'gt', value: 1 } } });
    def.edges.push({ id: 'p3', source: 'pick', target: 'loop', data: { condition: { field: 'amount', op: 'lt', value: 0 } } });
    def.edges.push({ id: 'loop-self', source: 'loop', target: 'loop' });
    const dead = find(def, 'dead_end');
    expect(dead.map((p) => p.nodeId).sort()).toEqual(['loop', 'stuck']);
    expect(dead.find((p) => p.nodeId === 'loop')!.message).toMatch(/no end node can be reached/);
  });

  it('reports edges to unknown nodes and duplicate ids', () => {
    const def = clone(benchmarkDefinition);
    def.edges.push({ id: 'ghost', source: 'review', target: 'nowhere' });
    def.edges.push({ id: 'e-end', source: 'join', target: 'end' });
    expect(find(def, 'unknown_node').map((p) => p.edgeId)).toEqual(['ghost']);
    expect(find(def, 'duplicate_id').map((p) => p.edgeId)).toEqual(['e-end']);
  });

  it('reports several outgoing edges on a node that is not a gateway', () => {
    const def = clone(benchmarkDefinition);
    def.edges.push({ id: 'shortcut', source: 'review', target: 'end' });
    expect(find(def, 'multiple_outgoing').map((p) => p.nodeId)).toEqual(['review']);
  });

  it('reports an exclusive branch without exactly one default, on the branch node', () => {
    const none = clone(benchmarkDefinition);
    none.edges.find((e) => e.id === 'e-normal')!.data = { condition: { field: 'amount', op: 'lt', value: 10000 } };
    expect(find(none, 'branch_default')).toEqual([expect.objectContaining({ nodeId: 'route', code: 'branch_default' })]);
    const two = clone(benchmarkDefinition);
    two.edges.find((e) => e.id === 'e-large')!.data = { default: true };
    expect(find(two, 'branch_default').map((p) => p.nodeId)).toEqual(['route']);
  });

  it('reports branch edges without a condition, and conditions where none belong', () => {
    const def = clone(benchmarkDefinition);
    delete def.edges.find((e) => e.id === 'e-large')!.data;
    def.edges.find((e) => e.id === 'e-finance')!.data = { condition: { field: 'amount', op: 'gt', value: 1 } };
    expect(find(def, 'branch_condition').map((p) => p.edgeId)).toEqual(['e-large']);
    expect(find(def, 'unexpected_condition').map((p) => p.edgeId)).toEqual(['e-finance']);
  });

  it('reports malformed conditions', () => {
    const def = clone(benchmarkDefinition);
    def.edges.find((e) => e.id === 'e-large')!.data = { condition: { and: [{ field: 'amount', op: 'around', value: 1 }, { field: 'amount', op: 'between', value: 3 }] } };
    expect(find(def, 'invalid_condition')).toHaveLength(2);
  });

  it('reports conditions and field permissions naming fields the form lacks', () => {
    const def = clone(benchmarkDefinition);
    def.edges.find((e) => e.id === 'e-large')!.data = {
      condition: { or: [{ field: 'budget', op: 'gt', value: 1 }, { field: 'items.qty', op: 'gt', value: 1 }, { field: 'initiator.departmentIds', op: 'contains', value: 'x' }] },
    };
    def.nodes[1].data.fieldPermissions = { amount: 'edit', secret: 'hidden' };
    const unknown = find(def, 'unknown_field');
    expect(unknown.map((p) => p.edgeId ?? p.nodeId)).toEqual(['e-large', 'review']);
    expect(unknown[0].message).toMatch(/budget/);
    expect(unknown[1].message).toMatch(/secret/);
  });

  it('reports a field assignee naming a field that is not a member or department field', () => {
    const def = clone(benchmarkDefinition);
    def.nodes[1].data.assignees = [{ kind: 'field', field: 'title' }, { kind: 'field', field: 'owner' }, { kind: 'field', field: 'dept' }, { kind: 'field', field: 'nope' }];
    expect(find(def, 'assignee_field_type').map((p) => p.message)).toEqual([expect.stringMatching(/title/)]);
    expect(find(def, 'unknown_field').map((p) => p.message)).toEqual([expect.stringMatching(/nope/)]);
  });

  it('reports assignees without ids', () => {
    const def = clone(benchmarkDefinition);
    def.nodes[1].data.assignees = [{ kind: 'role' }, { kind: 'departmentSupervisor' }];
    expect(find(def, 'assignee_ids')).toHaveLength(2);
  });

  it('reports supervisor levels outside 1..5', () => {
    const def = clone(benchmarkDefinition);
    def.nodes[1].data.assignees = [{ kind: 'supervisor', level: 0 }, { kind: 'supervisor', level: 5 }, { kind: 'departmentSupervisor', ids: ['d'], level: 6 }, { kind: 'supervisor', level: 1.5 }];
    expect(find(def, 'supervisor_level')).toHaveLength(3);
  });

  it('reports invalid timeouts and accepts durations and date fields', () => {
    const def = clone(benchmarkDefinition);
    def.nodes[1].data.timeout = { after: 'PT5S', then: 'remind' };
    def.nodes[3].data.timeout = { after: 'due', then: 'approve' };
    expect(find(def, 'invalid_timeout')).toEqual([]);
    def.nodes[1].data.timeout = { after: '5 minutes', then: 'remind' };
    def.nodes[3].data.timeout = { after: 'title', then: 'approve' };
    expect(find(def, 'invalid_timeout').map((p) => p.nodeId)).toEqual(['review', 'director']);
  });

  describe('parallel blocks', () => {
    const block = (middle: Def['edges'], extraNodes: Def['nodes'] = []): Def => ({
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'split', type: 'parallel' },
        { id: 'a', type: 'approval', data: { assignees: [{ kind: 'initiator' }] } },
        { id: 'b', type: 'approval', data: { assignees: [{ kind: 'initiator' }] } },
        { id: 'join', type: 'join' },
        { id: 'end', type: 'end' },
        ...extraNodes,
      ],
      edges: [{ id: 's', source: 'start', target: 'split' }, ...middle, { id: 'j', source: 'join', target: 'end' }],
    });

    it('accepts a plain block and a nested one', () => {
      expect(codes(block([{ id: '1', source: 'split', target: 'a' }, { id: '2', source: 'split', target: 'b' }, { id: '3', source: 'a', target: 'join' }, { id: '4', source: 'b', target: 'join' }]))).toEqual([]);
      const nested = block(
        [
          { id: '1', source: 'split', target: 'a' },
          { id: '2', source: 'split', target: 'inner' },
          { id: '3', source: 'a', target: 'join' },
          { id: '5', source: 'inner', target: 'b' },
          { id: '6', source: 'inner', target: 'c' },
          { id: '7', source: 'b', target: 'innerJoin' },
          { id: '8', source: 'c', target: 'innerJoin' },
          { id: '9', source: 'innerJoin', target: 'join' },
        ],
        [
          { id: 'inner', type: 'parallel' },
          { id: 'c', type: 'approval', data: { assignees: [{ kind: 'initiator' }] } },
          { id: 'innerJoin', type: 'join' },
        ],
      );
      expect(codes(nested)).toEqual([]);
    });

    it('accepts an exclusive branch inside a parallel branch that meets the join directly', () => {
      const def = block(
        [
          { id: '1', source: 'split', target: 'pick' },
          { id: '2', source: 'split', target: 'b' },
          { id: '3', source: 'pick', target: 'a', data: { condition: { field: 'amount', op: 'gt', value: 1 } } },
          { id: '3b', source: 'pick', target: 'join', data: { default: true } },
          { id: '4', source: 'a', target: 'join' },
          { id: '5', source: 'b', target: 'join' },
        ],
        [{ id: 'pick', type: 'branch' }],
      );
      expect(codes(def)).toEqual([]);
    });

    it('reports a split whose branch leaves the block', () => {
      const def = block([
        { id: '1', source: 'split', target: 'a' },
        { id: '2', source: 'split', target: 'b' },
        { id: '3', source: 'a', target: 'join' },
        { id: '4', source: 'b', target: 'end' },
      ]);
      const problems = find(def, 'unmatched_parallel');
      expect(problems.map((p) => p.nodeId)).toContain('split');
    });

    it('reports a split without a join and a join without a split', () => {
      const noJoin: Def = {
        nodes: [{ id: 'start', type: 'start' }, { id: 'split', type: 'parallel' }, { id: 'end', type: 'end' }, { id: 'end2', type: 'end' }],
        edges: [{ id: 's', source: 'start', target: 'split' }, { id: '1', source: 'split', target: 'end' }, { id: '2', source: 'split', target: 'end2' }],
      };
      expect(find(noJoin, 'unmatched_parallel').map((p) => p.nodeId)).toEqual(['split']);
      const loneJoin: Def = {
        nodes: [{ id: 'start', type: 'start' }, { id: 'join', type: 'join' }, { id: 'end', type: 'end' }],
        edges: [{ id: 's', source: 'start', target: 'join' }, { id: 'j', source: 'join', target: 'end' }],
      };
      expect(find(loneJoin, 'unmatched_parallel').map((p) => p.nodeId)).toEqual(['join']);
    });

    it('reports branches that meet before the join and edges entering the block from outside', () => {
      const meet = block([
        { id: '1', source: 'split', target: 'a' },
        { id: '2', source: 'split', target: 'b' },
        { id: '3', source: 'a', target: 'b' },
        { id: '4', source: 'b', target: 'join' },
      ]);
      expect(find(meet, 'unmatched_parallel')[0].message).toMatch(/meet at b/);
      const enter = block([
        { id: '1', source: 'split', target: 'a' },
        { id: '2', source: 'split', target: 'b' },
        { id: '3', source: 'a', target: 'join' },
        { id: '4', source: 'b', target: 'join' },
      ]);
      enter.edges[0] = { id: 's', source: 'start', target: 'pick' };
      enter.nodes.push({ id: 'pick', type: 'branch' });
      enter.edges.push({ id: 'p1', source: 'pick', target: 'split', data: { default: true } });
      enter.edges.push({ id: 'p2', source: 'pick', target: 'a', data: { condition: { field: 'amount', op: 'gt', value: 1 } } });
      expect(codes(enter)).toEqual(['unmatched_parallel']);
      expect(find(enter, 'unmatched_parallel')[0].message).toMatch(/edge p2 enters the block at a/);
    });

    it('reports a parallel node with a single branch', () => {
      const def = block([{ id: '1', source: 'split', target: 'a' }, { id: '3', source: 'a', target: 'join' }, { id: '4', source: 'b', target: 'join' }]);
      expect(codes(def)).toContain('parallel_branches');
    });
  });

  it('reports start with incoming and end with outgoing edges', () => {
    const def = clone(benchmarkDefinition);
    def.edges.push({ id: 'back', source: 'review', target: 'start' });
    def.edges.push({ id: 'after', source: 'end', target: 'review' });
    expect(codes(def)).toEqual(expect.arrayContaining(['start_incoming', 'end_outgoing']));
  });
});

describe('durations', () => {
  it('parses ISO-8601 durations including seconds and rejects the rest', () => {
    expect(parseDuration('PT5S')).toMatchObject({ seconds: 5 });
    expect(parseDuration('P1Y2M3W4DT5H6M7.5S')).toEqual({ years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6, seconds: 7.5 });
    for (const bad of ['P', 'PT', 'P1DT', '5S', 'PT-1S', 'P1H']) expect(parseDuration(bad)).toBeNull();
  });

  it('adds calendar months without overflowing into the next month', () => {
    expect(addDuration('2026-01-31T10:00:00.000Z', parseDuration('P1M')!)).toBe('2026-02-28T10:00:00.000Z');
    expect(addDuration('2026-01-01T00:00:00.000Z', parseDuration('P1DT1H0.5S')!)).toBe('2026-01-02T01:00:00.500Z');
    expect(addDuration('2026-01-01T00:00:00.000Z', parseDuration('P1Y')!)).toBe('2027-01-01T00:00:00.000Z');
  });
});
