/**
 * The template format: a folder per template with a manifest and JSON definitions in the public API's own shapes,
 * except that forms, roles, ledgers and sample records are named by template keys (`crm.customer`, `sales`,
 * `erp.stock`, `$ref:acme`) which the installer maps to the tenant's ids.
 */

export interface Localized {
  'zh-CN': string;
  en: string;
}

export interface TemplateApp {
  key: string;
  name: Localized;
  description?: Localized;
  icon?: string;
}

export interface TemplateManifest {
  key: string;
  version: string;
  name: Localized;
  description: Localized;
  /** The apps this template creates (a suite lists the apps of the templates it includes). */
  apps: TemplateApp[];
  /** Role keys the template's workflows, permission groups and automations name. */
  roles: string[];
  /** Keys of the forms defined in this folder. */
  forms: string[];
  /** Templates installed together with this one (the suite). */
  includes?: string[];
  /** Templates that must already be installed in the tenant (or be part of the same install). */
  requires?: string[];
  /** Sample data files in the order they are loaded (later files may refer to records of earlier ones). */
  sampleData?: string[];
}

export interface FormTemplate {
  key: string;
  app: string;
  name: Localized;
  description?: Localized;
  fields: FieldTemplate[];
  rules?: unknown[];
  settings?: Record<string, unknown>;
}

export interface FieldTemplate {
  id: string;
  type: string;
  label: Localized | string;
  form?: string;
  fields?: FieldTemplate[];
  linkage?: { form: string; match: { field: string; value: string }[]; take: string };
  [key: string]: unknown;
}

export interface WorkflowTemplate {
  form: string;
  definition: { nodes: WorkflowNodeTemplate[]; edges: unknown[]; settings?: Record<string, unknown> };
}

export interface WorkflowNodeTemplate {
  id: string;
  type: string;
  data?: Record<string, unknown> & { assignees?: { kind: string; ids?: string[]; [key: string]: unknown }[] };
  position?: { x: number; y: number };
}

export interface AutomationTemplate {
  key: string;
  app: string;
  name: Localized;
  description?: Localized;
  trigger: { kind: string; formId?: string; [key: string]: unknown };
  condition?: unknown;
  actions: ({ kind: string; formId?: string; ledgerId?: string; [key: string]: unknown })[];
}

export interface LedgerTemplate {
  key: string;
  app: string;
  name: Localized;
  keys: string[];
  sources: { formId: string; sign: 1 | -1; quantity: string; keys: Record<string, string>; filter?: unknown }[];
  constraints?: string[];
}

export interface PermissionGroupTemplate {
  name: Localized;
  description?: Localized;
  /** Role keys granted this group. */
  roles: string[];
  actions: string[];
  scope: string | { filter: unknown };
  fields?: Record<string, 'hidden' | 'read' | 'edit'>;
}

export interface PermissionGroupsTemplate {
  form: string;
  groups: PermissionGroupTemplate[];
}

export interface DashboardTemplate {
  key: string;
  app: string;
  name: Localized;
  description?: Localized;
  widgets: Record<string, unknown>[];
  [key: string]: unknown;
}

export interface SampleRecord {
  /** A name later sample records use to point at this one: `"$ref:<ref>"`. */
  ref?: string;
  data: Record<string, unknown>;
}

export interface SampleDataTemplate {
  form: string;
  records: SampleRecord[];
}

/** One template folder, loaded. */
export interface Template {
  manifest: TemplateManifest;
  forms: FormTemplate[];
  workflows: WorkflowTemplate[];
  automations: AutomationTemplate[];
  ledgers: LedgerTemplate[];
  permissionGroups: PermissionGroupsTemplate[];
  dashboards: DashboardTemplate[];
  sampleData: SampleDataTemplate[];
}

/** The role keys every template may use, with the names a created role gets. */
export const ROLE_NAMES: Record<string, Localized> = {
  sales: { 'zh-CN': '销售', en: 'Sales' },
  salesManager: { 'zh-CN': '销售经理', en: 'Sales manager' },
  legal: { 'zh-CN': '法务', en: 'Legal' },
  finance: { 'zh-CN': '财务', en: 'Finance' },
  warehouse: { 'zh-CN': '仓管', en: 'Warehouse' },
  admin: { 'zh-CN': '管理员', en: 'Admin' },
};
