import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type { FieldPermission, Page } from '../api/types.ts';
import type { Definition } from '../workflow/model.ts';

export const BOXES = ['todo', 'done', 'initiated', 'cc'] as const;
export type Box = (typeof BOXES)[number];

/** A row of `GET /tasks?box=`: a task (todo, done), an instance (initiated) or a copy (cc). */
export interface TaskRow {
  id: string;
  instanceId: string;
  nodeId: string | null;
  nodeName: string | null;
  recordId: string;
  formId: string;
  assigneeId: string | null;
  initiatorId: string;
  kind?: string;
  status: string;
  createdAt: string;
  closedAt?: string;
  actorId?: string;
}

export interface InstanceTask {
  id: string;
  nodeId: string;
  assigneeId: string;
  status: string;
  kind: string;
  actorId?: string;
  comment?: string;
  createdAt: string;
  closedAt?: string;
  reason?: string;
}

export interface LogEntry {
  at: string;
  kind: string;
  nodeId?: string;
  taskId?: string;
  actorId?: string;
  action?: string;
  comment?: string;
  reason?: string;
  detail?: Record<string, unknown>;
}

export interface InstanceView {
  id: string;
  formId: string;
  recordId: string;
  workflowVersion: number;
  initiatorId: string;
  status: string;
  reason?: string;
  currentNodeIds: string[];
  createdAt: string;
  updatedAt: string;
  tasks: InstanceTask[];
  log: LogEntry[];
}

export interface NodePermissions {
  default: FieldPermission;
  fields: Record<string, FieldPermission>;
}

export interface ViewedRecord {
  id: string;
  version: number;
  data: Record<string, unknown>;
  createdAt: string;
  createdBy: string;
  fieldPermissions: NodePermissions | null;
}

/** `GET /tasks/:taskId`. */
export interface TaskDetail {
  task: TaskRow;
  instance: InstanceView;
  record: ViewedRecord | null;
  fieldPermissions: NodePermissions;
  allowedActions: string[];
  sendBackTargets: string[];
  definition: Definition;
}

/** `GET /instances/:id`. */
export type InstanceDetail = InstanceView & { record: ViewedRecord | null; definition: Definition };

export const taskKeys = {
  all: ['tasks'] as const,
  box: (box: Box, params: Record<string, unknown>) => ['tasks', box, 'list', params] as const,
  /** Shared with the header's to-do badge, which reads the same number under the same key. */
  count: (box: Box) => ['tasks', box, 'count'] as const,
  task: (taskId: string) => ['tasks', 'detail', taskId] as const,
  instance: (instanceId: string) => ['tasks', 'instance', instanceId] as const,
};

export function useTaskBox(box: Box, params: { formId?: string; q?: string; limit: number; offset: number }, live: boolean) {
  return useQuery({
    queryKey: taskKeys.box(box, params),
    placeholderData: keepPreviousData,
    // Without the event stream the list still catches up on its own.
    refetchInterval: live ? false : 5000,
    queryFn: ({ signal }) => api<Page<TaskRow>>('GET', '/tasks', undefined, { signal, query: { box, ...params } }),
  });
}

export function useTaskCounts(live: boolean) {
  const results = useQueries({
    queries: BOXES.map((box) => ({
      queryKey: taskKeys.count(box),
      refetchInterval: live ? false : 5000,
      queryFn: async ({ signal }: { signal: AbortSignal }) => (await api<Page<unknown>>('GET', '/tasks', undefined, { signal, query: { box, limit: 1 } })).total ?? 0,
    })),
  });
  return Object.fromEntries(BOXES.map((box, i) => [box, results[i]?.data])) as Record<Box, number | undefined>;
}

export function useTaskDetail(taskId: string | undefined) {
  return useQuery({
    queryKey: taskKeys.task(taskId ?? ''),
    enabled: Boolean(taskId),
    queryFn: ({ signal }) => api<TaskDetail>('GET', `/tasks/${taskId}`, undefined, { signal }),
  });
}

export function useInstanceDetail(instanceId: string | undefined) {
  return useQuery({
    queryKey: taskKeys.instance(instanceId ?? ''),
    enabled: Boolean(instanceId),
    queryFn: ({ signal }) => api<InstanceDetail>('GET', `/instances/${instanceId}`, undefined, { signal }),
  });
}

export interface ActionBody {
  action: string;
  comment?: string;
  data?: Record<string, unknown>;
  toNodeId?: string;
  toMemberId?: string;
  memberIds?: string[];
  position?: 'before' | 'after' | 'parallel';
}

export function actOnTask(taskId: string, body: ActionBody) {
  return api<{ instance: InstanceView | null }>('POST', `/tasks/${taskId}/actions`, body);
}

export function withdrawInstance(instanceId: string, comment?: string) {
  return api<InstanceView>('POST', `/instances/${instanceId}/withdraw`, comment ? { comment } : {});
}
