import { WarningOutlined } from '@ant-design/icons';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { FlowNode } from './flow.ts';
import { useGraphContext } from './GraphContext.tsx';
import { nodeName, type NodeType } from './model.ts';
import { NODE_LOOK } from './nodeLook.tsx';

/** One canvas node: type, name, a summary line, and the engine's problems with it in red. */
function FlowNodeViewInner({ id, type, data, selected }: NodeProps<FlowNode>) {
  const { t } = useTranslation();
  const ctx = useGraphContext();
  const nodeType = type as NodeType;
  const look = NODE_LOOK[nodeType] ?? NODE_LOOK.approval;
  const problems = ctx.nodeProblems.get(id) ?? [];
  const name = nodeName({ id, data });
  const summary = ctx.summary(nodeType, data);
  const current = ctx.current?.has(id);
  const visited = ctx.visited?.has(id);
  const classes = ['qiao-flow-node', selected ? 'selected' : '', problems.length ? 'invalid' : '', current ? 'current' : '', visited ? 'visited' : '', ctx.readOnly ? 'readonly' : ''].filter(Boolean).join(' ');
  const typeLabel = t(`workflow.nodeTypes.${nodeType}`);
  return (
    <div
      className={classes}
      style={{ '--node-color': look.color } as React.CSSProperties}
      data-testid={`wf-node-${id}`}
      data-node-type={nodeType}
      data-invalid={problems.length ? 'true' : undefined}
      data-current={current ? 'true' : undefined}
      aria-label={`${typeLabel} ${name}`}
      title={problems.map(ctx.problemText).join('\n') || undefined}
    >
      {nodeType !== 'start' && <Handle type="target" position={Position.Top} isConnectable={!ctx.readOnly} data-testid={`wf-in-${id}`} />}
      <div className="qiao-flow-node-type">
        <span style={{ color: look.color }}>{look.icon}</span> {typeLabel}
        {current && <span className="qiao-flow-node-badge">{t('workflow.currentNode')}</span>}
      </div>
      <div className="qiao-flow-node-name">{name}</div>
      {summary && <div className="qiao-flow-node-summary">{summary}</div>}
      {problems.length > 0 && (
        <div className="qiao-flow-node-problem" role="alert">
          <WarningOutlined /> {ctx.problemText(problems[0])}
          {problems.length > 1 && ` (+${problems.length - 1})`}
        </div>
      )}
      {nodeType !== 'end' && <Handle type="source" position={Position.Bottom} isConnectable={!ctx.readOnly} data-testid={`wf-out-${id}`} />}
    </div>
  );
}

export const FlowNodeView = memo(FlowNodeViewInner);

/** xyflow picks the component by node type; every definition node type draws with the same one. */
export const NODE_COMPONENTS = {
  start: FlowNodeView,
  end: FlowNodeView,
  approval: FlowNodeView,
  fill: FlowNodeView,
  cc: FlowNodeView,
  branch: FlowNodeView,
  parallel: FlowNodeView,
  join: FlowNodeView,
  automation: FlowNodeView,
  subprocess: FlowNodeView,
};
