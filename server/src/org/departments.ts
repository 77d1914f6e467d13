import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import type { Services } from '../platform/context.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import { newId } from '../platform/ids.ts';
import { conflict, notFound } from '../http/problem.ts';
import { audit } from '../audit/audit.ts';
import { DEPARTMENTS, MEMBERS, memberDepartments, publicDepartment, type DepartmentDoc, type MemberDoc } from './model.ts';
import { assertOrgAdmin, unprocessable } from './guards.ts';
import { assertMembers } from './members.ts';
import { withDescendants } from './snapshot.ts';
import { setGroupMembers } from './membership-sets.ts';

const nullableId = { anyOf: [{ type: 'string', minLength: 1, maxLength: 64 }, { type: 'null' }] } as const;
const memberIds = { type: 'array', maxItems: 5000, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 64 } } as const;

const createBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    parentId: nullableId,
    supervisorId: nullableId,
    memberIds,
    order: { type: 'integer', minimum: -1_000_000, maximum: 1_000_000 },
  },
} as const;

const patchBody = { ...createBody, required: [], minProperties: 1 } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
const deleteQuery = { type: 'object', additionalProperties: false, properties: { force: { type: 'string', enum: ['true', 'false'] } } } as const;
const membersQuery = { type: 'object', additionalProperties: false, properties: { withChildren: { type: 'string', enum: ['true', 'false'] } } } as const;

export async function getDepartment(db: TenantDb, id: string): Promise<DepartmentDoc> {
  const dept = await db.collection<DepartmentDoc>(DEPARTMENTS).findOne({ _id: id });
  if (!dept) throw notFound('department');
  return dept;
}

async function membersOf(db: TenantDb, departmentIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(departmentIds.map((id) => [id, []]));
  if (departmentIds.length === 0) return out;
  const members = await db.collection<MemberDoc>(MEMBERS).find(departmentIds.length === 1 ? { departmentIds: departmentIds[0] } : { departmentIds: { $in: departmentIds } }, { sort: { joinedAt: 1, _id: 1 } });
  for (const m of members) for (const d of memberDepartments(m)) out.get(d)?.push(m.userId);
  return out;
}

async function assertParent(db: TenantDb, id: string | null, parentId: string | null | undefined) {
  if (!parentId) return;
  const all = await db.collection<DepartmentDoc>(DEPARTMENTS).find({}, { projection: { _id: 1, parentId: 1 } });
  if (!all.some((d) => d._id === parentId)) {
    throw unprocessable('unknown_reference', 'the parent department does not exist', [{ field: 'parentId', code: 'unknown_reference', message: `unknown department ${parentId}` }]);
  }
  if (id && withDescendants(all.map((d) => ({ id: d._id, parentId: d.parentId })), [id]).has(parentId)) {
    throw unprocessable('department_cycle', 'a department cannot be moved below itself', [{ field: 'parentId', code: 'department_cycle', message: 'the parent is this department or one of its sub-departments' }]);
  }
}

export function registerDepartmentRoutes(app: FastifyInstance, _services: Services) {
  app.post<{ Body: FromSchema<typeof createBody> }>('/api/v1/departments', { schema: { tags: ['org'], body: createBody } }, async (request, reply) => {
    const { caller, db, body } = request;
    assertOrgAdmin(caller);
    await assertParent(db, null, body.parentId);
    if (body.supervisorId) await assertMembers(db, [body.supervisorId], 'supervisorId');
    await assertMembers(db, body.memberIds, 'memberIds');
    const now = new Date().toISOString();
    const dept: DepartmentDoc = {
      _id: newId(),
      name: body.name,
      parentId: body.parentId ?? null,
      supervisorId: body.supervisorId ?? null,
      order: body.order ?? 0,
      createdAt: now,
      updatedAt: now,
    };
    await db.transaction(async (tx) => {
      await tx.collection<DepartmentDoc>(DEPARTMENTS).insertOne(dept);
      if (body.memberIds?.length) await setGroupMembers(tx, 'departmentIds', dept._id, body.memberIds);
      await audit(tx, caller, 'department.create', { type: 'department', id: dept._id, name: dept.name }, { parentId: dept.parentId, supervisorId: dept.supervisorId, memberIds: body.memberIds ?? [] });
    });
    return reply.status(201).send(publicDepartment(dept, [...(body.memberIds ?? [])]));
  });

  app.get('/api/v1/departments', { schema: { tags: ['org'] } }, async (request) => {
    const depts = await request.db.collection<DepartmentDoc>(DEPARTMENTS).find({}, { sort: { order: 1, createdAt: 1, _id: 1 } });
    const members = await membersOf(request.db, depts.map((d) => d._id));
    return { items: depts.map((d) => publicDepartment(d, members.get(d._id) ?? [])), total: depts.length };
  });

  app.get<{ Params: FromSchema<typeof idParams> }>('/api/v1/departments/:id', { schema: { tags: ['org'], params: idParams } }, async (request) => {
    const dept = await getDepartment(request.db, request.params.id);
    const members = await membersOf(request.db, [dept._id]);
    return publicDepartment(dept, members.get(dept._id) ?? []);
  });

  app.get<{ Params: FromSchema<typeof idParams>; Querystring: FromSchema<typeof membersQuery> }>(
    '/api/v1/departments/:id/members',
    { schema: { tags: ['org'], params: idParams, querystring: membersQuery } },
    async (request) => {
      const dept = await getDepartment(request.db, request.params.id);
      let ids = [dept._id];
      if (request.query.withChildren === 'true') {
        const all = await request.db.collection<DepartmentDoc>(DEPARTMENTS).find({}, { projection: { _id: 1, parentId: 1 } });
        ids = [...withDescendants(all.map((d) => ({ id: d._id, parentId: d.parentId })), [dept._id])];
      }
      const members = await membersOf(request.db, ids);
      const memberIds = [...new Set(ids.flatMap((id) => members.get(id) ?? []))];
      return { departmentId: dept._id, withChildren: request.query.withChildren === 'true', memberIds };
    },
  );

  app.patch<{ Params: FromSchema<typeof idParams>; Body: FromSchema<typeof patchBody> }>(
    '/api/v1/departments/:id',
    { schema: { tags: ['org'], params: idParams, body: patchBody } },
    async (request) => {
      const { caller, db, body } = request;
      assertOrgAdmin(caller);
      const current = await getDepartment(db, request.params.id);
      if (body.parentId !== undefined) await assertParent(db, current._id, body.parentId);
      if (body.supervisorId) await assertMembers(db, [body.supervisorId], 'supervisorId');
      await assertMembers(db, body.memberIds, 'memberIds');
      const set: Partial<DepartmentDoc> = { updatedAt: new Date().toISOString() };
      if (body.name !== undefined) set.name = body.name;
      if (body.parentId !== undefined) set.parentId = body.parentId;
      if (body.supervisorId !== undefined) set.supervisorId = body.supervisorId;
      if (body.order !== undefined) set.order = body.order;
      await db.transaction(async (tx) => {
        await tx.collection<DepartmentDoc>(DEPARTMENTS).updateOne({ _id: current._id }, { $set: set });
        if (body.memberIds) await setGroupMembers(tx, 'departmentIds', current._id, body.memberIds);
        const { updatedAt: _, ...changes } = set;
        await audit(tx, caller, 'department.update', { type: 'department', id: current._id, name: set.name ?? current.name }, { changes, ...(body.memberIds ? { memberIds: body.memberIds } : {}) });
      });
      const dept = await getDepartment(db, current._id);
      return publicDepartment(dept, (await membersOf(db, [dept._id])).get(dept._id) ?? []);
    },
  );

  app.delete<{ Params: FromSchema<typeof idParams>; Querystring: FromSchema<typeof deleteQuery> }>(
    '/api/v1/departments/:id',
    { schema: { tags: ['org'], params: idParams, querystring: deleteQuery } },
    async (request, reply) => {
      const { caller, db } = request;
      assertOrgAdmin(caller);
      const dept = await getDepartment(db, request.params.id);
      const children = await db.collection<DepartmentDoc>(DEPARTMENTS).find({ parentId: dept._id }, { projection: { _id: 1 } });
      const members = (await membersOf(db, [dept._id])).get(dept._id) ?? [];
      const force = request.query.force === 'true';
      if (!force && (children.length || members.length)) {
        throw conflict('department_not_empty', 'the department still has sub-departments or members; move them first or pass force=true', {
          children: children.map((c) => c._id),
          memberIds: members,
        });
      }
      await db.transaction(async (tx) => {
        // Forced: sub-departments move up to this department's parent and members simply leave it.
        if (children.length) await tx.collection(DEPARTMENTS).updateMany({ parentId: dept._id }, { $set: { parentId: dept.parentId ?? null } });
        if (members.length) await setGroupMembers(tx, 'departmentIds', dept._id, []);
        await tx.collection(DEPARTMENTS).deleteOne({ _id: dept._id });
        await audit(tx, caller, 'department.delete', { type: 'department', id: dept._id, name: dept.name }, { force, children: children.map((c) => c._id), memberIds: members });
      });
      return reply.status(204).send();
    },
  );
}
