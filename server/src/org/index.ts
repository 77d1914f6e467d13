import type { FastifyInstance } from 'fastify';
import type { Services } from '../platform/context.ts';
import { registerMemberRoutes } from './members.ts';
import { registerDepartmentRoutes } from './departments.ts';
import { registerRoleRoutes } from './roles.ts';

export { ensureOrgIndexes, findMember, departmentsOfMember, type MemberDoc, type DepartmentDoc, type RoleDoc } from './model.ts';
export {
  loadOrgSnapshot,
  supervisorOf,
  departmentSupervisor,
  departmentMembers,
  roleMembers,
  activeMembers,
  withDescendants,
  withAncestors,
  type OrgSnapshot,
} from './snapshot.ts';
export { transferRecords } from './transfer.ts';

export function registerOrgRoutes(app: FastifyInstance, services: Services) {
  registerMemberRoutes(app, services);
  registerDepartmentRoutes(app, services);
  registerRoleRoutes(app, services);
}
