import { Graph, layout } from '@dagrejs/dagre';

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 76;
/** Vertical space between ranks; routed edges turn in the middle of it. */
export const RANK_GAP = 64;

interface Sized {
  id: string;
  position?: { x: number; y: number };
  measured?: { width?: number; height?: number };
}

export type Point = { x: number; y: number };

/**
 * Top-to-bottom positions for every node (dagre's layered layout), keyed by node id. Positions are the
 * top-left corners xyflow expects; dagre answers centres.
 */
export function autoLayout(nodes: Sized[], edges: { source: string; target: string }[]): Map<string, Point> {
  return layoutGraph(nodes, edges.map((e, i) => ({ id: `e${i}`, ...e }))).positions;
}

/**
 * The layout and, for edges that skip ranks, the lane dagre kept free for them (its bend points, without the ends
 * on the nodes): drawn through it, such an edge goes around the nodes between its ends instead of across them.
 */
export function layoutGraph(nodes: Sized[], edges: { id: string; source: string; target: string }[]): { positions: Map<string, Point>; routes: Map<string, Point[]> } {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 48, ranksep: RANK_GAP, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(nodes.map((n) => n.id));
  for (const n of nodes) g.setNode(n.id, { width: n.measured?.width ?? NODE_WIDTH, height: n.measured?.height ?? NODE_HEIGHT });
  for (const e of edges) if (ids.has(e.source) && ids.has(e.target)) g.setEdge(e.source, e.target, {}, e.id);
  layout(g);
  const positions = new Map<string, Point>();
  for (const n of nodes) {
    const placed = g.node(n.id) as { x: number; y: number; width: number; height: number } | undefined;
    if (placed) positions.set(n.id, { x: Math.round(placed.x - placed.width / 2), y: Math.round(placed.y - placed.height / 2) });
  }
  const routes = new Map<string, Point[]>();
  for (const e of edges) {
    const points = (g.edge({ v: e.source, w: e.target, name: e.id }) as { points?: Point[] } | undefined)?.points;
    // Three points: an edge between neighbouring ranks, which the plain step path draws well.
    if (points && points.length > 3) routes.set(e.id, points.slice(1, -1).map((p) => ({ x: Math.round(p.x), y: Math.round(p.y) })));
  }
  return { positions, routes };
}

/**
 * True when a stored definition cannot be shown as it is: written without positions (API or template authors) or
 * with nodes on top of each other. It is then laid out once when opened.
 */
export function needsLayout(nodes: Sized[]): boolean {
  if (nodes.some((n) => !n.position)) return true;
  // Sorted by x, a node can only overlap the ones that start less than a node's width to its right.
  const sorted = [...nodes].sort((a, b) => a.position!.x - b.position!.x);
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i].position!;
    for (let j = i + 1; j < sorted.length && sorted[j].position!.x - a.x < NODE_WIDTH; j++) {
      if (Math.abs(sorted[j].position!.y - a.y) < NODE_HEIGHT) return true;
    }
  }
  return false;
}
