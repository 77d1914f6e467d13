import {
  CloudUploadOutlined, CopyOutlined, DeleteOutlined, ExpandOutlined, HistoryOutlined, LayoutOutlined, RedoOutlined, SaveOutlined,
  SnippetsOutlined, UndoOutlined,
} from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Background, Controls, MiniMap, ReactFlow, useReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import './workflow.css';
import { App as AntApp, Button, Card, Space, Tag, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import type { FormDef } from '../api/types.ts';
import { errorMessage } from '../layout/States.tsx';
import { EdgeProperties } from './EdgeProperties.tsx';
import { EDGE_COMPONENTS } from './FlowEdgeView.tsx';
import { NODE_COMPONENTS } from './FlowNodeView.tsx';
import { FlowSettings } from './FlowSettings.tsx';
import { toDefinition, toFlow } from './flow.ts';
import { GraphContext, type GraphContextValue } from './GraphContext.tsx';
import { NODE_HEIGHT, NODE_WIDTH } from './layout.ts';
import { emptyDefinition, nodeName, type Definition, type EdgeData, type NodeData, type NodeType, type Problem, type WorkflowInfo } from './model.ts';
import { NodePalette, NODE_DRAG_TYPE } from './NodePalette.tsx';
import { NodeProperties } from './NodeProperties.tsx';
import { NODE_LOOK } from './nodeLook.tsx';
import { indexProblems, problemText } from './problems.ts';
import { ProblemsBar } from './ProblemsBar.tsx';
import { useDescriptions } from './useDescriptions.ts';
import { useFlowEditing } from './useFlowEditing.ts';
import { useWorkflowCheck } from './useWorkflowCheck.ts';
import { VersionHistory } from './VersionHistory.tsx';

function typingInto(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || Boolean(el.closest?.('.ant-select, .ant-modal, .ant-drawer, .ant-popover'));
}

/** The canvas, its palette and property panel, for one form's workflow (inside a ReactFlowProvider). */
export function Designer({ form, info }: { form: FormDef; info: WorkflowInfo }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const flow = useReactFlow();
  const fields = form.fields;
  const editing = useFlowEditing(() => toFlow(info.draft ?? info.published?.definition ?? emptyDefinition({ start: t('workflow.nodeTypes.start'), end: t('workflow.nodeTypes.end') })));
  const { doc } = editing;
  const check = useWorkflowCheck(form.id, doc);
  const descriptions = useDescriptions(fields);
  const [savedEdits, setSavedEdits] = useState(0);
  const [busy, setBusy] = useState<'save' | 'publish' | null>(null);
  const [publishedVersion, setPublishedVersion] = useState(info.published?.version ?? 0);
  // A saved draft that differs from what runs: saved work not yet in use.
  const [draftPending, setDraftPending] = useState(() => Boolean(info.draft && JSON.stringify(info.draft) !== JSON.stringify(info.published?.definition ?? null)));
  const [justPublished, setJustPublished] = useState<number | null>(null);
  const [publishProblems, setPublishProblems] = useState<{ edits: number; problems: Problem[] } | null>(null);
  const [versionsOpen, setVersionsOpen] = useState(false);
  const dirty = editing.edits !== savedEdits;

  const docRef = useRef(doc);
  docRef.current = doc;
  const nameOf = useCallback((id: string) => nodeName(docRef.current.nodes.find((n) => n.id === id)) || id, []);
  const text = useCallback((p: Problem) => problemText(t, p, nameOf), [t, nameOf]);

  // Problems only the publish step finds (subprocess cycles) stay on screen until the next edit.
  const problems = useMemo(() => {
    const extra = publishProblems && publishProblems.edits === editing.edits ? publishProblems.problems.filter((p) => !check.problems.some((q) => q.code === p.code && q.nodeId === p.nodeId && q.edgeId === p.edgeId)) : [];
    return [...check.problems, ...extra];
  }, [check.problems, publishProblems, editing.edits]);
  const index = useMemo(() => indexProblems(problems), [problems]);

  const typesKey = doc.nodes.map((n) => `${n.id}:${n.type}`).join('|');
  const edgeLabels = useMemo(() => {
    const types = new Map(typesKey.split('|').map((pair) => pair.split(':') as [string, string]));
    return new Map(doc.edges.map((e) => [e.id, descriptions.edgeLabel(e.data, types.get(e.source) === 'branch') ?? '']));
  }, [doc.edges, typesKey, descriptions]);

  const ctx = useMemo<GraphContextValue>(
    () => ({ nodeProblems: index.byNode, edgeProblems: index.byEdge, problemText: text, summary: descriptions.summary, edgeLabels }),
    [index, text, descriptions.summary, edgeLabels],
  );

  const selectedNodes = doc.nodes.filter((n) => n.selected);
  const selectedEdges = doc.edges.filter((e) => e.selected);
  const selectedNode = selectedNodes.length === 1 && selectedEdges.length === 0 ? selectedNodes[0] : undefined;
  const selectedEdge = selectedEdges.length === 1 && selectedNodes.length === 0 ? selectedEdges[0] : undefined;

  const addAt = useCallback(
    (type: NodeType, position: { x: number; y: number }) => {
      const count = docRef.current.nodes.filter((n) => n.type === type).length;
      const label = t(`workflow.nodeTypes.${type}`);
      editing.addNode(type, position, count ? `${label} ${count + 1}` : label);
    },
    [editing, t],
  );

  const wrapper = useRef<HTMLDivElement>(null);
  const addInView = (type: NodeType) => {
    const box = wrapper.current?.getBoundingClientRect();
    const centre = box ? flow.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 }) : { x: 0, y: 0 };
    addAt(type, { x: centre.x - NODE_WIDTH / 2, y: centre.y - NODE_HEIGHT / 2 });
  };

  const onDrop = (event: React.DragEvent) => {
    const type = event.dataTransfer.getData(NODE_DRAG_TYPE) as NodeType;
    if (!type) return;
    event.preventDefault();
    const at = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
    addAt(type, { x: at.x - NODE_WIDTH / 2, y: at.y - NODE_HEIGHT / 2 });
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typingInto(e.target)) return;
      const mod = e.ctrlKey || e.metaKey;
      if (!mod) return;
      const key = e.key.toLowerCase();
      if (key === 'z' && !e.shiftKey) editing.undo();
      else if ((key === 'z' && e.shiftKey) || key === 'y') editing.redo();
      else if (key === 'c') {
        if (!editing.copy()) return;
      } else if (key === 'v') {
        if (!editing.paste()) return;
      } else if (key === 'd') editing.duplicate();
      else return;
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [editing]);

  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const saveDraft = async (): Promise<boolean> => {
    const at = editing.edits;
    try {
      await api('PUT', `/forms/${form.id}/workflow`, toDefinition(docRef.current));
      setSavedEdits(at);
      setDraftPending(true);
      return true;
    } catch (err) {
      message.error(errorMessage(err, t));
      return false;
    }
  };

  const save = async () => {
    setBusy('save');
    if (await saveDraft()) message.success(t('workflow.saved'));
    setBusy(null);
    void queryClient.invalidateQueries({ queryKey: ['workflow', form.id] });
  };

  const publish = async () => {
    setBusy('publish');
    try {
      if (!(await saveDraft())) return;
      const result = await api<{ version: number }>('POST', `/forms/${form.id}/workflow/publish`);
      setPublishedVersion(result.version);
      setDraftPending(false);
      setJustPublished(result.version);
      setPublishProblems(null);
      message.success(t('workflow.published', { version: result.version }));
      void queryClient.invalidateQueries({ queryKey: ['workflow', form.id] });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_workflow') {
        setPublishProblems({ edits: editing.edits, problems: (err.body.errors as Problem[] | undefined) ?? [] });
        message.error(t('workflow.publishBlocked'));
      } else message.error(errorMessage(err, t));
    } finally {
      setBusy(null);
    }
  };

  const pick = (p: Problem) => {
    const node = p.nodeId ? doc.nodes.find((n) => n.id === p.nodeId) : undefined;
    editing.select({ nodeId: p.nodeId, edgeId: p.edgeId });
    if (node) void flow.setCenter(node.position.x + NODE_WIDTH / 2, node.position.y + NODE_HEIGHT / 2, { zoom: Math.max(flow.getZoom(), 0.8), duration: 300 });
  };

  const loadVersion = (definition: Definition) => {
    editing.replace(toFlow(definition));
    setTimeout(() => void flow.fitView({ padding: 0.2, maxZoom: 1 }), 50);
  };

  // Stable handlers keep the (memoised) property panel still while a node is dragged across the canvas.
  const selectedNodeId = selectedNode?.id;
  const selectedEdgeId = selectedEdge?.id;
  const { updateNode, updateEdge } = editing;
  const onNodeChange = useCallback((patch: Partial<NodeData>, key?: string) => selectedNodeId && updateNode(selectedNodeId, patch, key), [updateNode, selectedNodeId]);
  const onEdgeChange = useCallback((patch: Partial<EdgeData>, key?: string) => selectedEdgeId && updateEdge(selectedEdgeId, patch, key), [updateEdge, selectedEdgeId]);

  const canPublish = !check.checking && problems.length === 0 && !check.error;
  const selectedEdgeSource = selectedEdge ? doc.nodes.find((n) => n.id === selectedEdge.source) : undefined;

  return (
    <GraphContext.Provider value={ctx}>
      <div className="qiao-flow-designer" data-testid="workflow-designer">
        <Card size="small" className="qiao-flow-toolbar">
          <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
            <Space wrap>
              {publishedVersion ? <Tag color="green" data-testid="wf-published-version">{t('workflow.publishedTag', { version: publishedVersion })}</Tag> : <Tag>{t('workflow.notPublished')}</Tag>}
              {dirty ? <Tag color="orange">{t('workflow.unsaved')}</Tag> : draftPending && <Tag color="blue">{t('workflow.draftPending')}</Tag>}
              {justPublished !== null && (
                <Typography.Text type="success" data-testid="wf-publish-result">
                  {t('workflow.published', { version: justPublished })}
                </Typography.Text>
              )}
            </Space>
            <Space wrap>
              <Tooltip title={t('workflow.undo')}>
                <Button icon={<UndoOutlined />} onClick={editing.undo} disabled={!editing.canUndo} aria-label={t('workflow.undo')} />
              </Tooltip>
              <Tooltip title={t('workflow.redo')}>
                <Button icon={<RedoOutlined />} onClick={editing.redo} disabled={!editing.canRedo} aria-label={t('workflow.redo')} />
              </Tooltip>
              <Tooltip title={t('workflow.copy')}>
                <Button icon={<CopyOutlined />} onClick={() => editing.copy()} disabled={!selectedNodes.length} aria-label={t('workflow.copy')} />
              </Tooltip>
              <Tooltip title={t('workflow.paste')}>
                <Button icon={<SnippetsOutlined />} onClick={() => editing.paste()} aria-label={t('workflow.paste')} />
              </Tooltip>
              <Tooltip title={t('workflow.deleteSelected')}>
                <Button icon={<DeleteOutlined />} onClick={editing.removeSelected} disabled={!selectedNodes.length && !selectedEdges.length} aria-label={t('workflow.deleteSelected')} />
              </Tooltip>
              <Button icon={<LayoutOutlined />} onClick={() => { editing.layout(); setTimeout(() => void flow.fitView({ padding: 0.2, maxZoom: 1, duration: 200 }), 50); }}>
                {t('workflow.autoLayout')}
              </Button>
              <Button icon={<ExpandOutlined />} onClick={() => void flow.fitView({ padding: 0.2, maxZoom: 1, duration: 200 })}>
                {t('workflow.fitView')}
              </Button>
              <Button icon={<HistoryOutlined />} onClick={() => setVersionsOpen(true)}>
                {t('workflow.versions')}
              </Button>
              <ProblemsBar problems={problems} checking={check.checking} error={check.error} text={text} onPick={pick} />
              <Button icon={<SaveOutlined />} onClick={() => void save()} loading={busy === 'save'} disabled={busy !== null}>
                {t('workflow.save')}
              </Button>
              <Tooltip title={canPublish ? undefined : t('workflow.publishBlocked')}>
                <Button type="primary" icon={<CloudUploadOutlined />} onClick={() => void publish()} loading={busy === 'publish'} disabled={!canPublish || busy !== null} data-testid="wf-publish">
                  {t('workflow.publish')}
                </Button>
              </Tooltip>
            </Space>
          </Space>
        </Card>
        <div className="qiao-flow-body">
          <NodePalette onAdd={addInView} />
          <div className="qiao-flow-canvas" ref={wrapper} onDragOver={(e) => { if (e.dataTransfer.types.includes(NODE_DRAG_TYPE)) { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; } }} onDrop={onDrop} aria-label={t('workflow.canvas')} data-testid="wf-canvas">
            <ReactFlow
              nodes={doc.nodes}
              edges={doc.edges}
              nodeTypes={NODE_COMPONENTS}
              edgeTypes={EDGE_COMPONENTS}
              onNodesChange={editing.onNodesChange}
              onEdgesChange={editing.onEdgesChange}
              onConnect={editing.onConnect}
              onNodeDragStart={editing.onDragStart}
              onNodeDragStop={editing.onDragStop}
              onSelectionDragStart={editing.onDragStart}
              onSelectionDragStop={editing.onDragStop}
              deleteKeyCode={['Delete', 'Backspace']}
              multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
              selectNodesOnDrag={false}
              defaultEdgeOptions={{ type: 'flow' }}
              fitView
              fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
              minZoom={0.1}
              maxZoom={2}
              onlyRenderVisibleElements={doc.nodes.length > 150}
            >
              <Background gap={16} color="#e9ecf1" />
              <Controls />
              <MiniMap pannable zoomable nodeColor={(n) => NODE_LOOK[n.type as NodeType]?.color ?? '#999'} nodeStrokeColor={(n) => (index.byNode.has(n.id) ? '#ff4d4f' : 'transparent')} nodeStrokeWidth={6} />
            </ReactFlow>
          </div>
          <div className="qiao-flow-panel" data-testid="wf-properties">
            <Typography.Title level={5} style={{ marginTop: 0 }}>
              {selectedNode ? t('workflow.nodeProps') : selectedEdge ? t('workflow.edgeProps') : t('workflow.flowSettings')}
            </Typography.Title>
            {selectedNode ? (
              <NodeProperties
                key={selectedNode.id}
                id={selectedNode.id}
                type={selectedNode.type as NodeType}
                data={selectedNode.data}
                fields={fields}
                onChange={onNodeChange}
                onDelete={editing.removeSelected}
                onDuplicate={editing.duplicate}
              />
            ) : selectedEdge ? (
              <EdgeProperties
                key={selectedEdge.id}
                id={selectedEdge.id}
                data={selectedEdge.data ?? {}}
                fromBranch={selectedEdgeSource?.type === 'branch'}
                fromName={nameOf(selectedEdge.source)}
                toName={nameOf(selectedEdge.target)}
                fields={fields}
                conditionText={descriptions.conditionText(selectedEdge.data?.condition)}
                onChange={onEdgeChange}
                onDelete={editing.removeSelected}
              />
            ) : (
              <FlowSettings value={doc.settings} onChange={editing.updateSettings} />
            )}
            {(index.byNode.get(selectedNode?.id ?? '') ?? index.byEdge.get(selectedEdge?.id ?? '') ?? (selectedNode || selectedEdge ? [] : index.general)).map((p, i) => (
              <Typography.Paragraph key={i} type="danger" style={{ fontSize: 12, marginTop: 8 }} data-testid="wf-selected-problem">
                {text(p)}
              </Typography.Paragraph>
            ))}
          </div>
        </div>
      </div>
      <VersionHistory open={versionsOpen} onClose={() => setVersionsOpen(false)} formId={form.id} versions={info.versions} current={publishedVersion || undefined} fields={fields} onLoad={loadVersion} />
    </GraphContext.Provider>
  );
}

