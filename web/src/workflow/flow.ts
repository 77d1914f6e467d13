import type { Edge, Node } from '@xyflow/react';
import { pruneCondition } from '../fields/ConditionBuilder.tsx';
import { layoutGraph, needsLayout, type Point } from './layout.ts';
import type { DefEdge, DefNode, Definition, EdgeData, NodeData, NodeType, WorkflowSettings } from './model.ts';

/** One canvas node per definition node: the xyflow node type is the definition's node type. */
export type FlowNode = Node<NodeData, NodeType>;
export type FlowEdge = Edge<EdgeData, 'flow'>;

export interface FlowDoc {
  nodes: FlowNode[];
  edges: FlowEdge[];
  settings: WorkflowSettings;
}

export function toFlow(definition: Definition): FlowDoc {
  const layout = needsLayout(definition.nodes) ? layoutGraph(definition.nodes, definition.edges) : null;
  const doc: FlowDoc = {
    nodes: definition.nodes.map((n) => ({
      id: n.id,
      type: n.type,
      position: layout?.positions.get(n.id) ?? n.position ?? { x: 0, y: 0 },
      data: { ...(n.data ?? {}) },
    })),
    edges: definition.edges.map((e) => ({ id: e.id, source: e.source, target: e.target, type: 'flow', data: { ...(e.data ?? {}) } })),
    settings: { ...(definition.settings ?? {}) },
  };
  return layout ? { ...doc, edges: withRoutes(doc.edges, layout.routes, layout.positions) } : doc;
}

/** Edges carrying the lanes a layout found for them (and none where it found none). */
export function withRoutes(edges: FlowEdge[], routes: Map<string, Point[]>, positions: Map<string, Point>): FlowEdge[] {
  return edges.map((e) => {
    const points = routes.get(e.id);
    const from = positions.get(e.source);
    const to = positions.get(e.target);
    if (!points || !from || !to) {
      if (!e.data?.route) return e;
      const { route: _dropped, ...rest } = e.data;
      return { ...e, data: rest };
    }
    return { ...e, data: { ...(e.data ?? {}), route: { points, from, to } } };
  });
}

function edgeData(data: EdgeData | undefined): EdgeData | undefined {
  if (!data) return undefined;
  const out: EdgeData = {};
  if (data.default) out.default = true;
  else {
    // A half-built condition (a leaf without its value) is not a condition yet; the engine then asks for one.
    const condition = pruneCondition(data.condition);
    if (condition) out.condition = condition;
  }
  if (typeof data.label === 'string' && data.label.trim()) out.label = data.label.trim();
  return Object.keys(out).length ? out : undefined;
}

/** The definition the API stores: positions rounded, empty edge data dropped, unfinished conditions pruned. */
export function toDefinition(doc: FlowDoc): Definition {
  const nodes: DefNode[] = doc.nodes.map((n) => ({
    id: n.id,
    type: n.type as NodeType,
    data: n.data,
    position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
  }));
  const edges: DefEdge[] = doc.edges.map((e) => {
    const data = edgeData(e.data);
    return data ? { id: e.id, source: e.source, target: e.target, data } : { id: e.id, source: e.source, target: e.target };
  });
  return { nodes, edges, settings: doc.settings };
}

/** Same nodes, edges, data and settings (positions and selection aside): validation need not run again. */
export function sameStructure(a: FlowDoc | null, b: FlowDoc): boolean {
  if (!a || a.settings !== b.settings || a.nodes.length !== b.nodes.length || a.edges.length !== b.edges.length) return false;
  for (let i = 0; i < a.nodes.length; i++) {
    const x = a.nodes[i];
    const y = b.nodes[i];
    if (x.data !== y.data || x.id !== y.id || x.type !== y.type) return false;
  }
  for (let i = 0; i < a.edges.length; i++) {
    const x = a.edges[i];
    const y = b.edges[i];
    if (x.data !== y.data || x.id !== y.id || x.source !== y.source || x.target !== y.target) return false;
  }
  return true;
}
