import type { FastifyRequest } from 'fastify';
import { notFound, forbidden } from '../http/problem.ts';
import { callerOrg } from './caller-org.ts';
import { groupApplies } from './effective.ts';
import { PERMISSION_GROUPS, type PermissionGroupDoc } from './model.ts';

/** Which apps and forms the caller may see in listings: `all` for admins, otherwise those where a group names them. */
export interface Visibility {
  all: boolean;
  formIds: ReadonlySet<string>;
  appIds: ReadonlySet<string>;
  /** An API token limited to some apps. */
  tokenAppIds?: readonly string[];
}

const perRequest = new WeakMap<FastifyRequest, Promise<Visibility>>();

async function compute(request: FastifyRequest): Promise<Visibility> {
  const org = await callerOrg(request);
  const tokenAppIds = request.caller.scope?.appIds;
  if (org.isTenantAdmin) return { all: true, formIds: new Set(), appIds: new Set(), tokenAppIds };
  const groups = await request.db
    .collection<PermissionGroupDoc>(PERMISSION_GROUPS)
    .find({}, { projection: { _id: 1, formId: 1, appId: 1, grantees: 1 } });
  const needsTree = groups.some((g) => g.grantees.departmentIds?.length);
  const identity = { userId: org.userId, roleIds: org.roleIds, departmentsWithAncestors: needsTree ? await org.departmentsWithAncestors() : new Set<string>() };
  const mine = groups.filter((g) => groupApplies(g.grantees, identity));
  return { all: false, formIds: new Set(mine.map((g) => g.formId)), appIds: new Set(mine.map((g) => g.appId)), tokenAppIds };
}

export function visibilityFor(request: FastifyRequest): Promise<Visibility> {
  let v = perRequest.get(request);
  if (!v) perRequest.set(request, (v = compute(request)));
  return v;
}

export function appVisible(v: Visibility, appId: string): boolean {
  if (v.tokenAppIds && !v.tokenAppIds.includes(appId)) return false;
  return v.all || v.appIds.has(appId);
}

export function formVisible(v: Visibility, form: { _id: string; appId: string }): boolean {
  if (v.tokenAppIds && !v.tokenAppIds.includes(form.appId)) return false;
  return v.all || v.formIds.has(form._id);
}

/** For `GET /apps/:appId`: 404 outside an API token's apps, 403 for an app the member has no form of. */
export async function assertAppVisible(request: FastifyRequest, appId: string) {
  const v = await visibilityFor(request);
  if (v.tokenAppIds && !v.tokenAppIds.includes(appId)) throw notFound('app');
  if (!appVisible(v, appId)) throw forbidden('you have no access to this app');
}
