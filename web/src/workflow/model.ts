// The workflow definition as the designer edits it. The engine's own types (`@qiao/workflow-engine`) are derived
// from its JSON Schema and are strict; the editor needs the same shape while a node is still half configured.
import type { Condition } from '../api/types.ts';

export const NODE_TYPES = ['start', 'end', 'approval', 'fill', 'cc', 'branch', 'parallel', 'join', 'automation', 'subprocess'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export const ASSIGNEE_KINDS = ['member', 'department', 'role', 'initiator', 'supervisor', 'departmentSupervisor', 'field'] as const;
export type AssigneeKind = (typeof ASSIGNEE_KINDS)[number];

export const TASK_ALLOWANCES = ['sendBack', 'transfer', 'addSigner'] as const;
export type TaskAllowance = (typeof TASK_ALLOWANCES)[number];

export const TIMEOUT_ACTIONS = ['remind', 'approve', 'reject', 'sendBack'] as const;
export type TimeoutAction = (typeof TIMEOUT_ACTIONS)[number];

export type FieldPermission = 'hidden' | 'read' | 'edit';

export interface Assignee {
  kind: AssigneeKind;
  ids?: string[];
  level?: number;
  field?: string;
  includeSubDepartments?: boolean;
}

export type SignMode = 'or' | 'all' | 'sequential' | { percent: number };

export interface NodeData {
  name?: string;
  assignees?: Assignee[];
  mode?: SignMode;
  onEmpty?: 'autoApprove' | 'admin' | 'fail';
  dedupe?: boolean;
  fieldPermissions?: Record<string, FieldPermission>;
  allow?: TaskAllowance[];
  requireComment?: boolean;
  timeout?: { after: string; then: TimeoutAction };
  action?: { kind: string; [key: string]: unknown };
  retry?: { attempts: number };
  onFailure?: 'fail' | 'continue';
  formId?: string;
  mapping?: Record<string, string>;
  async?: boolean;
  initiatorField?: string;
  [key: string]: unknown;
}

export interface EdgeData {
  condition?: Condition;
  default?: boolean;
  label?: string;
  /** Editor only, never saved: the lane auto layout found for the edge, valid while its nodes stay where it put them. */
  route?: { points: { x: number; y: number }[]; from: { x: number; y: number }; to: { x: number; y: number } };
  [key: string]: unknown;
}

export interface DefNode {
  id: string;
  type: NodeType;
  data?: NodeData;
  position?: { x: number; y: number };
}

export interface DefEdge {
  id: string;
  source: string;
  target: string;
  data?: EdgeData;
}

export interface WorkflowSettings {
  withdraw?: 'never' | 'untouched' | 'beforeNextAction';
  sendBackReturn?: 'rerun' | 'direct';
}

export interface Definition {
  nodes: DefNode[];
  edges: DefEdge[];
  settings?: WorkflowSettings;
}

/** One problem the engine's `validate` reports, tied to the node or edge it concerns. */
export interface Problem {
  nodeId?: string;
  edgeId?: string;
  code: string;
  message: string;
}

export interface VersionSummary {
  version: number;
  publishedAt: string;
  publishedBy: string;
}

/** `GET /forms/:formId/workflow`. */
export interface WorkflowInfo {
  formId: string;
  draft: Definition | null;
  draftUpdatedAt: string | null;
  problems: Problem[];
  published: (VersionSummary & { definition: Definition }) | null;
  versions: VersionSummary[];
}

/** Node types people act at: their data names assignees and field permissions. */
export const USER_TASK_TYPES = new Set<NodeType>(['approval', 'fill']);
export const HAS_ASSIGNEES = new Set<NodeType>(['approval', 'fill', 'cc']);
export const HAS_FIELD_PERMISSIONS = new Set<NodeType>(['start', 'approval', 'fill', 'cc']);

/** The data a node starts with when dropped on the canvas: enough for the schema, the rest chosen in the panel. */
export function defaultNodeData(type: NodeType, name: string): NodeData {
  switch (type) {
    case 'approval':
      return { name, assignees: [], mode: 'or', allow: [] };
    case 'fill':
      return { name, assignees: [], mode: 'or' };
    case 'cc':
      return { name, assignees: [] };
    case 'automation':
      return { name, action: { kind: 'updateRecord', mapping: {} }, onFailure: 'fail' };
    case 'subprocess':
      return { name, formId: '', mapping: {} };
    default:
      return { name };
  }
}

/** The first id of the form `${type}_${n}` that is not taken. */
export function freshId(prefix: string, taken: Set<string>): string {
  for (let n = 1; ; n++) {
    const id = `${prefix}_${n}`;
    if (!taken.has(id)) return id;
  }
}

/** A starting point for a form without any workflow: submit, then end. */
export function emptyDefinition(names: { start: string; end: string }): Definition {
  return {
    nodes: [
      { id: 'start', type: 'start', data: { name: names.start }, position: { x: 0, y: 0 } },
      { id: 'end', type: 'end', data: { name: names.end }, position: { x: 0, y: 200 } },
    ],
    edges: [{ id: 'e_start_end', source: 'start', target: 'end' }],
    settings: { withdraw: 'untouched', sendBackReturn: 'rerun' },
  };
}

export function nodeName(node: Pick<DefNode, 'id' | 'data'> | undefined): string {
  const name = node?.data?.name;
  return typeof name === 'string' && name.trim() ? name : (node?.id ?? '');
}
