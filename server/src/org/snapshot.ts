import type { OrgSnapshot } from '@qiao/workflow-engine';
import type { TenantDb } from '../platform/tenant-db.ts';
import { DEPARTMENTS, MEMBERS, ROLES, memberDepartments, memberRoles, type DepartmentDoc, type MemberDoc, type RoleDoc } from './model.ts';

export type { OrgSnapshot };

type SnapshotDepartment = OrgSnapshot['departments'][number];

/** The organization of one tenant as plain data: what the workflow engine resolves assignees against. */
export async function loadOrgSnapshot(db: TenantDb): Promise<OrgSnapshot> {
  // Every workflow event needs the org; the cached reads are dropped by any org write in this process.
  const byKeys = <T extends Record<string, unknown>>(keys: string[]) => (a: T, b: T) => {
    for (const k of keys) {
      const x = a[k] as string | number | undefined;
      const y = b[k] as string | number | undefined;
      if (x === y) continue;
      if (x === undefined) return -1;
      if (y === undefined) return 1;
      return x < y ? -1 : 1;
    }
    return 0;
  };
  const [members, departments, roles] = await Promise.all([
    db.cachedFind<MemberDoc>(MEMBERS, {}).then((xs) => [...xs].sort(byKeys(['joinedAt', '_id']))),
    db.cachedFind<DepartmentDoc>(DEPARTMENTS, {}).then((xs) => [...xs].sort(byKeys(['order', 'createdAt', '_id']))),
    db.cachedFind<RoleDoc>(ROLES, {}).then((xs) => [...xs].sort(byKeys(['createdAt', '_id']))),
  ]);
  const roleMembers = new Map<string, string[]>(roles.map((r) => [r._id, []]));
  for (const m of members) for (const r of memberRoles(m)) roleMembers.get(r)?.push(m.userId);
  return {
    members: members.map((m) => ({ id: m.userId, ...(m.disabled ? { disabled: true } : {}), departmentIds: [...memberDepartments(m)] })),
    departments: departments.map((d) => ({ id: d._id, parentId: d.parentId ?? null, supervisorId: d.supervisorId ?? null })),
    roles: roles.map((r) => ({ id: r._id, memberIds: roleMembers.get(r._id) ?? [] })),
    admins: members.filter((m) => !m.disabled && (m.role === 'owner' || m.role === 'admin')).map((m) => m.userId),
  };
}

/** Children of each department id (roots under ''). */
export function childrenIndex(departments: readonly Pick<SnapshotDepartment, 'id' | 'parentId'>[]): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const d of departments) {
    const parent = d.parentId ?? '';
    const list = children.get(parent);
    if (list) list.push(d.id);
    else children.set(parent, [d.id]);
  }
  return children;
}

/** The given departments and every department below them. */
export function withDescendants(departments: readonly Pick<SnapshotDepartment, 'id' | 'parentId'>[], ids: Iterable<string>): Set<string> {
  const children = childrenIndex(departments);
  const out = new Set<string>();
  const stack = [...ids];
  while (stack.length) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    for (const child of children.get(id) ?? []) stack.push(child);
  }
  return out;
}

/** The given departments and every department above them (a guard stops at a corrupt cycle). */
export function withAncestors(departments: readonly Pick<SnapshotDepartment, 'id' | 'parentId'>[], ids: Iterable<string>): Set<string> {
  const parents = new Map(departments.map((d) => [d.id, d.parentId ?? null]));
  const out = new Set<string>();
  for (const start of ids) {
    let id: string | null | undefined = start;
    while (id && !out.has(id)) {
      out.add(id);
      id = parents.get(id);
    }
  }
  return out;
}

/** The supervisor of a department, or of its ancestor `level - 1` steps up (level 1 = the department's own). */
export function departmentSupervisor(org: OrgSnapshot, departmentId: string, level = 1): string | undefined {
  const byId = new Map(org.departments.map((d) => [d.id, d]));
  let dept = byId.get(departmentId);
  for (let i = 1; i < level && dept; i++) dept = dept.parentId ? byId.get(dept.parentId) : undefined;
  return dept?.supervisorId ?? undefined;
}

/** A member's supervisor: level 1 is the supervisor of the member's main (first) department, 2 of its parent… */
export function supervisorOf(org: OrgSnapshot, memberId: string, level = 1): string | undefined {
  const main = org.members.find((m) => m.id === memberId)?.departmentIds[0];
  return main ? departmentSupervisor(org, main, level) : undefined;
}

/** Members of a department (optionally of its sub-departments too), disabled ones included: callers decide. */
export function departmentMembers(org: OrgSnapshot, departmentId: string, withChildren = false): string[] {
  const ids = withChildren ? withDescendants(org.departments, [departmentId]) : new Set([departmentId]);
  return org.members.filter((m) => m.departmentIds.some((d) => ids.has(d))).map((m) => m.id);
}

export function roleMembers(org: OrgSnapshot, roleId: string): string[] {
  return org.roles.find((r) => r.id === roleId)?.memberIds ?? [];
}

export function activeMembers(org: OrgSnapshot, ids: readonly string[]): string[] {
  const disabled = new Set(org.members.filter((m) => m.disabled).map((m) => m.id));
  const known = new Set(org.members.map((m) => m.id));
  return [...new Set(ids)].filter((id) => known.has(id) && !disabled.has(id));
}
