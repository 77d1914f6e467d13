// Shapes of the server's answers as the contracts in the issues describe them. Fields beyond the contract are
// optional so the UI degrades gracefully while the server grows.

export type Localized = string | { 'zh-CN'?: string; en?: string };

export interface User {
  id: string;
  email: string;
  name: string;
}

export interface TenantRef {
  id: string;
  name: string;
  role?: 'owner' | 'admin' | 'member' | string;
}

export interface Me {
  user: User;
  tenant: TenantRef;
  tenants: TenantRef[];
  role?: string;
}

export interface AppSummary {
  id: string;
  name: Localized;
  key?: string;
  description?: Localized;
}

export type FieldType =
  | 'text' | 'textarea' | 'number' | 'money' | 'date' | 'datetime' | 'radio' | 'checkbox' | 'select' | 'multiselect'
  | 'member' | 'members' | 'department' | 'departments' | 'phone' | 'email' | 'address' | 'location' | 'image'
  | 'attachment' | 'signature' | 'serial' | 'subform' | 'relation' | 'query' | 'formula' | 'divider' | 'description';

export interface Option {
  value: string;
  label: Localized;
  color?: string;
}

/** Editing shape of the condition format; the engine's `Condition` is the strict version of it. */
export interface Condition {
  and?: Condition[];
  or?: Condition[];
  field?: string;
  op?: string;
  value?: unknown;
}

export interface FieldDef {
  id: string;
  type: FieldType;
  label: Localized;
  required?: boolean;
  unique?: boolean;
  readOnly?: boolean;
  help?: Localized;
  default?: unknown;
  options?: Option[];
  formula?: string;
  fields?: FieldDef[];
  form?: string;
  displayFields?: string[];
  linkage?: { form: string; match: Array<{ field: string; value: string }>; take: string };
  regex?: string;
  format?: 'mobile' | 'landline' | 'any';
  minLength?: number;
  maxLength?: number;
  ui?: Record<string, unknown>;
  filter?: Condition;
  pattern?: string;
  min?: number;
  max?: number;
  precision?: number;
  currency?: string;
  percent?: boolean;
  thousands?: boolean;
  minRows?: number;
  maxRows?: number;
  visibleWhen?: Condition;
  requiredWhen?: Condition;
  content?: Localized;
  [extra: string]: unknown;
}

export interface FormRule {
  id?: string;
  when: Condition;
  show?: string[];
  hide?: string[];
  require?: string[];
}

export interface FormDef {
  id: string;
  appId?: string;
  key?: string;
  name: Localized;
  version: number;
  fields: FieldDef[];
  rules?: FormRule[];
  settings?: Record<string, unknown>;
  description?: Localized;
  /** What the caller may do and see on this form, when the server tells (field permissions of their groups). */
  permissions?: { actions?: string[]; fields?: Record<string, FieldPermission> };
  /** The same, in the server's access-summary shape. */
  access?: { actions?: string[]; fieldModes?: Record<string, FieldPermission>; full?: boolean };
}

export interface RecordItem {
  id: string;
  version: number;
  data: Record<string, unknown>;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy?: string;
  instance?: { id: string; status: string };
  deletedAt?: string;
  deletedBy?: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  nextCursor?: string | null;
}

export interface HistoryChange {
  field: string;
  before?: unknown;
  after?: unknown;
}

export interface HistoryEntry {
  id?: string;
  at: string;
  actorId?: string;
  action?: string;
  changes?: HistoryChange[] | Record<string, { before?: unknown; after?: unknown }>;
  version?: number;
}

export interface Member {
  id: string;
  email: string;
  name: string;
  role?: string;
  disabled?: boolean;
  departmentIds?: string[];
}

export interface Department {
  id: string;
  name: string;
  parentId?: string | null;
  supervisorId?: string | null;
  memberIds?: string[];
}

export interface Role {
  id: string;
  name: Localized;
  key?: string;
  memberIds?: string[];
}

export type FieldPermission = 'hidden' | 'read' | 'edit';
export type Scope = 'own' | 'department' | 'departmentTree' | 'all' | { filter: Condition };

export interface PermissionGroup {
  id: string;
  name: string;
  grantees: { memberIds?: string[]; departmentIds?: string[]; roleIds?: string[] };
  actions: string[];
  scope: Scope;
  fields?: Record<string, FieldPermission>;
}

export interface ApiToken {
  id: string;
  name: string;
  token?: string;
  scopes?: { appIds?: string[]; actions?: string[] };
  createdAt?: string;
  lastUsedAt?: string | null;
  revokedAt?: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actorId: string;
  action: string;
  target?: unknown;
  detail?: unknown;
}

export interface TemplateSummary {
  key: string;
  name: Localized;
  description: Localized;
  version: string | number;
  apps: Array<string | { key: string; name?: Localized }>;
  roles?: Array<string | { key: string; name?: Localized }>;
  installed?: boolean;
}

export interface InstallResult {
  apps: Array<{ id: string; key: string }>;
  forms: Record<string, string>;
  roles: Record<string, string>;
  ledgers?: Record<string, string>;
}

export interface UploadedFile {
  id: string;
  url: string;
  name: string;
  size: number;
  type: string;
}

export interface ImportReport {
  imported?: number;
  total?: number;
  errors?: Array<{ row: number; field?: string; column?: string; subformRow?: number; code?: string; message: string }>;
}

export interface Task {
  id: string;
  instanceId: string;
  nodeId: string;
  nodeName?: string;
  recordId: string;
  formId: string;
  assigneeId: string;
  status: string;
}

export interface InstanceLogEntry {
  at: string;
  type?: string;
  nodeId?: string;
  nodeName?: string;
  actorId?: string;
  action?: string;
  comment?: string;
  [extra: string]: unknown;
}

export interface Instance {
  id: string;
  status: string;
  currentNodeIds?: string[];
  log?: InstanceLogEntry[];
}

/** The caller's rights on a form, whichever shape the server sent them in; undefined means "not told" (all). */
export function formRights(form: FormDef | undefined): { actions?: string[]; fields?: Record<string, FieldPermission> } {
  if (!form) return {};
  return {
    actions: form.access?.actions ?? form.permissions?.actions,
    fields: form.access?.fieldModes ?? form.permissions?.fields,
  };
}
