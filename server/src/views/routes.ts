import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import type { Services } from '../platform/context.ts';
import { newId } from '../platform/ids.ts';
import { ApiError, forbidden, notFound } from '../http/problem.ts';
import { getForm, type FormDoc } from '../forms/store.ts';
import { accessFor, PERMISSION_GROUPS, type PermissionGroupDoc } from '../access/index.ts';
import { compileFilter } from '../records/query.ts';
import { canChange, canSee, viewAudience, type ViewAudience } from './audience.ts';
import { VIEWS, publicView, type ViewDoc } from './model.ts';

const MAX_CONFIG_CHARS = 64_000;

const viewProperties = {
  name: { type: 'string', minLength: 1, maxLength: 100 },
  config: { type: 'object', maxProperties: 50 },
  shared: {
    anyOf: [
      { type: 'string', enum: ['all'] },
      {
        type: 'object',
        required: ['groupIds'],
        additionalProperties: false,
        properties: { groupIds: { type: 'array', minItems: 1, maxItems: 200, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 64 } } },
      },
      { type: 'null' },
    ],
  },
} as const;

const createBody = { type: 'object', required: ['name', 'config'], additionalProperties: false, properties: viewProperties } as const;
const patchBody = { type: 'object', additionalProperties: false, minProperties: 1, properties: viewProperties } as const;
const formParams = { type: 'object', required: ['formId'], properties: { formId: { type: 'string', maxLength: 64 } } } as const;
const viewParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

type Shared = ViewDoc['shared'];

const invalid = (field: string, code: string, message: string) => new ApiError(422, 'invalid_view', 'the view is invalid', { errors: [{ field, code, message }] });

/** 422 for an oversized config or a filter the form cannot run; 403 when it filters by a field the caller cannot see. */
async function checkConfig(request: FastifyRequest, form: FormDoc, config: Record<string, unknown>) {
  if (JSON.stringify(config).length > MAX_CONFIG_CHARS) throw invalid('config', 'too_large', `the config exceeds ${MAX_CONFIG_CHARS} characters`);
  const access = await accessFor(request, form);
  access.assertConditionQueryable(config.filter);
  compileFilter(form, config.filter, { userId: request.caller.userId, departmentIds: [], now: new Date(), timeZone: 'Asia/Shanghai' });
}

/** Only admins share, and only with permission groups of the view's form. */
async function checkShared(request: FastifyRequest, form: FormDoc, shared: Shared, who: ViewAudience) {
  if (!shared) return;
  if (!who.admin) throw forbidden('only tenant owners and admins can share views');
  if (shared === 'all') return;
  const groups = await request.db.collection<PermissionGroupDoc>(PERMISSION_GROUPS).find({ formId: form._id }, { projection: { _id: 1 } });
  const known = new Set(groups.map((g) => g._id));
  const unknown = shared.groupIds.filter((id) => !known.has(id));
  if (unknown.length) throw invalid('shared.groupIds', 'unknown_group', `the form has no permission group ${unknown.join(', ')}`);
}

const cleanShared = (shared: Shared | undefined): Shared => (!shared ? null : shared === 'all' ? 'all' : { groupIds: [...shared.groupIds] });

/** The view, its form and the caller's standing; 404 for a view the caller may not see, 403 without access to the form. */
async function loadView(request: FastifyRequest, id: string) {
  const view = await request.db.collection<ViewDoc>(VIEWS).findOne({ _id: id });
  if (!view) throw notFound('view');
  const form = await getForm(request.db, view.formId);
  (await accessFor(request, form)).assert('view');
  const who = await viewAudience(request, form._id);
  if (!canSee(view, who)) throw notFound('view');
  if (!canChange(view, who)) throw forbidden('only the owner or a tenant admin can change this view');
  return { view, form, who };
}

export async function registerViewRoutes(app: FastifyInstance, services: Services) {
  await services.store.collection(VIEWS).createIndex({ keys: { tenantId: 1, formId: 1 }, name: 'views_by_form' });

  app.get<{ Params: FromSchema<typeof formParams> }>('/api/v1/forms/:formId/views', { schema: { tags: ['views'], params: formParams } }, async (request) => {
    const form = await getForm(request.db, request.params.formId);
    (await accessFor(request, form)).assert('view');
    const who = await viewAudience(request, form._id);
    const views = await request.db.collection<ViewDoc>(VIEWS).find({ formId: form._id }, { sort: { createdAt: 1, _id: 1 } });
    const items = views.filter((v) => canSee(v, who)).map((v) => publicView(v, who.userId));
    return { items, total: items.length };
  });

  app.post<{ Params: FromSchema<typeof formParams>; Body: FromSchema<typeof createBody> }>(
    '/api/v1/forms/:formId/views',
    { schema: { tags: ['views'], params: formParams, body: createBody } },
    async (request, reply) => {
      const form = await getForm(request.db, request.params.formId);
      (await accessFor(request, form)).assert('view');
      const who = await viewAudience(request, form._id);
      const config = request.body.config as Record<string, unknown>;
      const shared = cleanShared(request.body.shared as Shared | undefined);
      await checkShared(request, form, shared, who);
      await checkConfig(request, form, config);
      const now = new Date().toISOString();
      const view: ViewDoc = { _id: newId(), formId: form._id, appId: form.appId, ownerId: who.userId, name: request.body.name, config, shared, createdAt: now, updatedAt: now };
      await request.db.collection<ViewDoc>(VIEWS).insertOne(view);
      return reply.status(201).send(publicView(view, who.userId));
    },
  );

  app.patch<{ Params: FromSchema<typeof viewParams>; Body: FromSchema<typeof patchBody> }>(
    '/api/v1/views/:id',
    { schema: { tags: ['views'], params: viewParams, body: patchBody } },
    async (request) => {
      const { view, form, who } = await loadView(request, request.params.id);
      const set: Partial<ViewDoc> = { updatedAt: new Date().toISOString() };
      if (request.body.name !== undefined) set.name = request.body.name;
      if (request.body.config !== undefined) {
        set.config = request.body.config as Record<string, unknown>;
        await checkConfig(request, form, set.config);
      }
      if (request.body.shared !== undefined) {
        set.shared = cleanShared(request.body.shared as Shared);
        // Making a shared view personal again is a sharing decision too.
        if (!who.admin) throw forbidden('only tenant owners and admins can share views');
        await checkShared(request, form, set.shared, who);
      }
      await request.db.collection<ViewDoc>(VIEWS).updateOne({ _id: view._id }, { $set: set });
      return publicView({ ...view, ...set }, who.userId);
    },
  );

  app.delete<{ Params: FromSchema<typeof viewParams> }>('/api/v1/views/:id', { schema: { tags: ['views'], params: viewParams } }, async (request, reply) => {
    const { view } = await loadView(request, request.params.id);
    await request.db.collection(VIEWS).deleteOne({ _id: view._id });
    return reply.status(204).send();
  });
}
