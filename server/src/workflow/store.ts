import type { InstanceState, WorkflowDefinition } from '@qiao/workflow-engine';
import type { TenantDb } from '../platform/tenant-db.ts';
import type { Store } from '../store/port.ts';

export interface WorkflowDoc {
  _id: string; // the form id: one workflow per form (流程表单)
  formId: string;
  draft: WorkflowDefinition | null;
  draftUpdatedAt?: string;
  publishedVersion: number;
  [key: string]: unknown;
}

export interface WorkflowVersionDoc {
  _id: string; // `${formId}@${version}`
  formId: string;
  version: number;
  definition: WorkflowDefinition;
  publishedAt: string;
  publishedBy: string;
  [key: string]: unknown;
}

export interface InstanceDoc {
  _id: string;
  formId: string;
  appId: string;
  recordId: string;
  workflowVersion: number;
  initiatorId: string;
  status: InstanceState['status'];
  currentNodeIds: string[];
  state: InstanceState;
  /** Compare-and-set guard: every accepted event bumps it, so racing events advance the instance once. */
  version: number;
  /** Set when this instance runs as a subprocess of another. */
  parent?: { instanceId: string; subprocessId: string };
  createdAt: string;
  updatedAt: string;
  [key: string]: unknown;
}

export interface TaskDoc {
  _id: string; // the engine's task id
  instanceId: string;
  formId: string;
  recordId: string;
  nodeId: string;
  nodeName: string;
  assigneeId: string;
  initiatorId: string;
  kind: string;
  status: string;
  createdAt: string;
  closedAt?: string;
  actorId?: string;
  [key: string]: unknown;
}

export interface CcDoc {
  _id: string;
  instanceId: string;
  formId: string;
  recordId: string;
  nodeId: string;
  nodeName: string;
  memberId: string;
  initiatorId: string;
  createdAt: string;
  [key: string]: unknown;
}

export const versionKey = (formId: string, version: number) => `${formId}@${version}`;

const definitionCache = new Map<string, WorkflowDefinition>();

/** Published versions are immutable, so they are cached by `${tenant}/${formId}@${version}` forever. */
export async function publishedDefinition(db: TenantDb, formId: string, version: number): Promise<WorkflowDefinition> {
  const key = `${db.tenantId}/${versionKey(formId, version)}`;
  const cached = definitionCache.get(key);
  if (cached) return cached;
  const doc = await db.collection<WorkflowVersionDoc>('workflow_versions').findOne({ _id: versionKey(formId, version) });
  if (!doc) throw new Error(`workflow version ${versionKey(formId, version)} is missing`);
  if (definitionCache.size > 5000) definitionCache.clear();
  definitionCache.set(key, doc.definition);
  return doc.definition;
}

export async function ensureWorkflowIndexes(store: Store) {
  await store.collection('wf_tasks').createIndex({ keys: { tenantId: 1, assigneeId: 1, status: 1, createdAt: -1 }, name: 'tasks_by_assignee' });
  await store.collection('wf_tasks').createIndex({ keys: { tenantId: 1, instanceId: 1 }, name: 'tasks_by_instance' });
  await store.collection('wf_tasks').createIndex({ keys: { tenantId: 1, actorId: 1, closedAt: -1 }, name: 'tasks_by_actor' });
  await store.collection('wf_instances').createIndex({ keys: { tenantId: 1, initiatorId: 1, createdAt: -1 }, name: 'instances_by_initiator' });
  await store.collection('wf_instances').createIndex({ keys: { tenantId: 1, status: 1, updatedAt: 1 }, name: 'instances_by_status' });
  await store.collection('wf_instances').createIndex({ keys: { tenantId: 1, recordId: 1 }, name: 'instances_by_record' });
  await store.collection('wf_cc').createIndex({ keys: { tenantId: 1, memberId: 1, createdAt: -1 }, name: 'cc_by_member' });
  await store.collection('notifications').createIndex({ keys: { tenantId: 1, userId: 1, createdAt: -1 }, name: 'notifications_by_user' });
  await store.collection('wf_instances').createIndex({ keys: { status: 1, updatedAt: 1 }, name: 'instances_running_global' });
}
