import type { NodeType, WorkflowDefinition, WorkflowEdge, WorkflowNode } from './schema.ts';

export interface Graph {
  definition: WorkflowDefinition;
  nodes: Map<string, WorkflowNode>;
  edges: Map<string, WorkflowEdge>;
  /** Outgoing edges in definition order (the order exclusive branches try them in). */
  out: Map<string, WorkflowEdge[]>;
  incoming: Map<string, WorkflowEdge[]>;
  starts: WorkflowNode[];
  blocks: BlockAnalysis;
}

export interface BlockProblem {
  nodeId: string;
  message: string;
}

export interface BlockAnalysis {
  joinOfSplit: Map<string, string>;
  splitOfJoin: Map<string, string>;
  /** Every node strictly inside some parallel block (nested blocks included). */
  insideBlock: Set<string>;
  problems: BlockProblem[];
}

const cache = new WeakMap<WorkflowDefinition, Graph>();

/** Indexes a definition; memoised per definition object (definitions are immutable once published). */
export function graphOf(definition: WorkflowDefinition): Graph {
  let graph = cache.get(definition);
  if (!graph) {
    graph = buildGraph(definition);
    cache.set(definition, graph);
  }
  return graph;
}

export function buildGraph(definition: WorkflowDefinition): Graph {
  const nodes = new Map<string, WorkflowNode>();
  const edges = new Map<string, WorkflowEdge>();
  const out = new Map<string, WorkflowEdge[]>();
  const incoming = new Map<string, WorkflowEdge[]>();
  for (const node of definition.nodes) {
    if (!nodes.has(node.id)) nodes.set(node.id, node);
    out.set(node.id, []);
    incoming.set(node.id, []);
  }
  for (const edge of definition.edges) {
    if (!edges.has(edge.id)) edges.set(edge.id, edge);
    out.get(edge.source)?.push(edge);
    incoming.get(edge.target)?.push(edge);
  }
  const starts = definition.nodes.filter((n) => n.type === 'start');
  const partial = { definition, nodes, edges, out, incoming, starts };
  return { ...partial, blocks: analyseBlocks(partial) };
}

export function nodeType(graph: Pick<Graph, 'nodes'>, id: string): NodeType | undefined {
  return graph.nodes.get(id)?.type;
}

export function targetsOf(graph: Pick<Graph, 'out'>, id: string): string[] {
  return (graph.out.get(id) ?? []).map((e) => e.target);
}

/** Nodes reachable from `from` following edges forwards. */
export function reachableFrom(graph: Pick<Graph, 'out'>, from: string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...from];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const t of targetsOf(graph, id)) stack.push(t);
  }
  return seen;
}

/** Nodes from which one of `to` can be reached. */
export function canReach(graph: Pick<Graph, 'incoming'>, to: string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...to];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const e of graph.incoming.get(id) ?? []) stack.push(e.source);
  }
  return seen;
}

interface BlockMatch {
  join?: string;
  interior: Set<string>;
}

/**
 * Pairs every parallel split with its join. Blocks are structural: each path leaving a branch of
 * the split must reach one and the same join (nested blocks are stepped over as a unit), branches
 * may not meet before it, and nothing outside the block may lead into it.
 */
function analyseBlocks(graph: Omit<Graph, 'blocks'>): BlockAnalysis {
  const problems: BlockProblem[] = [];
  const memo = new Map<string, BlockMatch>();
  const inProgress = new Set<string>();
  // Joins some split's branches reach: if that split is broken, its problem already covers them.
  const reachedJoins = new Set<string>();

  const match = (splitId: string): BlockMatch => {
    const known = memo.get(splitId);
    if (known) return known;
    if (inProgress.has(splitId)) return { interior: new Set() };
    inProgress.add(splitId);
    const result = matchSplit(splitId);
    inProgress.delete(splitId);
    memo.set(splitId, result);
    return result;
  };

  const matchSplit = (splitId: string): BlockMatch => {
    const joins = new Set<string>();
    const interior = new Set<string>();
    const branchSets: Set<string>[] = [];
    const issues: string[] = [];
    for (const branch of graph.out.get(splitId) ?? []) {
      const visited = new Set<string>();
      const stack = [branch.target];
      while (stack.length) {
        const id = stack.pop()!;
        if (id === splitId) {
          issues.push('a path inside the block loops back to the split');
          continue;
        }
        const node = graph.nodes.get(id);
        if (!node || visited.has(id)) continue;
        visited.add(id);
        if (node.type === 'join') {
          joins.add(id);
          reachedJoins.add(id);
          continue;
        }
        if (node.type === 'end') {
          issues.push(`branch ${branch.id} reaches end ${id} without passing a join`);
          continue;
        }
        if (node.type === 'parallel') {
          const nested = match(id);
          if (!nested.join) {
            issues.push(`nested parallel ${id} has no matching join`);
            continue;
          }
          for (const inner of nested.interior) interior.add(inner);
          visited.add(nested.join);
          stack.push(...targetsOf(graph, nested.join));
          continue;
        }
        stack.push(...targetsOf(graph, id));
      }
      branchSets.push(visited);
    }
    if (joins.size > 1) issues.push(`branches reach different joins (${[...joins].join(', ')})`);
    if (joins.size === 0 && issues.length === 0) issues.push('no join closes this parallel block');
    const join = joins.size === 1 ? [...joins][0] : undefined;
    for (let i = 0; i < branchSets.length; i++) {
      for (const id of branchSets[i]) {
        if (id !== join) interior.add(id);
        for (let j = i + 1; j < branchSets.length; j++) {
          if (id !== join && branchSets[j].has(id)) issues.push(`branches meet at ${id} before the join`);
        }
      }
    }
    if (join) {
      for (const id of [...interior, join]) {
        for (const e of graph.incoming.get(id) ?? []) {
          if (e.source !== splitId && !interior.has(e.source)) {
            issues.push(`edge ${e.id} enters the block at ${id} from outside`);
          }
        }
      }
    }
    if (issues.length) problems.push({ nodeId: splitId, message: `parallel ${splitId}: ${[...new Set(issues)].join('; ')}` });
    return issues.length ? { interior } : { join, interior };
  };

  const joinOfSplit = new Map<string, string>();
  const splitOfJoin = new Map<string, string>();
  const insideBlock = new Set<string>();
  for (const node of graph.nodes.values()) {
    if (node.type !== 'parallel') continue;
    const { join, interior } = match(node.id);
    for (const id of interior) insideBlock.add(id);
    if (!join) continue;
    const other = splitOfJoin.get(join);
    if (other) {
      problems.push({ nodeId: join, message: `join ${join} closes both ${other} and ${node.id}` });
      continue;
    }
    joinOfSplit.set(node.id, join);
    splitOfJoin.set(join, node.id);
  }
  for (const node of graph.nodes.values()) {
    if (node.type === 'join' && !splitOfJoin.has(node.id) && !reachedJoins.has(node.id)) {
      problems.push({ nodeId: node.id, message: `join ${node.id} does not close any parallel block` });
    }
  }
  return { joinOfSplit, splitOfJoin, insideBlock, problems };
}
