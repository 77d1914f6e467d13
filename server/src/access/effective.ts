import type { FieldDef } from '../forms/store.ts';
import type { Action, FieldMode, Grantees, PermissionGroupDoc } from './model.ts';

/** Who is asking, as far as grantee matching goes. */
export interface GranteeIdentity {
  userId: string;
  /** The caller's departments and all their ancestors: granting a department grants its sub-departments too. */
  departmentsWithAncestors: ReadonlySet<string>;
  roleIds: readonly string[];
}

const RANK: Record<FieldMode, number> = { hidden: 0, read: 1, edit: 2 };

export function groupApplies(grantees: Grantees, who: GranteeIdentity): boolean {
  if (grantees.memberIds?.includes(who.userId)) return true;
  if (grantees.departmentIds?.some((d) => who.departmentsWithAncestors.has(d))) return true;
  return !!grantees.roleIds?.some((r) => who.roleIds.includes(r));
}

type GroupRights = Pick<PermissionGroupDoc, 'actions' | 'fields'>;

const writes = (g: GroupRights) => g.actions.includes('submit') || g.actions.includes('edit');

/** A group's mode for one field: what it lists, otherwise edit for groups that write and read for the rest. */
export function groupFieldMode(group: GroupRights, fieldId: string): FieldMode {
  return group.fields[fieldId] ?? (writes(group) ? 'edit' : 'read');
}

/**
 * What the caller sees of each field: the most permissive mode across the groups that grant `view`
 * (across all their groups when none does, so a submit-only member still gets the form to fill in).
 */
export function fieldModesOf(groups: readonly GroupRights[], fields: readonly Pick<FieldDef, 'id'>[]): Record<string, FieldMode> {
  const viewing = groups.filter((g) => g.actions.includes('view'));
  const relevant = viewing.length ? viewing : groups;
  const modes: Record<string, FieldMode> = {};
  for (const field of fields) {
    let best: FieldMode = 'hidden';
    for (const group of relevant) {
      const mode = groupFieldMode(group, field.id);
      if (RANK[mode] > RANK[best]) best = mode;
      if (best === 'edit') break;
    }
    modes[field.id] = best;
  }
  return modes;
}

/** Fields the caller may write when doing `action` (submit or edit): editable in at least one group granting it. */
export function editableFieldsOf(groups: readonly GroupRights[], fields: readonly Pick<FieldDef, 'id'>[], action: Extract<Action, 'submit' | 'edit'>): Set<string> {
  const granting = groups.filter((g) => g.actions.includes(action));
  const out = new Set<string>();
  for (const field of fields) if (granting.some((g) => (g.fields[field.id] ?? 'edit') === 'edit')) out.add(field.id);
  return out;
}

/** Field ids a condition refers to (`field` of each clause, `ref` values), top-level part only. */
export function conditionFieldIds(condition: unknown, out = new Set<string>(), depth = 0): Set<string> {
  if (depth > 50 || condition === null || typeof condition !== 'object') return out;
  if (Array.isArray(condition)) {
    for (const item of condition) conditionFieldIds(item, out, depth + 1);
    return out;
  }
  for (const [key, value] of Object.entries(condition)) {
    if ((key === 'field' || key === 'ref') && typeof value === 'string') out.add(value.split('.')[0]);
    else conditionFieldIds(value, out, depth + 1);
  }
  return out;
}

/** Rewrite a store filter so its paths point below `prefix` (the recycle bin keeps the record under `record.`). */
export function prefixFilter(filter: Record<string, unknown>, prefix: string): Record<string, unknown> {
  if (!prefix) return filter;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or' || key === '$nor') out[key] = (value as Record<string, unknown>[]).map((f) => prefixFilter(f, prefix));
    else if (key.startsWith('$')) throw new Error(`cannot re-root a filter using ${key}`);
    else out[`${prefix}${key}`] = value;
  }
  return out;
}
