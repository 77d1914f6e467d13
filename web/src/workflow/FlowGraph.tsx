import { Background, Controls, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import './workflow.css';
import { useMemo } from 'react';
import type { FieldDef } from '../api/types.ts';
import { EDGE_COMPONENTS } from './FlowEdgeView.tsx';
import { toFlow } from './flow.ts';
import { NODE_COMPONENTS } from './FlowNodeView.tsx';
import { GraphContext, type GraphContextValue } from './GraphContext.tsx';
import type { Definition } from './model.ts';
import { useDescriptions } from './useDescriptions.ts';

const NONE = new Map();

/** A workflow drawn read-only: an old version, or an instance's path with the node it waits at highlighted. */
export function FlowGraph({ definition, fields, current, visited, height = 420 }: { definition: Definition; fields: FieldDef[]; current?: string[]; visited?: string[]; height?: number }) {
  const descriptions = useDescriptions(fields);
  const doc = useMemo(() => toFlow(definition), [definition]);
  const nodes = useMemo(() => doc.nodes.map((n) => ({ ...n, draggable: false, selectable: false, connectable: false })), [doc]);
  const types = useMemo(() => new Map(doc.nodes.map((n) => [n.id, n.type])), [doc]);
  const currentKey = (current ?? []).join(',');
  const visitedKey = (visited ?? []).join(',');
  const ctx = useMemo<GraphContextValue>(
    () => ({
      nodeProblems: NONE,
      edgeProblems: NONE,
      problemText: (p) => p.message,
      summary: descriptions.summary,
      edgeLabels: new Map(doc.edges.map((e) => [e.id, descriptions.edgeLabel(e.data, types.get(e.source) === 'branch') ?? ''])),
      current: new Set(currentKey ? currentKey.split(',') : []),
      visited: new Set(visitedKey ? visitedKey.split(',') : []),
      readOnly: true,
    }),
    [descriptions, doc, types, currentKey, visitedKey],
  );
  return (
    <GraphContext.Provider value={ctx}>
      <div style={{ height, background: '#fafbfc', borderRadius: 8, border: '1px solid #eef0f3' }} data-testid="flow-graph">
        <ReactFlow
          nodes={nodes}
          edges={doc.edges}
          nodeTypes={NODE_COMPONENTS}
          edgeTypes={EDGE_COMPONENTS}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          fitView
          fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
          minZoom={0.2}
          defaultEdgeOptions={{ type: 'flow' }}
        >
          <Background gap={16} color="#eef0f3" />
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>
    </GraphContext.Provider>
  );
}
