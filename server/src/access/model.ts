/** Actions a permission group grants on a form's records. */
export const ACTIONS = ['submit', 'view', 'edit', 'delete', 'export', 'import'] as const;
export type Action = (typeof ACTIONS)[number];

export const FIELD_MODES = ['hidden', 'read', 'edit'] as const;
export type FieldMode = (typeof FIELD_MODES)[number];

export const SCOPES = ['own', 'department', 'departmentTree', 'all'] as const;
export type Scope = (typeof SCOPES)[number] | { filter: unknown };

export interface Grantees {
  memberIds?: string[];
  departmentIds?: string[];
  roleIds?: string[];
}

export interface PermissionGroupDoc {
  _id: string;
  tenantId?: string;
  formId: string;
  appId: string;
  name: unknown;
  description?: unknown;
  grantees: Grantees;
  actions: Action[];
  scope: Scope;
  fields: Record<string, FieldMode>;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  [key: string]: unknown;
}

export const PERMISSION_GROUPS = 'permission_groups';

export const publicGroup = (g: PermissionGroupDoc) => ({
  id: g._id,
  formId: g.formId,
  appId: g.appId,
  name: g.name,
  description: g.description,
  grantees: { memberIds: g.grantees.memberIds ?? [], departmentIds: g.grantees.departmentIds ?? [], roleIds: g.grantees.roleIds ?? [] },
  actions: g.actions,
  scope: g.scope,
  fields: g.fields,
  createdAt: g.createdAt,
  updatedAt: g.updatedAt,
});
