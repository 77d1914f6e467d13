import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import type { Services } from '../platform/context.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import { newId } from '../platform/ids.ts';
import { conflict, notFound } from '../http/problem.ts';
import { DuplicateKeyError } from '../store/port.ts';
import { audit } from '../audit/audit.ts';
import { localizedText } from '../apps/routes.ts';
import { MEMBERS, ROLES, memberRoles, publicRole, type MemberDoc, type RoleDoc } from './model.ts';
import { assertOrgAdmin } from './guards.ts';
import { assertMembers } from './members.ts';
import { setGroupMembers } from './membership-sets.ts';

const memberIds = { type: 'array', maxItems: 5000, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 64 } } as const;

const createBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: localizedText,
    key: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9_.-]{0,63}$' },
    memberIds,
  },
} as const;

const patchBody = { ...createBody, required: [], minProperties: 1 } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

export async function getRole(db: TenantDb, id: string): Promise<RoleDoc> {
  const role = await db.collection<RoleDoc>(ROLES).findOne({ _id: id });
  if (!role) throw notFound('role');
  return role;
}

async function membersOf(db: TenantDb, roleIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(roleIds.map((id) => [id, []]));
  if (roleIds.length === 0) return out;
  const members = await db.collection<MemberDoc>(MEMBERS).find(roleIds.length === 1 ? { roleIds: roleIds[0] } : { roleIds: { $in: roleIds } }, { sort: { joinedAt: 1, _id: 1 } });
  for (const m of members) for (const r of memberRoles(m)) out.get(r)?.push(m.userId);
  return out;
}

const duplicateKey = (err: unknown) => {
  if (err instanceof DuplicateKeyError) return conflict('duplicate', 'another role already has this key', { field: 'key' });
  return err;
};

export function registerRoleRoutes(app: FastifyInstance, _services: Services) {
  app.post<{ Body: FromSchema<typeof createBody> }>('/api/v1/roles', { schema: { tags: ['org'], body: createBody } }, async (request, reply) => {
    const { caller, db, body } = request;
    assertOrgAdmin(caller);
    await assertMembers(db, body.memberIds, 'memberIds');
    const now = new Date().toISOString();
    const role: RoleDoc = { _id: newId(), name: body.name, ...(body.key ? { key: body.key } : {}), createdAt: now, updatedAt: now };
    try {
      await db.transaction(async (tx) => {
        await tx.collection<RoleDoc>(ROLES).insertOne(role);
        if (body.memberIds?.length) await setGroupMembers(tx, 'roleIds', role._id, body.memberIds);
        await audit(tx, caller, 'role.create', { type: 'role', id: role._id, name: role.name }, { key: role.key, memberIds: body.memberIds ?? [] });
      });
    } catch (err) {
      throw duplicateKey(err);
    }
    return reply.status(201).send(publicRole(role, [...(body.memberIds ?? [])]));
  });

  app.get('/api/v1/roles', { schema: { tags: ['org'] } }, async (request) => {
    const roles = await request.db.collection<RoleDoc>(ROLES).find({}, { sort: { createdAt: 1, _id: 1 } });
    const members = await membersOf(request.db, roles.map((r) => r._id));
    return { items: roles.map((r) => publicRole(r, members.get(r._id) ?? [])), total: roles.length };
  });

  app.get<{ Params: FromSchema<typeof idParams> }>('/api/v1/roles/:id', { schema: { tags: ['org'], params: idParams } }, async (request) => {
    const role = await getRole(request.db, request.params.id);
    return publicRole(role, (await membersOf(request.db, [role._id])).get(role._id) ?? []);
  });

  app.patch<{ Params: FromSchema<typeof idParams>; Body: FromSchema<typeof patchBody> }>(
    '/api/v1/roles/:id',
    { schema: { tags: ['org'], params: idParams, body: patchBody } },
    async (request) => {
      const { caller, db, body } = request;
      assertOrgAdmin(caller);
      const current = await getRole(db, request.params.id);
      await assertMembers(db, body.memberIds, 'memberIds');
      const set: Partial<RoleDoc> = { updatedAt: new Date().toISOString() };
      if (body.name !== undefined) set.name = body.name;
      if (body.key !== undefined) set.key = body.key;
      try {
        await db.transaction(async (tx) => {
          await tx.collection<RoleDoc>(ROLES).updateOne({ _id: current._id }, { $set: set });
          if (body.memberIds) await setGroupMembers(tx, 'roleIds', current._id, body.memberIds);
          const { updatedAt: _, ...changes } = set;
          await audit(tx, caller, 'role.update', { type: 'role', id: current._id, name: set.name ?? current.name }, { changes, ...(body.memberIds ? { memberIds: body.memberIds } : {}) });
        });
      } catch (err) {
        throw duplicateKey(err);
      }
      const role = await getRole(db, current._id);
      return publicRole(role, (await membersOf(db, [role._id])).get(role._id) ?? []);
    },
  );

  app.delete<{ Params: FromSchema<typeof idParams> }>('/api/v1/roles/:id', { schema: { tags: ['org'], params: idParams } }, async (request, reply) => {
    const { caller, db } = request;
    assertOrgAdmin(caller);
    const role = await getRole(db, request.params.id);
    const members = (await membersOf(db, [role._id])).get(role._id) ?? [];
    await db.transaction(async (tx) => {
      if (members.length) await setGroupMembers(tx, 'roleIds', role._id, []);
      await tx.collection(ROLES).deleteOne({ _id: role._id });
      await audit(tx, caller, 'role.delete', { type: 'role', id: role._id, name: role.name }, { memberIds: members });
    });
    return reply.status(204).send();
  });
}
