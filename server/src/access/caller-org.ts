import type { FastifyRequest } from 'fastify';
import type { Caller, TenantRole } from '../platform/context.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import { unauthorized } from '../http/problem.ts';
import { DEPARTMENTS, findMember, memberDepartments, memberRoles, type DepartmentDoc, type MemberDoc } from '../org/model.ts';
import { withAncestors, withDescendants } from '../org/snapshot.ts';

type DeptLink = { id: string; parentId?: string | null };

/** The caller's place in the organization, loaded once per request. */
export class CallerOrg {
  private departmentsLoad?: Promise<DeptLink[]>;

  constructor(
    private readonly db: TenantDb,
    readonly caller: Caller,
    /** The membership's own role: an API token may act with less (`caller.role`), never with more. */
    readonly memberRole: TenantRole,
    readonly departmentIds: readonly string[],
    readonly roleIds: readonly string[],
  ) {}

  get userId() {
    return this.caller.userId;
  }

  get isTenantAdmin() {
    return this.memberRole === 'owner' || this.memberRole === 'admin';
  }

  /** The tenant's department tree (ids and parents only), read at most once per request and only when needed. */
  departments(): Promise<DeptLink[]> {
    this.departmentsLoad ??= this.db
      .collection<DepartmentDoc>(DEPARTMENTS)
      .find({}, { projection: { _id: 1, parentId: 1 } })
      .then((rows) => rows.map((d) => ({ id: d._id, parentId: d.parentId })));
    return this.departmentsLoad;
  }

  async departmentsWithAncestors(): Promise<Set<string>> {
    if (this.departmentIds.length === 0) return new Set();
    return withAncestors(await this.departments(), this.departmentIds);
  }

  async departmentsWithDescendants(): Promise<Set<string>> {
    if (this.departmentIds.length === 0) return new Set();
    return withDescendants(await this.departments(), this.departmentIds);
  }
}

export async function loadCallerOrg(db: TenantDb, caller: Caller): Promise<CallerOrg> {
  // The session resolver already read the membership for this request; API tokens and other callers read it here.
  const member = (caller.membership as MemberDoc | undefined) ?? (await findMember(db, caller.userId));
  // The auth hook already refused disabled members; a membership removed mid-request ends here.
  if (!member || member.disabled) throw unauthorized();
  return new CallerOrg(db, caller, member.role, memberDepartments(member), memberRoles(member));
}

const perRequest = new WeakMap<FastifyRequest, Promise<CallerOrg>>();

export function callerOrg(request: FastifyRequest): Promise<CallerOrg> {
  let org = perRequest.get(request);
  if (!org) {
    org = loadCallerOrg(request.db, request.caller);
    perRequest.set(request, org);
  }
  return org;
}
