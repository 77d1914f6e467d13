import type { Assignee } from './schema.ts';
import type { InitiatorInfo } from './condition.ts';

/** The slice of the organization the engine needs, as plain data (the server loads it per tenant). */
export interface OrgSnapshot {
  members: { id: string; disabled?: boolean; departmentIds: string[] }[];
  departments: { id: string; parentId?: string | null; supervisorId?: string | null }[];
  roles: { id: string; memberIds: string[] }[];
  admins: string[];
}

export interface ResolveInput {
  org: OrgSnapshot;
  initiatorId: string;
  record: Record<string, unknown>;
}

export interface Resolution {
  memberIds: string[];
  /** Ids the assignee rules named but that are disabled or unknown to the organization. */
  dropped: string[];
}

interface OrgIndex {
  members: Map<string, OrgSnapshot['members'][number]>;
  departments: Map<string, OrgSnapshot['departments'][number]>;
  roles: Map<string, OrgSnapshot['roles'][number]>;
  childDepartments: Map<string, string[]>;
}

const indexCache = new WeakMap<OrgSnapshot, OrgIndex>();

function indexOf(org: OrgSnapshot): OrgIndex {
  let index = indexCache.get(org);
  if (index) return index;
  const childDepartments = new Map<string, string[]>();
  for (const d of org.departments) {
    if (!d.parentId) continue;
    childDepartments.set(d.parentId, [...(childDepartments.get(d.parentId) ?? []), d.id]);
  }
  index = {
    members: new Map(org.members.map((m) => [m.id, m])),
    departments: new Map(org.departments.map((d) => [d.id, d])),
    roles: new Map(org.roles.map((r) => [r.id, r])),
    childDepartments,
  };
  indexCache.set(org, index);
  return index;
}

export function isActiveMember(org: OrgSnapshot, id: string): boolean {
  const member = indexOf(org).members.get(id);
  return !!member && !member.disabled;
}

export function initiatorInfo(org: OrgSnapshot, initiatorId: string): InitiatorInfo {
  const member = indexOf(org).members.get(initiatorId);
  return {
    id: initiatorId,
    departmentIds: member ? [...member.departmentIds] : [],
    roleIds: org.roles.filter((r) => r.memberIds.includes(initiatorId)).map((r) => r.id),
  };
}

/** Level 1 is the department's own supervisor, 2 its parent's, and so on. */
function supervisorAt(index: OrgIndex, departmentId: string | undefined, level: number): string | undefined {
  let dept = departmentId ? index.departments.get(departmentId) : undefined;
  for (let i = 1; i < level && dept; i++) dept = dept.parentId ? index.departments.get(dept.parentId) : undefined;
  return dept?.supervisorId ?? undefined;
}

function departmentMembers(org: OrgSnapshot, index: OrgIndex, departmentId: string, withChildren: boolean): string[] {
  const ids = new Set([departmentId]);
  if (withChildren) {
    const stack = [departmentId];
    while (stack.length) {
      for (const child of index.childDepartments.get(stack.pop()!) ?? []) {
        if (!ids.has(child)) {
          ids.add(child);
          stack.push(child);
        }
      }
    }
  }
  return org.members.filter((m) => m.departmentIds.some((d) => ids.has(d))).map((m) => m.id);
}

function fieldValues(record: Record<string, unknown>, field: string | undefined): string[] {
  if (!field) return [];
  const value = record[field];
  const list = Array.isArray(value) ? value : value === undefined || value === null || value === '' ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string' && v !== '');
}

/** Candidates of one assignee rule, in a stable order, before filtering. */
function candidates(assignee: Assignee, input: ResolveInput, index: OrgIndex): string[] {
  const { org, record, initiatorId } = input;
  const ids = assignee.ids ?? [];
  const level = assignee.level ?? 1;
  switch (assignee.kind) {
    case 'member':
      return ids;
    case 'department':
      return ids.flatMap((d) => departmentMembers(org, index, d, assignee.includeSubDepartments === true));
    case 'role':
      return ids.flatMap((r) => index.roles.get(r)?.memberIds ?? []);
    case 'initiator':
      return [initiatorId];
    case 'supervisor': {
      const first = index.members.get(initiatorId)?.departmentIds[0];
      const found = supervisorAt(index, first, level);
      return found ? [found] : [];
    }
    case 'departmentSupervisor': {
      const departments = [...ids, ...fieldValues(record, assignee.field)];
      return departments.flatMap((d) => {
        const found = supervisorAt(index, d, level);
        return found ? [found] : [];
      });
    }
    case 'field':
      // A department field resolves to that department's members; a member field to its members.
      return fieldValues(record, assignee.field).flatMap((v) =>
        index.departments.has(v) && !index.members.has(v) ? departmentMembers(org, index, v, false) : [v],
      );
  }
}

/** Resolves assignee rules to active members, in rule order, without duplicates. */
export function resolveAssignees(assignees: readonly Assignee[], input: ResolveInput): Resolution {
  const index = indexOf(input.org);
  const memberIds: string[] = [];
  const dropped: string[] = [];
  const seen = new Set<string>();
  for (const assignee of assignees) {
    for (const id of candidates(assignee, input, index)) {
      if (seen.has(id)) continue;
      seen.add(id);
      (isActiveMember(input.org, id) ? memberIds : dropped).push(id);
    }
  }
  return { memberIds, dropped };
}
