/**
 * Template definitions name forms, ledgers and roles by template keys in exactly the places where the API takes
 * ids: `form` (relation, query and linkage targets), `formId` (automations, ledger sources, dashboard widgets),
 * `ledgerId`, role assignees `{ kind: "role", ids }`, `roleIds` and a permission group's `roles`.
 */

const FORM_PROPERTIES = new Set(['form', 'formId']);

export interface KeyMaps {
  forms: ReadonlyMap<string, string>;
  ledgers?: ReadonlyMap<string, string>;
  roles?: ReadonlyMap<string, string>;
}

type Visit = (key: string, value: unknown, parent: Record<string, unknown>) => void;

function walk(node: unknown, visit: Visit) {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(obj)) {
    visit(key, value, obj);
    walk(value, visit);
  }
}

/** Template form keys a definition refers to. */
export function formRefs(node: unknown): Set<string> {
  const out = new Set<string>();
  walk(node, (key, value) => {
    if (FORM_PROPERTIES.has(key) && typeof value === 'string') out.add(value);
  });
  return out;
}

export function ledgerRefs(node: unknown): Set<string> {
  const out = new Set<string>();
  walk(node, (key, value) => {
    if (key === 'ledgerId' && typeof value === 'string') out.add(value);
  });
  return out;
}

const isRoleAssignee = (obj: Record<string, unknown>) => obj.kind === 'role' && Array.isArray(obj.ids);

export function roleRefs(node: unknown): Set<string> {
  const out = new Set<string>();
  walk(node, (key, value, parent) => {
    const list = key === 'roleIds' || key === 'roles' || (key === 'ids' && isRoleAssignee(parent)) ? value : undefined;
    if (Array.isArray(list)) for (const r of list) if (typeof r === 'string') out.add(r);
  });
  return out;
}

function mapOne(map: ReadonlyMap<string, string> | undefined, key: string, what: string): string {
  const id = map?.get(key);
  if (id === undefined) throw new Error(`unknown ${what} "${key}"`);
  return id;
}

/** A deep copy with every template key replaced by its id; an unknown key is an error (never sent as is). */
export function mapRefs<T>(node: T, maps: KeyMaps): T {
  const copy = (value: unknown, key?: string, parent?: Record<string, unknown>): unknown => {
    if (Array.isArray(value)) {
      if (key === 'roleIds' || (key === 'ids' && parent && isRoleAssignee(parent))) return value.map((r) => mapOne(maps.roles, String(r), 'role'));
      return value.map((item) => copy(item));
    }
    if (value && typeof value === 'object') {
      const obj = value as Record<string, unknown>;
      return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, copy(v, k, obj)]));
    }
    if (typeof value === 'string' && key && FORM_PROPERTIES.has(key)) return mapOne(maps.forms, value, 'form');
    if (typeof value === 'string' && key === 'ledgerId') return mapOne(maps.ledgers, value, 'ledger');
    return value;
  };
  return copy(node) as T;
}

/** Sample-data placeholders: `$ref:<name>` (a sample record), `$me` (the installing user), `$today±N` (a date). */
export function resolveSampleValue(value: unknown, ctx: { records: ReadonlyMap<string, string>; userId: string; today: string }): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveSampleValue(v, ctx));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveSampleValue(v, ctx)]));
  if (typeof value !== 'string' || !value.startsWith('$')) return value;
  if (value === '$me') return ctx.userId;
  if (value.startsWith('$ref:')) {
    const id = ctx.records.get(value.slice(5));
    if (!id) throw new Error(`sample data refers to unknown record "${value.slice(5)}"`);
    return id;
  }
  const date = /^\$today([+-]\d+)?$/.exec(value);
  if (date) return shiftDate(ctx.today, Number(date[1] ?? 0));
  return value;
}

function shiftDate(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Names of sample records a file refers to with `$ref:`. */
export function sampleRefs(node: unknown): Set<string> {
  const out = new Set<string>();
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
    else if (typeof value === 'string' && value.startsWith('$ref:')) out.add(value.slice(5));
  };
  visit(node);
  return out;
}
