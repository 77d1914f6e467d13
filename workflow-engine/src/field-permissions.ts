import type { FieldPermission, WorkflowNode } from './schema.ts';

export interface FieldPermissions {
  /** Applies to every field not listed in `fields`. */
  default: FieldPermission;
  fields: Record<string, FieldPermission>;
}

/** Field permissions a node grants. The start node (the initiator's form) edits by default, other nodes read. */
export function nodeFieldPermissions(node: WorkflowNode | undefined): FieldPermissions {
  if (!node) return { default: 'read', fields: {} };
  const data = (node.data ?? {}) as { fieldPermissions?: Record<string, FieldPermission> };
  const fields = { ...(data.fieldPermissions ?? {}) };
  switch (node.type) {
    case 'start':
      return { default: 'edit', fields };
    case 'approval':
    case 'fill':
      return { default: 'read', fields };
    case 'cc':
      return { default: 'read', fields: readOnly(fields) };
    default:
      return { default: 'read', fields: {} };
  }
}

export function permissionOf(permissions: FieldPermissions, fieldId: string): FieldPermission {
  return permissions.fields[fieldId] ?? permissions.default;
}

export function readOnly(fields: Record<string, FieldPermission>): Record<string, FieldPermission> {
  return Object.fromEntries(Object.entries(fields).map(([id, p]) => [id, p === 'edit' ? 'read' : p]));
}
