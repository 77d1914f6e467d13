import type { TaskAction } from './events.ts';
import { nodeFieldPermissions, readOnly, type FieldPermissions } from './field-permissions.ts';
import { graphOf } from './graph.ts';
import { holderActions, sendBackTargetsOf } from './interpreter/task-rules.ts';
import type { OrgSnapshot } from './org.ts';
import type { WorkflowDefinition } from './schema.ts';
import type { InstanceState } from './state.ts';

/** What the record looks like to the people at `nodeId`; nothing is editable once the instance has finished. */
export function fieldPermissionsAt(definition: WorkflowDefinition, state: InstanceState, nodeId: string): FieldPermissions {
  const permissions = nodeFieldPermissions(graphOf(definition).nodes.get(nodeId));
  if (state.status === 'running') return permissions;
  return { default: permissions.default === 'edit' ? 'read' : permissions.default, fields: readOnly(permissions.fields) };
}

/**
 * The actions `actorId` may take on a task now (the buttons to show). Without an actor, the
 * holder's actions. The initiator (or an admin) may urge an open task and comment on it.
 */
export function allowedActions(definition: WorkflowDefinition, state: InstanceState, taskId: string, actorId?: string, org?: OrgSnapshot): TaskAction[] {
  const task = state.tasks.find((t) => t.id === taskId);
  if (!task) return [];
  const holder = holderActions(graphOf(definition), state, task);
  if (holder.length === 0) return [];
  const isAdmin = !!actorId && !!org?.admins.includes(actorId);
  if (actorId === undefined || actorId === task.assigneeId || isAdmin) {
    return isAdmin || actorId === state.initiatorId ? [...holder, 'urge'] : holder;
  }
  return actorId === state.initiatorId ? ['comment', 'urge'] : [];
}

/** Node ids a task may be sent back to (nearest first); empty when it may not be sent back. */
export function sendBackTargets(_definition: WorkflowDefinition, state: InstanceState, taskId: string): string[] {
  const task = state.tasks.find((t) => t.id === taskId);
  if (!task || task.status !== 'open') return [];
  return sendBackTargetsOf(state, task);
}
