import { Ajv, type ErrorObject } from 'ajv';
import { inspectCondition } from './condition.ts';
import { parseDuration } from './duration.ts';
import { buildGraph, canReach, reachableFrom, type Graph } from './graph.ts';
import { workflowDefinitionSchema, type Assignee, type WorkflowDefinition, type WorkflowNode } from './schema.ts';

export interface FormShape {
  fields: { id: string; type: string }[];
}

export interface DefinitionProblem {
  nodeId?: string;
  edgeId?: string;
  code: ProblemCode;
  message: string;
}

export type ProblemCode =
  | 'schema'
  | 'duplicate_id'
  | 'unknown_node'
  | 'no_start'
  | 'multiple_starts'
  | 'no_end'
  | 'start_incoming'
  | 'end_outgoing'
  | 'multiple_outgoing'
  | 'unreachable'
  | 'dead_end'
  | 'branch_default'
  | 'branch_condition'
  | 'unexpected_condition'
  | 'invalid_condition'
  | 'parallel_branches'
  | 'unmatched_parallel'
  | 'unknown_field'
  | 'assignee_ids'
  | 'assignee_field_type'
  | 'supervisor_level'
  | 'invalid_timeout';

/** Field ids a condition may name without the form declaring them. */
export const SYSTEM_FIELDS = ['id', 'createdAt', 'createdBy', 'updatedAt', 'initiator'] as const;
const MEMBER_FIELD_TYPES = new Set(['member', 'members', 'department', 'departments']);
const DEPARTMENT_FIELD_TYPES = new Set(['department', 'departments']);
const DATE_FIELD_TYPES = new Set(['date', 'datetime']);
const SINGLE_EXIT_TYPES = new Set(['start', 'approval', 'fill', 'cc', 'join', 'automation', 'subprocess']);

const ajv = new Ajv({ allErrors: true, discriminator: true });
const checkSchema = ajv.compile(workflowDefinitionSchema);

/** Every problem of a definition against its form, each tied to the node or edge it concerns. */
export function validate(definition: unknown, form: FormShape): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  if (!checkSchema(definition)) problems.push(...schemaProblems(definition, checkSchema.errors ?? []));
  const usable = usableParts(definition);
  if (!usable) return problems;
  const graph = buildGraph(usable);
  problems.push(...structureProblems(graph));
  problems.push(...fieldProblems(graph, form));
  return problems;
}

/** Throws nothing; true when the definition has no problem at all. */
export function isValid(definition: unknown, form: FormShape): definition is WorkflowDefinition {
  return validate(definition, form).length === 0;
}

function schemaProblems(definition: unknown, errors: ErrorObject[]): DefinitionProblem[] {
  const def = definition as { nodes?: { id?: unknown }[]; edges?: { id?: unknown }[] } | null;
  return errors.map((error) => {
    const [, collection, index] = error.instancePath.split('/');
    const item = collection === 'nodes' || collection === 'edges' ? def?.[collection]?.[Number(index)] : undefined;
    const id = typeof item?.id === 'string' ? item.id : undefined;
    const problem: DefinitionProblem = { code: 'schema', message: `${error.instancePath || '/'} ${error.message ?? 'is invalid'}` };
    if (id && collection === 'nodes') problem.nodeId = id;
    if (id && collection === 'edges') problem.edgeId = id;
    return problem;
  });
}

/** Keeps going after schema errors with whatever nodes and edges are well-formed enough to analyse. */
function usableParts(definition: unknown): WorkflowDefinition | null {
  if (!definition || typeof definition !== 'object') return null;
  const def = definition as Record<string, unknown>;
  if (!Array.isArray(def.nodes) || !Array.isArray(def.edges)) return null;
  const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
  const nodes = def.nodes.filter((n) => isObj(n) && typeof n.id === 'string' && typeof n.type === 'string');
  const edges = def.edges.filter((e) => isObj(e) && typeof e.id === 'string' && typeof e.source === 'string' && typeof e.target === 'string');
  return { ...def, nodes, edges } as WorkflowDefinition;
}

function structureProblems(graph: Graph): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const def = graph.definition;
  const push = (p: DefinitionProblem) => problems.push(p);

  duplicates(def.nodes.map((n) => n.id)).forEach((id) => push({ nodeId: id, code: 'duplicate_id', message: `node id ${id} is used more than once` }));
  duplicates(def.edges.map((e) => e.id)).forEach((id) => push({ edgeId: id, code: 'duplicate_id', message: `edge id ${id} is used more than once` }));
  for (const edge of def.edges) {
    for (const end of [edge.source, edge.target]) {
      if (!graph.nodes.has(end)) push({ edgeId: edge.id, code: 'unknown_node', message: `edge ${edge.id} refers to unknown node ${end}` });
    }
  }

  const ends = def.nodes.filter((n) => n.type === 'end');
  if (graph.starts.length === 0) push({ code: 'no_start', message: 'the workflow has no start node' });
  graph.starts.slice(1).forEach((n) => push({ nodeId: n.id, code: 'multiple_starts', message: `start node ${n.id} is one start too many` }));
  if (ends.length === 0) push({ code: 'no_end', message: 'the workflow has no end node' });

  for (const node of graph.nodes.values()) {
    const out = graph.out.get(node.id) ?? [];
    const inc = graph.incoming.get(node.id) ?? [];
    if (node.type === 'start' && inc.length) push({ nodeId: node.id, code: 'start_incoming', message: `start node ${node.id} must not have incoming edges` });
    if (node.type === 'end' && out.length) push({ nodeId: node.id, code: 'end_outgoing', message: `end node ${node.id} must not have outgoing edges` });
    if (SINGLE_EXIT_TYPES.has(node.type) && out.length > 1) {
      push({ nodeId: node.id, code: 'multiple_outgoing', message: `${node.type} node ${node.id} has ${out.length} outgoing edges; use a branch or parallel node to split` });
    }
    if (node.type === 'parallel' && out.length < 2) push({ nodeId: node.id, code: 'parallel_branches', message: `parallel node ${node.id} needs at least two outgoing edges` });
    if (node.type === 'branch') problems.push(...branchProblems(graph, node));
    else {
      for (const edge of out) {
        if (edge.data?.condition !== undefined || edge.data?.default !== undefined) {
          push({ edgeId: edge.id, code: 'unexpected_condition', message: `edge ${edge.id} leaves a ${node.type} node, which takes no condition or default` });
        }
      }
    }
  }

  if (graph.starts.length) {
    const reachable = reachableFrom(graph, [graph.starts[0].id]);
    for (const node of graph.nodes.values()) {
      if (!reachable.has(node.id) && node.type !== 'start') push({ nodeId: node.id, code: 'unreachable', message: `node ${node.id} cannot be reached from the start` });
    }
  }
  const reachesEnd = canReach(graph, ends.map((n) => n.id));
  for (const node of graph.nodes.values()) {
    if (node.type === 'end') continue;
    if ((graph.out.get(node.id) ?? []).length === 0) push({ nodeId: node.id, code: 'dead_end', message: `node ${node.id} has no outgoing edge` });
    else if (!reachesEnd.has(node.id)) push({ nodeId: node.id, code: 'dead_end', message: `no end node can be reached from node ${node.id}` });
  }

  for (const p of graph.blocks.problems) push({ nodeId: p.nodeId, code: 'unmatched_parallel', message: p.message });
  return problems;
}

function branchProblems(graph: Graph, node: WorkflowNode): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const out = graph.out.get(node.id) ?? [];
  const defaults = out.filter((e) => e.data?.default === true);
  if (defaults.length !== 1) {
    problems.push({ nodeId: node.id, code: 'branch_default', message: `branch ${node.id} needs exactly one default edge, found ${defaults.length}` });
  }
  for (const edge of out) {
    const condition = edge.data?.condition;
    if (edge.data?.default === true) {
      if (condition !== undefined) problems.push({ edgeId: edge.id, code: 'branch_condition', message: `default edge ${edge.id} must not carry a condition (it is never evaluated)` });
      continue;
    }
    if (condition === undefined) {
      problems.push({ edgeId: edge.id, code: 'branch_condition', message: `edge ${edge.id} of branch ${node.id} needs a condition or must be the default` });
      continue;
    }
    for (const message of inspectCondition(condition).problems) problems.push({ edgeId: edge.id, code: 'invalid_condition', message: `edge ${edge.id}: ${message}` });
  }
  return problems;
}

function fieldProblems(graph: Graph, form: FormShape): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const fieldTypes = new Map(form.fields.map((f) => [f.id, f.type]));
  const known = (ref: string) => fieldTypes.has(ref) || (SYSTEM_FIELDS as readonly string[]).includes(ref) || knownPath(ref);
  // "items.amount" names a subform column; "initiator.departmentIds" an initiator attribute.
  const knownPath = (ref: string) => {
    const dot = ref.indexOf('.');
    if (dot < 0) return false;
    const head = ref.slice(0, dot);
    return head === 'initiator' || fieldTypes.get(head) === 'subform';
  };

  for (const edge of graph.definition.edges) {
    const condition = edge.data?.condition;
    if (condition === undefined || graph.nodes.get(edge.source)?.type !== 'branch') continue;
    for (const ref of new Set(inspectCondition(condition).fields)) {
      if (!known(ref)) problems.push({ edgeId: edge.id, code: 'unknown_field', message: `condition of edge ${edge.id} names field ${ref}, which the form lacks` });
    }
  }

  for (const node of graph.nodes.values()) {
    const data = (node.data ?? {}) as Record<string, unknown>;
    const perms = data.fieldPermissions;
    if (perms && typeof perms === 'object') {
      for (const ref of Object.keys(perms)) {
        if (!fieldTypes.has(ref)) problems.push({ nodeId: node.id, code: 'unknown_field', message: `field permissions of node ${node.id} name field ${ref}, which the form lacks` });
      }
    }
    if (Array.isArray(data.assignees)) {
      for (const assignee of data.assignees as Assignee[]) problems.push(...assigneeProblems(node.id, assignee, fieldTypes));
    }
    const timeout = data.timeout as { after?: unknown } | undefined;
    if (timeout && typeof timeout.after === 'string' && !parseDuration(timeout.after)) {
      const type = fieldTypes.get(timeout.after);
      if (!type || !DATE_FIELD_TYPES.has(type)) {
        problems.push({ nodeId: node.id, code: 'invalid_timeout', message: `timeout of node ${node.id}: ${JSON.stringify(timeout.after)} is neither an ISO-8601 duration nor a date field` });
      }
    }
    if (node.type === 'subprocess') {
      const mapping = data.mapping && typeof data.mapping === 'object' ? (data.mapping as Record<string, string>) : {};
      for (const ref of Object.values(mapping)) {
        if (!fieldTypes.has(ref)) problems.push({ nodeId: node.id, code: 'unknown_field', message: `subprocess ${node.id} maps field ${ref}, which the form lacks` });
      }
      const initiatorField = data.initiatorField;
      if (typeof initiatorField === 'string') {
        const type = fieldTypes.get(initiatorField);
        if (!type) problems.push({ nodeId: node.id, code: 'unknown_field', message: `subprocess ${node.id} takes its initiator from ${initiatorField}, which the form lacks` });
        else if (type !== 'member' && type !== 'members') problems.push({ nodeId: node.id, code: 'assignee_field_type', message: `subprocess ${node.id} takes its initiator from ${initiatorField}, a ${type} field, not a member field` });
      }
    }
  }
  return problems;
}

function assigneeProblems(nodeId: string, assignee: Assignee, fieldTypes: Map<string, string>): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  if (!assignee || typeof assignee !== 'object') return problems;
  const { kind } = assignee;
  const hasIds = Array.isArray(assignee.ids) && assignee.ids.length > 0;
  if ((kind === 'member' || kind === 'department' || kind === 'role') && !hasIds) {
    problems.push({ nodeId, code: 'assignee_ids', message: `node ${nodeId}: a ${kind} assignee needs ids` });
  }
  if (kind === 'departmentSupervisor' && !hasIds && assignee.field === undefined) {
    problems.push({ nodeId, code: 'assignee_ids', message: `node ${nodeId}: a departmentSupervisor assignee needs department ids or a department field` });
  }
  if ((kind === 'supervisor' || kind === 'departmentSupervisor') && assignee.level !== undefined) {
    if (!Number.isInteger(assignee.level) || assignee.level < 1 || assignee.level > 5) {
      problems.push({ nodeId, code: 'supervisor_level', message: `node ${nodeId}: supervisor level ${assignee.level} is outside 1..5` });
    }
  }
  const wantsField = kind === 'field' || (kind === 'departmentSupervisor' && assignee.field !== undefined);
  if (kind === 'field' && assignee.field === undefined) {
    problems.push({ nodeId, code: 'assignee_ids', message: `node ${nodeId}: a field assignee needs a field` });
  } else if (wantsField && assignee.field !== undefined) {
    const type = fieldTypes.get(assignee.field);
    const allowed = kind === 'field' ? MEMBER_FIELD_TYPES : DEPARTMENT_FIELD_TYPES;
    if (!type) problems.push({ nodeId, code: 'unknown_field', message: `node ${nodeId}: assignee field ${assignee.field} is not on the form` });
    else if (!allowed.has(type)) problems.push({ nodeId, code: 'assignee_field_type', message: `node ${nodeId}: assignee field ${assignee.field} is a ${type} field, not a ${kind === 'field' ? 'member or department' : 'department'} field` });
  }
  return problems;
}

function duplicates(ids: string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const id of ids) (seen.has(id) ? dup : seen).add(id);
  return [...dup];
}

/** Form ids the definition starts as subprocesses; the server refuses cycles between flows with it. */
export function subprocessFormIds(definition: WorkflowDefinition): string[] {
  return [...new Set(definition.nodes.flatMap((n) => (n.type === 'subprocess' ? [n.data.formId] : [])))];
}
