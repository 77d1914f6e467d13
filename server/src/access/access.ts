import type { FastifyRequest } from 'fastify';
import type { Caller } from '../platform/context.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import type { Filter } from '../store/port.ts';
import { ApiError, forbidden, notFound } from '../http/problem.ts';
import type { FormDoc } from '../forms/store.ts';
import { compileFilter } from '../records/query.ts';
import { callerOrg, loadCallerOrg, type CallerOrg } from './caller-org.ts';
import { conditionFieldIds, editableFieldsOf, fieldModesOf, groupApplies, prefixFilter } from './effective.ts';
import { ACTIONS, PERMISSION_GROUPS, type Action, type FieldMode, type PermissionGroupDoc, type Scope } from './model.ts';

/** Matches no document; exact on both store adapters. */
export const MATCH_NONE: Filter = Object.freeze({ _id: { $in: [] } }) as Filter;
const DEFAULT_TZ = 'Asia/Shanghai';

type Writable = Extract<Action, 'submit' | 'edit'>;

/** Everything needed to compile the caller's scopes without further reads. */
interface ScopeInputs {
  userId: string;
  departmentIds: readonly string[];
  departmentTree: readonly string[];
}

/**
 * The caller's rights on one form: which actions, which rows (per action), which fields. Built once per request
 * and form by `accessFor`; every record route, and export, aggregate and webhook code, asks it and nothing else.
 */
export class FormAccess {
  readonly formId: string;
  readonly appId: string;
  /** Tenant owners and admins: every action on every row and field (an API token still limits the actions). */
  readonly full: boolean;
  /** The form is outside what an API token may reach: answer as if it did not exist. */
  readonly outOfReach: boolean;
  /** The caller has at least one group on the form (or full access). */
  readonly usable: boolean;
  readonly actions: ReadonlySet<Action>;
  readonly fieldModes: Readonly<Record<string, FieldMode>>;
  readonly hiddenFields: readonly string[];
  private readonly hidden: ReadonlySet<string>;
  private readonly editable = new Map<Writable, ReadonlySet<string>>();
  private readonly scopes = new Map<string, Filter>();
  private readonly scopeInputs: ScopeInputs;

  constructor(
    private readonly form: FormDoc,
    private readonly groups: readonly PermissionGroupDoc[],
    options: { full: boolean; tokenActions?: readonly string[]; outOfReach: boolean; scopeInputs: ScopeInputs },
  ) {
    this.formId = form._id;
    this.appId = form.appId;
    this.full = options.full;
    this.outOfReach = options.outOfReach;
    this.scopeInputs = options.scopeInputs;
    const granted = new Set<Action>(options.full ? ACTIONS : groups.flatMap((g) => g.actions));
    if (options.tokenActions) for (const a of [...granted]) if (!options.tokenActions.includes(a)) granted.delete(a);
    this.actions = options.outOfReach ? new Set() : granted;
    this.usable = !options.outOfReach && (options.full || groups.length > 0);
    this.fieldModes = options.full ? Object.fromEntries(form.fields.map((f) => [f.id, 'edit' as FieldMode])) : fieldModesOf(groups, form.fields);
    this.hiddenFields = Object.entries(this.fieldModes)
      .filter(([, mode]) => mode === 'hidden')
      .map(([id]) => id);
    this.hidden = new Set(this.hiddenFields);
  }

  can(action: Action): boolean {
    return this.actions.has(action);
  }

  /** 404 when the form is out of the caller's reach, 403 `forbidden` when they lack the right. */
  assertUsable(): void {
    if (this.outOfReach) throw notFound('form');
    if (!this.usable) throw forbidden('you have no access to this form');
  }

  assert(action: Action): void {
    this.assertUsable();
    if (!this.can(action)) throw forbidden(`you may not ${action} records of this form`);
  }

  /**
   * The rows `action` may touch: the OR of the scopes of the caller's groups granting it. `{}` means every row,
   * `MATCH_NONE` none. `prefix` re-roots the paths (the recycle bin stores the record under `record.`).
   */
  scopeFilter(action: Action, prefix = ''): Filter {
    const key = `${action}|${prefix}`;
    let filter = this.scopes.get(key);
    if (!filter) {
      filter = this.compileScope(action);
      if (prefix && filter !== MATCH_NONE && Object.keys(filter).length) filter = prefixFilter(filter, prefix);
      this.scopes.set(key, filter);
    }
    return filter;
  }

  /** `userFilter` AND the caller's scope for `action`. */
  restrict(action: Action, userFilter: Filter = {}, prefix = ''): Filter {
    const scope = this.scopeFilter(action, prefix);
    if (Object.keys(scope).length === 0) return userFilter;
    if (Object.keys(userFilter).length === 0) return scope;
    return { $and: [userFilter, scope] };
  }

  private compileScope(action: Action): Filter {
    if (!this.can(action)) return MATCH_NONE;
    if (this.full) return {};
    const parts: Filter[] = [];
    const seen = new Set<string>();
    for (const group of this.groups) {
      if (!group.actions.includes(action)) continue;
      const part = this.scopeOf(group.scope);
      if (Object.keys(part).length === 0) return {};
      const sig = JSON.stringify(part);
      if (!seen.has(sig)) {
        seen.add(sig);
        parts.push(part);
      }
    }
    const useful = parts.filter((p) => p !== MATCH_NONE);
    if (useful.length === 0) return MATCH_NONE;
    return useful.length === 1 ? useful[0] : { $or: useful };
  }

  private scopeOf(scope: Scope): Filter {
    const { userId, departmentIds, departmentTree } = this.scopeInputs;
    // `ownerDepartments.<id>: true` rather than `ownerDepartmentIds: { $in }`: equalities the store serves exactly.
    const inDepartments = (ids: readonly string[]): Filter => {
      if (ids.length === 0) return MATCH_NONE;
      const each = ids.map((id) => ({ [`ownerDepartments.${id}`]: true }));
      return each.length === 1 ? each[0] : { $or: each };
    };
    if (scope === 'all') return {};
    if (scope === 'own') return { ownerId: userId };
    if (scope === 'department') return inDepartments(departmentIds);
    if (scope === 'departmentTree') return inDepartments(departmentTree);
    if (scope && typeof scope === 'object' && 'filter' in scope) {
      try {
        const compiled = compileFilter(this.form, scope.filter, { userId, departmentIds: [...departmentIds], now: new Date(), timeZone: DEFAULT_TZ });
        return compiled;
      } catch {
        // A group whose condition no longer compiles (a field was removed) grants no rows rather than failing open.
        return MATCH_NONE;
      }
    }
    return MATCH_NONE;
  }

  /** Fields writable for `action` (submit or edit). */
  editableFields(action: Writable): ReadonlySet<string> {
    let set = this.editable.get(action);
    if (!set) {
      set = this.full ? new Set(this.form.fields.map((f) => f.id)) : editableFieldsOf(this.groups, this.form.fields, action);
      this.editable.set(action, set);
    }
    return set;
  }

  /**
   * Refuse (422 `field_not_editable`) data naming form fields the caller may not write. For an edit, a read-only
   * field sent back unchanged is accepted (forms echo whole records); a hidden one never is, so the answer
   * cannot be used to guess its value.
   */
  assertWritable(action: Writable, data: Record<string, unknown>, current?: Record<string, unknown>): void {
    if (this.full) return;
    const editable = this.editableFields(action);
    const known = new Set(this.form.fields.map((f) => f.id));
    const errors: { field: string; code: string; message: string }[] = [];
    for (const [field, value] of Object.entries(data)) {
      if (!known.has(field) || editable.has(field)) continue;
      if (current && !this.hidden.has(field) && JSON.stringify(current[field] ?? null) === JSON.stringify(value ?? null)) continue;
      errors.push({ field, code: 'field_not_editable', message: 'you may not change this field' });
    }
    if (errors.length) throw new ApiError(422, 'field_not_editable', 'the data changes fields you may not edit', { errors });
  }

  isHidden(fieldId: string): boolean {
    return this.hidden.has(fieldId);
  }

  /** Refuse (403 `forbidden_field`) filtering, sorting or selecting by a field the caller cannot see. */
  assertQueryable(fieldIds: Iterable<string>): void {
    if (this.hidden.size === 0) return;
    const refused = [...new Set(fieldIds)].filter((id) => this.hidden.has(id));
    if (refused.length) {
      throw new ApiError(403, 'forbidden_field', `you cannot query by ${refused.join(', ')}`, {
        errors: refused.map((field) => ({ field, code: 'forbidden_field', message: 'you cannot see this field' })),
      });
    }
  }

  /** The same check for a client condition (`{ and|or: [{ field, op, value }] }`). */
  assertConditionQueryable(condition: unknown): void {
    if (this.hidden.size === 0 || condition === undefined || condition === null) return;
    this.assertQueryable(conditionFieldIds(condition));
  }

  /** A copy of `data` without the hidden fields (the same object when nothing is hidden). */
  stripData<T extends Record<string, unknown> | undefined>(data: T): T {
    if (this.hiddenFields.length === 0 || !data) return data;
    const out: Record<string, unknown> = {};
    for (const key in data) if (!this.hidden.has(key)) out[key] = data[key];
    return out as T;
  }

  /** Drop history changes of hidden fields; an update that only touched hidden fields disappears entirely. */
  stripChanges<T extends { action?: string; changes?: { field: string }[] }>(entries: T[]): T[] {
    if (this.hiddenFields.length === 0) return entries;
    const out: T[] = [];
    for (const entry of entries) {
      const changes = (entry.changes ?? []).filter((c) => !this.hidden.has(c.field.split('.')[0]));
      if (entry.action === 'update' && changes.length === 0) continue;
      out.push({ ...entry, changes });
    }
    return out;
  }

  /** What the client needs to render the form for this caller. */
  summary() {
    return { actions: ACTIONS.filter((a) => this.actions.has(a)), fieldModes: this.fieldModes, full: this.full };
  }
}

/** Remove the fields `access` hides from a record (stored or public shape): for exports, aggregates and webhooks. */
export function stripHidden<T extends { data?: Record<string, unknown> }>(record: T, access: FormAccess): T {
  if (access.hiddenFields.length === 0 || !record.data) return record;
  return { ...record, data: access.stripData(record.data) };
}

async function loadGroups(db: TenantDb, formId: string): Promise<PermissionGroupDoc[]> {
  return db.collection<PermissionGroupDoc>(PERMISSION_GROUPS).find({ formId });
}

/** Build a form access for any caller (a request, a webhook delivery for a user, a workflow assignee). */
export async function accessForCaller(db: TenantDb, caller: Caller, form: FormDoc, org?: CallerOrg): Promise<FormAccess> {
  const who = org ?? (await loadCallerOrg(db, caller));
  const outOfReach = !!caller.scope?.appIds && !caller.scope.appIds.includes(form.appId);
  const tokenActions = caller.scope?.actions;
  const base = { userId: who.userId, departmentIds: who.departmentIds };
  if (who.isTenantAdmin) {
    return new FormAccess(form, [], { full: true, tokenActions, outOfReach, scopeInputs: { ...base, departmentTree: who.departmentIds } });
  }
  const all = await loadGroups(db, form._id);
  const needsTree = all.some((g) => g.grantees.departmentIds?.length);
  const identity = {
    userId: who.userId,
    roleIds: who.roleIds,
    departmentsWithAncestors: needsTree ? await who.departmentsWithAncestors() : new Set<string>(),
  };
  const mine = all.filter((g) => groupApplies(g.grantees, identity));
  const departmentTree = mine.some((g) => g.scope === 'departmentTree') ? [...(await who.departmentsWithDescendants())] : [...who.departmentIds];
  return new FormAccess(form, mine, { full: false, tokenActions, outOfReach, scopeInputs: { ...base, departmentTree } });
}

const perRequest = new WeakMap<FastifyRequest, Map<string, Promise<FormAccess>>>();

/** The caller's access to `form` for this request (computed once per request and form). */
export function accessFor(request: FastifyRequest, form: FormDoc): Promise<FormAccess> {
  let forms = perRequest.get(request);
  if (!forms) perRequest.set(request, (forms = new Map()));
  const key = `${form._id}@${form.version}`;
  let access = forms.get(key);
  if (!access) {
    access = callerOrg(request).then((org) => accessForCaller(request.db, request.caller, form, org));
    forms.set(key, access);
  }
  return access;
}
