import type { FastifyRequest } from 'fastify';
import { callerOrg } from '../access/caller-org.ts';
import { groupApplies } from '../access/effective.ts';
import { PERMISSION_GROUPS, type PermissionGroupDoc } from '../access/model.ts';
import { isAdmin } from '../platform/context.ts';
import type { ViewDoc } from './model.ts';

/** Who the caller is for shared views: their permission groups on the form, and whether they administer the tenant. */
export interface ViewAudience {
  userId: string;
  admin: boolean;
  groupIds: ReadonlySet<string>;
}

export async function viewAudience(request: FastifyRequest, formId: string): Promise<ViewAudience> {
  const org = await callerOrg(request);
  const groups = await request.db.collection<PermissionGroupDoc>(PERMISSION_GROUPS).find({ formId });
  const needsTree = groups.some((g) => g.grantees.departmentIds?.length);
  const identity = {
    userId: org.userId,
    roleIds: org.roleIds,
    departmentsWithAncestors: needsTree ? await org.departmentsWithAncestors() : new Set<string>(),
  };
  const mine = groups.filter((g) => groupApplies(g.grantees, identity)).map((g) => g._id);
  // `caller.role`, not the membership's: an API token acting with less than admin may not manage shared views.
  return { userId: org.userId, admin: isAdmin(request.caller), groupIds: new Set(mine) };
}

/** Admins see every shared view (they manage them); members their own and those shared with them. */
export function canSee(view: ViewDoc, who: ViewAudience): boolean {
  if (view.ownerId === who.userId) return true;
  if (!view.shared) return false;
  if (view.shared === 'all' || who.admin) return true;
  return view.shared.groupIds.some((id) => who.groupIds.has(id));
}

/** The owner changes their view; a shared view is also the tenant admins' to change. */
export function canChange(view: ViewDoc, who: ViewAudience): boolean {
  return view.ownerId === who.userId || (!!view.shared && who.admin);
}
