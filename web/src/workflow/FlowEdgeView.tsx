import { WarningOutlined } from '@ant-design/icons';
import { BaseEdge, EdgeLabelRenderer, getSmoothStepPath, useStoreApi, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import type { FlowEdge } from './flow.ts';
import { useGraphContext } from './GraphContext.tsx';

/** An edge with its condition (or "default") as a label; an edge the engine complains about is red. */
function FlowEdgeViewInner({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, markerEnd, selected }: EdgeProps<FlowEdge>) {
  const ctx = useGraphContext();
  const store = useStoreApi();
  const problems = ctx.edgeProblems.get(id) ?? [];
  const label = ctx.edgeLabels.get(id);
  const [path, labelX, labelY] = getSmoothStepPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, borderRadius: 10 });
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
            data-testid={`wf-edge-${id}`}
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
