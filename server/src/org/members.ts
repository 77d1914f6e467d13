import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import type { Services, TenantRole } from '../platform/context.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import { newId } from '../platform/ids.ts';
import { conflict, forbidden, notFound } from '../http/problem.ts';
import { DuplicateKeyError } from '../store/port.ts';
import { hashPassword } from '../auth/passwords.ts';
import { membershipId, type UserDoc } from '../auth/sessions.ts';
import { audit } from '../audit/audit.ts';
import { DEPARTMENTS, MEMBERS, ROLES, TENANT_ROLES, findMember, publicMember, usersById, type MemberDoc } from './model.ts';
import { assertOrgAdmin, unprocessable } from './guards.ts';
import { transferRecords } from './transfer.ts';

const idList = { type: 'array', maxItems: 200, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 64 } } as const;

const createBody = {
  type: 'object',
  required: ['email', 'name'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', format: 'email', maxLength: 254 },
    name: { type: 'string', minLength: 1, maxLength: 100 },
    password: { type: 'string', minLength: 8, maxLength: 256 },
    role: { type: 'string', enum: TENANT_ROLES },
    departmentIds: idList,
    roleIds: idList,
  },
} as const;

const patchBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    disabled: { type: 'boolean' },
    role: { type: 'string', enum: TENANT_ROLES },
    name: { type: 'string', minLength: 1, maxLength: 100 },
    departmentIds: idList,
    roleIds: idList,
  },
} as const;

const transferBody = {
  type: 'object',
  required: ['toMemberId'],
  additionalProperties: false,
  properties: { toMemberId: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    departmentId: { type: 'string', maxLength: 64 },
    roleId: { type: 'string', maxLength: 64 },
    includeDisabled: { type: 'string', enum: ['true', 'false'] },
  },
} as const;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

/** Every id must name an existing department (or role) of the tenant; answers 422 naming the unknown ones. */
export async function assertKnown(db: TenantDb, collection: typeof DEPARTMENTS | typeof ROLES, ids: readonly string[] | undefined, field: string) {
  if (!ids?.length) return;
  const found = new Set((await db.collection(collection).find({ _id: { $in: [...ids] } }, { projection: { _id: 1 } })).map((d) => d._id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) {
    throw unprocessable('unknown_reference', `unknown ${collection === DEPARTMENTS ? 'department' : 'role'}: ${missing.join(', ')}`, [
      { field, code: 'unknown_reference', message: `unknown id ${missing.join(', ')}` },
    ]);
  }
}

/** Every id must name a member of the tenant. */
export async function assertMembers(db: TenantDb, ids: readonly string[] | undefined, field: string, options: { active?: boolean } = {}) {
  if (!ids?.length) return;
  const found = await db.collection<MemberDoc>(MEMBERS).find({ userId: { $in: [...ids] } }, { projection: { userId: 1, disabled: 1 } });
  const ok = new Set(found.filter((m) => !options.active || !m.disabled).map((m) => m.userId));
  const missing = ids.filter((id) => !ok.has(id));
  if (missing.length) {
    throw unprocessable('unknown_member', `not ${options.active ? 'an active' : 'a'} member of this tenant: ${missing.join(', ')}`, [
      { field, code: 'unknown_member', message: `unknown member ${missing.join(', ')}` },
    ]);
  }
}

export async function getMember(db: TenantDb, userId: string): Promise<MemberDoc> {
  const member = await findMember(db, userId);
  if (!member) throw notFound('member');
  return member;
}

async function activeOwners(db: TenantDb): Promise<MemberDoc[]> {
  const owners = await db.collection<MemberDoc>(MEMBERS).find({ role: 'owner' });
  return owners.filter((m) => !m.disabled);
}

export function registerMemberRoutes(app: FastifyInstance, services: Services) {
  const { store } = services;
  const render = async (members: MemberDoc[]) => {
    const users = await usersById(store, members.map((m) => m.userId));
    return members.map((m) => publicMember(m, users.get(m.userId)));
  };

  app.post<{ Body: FromSchema<typeof createBody> }>('/api/v1/members', { schema: { tags: ['org'], body: createBody } }, async (request, reply) => {
    const { caller, db, body } = request;
    assertOrgAdmin(caller);
    const role: TenantRole = body.role ?? 'member';
    if (role === 'owner' && caller.role !== 'owner') throw forbidden('only owners can add owners');
    await assertKnown(db, DEPARTMENTS, body.departmentIds, 'departmentIds');
    await assertKnown(db, ROLES, body.roleIds, 'roleIds');
    const email = body.email.trim().toLowerCase();
    const now = new Date().toISOString();
    let user = await store.collection<UserDoc>('users').findOne({ email });
    let created = false;
    if (!user) {
      // A new account; an existing one is added as is (its password belongs to its owner, not to this tenant).
      const fresh: UserDoc = { _id: newId(), email, name: body.name, createdAt: now, ...(body.password ? { passwordHash: await hashPassword(body.password) } : {}) };
      try {
        await store.collection<UserDoc>('users').insertOne(fresh);
        user = fresh;
        created = true;
      } catch (err) {
        if (!(err instanceof DuplicateKeyError)) throw err;
        user = await store.collection<UserDoc>('users').findOne({ email });
        if (!user) throw err;
      }
    }
    const member: MemberDoc = {
      _id: membershipId(db.tenantId, user._id),
      tenantId: db.tenantId,
      userId: user._id,
      role,
      name: body.name,
      departmentIds: body.departmentIds ? [...body.departmentIds] : [],
      roleIds: body.roleIds ? [...body.roleIds] : [],
      joinedAt: now,
    };
    try {
      await db.transaction(async (tx) => {
        await tx.collection<MemberDoc>(MEMBERS).insertOne(member);
        await audit(tx, caller, 'member.create', { type: 'member', id: user._id, name: body.name }, { email, role, newUser: created });
      });
    } catch (err) {
      if (err instanceof DuplicateKeyError) throw conflict('already_member', 'this user is already a member of the tenant', { id: user._id });
      throw err;
    }
    return reply.status(201).send(publicMember(member, user));
  });

  app.get<{ Querystring: FromSchema<typeof listQuery> }>('/api/v1/members', { schema: { tags: ['org'], querystring: listQuery } }, async (request) => {
    const { departmentId, roleId, includeDisabled } = request.query;
    const filter: Record<string, unknown> = {};
    if (departmentId) filter.departmentIds = departmentId;
    if (roleId) filter.roleIds = roleId;
    if (includeDisabled === 'false') filter.disabled = { $ne: true };
    const members = await request.db.collection<MemberDoc>(MEMBERS).find(filter, { sort: { joinedAt: 1, _id: 1 } });
    const items = await render(members);
    return { items, total: items.length };
  });

  app.get<{ Params: FromSchema<typeof idParams> }>('/api/v1/members/:id', { schema: { tags: ['org'], params: idParams } }, async (request) => {
    const [item] = await render([await getMember(request.db, request.params.id)]);
    return item;
  });

  app.patch<{ Params: FromSchema<typeof idParams>; Body: FromSchema<typeof patchBody> }>(
    '/api/v1/members/:id',
    { schema: { tags: ['org'], params: idParams, body: patchBody } },
    async (request) => {
      const { caller, db, body } = request;
      assertOrgAdmin(caller);
      const current = await getMember(db, request.params.id);
      const self = current.userId === caller.userId;
      const roleChanges = body.role !== undefined && body.role !== current.role;
      const disabling = body.disabled === true && !current.disabled;
      // Owners are managed by owners only: an admin can neither make an owner, nor demote or disable one.
      if (roleChanges && (body.role === 'owner' || current.role === 'owner') && caller.role !== 'owner') throw forbidden('only owners can grant or take the owner role');
      if (disabling && current.role === 'owner' && caller.role !== 'owner') throw forbidden('only owners can disable an owner');
      if (disabling && self) throw conflict('cannot_disable_self', 'you cannot disable yourself');
      if (current.role === 'owner' && !current.disabled && (disabling || roleChanges)) {
        const others = (await activeOwners(db)).filter((m) => m.userId !== current.userId);
        if (others.length === 0) throw conflict('last_owner', 'the tenant must keep at least one active owner');
      }
      await assertKnown(db, DEPARTMENTS, body.departmentIds, 'departmentIds');
      await assertKnown(db, ROLES, body.roleIds, 'roleIds');

      const set: Partial<MemberDoc> = {};
      const changed: Record<string, { from: unknown; to: unknown }> = {};
      const note = <K extends keyof MemberDoc>(key: K, from: MemberDoc[K], to: MemberDoc[K] | undefined) => {
        if (to === undefined || JSON.stringify(from ?? null) === JSON.stringify(to)) return;
        set[key] = to;
        changed[key as string] = { from: from ?? null, to };
      };
      note('role', current.role, body.role);
      note('name', current.name, body.name);
      note('departmentIds', current.departmentIds ?? [], body.departmentIds ? [...body.departmentIds] : undefined);
      note('roleIds', current.roleIds ?? [], body.roleIds ? [...body.roleIds] : undefined);
      const toggles = body.disabled !== undefined && body.disabled !== (current.disabled === true);
      if (toggles) {
        set.disabled = body.disabled;
        set.disabledAt = body.disabled ? new Date().toISOString() : undefined;
      }
      if (Object.keys(set).length === 0) {
        const [same] = await render([current]);
        return same;
      }
      const target = { type: 'member', id: current.userId, name: current.name };
      await db.transaction(async (tx) => {
        const { disabledAt, ...rest } = set;
        await tx.collection<MemberDoc>(MEMBERS).updateOne(
          { _id: current._id },
          { $set: { ...rest, ...(disabledAt ? { disabledAt } : {}) }, ...(toggles && !body.disabled ? { $unset: { disabledAt: '' } } : {}) },
        );
        if (Object.keys(changed).length) await audit(tx, caller, 'member.update', target, { changes: changed });
        if (toggles) await audit(tx, caller, body.disabled ? 'member.disable' : 'member.enable', target, {});
      });
      // Sessions in this tenant end with the membership (the auth hook would refuse them anyway).
      if (toggles && body.disabled) await store.collection('sessions').deleteMany({ userId: current.userId, tenantId: db.tenantId });
      const [item] = await render([(await findMember(db, current.userId))!]);
      return item;
    },
  );

  app.post<{ Params: FromSchema<typeof idParams>; Body: FromSchema<typeof transferBody> }>(
    '/api/v1/members/:id/transfer',
    { schema: { tags: ['org'], params: idParams, body: transferBody } },
    async (request) => {
      const { caller, db } = request;
      assertOrgAdmin(caller);
      const from = await getMember(db, request.params.id);
      const toId = request.body.toMemberId;
      if (toId === from.userId) throw unprocessable('same_member', 'records cannot be transferred to their current owner', [{ field: 'toMemberId', code: 'same_member', message: 'choose another member' }]);
      await assertMembers(db, [toId], 'toMemberId', { active: true });
      const to = (await findMember(db, toId))!;
      const result = await db.transaction(async (tx) => {
        const moved = await transferRecords(tx, from.userId, to);
        await audit(tx, caller, 'member.transfer', { type: 'member', id: from.userId, name: from.name }, { toMemberId: toId, records: moved.total, forms: moved.forms });
        return moved;
      });
      return { fromMemberId: from.userId, toMemberId: toId, transferred: result.total, forms: result.forms };
    },
  );
}

