import { Graph, layout } from '@dagrejs/dagre';

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 76;

interface Sized {
  id: string;
  position?: { x: number; y: number };
  measured?: { width?: number; height?: number };
}

/**
 * Top-to-bottom positions for every node (dagre's layered layout), keyed by node id. Positions are the
 * top-left corners xyflow expects; dagre answers centres.
 */
export function autoLayout(nodes: Sized[], edges: { source: string; target: string }[]): Map<string, { x: number; y: number }> {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 48, ranksep: 64, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(nodes.map((n) => n.id));
  for (const n of nodes) g.setNode(n.id, { width: n.measured?.width ?? NODE_WIDTH, height: n.measured?.height ?? NODE_HEIGHT });
  edges.forEach((e, i) => {
    if (ids.has(e.source) && ids.has(e.target)) g.setEdge(e.source, e.target, {}, `e${i}`);
  });
  layout(g);
  const out = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    const placed = g.node(n.id) as { x: number; y: number; width: number; height: number } | undefined;
    if (placed) out.set(n.id, { x: Math.round(placed.x - placed.width / 2), y: Math.round(placed.y - placed.height / 2) });
  }
  return out;
}

/** True when a stored definition was written without positions (API or template authors): lay it out once. */
export function needsLayout(nodes: Sized[]): boolean {
  if (nodes.some((n) => !n.position)) return true;
  // Every node on one spot is as good as none.
  const spots = new Set(nodes.map((n) => `${n.position!.x},${n.position!.y}`));
  return nodes.length > 1 && spots.size === 1;
}
