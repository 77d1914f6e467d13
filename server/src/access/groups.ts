import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import type { Caller, Services } from '../platform/context.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import { newId } from '../platform/ids.ts';
import { ApiError, notFound } from '../http/problem.ts';
import { getForm, recordsCollection, type FormDoc } from '../forms/store.ts';
import { localizedText } from '../apps/routes.ts';
import { compileFilter } from '../records/query.ts';
import { audit } from '../audit/audit.ts';
import { assertOrgAdmin } from '../org/guards.ts';
import { assertKnown, assertMembers } from '../org/members.ts';
import { DEPARTMENTS, ROLES } from '../org/model.ts';
import { ACTIONS, FIELD_MODES, PERMISSION_GROUPS, SCOPES, publicGroup, type PermissionGroupDoc, type Scope } from './model.ts';

const idList = { type: 'array', maxItems: 5000, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 64 } } as const;

const groupProperties = {
  name: localizedText,
  description: localizedText,
  grantees: {
    type: 'object',
    additionalProperties: false,
    properties: { memberIds: idList, departmentIds: idList, roleIds: idList },
  },
  actions: { type: 'array', maxItems: ACTIONS.length, uniqueItems: true, items: { type: 'string', enum: ACTIONS } },
  scope: {
    anyOf: [
      { type: 'string', enum: SCOPES },
      { type: 'object', required: ['filter'], additionalProperties: false, properties: { filter: { type: 'object' } } },
    ],
  },
  fields: { type: 'object', maxProperties: 1000, additionalProperties: { type: 'string', enum: FIELD_MODES } },
} as const;

const createBody = { type: 'object', required: ['name', 'actions'], additionalProperties: false, properties: groupProperties } as const;
const patchBody = { type: 'object', additionalProperties: false, minProperties: 1, properties: groupProperties } as const;

const formParams = { type: 'object', required: ['formId'], properties: { formId: { type: 'string', maxLength: 64 } } } as const;
const groupParams = {
  type: 'object',
  required: ['formId', 'groupId'],
  properties: { formId: { type: 'string', maxLength: 64 }, groupId: { type: 'string', maxLength: 64 } },
} as const;

type GroupInput = Partial<Pick<PermissionGroupDoc, 'grantees' | 'scope' | 'fields'>>;

/** 422 naming every field id the form does not have and a scope condition that does not compile. */
async function checkGroup(db: TenantDb, form: FormDoc, input: GroupInput, caller: Caller) {
  const errors: { field: string; code: string; message: string }[] = [];
  const known = new Set(form.fields.map((f) => f.id));
  for (const id of Object.keys(input.fields ?? {})) {
    if (!known.has(id)) errors.push({ field: `fields.${id}`, code: 'unknown_field', message: `the form has no field ${id}` });
  }
  const scope = input.scope as Scope | undefined;
  if (scope && typeof scope === 'object') {
    try {
      compileFilter(form, scope.filter, { userId: caller.userId, departmentIds: [], now: new Date(), timeZone: 'Asia/Shanghai' });
    } catch (err) {
      const message = err instanceof Error ? err.message : 'invalid condition';
      errors.push({ field: 'scope.filter', code: 'invalid_filter', message });
    }
  }
  if (errors.length) throw new ApiError(422, 'invalid_permission_group', 'the permission group is invalid', { errors });
  await assertMembers(db, input.grantees?.memberIds, 'grantees.memberIds');
  await assertKnown(db, DEPARTMENTS, input.grantees?.departmentIds, 'grantees.departmentIds');
  await assertKnown(db, ROLES, input.grantees?.roleIds, 'grantees.roleIds');
}

async function getGroup(db: TenantDb, formId: string, groupId: string): Promise<PermissionGroupDoc> {
  const group = await db.collection<PermissionGroupDoc>(PERMISSION_GROUPS).findOne({ _id: groupId, formId });
  if (!group) throw notFound('permission group');
  return group;
}

const cleanGrantees = (g: PermissionGroupDoc['grantees'] | undefined) => ({
  memberIds: [...(g?.memberIds ?? [])],
  departmentIds: [...(g?.departmentIds ?? [])],
  roleIds: [...(g?.roleIds ?? [])],
});

export async function ensurePermissionGroupIndexes(services: Services) {
  await services.store.collection(PERMISSION_GROUPS).createIndex({ keys: { tenantId: 1, formId: 1 }, name: 'groups_by_form' });
}

/** Only tenant owners and admins manage permission groups: a member can never widen their own rights. */
export function registerPermissionGroupRoutes(app: FastifyInstance, services: Services) {
  // `own` scopes filter on the owner: index it once a form has permission groups (idempotent).
  const indexOwner = (form: FormDoc) => services.store.collection(recordsCollection(form._id)).createIndex({ keys: { tenantId: 1, ownerId: 1 }, name: 'by_owner' });

  app.post<{ Params: FromSchema<typeof formParams>; Body: FromSchema<typeof createBody> }>(
    '/api/v1/forms/:formId/permission-groups',
    { schema: { tags: ['permissions'], params: formParams, body: createBody } },
    async (request, reply) => {
      const { caller, db, body } = request;
      const form = await getForm(db, request.params.formId);
      assertOrgAdmin(caller);
      const input = body as GroupInput;
      await checkGroup(db, form, input, caller);
      await indexOwner(form);
      const now = new Date().toISOString();
      const group: PermissionGroupDoc = {
        _id: newId(),
        formId: form._id,
        appId: form.appId,
        name: body.name,
        ...(body.description !== undefined ? { description: body.description } : {}),
        grantees: cleanGrantees(input.grantees),
        actions: [...body.actions],
        scope: (input.scope ?? 'all') as Scope,
        fields: { ...(input.fields ?? {}) },
        createdAt: now,
        updatedAt: now,
        createdBy: caller.userId,
      };
      await db.transaction(async (tx) => {
        await tx.collection<PermissionGroupDoc>(PERMISSION_GROUPS).insertOne(group);
        await audit(tx, caller, 'permission-group.create', { type: 'permission-group', id: group._id, name: group.name }, { group: publicGroup(group) });
      });
      return reply.status(201).send(publicGroup(group));
    },
  );

  app.get<{ Params: FromSchema<typeof formParams> }>(
    '/api/v1/forms/:formId/permission-groups',
    { schema: { tags: ['permissions'], params: formParams } },
    async (request) => {
      const form = await getForm(request.db, request.params.formId);
      assertOrgAdmin(request.caller);
      const groups = await request.db.collection<PermissionGroupDoc>(PERMISSION_GROUPS).find({ formId: form._id }, { sort: { createdAt: 1, _id: 1 } });
      return { items: groups.map(publicGroup), total: groups.length };
    },
  );

  app.get<{ Params: FromSchema<typeof groupParams> }>(
    '/api/v1/forms/:formId/permission-groups/:groupId',
    { schema: { tags: ['permissions'], params: groupParams } },
    async (request) => {
      const form = await getForm(request.db, request.params.formId);
      assertOrgAdmin(request.caller);
      return publicGroup(await getGroup(request.db, form._id, request.params.groupId));
    },
  );

  app.patch<{ Params: FromSchema<typeof groupParams>; Body: FromSchema<typeof patchBody> }>(
    '/api/v1/forms/:formId/permission-groups/:groupId',
    { schema: { tags: ['permissions'], params: groupParams, body: patchBody } },
    async (request) => {
      const { caller, db, body } = request;
      const form = await getForm(db, request.params.formId);
      assertOrgAdmin(caller);
      const current = await getGroup(db, form._id, request.params.groupId);
      const input = body as GroupInput;
      await checkGroup(db, form, input, caller);
      const set: Partial<PermissionGroupDoc> = { updatedAt: new Date().toISOString() };
      if (body.name !== undefined) set.name = body.name;
      if (body.description !== undefined) set.description = body.description;
      if (input.grantees !== undefined) set.grantees = cleanGrantees(input.grantees);
      if (body.actions !== undefined) set.actions = [...body.actions];
      if (input.scope !== undefined) set.scope = input.scope;
      if (input.fields !== undefined) set.fields = { ...input.fields };
      const next = { ...current, ...set };
      await db.transaction(async (tx) => {
        await tx.collection<PermissionGroupDoc>(PERMISSION_GROUPS).updateOne({ _id: current._id }, { $set: set });
        const before = publicGroup(current);
        const after = publicGroup(next);
        const changes = Object.fromEntries(
          (Object.keys(set) as (keyof typeof after)[]).filter((k) => k !== 'updatedAt').map((k) => [k, { from: before[k] ?? null, to: after[k] ?? null }]),
        );
        await audit(tx, caller, 'permission-group.update', { type: 'permission-group', id: current._id, name: next.name }, { formId: form._id, changes });
      });
      return publicGroup(next);
    },
  );

  app.delete<{ Params: FromSchema<typeof groupParams> }>(
    '/api/v1/forms/:formId/permission-groups/:groupId',
    { schema: { tags: ['permissions'], params: groupParams } },
    async (request, reply) => {
      const { caller, db } = request;
      const form = await getForm(db, request.params.formId);
      assertOrgAdmin(caller);
      const group = await getGroup(db, form._id, request.params.groupId);
      await db.transaction(async (tx) => {
        await tx.collection(PERMISSION_GROUPS).deleteOne({ _id: group._id });
        await audit(tx, caller, 'permission-group.delete', { type: 'permission-group', id: group._id, name: group.name }, { formId: form._id, group: publicGroup(group) });
      });
      return reply.status(204).send();
    },
  );
}
