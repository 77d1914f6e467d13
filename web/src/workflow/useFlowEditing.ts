import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange } from '@xyflow/react';
import { useCallback, useMemo, useRef, useState } from 'react';
import { layoutGraph } from './layout.ts';
import { withRoutes, type FlowDoc, type FlowEdge, type FlowNode } from './flow.ts';
import { defaultNodeData, freshId, type EdgeData, type NodeData, type NodeType, type WorkflowSettings } from './model.ts';
import { useUndoable } from './useUndoable.ts';

/** Keys set to undefined are removed, so the stored definition carries no empty properties. */
function merge<T extends Record<string, unknown>>(base: T, patch: Partial<T>): T {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out as T;
}

const PASTE_OFFSET = 40;

/**
 * Every edit of the designer as a function of the document, with undo/redo. Selection, measuring and the
 * frames of a drag are transient; a drag becomes one step of undo when it ends.
 */
export function useFlowEditing(initial: () => FlowDoc) {
  const history = useUndoable(initial);
  const { set, pushPast, undo: undoHistory, redo: redoHistory } = history;
  const doc = history.present;
  const [edits, setEdits] = useState(0);
  const clipboard = useRef<{ nodes: FlowNode[]; edges: FlowEdge[] } | null>(null);
  const dragBase = useRef<FlowDoc | null>(null);
  const docRef = useRef(doc);
  docRef.current = doc;

  const edit = useCallback(
    (change: (d: FlowDoc) => FlowDoc, key?: string) => {
      set(change, { key });
      setEdits((n) => n + 1);
    },
    [set],
  );
  const transient = useCallback((change: (d: FlowDoc) => FlowDoc) => set(change, { record: false }), [set]);

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) => {
      const removing = changes.some((c) => c.type === 'remove');
      const moved = changes.some((c) => c.type === 'position' && !c.dragging && c.position);
      const apply = (d: FlowDoc) => ({ ...d, nodes: applyNodeChanges(changes, d.nodes) });
      // A keyboard move (arrow keys) arrives as a position change without a drag: it is an edit of its own.
      if (removing || (moved && !dragBase.current)) edit(apply, removing ? 'delete' : 'move');
      else transient(apply);
    },
    [edit, transient],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<FlowEdge>[]) => {
      const apply = (d: FlowDoc) => ({ ...d, edges: applyEdgeChanges(changes, d.edges) });
      // Deleting a node removes its edges in a second change: one key makes both one step of undo.
      if (changes.some((c) => c.type === 'remove')) edit(apply, 'delete');
      else transient(apply);
    },
    [edit, transient],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (!c.source || !c.target || c.source === c.target) return;
      edit((d) => {
        if (d.edges.some((e) => e.source === c.source && e.target === c.target)) return d;
        const id = freshId('e', new Set(d.edges.map((e) => e.id)));
        const edge: FlowEdge = { id, source: c.source, target: c.target, type: 'flow', data: {} };
        return { ...d, edges: [...d.edges.map((e) => (e.selected ? { ...e, selected: false } : e)), edge] };
      });
    },
    [edit],
  );

  const onDragStart = useCallback(() => {
    dragBase.current = docRef.current;
  }, []);
  const onDragStop = useCallback(() => {
    const before = dragBase.current;
    dragBase.current = null;
    if (!before) return;
    const now = docRef.current;
    const movedAny = now.nodes.some((n) => {
      const old = before.nodes.find((o) => o.id === n.id);
      return old && (old.position.x !== n.position.x || old.position.y !== n.position.y);
    });
    if (movedAny) {
      pushPast(before);
      setEdits((n) => n + 1);
    }
  }, [pushPast]);

  const addNode = useCallback(
    (type: NodeType, position: { x: number; y: number }, name: string) => {
      edit((d) => {
        const id = freshId(type, new Set(d.nodes.map((n) => n.id)));
        const node: FlowNode = { id, type, position, data: defaultNodeData(type, name), selected: true };
        return { ...d, nodes: [...d.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node], edges: d.edges.map((e) => (e.selected ? { ...e, selected: false } : e)) };
      });
    },
    [edit],
  );

  const updateNode = useCallback(
    (id: string, patch: Partial<NodeData>, key?: string) => edit((d) => ({ ...d, nodes: d.nodes.map((n) => (n.id === id ? { ...n, data: merge(n.data, patch) } : n)) }), key),
    [edit],
  );
  const updateEdge = useCallback(
    (id: string, patch: Partial<EdgeData>, key?: string) => edit((d) => ({ ...d, edges: d.edges.map((e) => (e.id === id ? { ...e, data: merge(e.data ?? {}, patch) } : e)) }), key),
    [edit],
  );
  const updateSettings = useCallback((patch: Partial<WorkflowSettings>) => edit((d) => ({ ...d, settings: merge(d.settings as Record<string, unknown>, patch) as WorkflowSettings })), [edit]);

  const removeSelected = useCallback(() => {
    edit((d) => {
      const gone = new Set(d.nodes.filter((n) => n.selected).map((n) => n.id));
      return { ...d, nodes: d.nodes.filter((n) => !gone.has(n.id)), edges: d.edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target)) };
    });
  }, [edit]);

  const copy = useCallback(() => {
    const d = docRef.current;
    const nodes = d.nodes.filter((n) => n.selected);
    if (!nodes.length) return false;
    const ids = new Set(nodes.map((n) => n.id));
    clipboard.current = { nodes, edges: d.edges.filter((e) => ids.has(e.source) && ids.has(e.target)) };
    return true;
  }, []);

  const paste = useCallback(() => {
    const copied = clipboard.current;
    if (!copied) return false;
    edit((d) => {
      const taken = new Set(d.nodes.map((n) => n.id));
      const renamed = new Map<string, string>();
      const nodes = copied.nodes.map((n) => {
        const id = freshId(n.type as string, taken);
        taken.add(id);
        renamed.set(n.id, id);
        return { ...n, id, selected: true, position: { x: n.position.x + PASTE_OFFSET, y: n.position.y + PASTE_OFFSET }, data: structuredClone(n.data) };
      });
      const edgeIds = new Set(d.edges.map((e) => e.id));
      const edges = copied.edges.map((e) => {
        const id = freshId('e', edgeIds);
        edgeIds.add(id);
        return { ...e, id, source: renamed.get(e.source)!, target: renamed.get(e.target)!, selected: false, data: structuredClone(e.data ?? {}) };
      });
      return {
        ...d,
        nodes: [...d.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...nodes],
        edges: [...d.edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...edges],
      };
    });
    // The next paste lands a step further, not on top of this one.
    clipboard.current = { nodes: copied.nodes.map((n) => ({ ...n, position: { x: n.position.x + PASTE_OFFSET, y: n.position.y + PASTE_OFFSET } })), edges: copied.edges };
    return true;
  }, [edit]);

  const duplicate = useCallback(() => copy() && paste(), [copy, paste]);

  /** Selects one node or edge (from the problems list); selection is no step of undo. */
  const select = useCallback(
    (target: { nodeId?: string; edgeId?: string }) =>
      transient((d) => ({
        ...d,
        nodes: d.nodes.map((n) => (n.selected !== (n.id === target.nodeId) ? { ...n, selected: n.id === target.nodeId } : n)),
        edges: d.edges.map((e) => (e.selected !== (e.id === target.edgeId) ? { ...e, selected: e.id === target.edgeId } : e)),
      })),
    [transient],
  );

  const layout = useCallback(() => {
    edit((d) => {
      const { positions, routes } = layoutGraph(d.nodes, d.edges);
      return { ...d, nodes: d.nodes.map((n) => ({ ...n, position: positions.get(n.id) ?? n.position })), edges: withRoutes(d.edges, routes, positions) };
    });
  }, [edit]);

  const undo = useCallback(() => {
    undoHistory();
    setEdits((n) => n + 1);
  }, [undoHistory]);
  const redo = useCallback(() => {
    redoHistory();
    setEdits((n) => n + 1);
  }, [redoHistory]);
  const replace = useCallback(
    (next: FlowDoc) => {
      set(next);
      setEdits((n) => n + 1);
    },
    [set],
  );

  return useMemo(
    () => ({
      doc,
      edits,
      canUndo: history.canUndo,
      canRedo: history.canRedo,
      onNodesChange,
      onEdgesChange,
      onConnect,
      onDragStart,
      onDragStop,
      addNode,
      updateNode,
      updateEdge,
      updateSettings,
      removeSelected,
      copy,
      paste,
      duplicate,
      select,
      layout,
      undo,
      redo,
      replace,
      hasClipboard: () => clipboard.current !== null,
    }),
    [doc, edits, history.canUndo, history.canRedo, onNodesChange, onEdgesChange, onConnect, onDragStart, onDragStop, addNode, updateNode, updateEdge, updateSettings, removeSelected, copy, paste, duplicate, select, layout, undo, redo, replace],
  );
}
