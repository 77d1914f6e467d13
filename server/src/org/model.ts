import type { TenantRole } from '../platform/context.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import type { Store } from '../store/port.ts';
import { membershipId, type MembershipDoc, type UserDoc } from '../auth/sessions.ts';

/**
 * A member is a user's membership in a tenant. Department and role assignments live on the membership
 * (ordered: the first department is the member's main one, used for supervisor chains), so everything the
 * permission check needs about the caller is one primary-key read.
 */
export interface MemberDoc extends MembershipDoc {
  /** Display name in this tenant; falls back to the user's name. */
  name?: string;
  departmentIds?: string[];
  roleIds?: string[];
  disabledAt?: string;
}

export interface DepartmentDoc {
  _id: string;
  tenantId?: string;
  name: string;
  parentId?: string | null;
  supervisorId?: string | null;
  order?: number;
  createdAt: string;
  updatedAt: string;
  [key: string]: unknown;
}

export interface RoleDoc {
  _id: string;
  tenantId?: string;
  name: unknown;
  key?: string;
  createdAt: string;
  updatedAt: string;
  [key: string]: unknown;
}

export const MEMBERS = 'memberships';
export const DEPARTMENTS = 'departments';
export const ROLES = 'roles';

export const TENANT_ROLES: readonly TenantRole[] = ['owner', 'admin', 'member'];

export const memberDepartments = (m: Pick<MemberDoc, 'departmentIds'> | null | undefined) => m?.departmentIds ?? [];
export const memberRoles = (m: Pick<MemberDoc, 'roleIds'> | null | undefined) => m?.roleIds ?? [];

/**
 * Ownership fields stamped on a record: `ownerDepartmentIds` (the list) and `ownerDepartments`, the same set as
 * `{ <departmentId>: true }` so a department scope is a plain equality per department, which both store
 * adapters answer exactly (the embedded store cannot translate "array contains" to SQL exactly).
 */
export function ownership(ownerId: string, departmentIds: readonly string[]) {
  return {
    ownerId,
    ownerDepartmentIds: [...departmentIds],
    ownerDepartments: Object.fromEntries(departmentIds.map((id) => [id, true])) as Record<string, true>,
  };
}

export async function findMember(db: TenantDb, userId: string): Promise<MemberDoc | null> {
  return db.collection<MemberDoc>(MEMBERS).findOne({ _id: membershipId(db.tenantId, userId) });
}

/** The departments a member belongs to now (what a record they own is stamped with). */
export async function departmentsOfMember(db: TenantDb, userId: string): Promise<string[]> {
  return memberDepartments(await findMember(db, userId));
}

export function publicMember(m: MemberDoc, user: Pick<UserDoc, 'email' | 'name'> | undefined) {
  return {
    id: m.userId,
    email: user?.email,
    name: m.name ?? user?.name ?? '',
    role: m.role,
    disabled: m.disabled === true,
    departmentIds: memberDepartments(m),
    roleIds: memberRoles(m),
    joinedAt: m.joinedAt,
  };
}

export const publicDepartment = (d: DepartmentDoc, memberIds: string[]) => ({
  id: d._id,
  name: d.name,
  parentId: d.parentId ?? null,
  supervisorId: d.supervisorId ?? null,
  order: d.order ?? 0,
  memberIds,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
});

export const publicRole = (r: RoleDoc, memberIds: string[]) => ({
  id: r._id,
  name: r.name,
  key: r.key,
  memberIds,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

/** Users live outside tenants; read them from the root store by id. */
export async function usersById(store: Store, ids: string[]): Promise<Map<string, UserDoc>> {
  if (ids.length === 0) return new Map();
  const users = await store.collection<UserDoc>('users').find({ _id: { $in: [...new Set(ids)] } }, { projection: { passwordHash: 0 } });
  return new Map(users.map((u) => [u._id, u]));
}

export async function ensureOrgIndexes(store: Store) {
  await store.collection(DEPARTMENTS).createIndex({ keys: { tenantId: 1, parentId: 1 }, name: 'departments_by_parent' });
  await store.collection(ROLES).createIndex({ keys: { tenantId: 1, key: 1 }, unique: true, partialFilter: { key: { $exists: true } }, name: 'roles_key' });
}
