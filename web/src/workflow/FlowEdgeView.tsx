import { WarningOutlined } from '@ant-design/icons';
import { BaseEdge, EdgeLabelRenderer, getSmoothStepPath, useStore, useStoreApi, type EdgeProps, type ReactFlowState } from '@xyflow/react';
import { memo, useCallback } from 'react';
import type { FlowEdge } from './flow.ts';
import { useGraphContext } from './GraphContext.tsx';
import { RANK_GAP } from './layout.ts';
import type { EdgeData } from './model.ts';

type Point = { x: number; y: number };
const CORNER = 10;

/** A polyline through `points` with rounded corners. */
function roundedPath(points: Point[]): string {
  let d = `M ${points[0].x} ${points[0].y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [a, b, c] = [points[i - 1], points[i], points[i + 1]];
    const inLen = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    const outLen = Math.hypot(c.x - b.x, c.y - b.y) || 1;
    const r = Math.min(CORNER, inLen / 2, outLen / 2);
    const before = { x: b.x - ((b.x - a.x) / inLen) * r, y: b.y - ((b.y - a.y) / inLen) * r };
    const after = { x: b.x + ((c.x - b.x) / outLen) * r, y: b.y + ((c.y - b.y) / outLen) * r };
    d += ` L ${before.x} ${before.y} Q ${b.x} ${b.y} ${after.x} ${after.y}`;
  }
  const last = points[points.length - 1];
  return `${d} L ${last.x} ${last.y}`;
}

/** The lane auto layout gave the edge, while both its nodes are still where the layout put them. */
function useRoute(source: string, target: string, route: EdgeData['route']): Point[] | null {
  const valid = useStore(
    useCallback(
      (s: ReactFlowState) => {
        if (!route) return false;
        const a = s.nodeLookup.get(source)?.internals.positionAbsolute;
        const b = s.nodeLookup.get(target)?.internals.positionAbsolute;
        return Boolean(a && b && a.x === route.from.x && a.y === route.from.y && b.x === route.to.x && b.y === route.to.y);
      },
      [source, target, route],
    ),
  );
  return valid && route ? route.points : null;
}

/** An edge with its condition (or "default") as a label; an edge the engine complains about is red. */
function FlowEdgeViewInner({ id, source, target, data, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, markerEnd, selected }: EdgeProps<FlowEdge>) {
  const ctx = useGraphContext();
  const store = useStoreApi();
  const problems = ctx.edgeProblems.get(id) ?? [];
  const label = ctx.edgeLabels.get(id);
  const lane = useRoute(source, target, data?.route);
  let path: string;
  let labelX: number;
  let labelY: number;
  if (lane) {
    // Across to the lane and back in the gaps between ranks (half the layout's rank spacing), not through a rank.
    const first = lane[0];
    const last = lane[lane.length - 1];
    path = roundedPath([
      { x: sourceX, y: sourceY },
      { x: sourceX, y: sourceY + RANK_GAP / 2 },
      { x: first.x, y: sourceY + RANK_GAP / 2 },
      ...lane,
      { x: last.x, y: targetY - RANK_GAP / 2 },
      { x: targetX, y: targetY - RANK_GAP / 2 },
      { x: targetX, y: targetY },
    ]);
    const middle = lane[Math.floor((lane.length - 1) / 2)];
    [labelX, labelY] = [middle.x, middle.y];
  } else {
    [path, labelX, labelY] = getSmoothStepPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, borderRadius: CORNER });
  }
  const invalid = problems.length > 0;
  const stroke = invalid ? '#ff4d4f' : selected ? '#1677ff' : '#8c8c8c';
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={{ stroke, strokeWidth: selected || invalid ? 2 : 1.5 }} interactionWidth={16} />
      {(label || invalid) && (
        <EdgeLabelRenderer>
          <div
            className={`qiao-flow-edge-label nodrag nopan${invalid ? ' invalid' : ''}${selected ? ' selected' : ''}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            data-testid={`wf-edge-label-${id}`}
            data-invalid={invalid ? 'true' : undefined}
            title={problems.map(ctx.problemText).join('\n') || undefined}
            onClick={ctx.readOnly ? undefined : () => store.getState().addSelectedEdges([id])}
          >
            {invalid && <WarningOutlined />} {label ?? ''}
            {invalid && <div className="qiao-flow-edge-problem">{ctx.problemText(problems[0])}</div>}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const FlowEdgeView = memo(FlowEdgeViewInner);
export const EDGE_COMPONENTS = { flow: FlowEdgeView };
