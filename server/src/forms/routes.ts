import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import { checkFormDefinition } from '@qiao/form-engine';
import type { Services } from '../platform/context.ts';
import { isAdmin } from '../platform/context.ts';
import { newId } from '../platform/ids.ts';
import { ApiError, forbidden } from '../http/problem.ts';
import { getApp, localizedText } from '../apps/routes.ts';
import { ensureRecordIndexes, getForm, type FieldDef, type FormDoc } from './store.ts';
import { audit } from '../audit/audit.ts';
import { accessFor, formVisible, visibilityFor } from '../access/index.ts';
import { assertAppVisible } from '../access/visibility.ts';

const formBody = {
  type: 'object',
  required: ['name', 'fields'],
  additionalProperties: false,
  properties: {
    name: localizedText,
    key: { type: 'string', pattern: '^[a-z][a-zA-Z0-9_.-]{0,63}$' },
    description: localizedText,
    fields: { type: 'array', maxItems: 500, items: { type: 'object' } },
    rules: { type: 'array', maxItems: 500, items: { type: 'object' } },
    settings: { type: 'object' },
  },
} as const;

const appParams = { type: 'object', required: ['appId'], properties: { appId: { type: 'string', maxLength: 64 } } } as const;
const formParams = { type: 'object', required: ['formId'], properties: { formId: { type: 'string', maxLength: 64 } } } as const;

export const publicForm = (f: FormDoc) => ({
  id: f._id,
  appId: f.appId,
  key: f.key,
  name: f.name,
  description: f.description,
  version: f.version,
  fields: f.fields,
  rules: f.rules ?? [],
  settings: f.settings ?? {},
  createdAt: f.createdAt,
  updatedAt: f.updatedAt,
});

type FormBody = FromSchema<typeof formBody>;

/** Check a definition with the form engine; answer 422 naming every culprit. */
export function checkDefinition(body: { name: unknown; fields: unknown[]; rules?: unknown[]; settings?: unknown }, id: string) {
  const result = checkFormDefinition({ id, name: body.name, fields: body.fields, rules: body.rules ?? [], settings: body.settings } as never);
  if (!result.ok) {
    throw new ApiError(422, 'invalid_form', 'the form definition is invalid', {
      errors: result.errors.map((e: { path?: string; fieldId?: string; code: string; message: string }) => ({
        field: e.fieldId ?? e.path ?? '',
        path: e.path,
        code: e.code,
        message: e.message,
      })),
    });
  }
}

export function registerFormRoutes(app: FastifyInstance, services: Services) {
  app.post<{ Params: FromSchema<typeof appParams>; Body: FormBody }>(
    '/api/v1/apps/:appId/forms',
    { schema: { tags: ['forms'], params: appParams, body: formBody } },
    async (request, reply) => {
      if (!isAdmin(request.caller)) throw forbidden('only admins can design forms');
      await getApp(request.db, request.params.appId);
      const id = newId();
      checkDefinition(request.body, id);
      const now = new Date().toISOString();
      const form: FormDoc = {
        _id: id,
        appId: request.params.appId,
        key: request.body.key,
        name: request.body.name,
        description: request.body.description,
        version: 1,
        fields: request.body.fields as FieldDef[],
        rules: request.body.rules ?? [],
        settings: (request.body.settings as Record<string, unknown>) ?? {},
        createdAt: now,
        updatedAt: now,
        createdBy: request.caller.userId,
      };
      await ensureRecordIndexes(services.store, form);
      await request.db.transaction(async (db) => {
        await db.collection<FormDoc>('forms').insertOne(form);
        await db.collection('form_versions').insertOne({ ...form, _id: `${id}@1`, formId: id });
        await audit(db, request.caller, 'form.create', { type: 'form', id, name: form.name }, { appId: form.appId, version: 1 });
      });
      return reply.status(201).send(publicForm(form));
    },
  );

  app.get<{ Params: FromSchema<typeof appParams> }>('/api/v1/apps/:appId/forms', { schema: { tags: ['forms'], params: appParams } }, async (request) => {
    await getApp(request.db, request.params.appId);
    await assertAppVisible(request, request.params.appId);
    const visibility = await visibilityFor(request);
    const forms = (await request.db.collection<FormDoc>('forms').find({ appId: request.params.appId }, { sort: { createdAt: 1, _id: 1 } })).filter((f) => formVisible(visibility, f));
    return { items: forms.map(publicForm), total: forms.length };
  });

  app.get<{ Params: FromSchema<typeof formParams> }>('/api/v1/forms/:formId', { schema: { tags: ['forms'], params: formParams } }, async (request) => {
    const form = await getForm(request.db, request.params.formId);
    const access = await accessFor(request, form);
    access.assertUsable();
    return { ...publicForm(form), access: access.summary() };
  });

  app.put<{ Params: FromSchema<typeof formParams>; Body: FormBody }>(
    '/api/v1/forms/:formId',
    { schema: { tags: ['forms'], params: formParams, body: formBody } },
    async (request) => {
      if (!isAdmin(request.caller)) throw forbidden('only admins can design forms');
      const current = await getForm(request.db, request.params.formId);
      checkDefinition(request.body, current._id);
      const next: FormDoc = {
        ...current,
        name: request.body.name,
        description: request.body.description ?? current.description,
        fields: request.body.fields as FieldDef[],
        rules: request.body.rules ?? [],
        settings: (request.body.settings as Record<string, unknown>) ?? current.settings,
        version: current.version + 1,
        updatedAt: new Date().toISOString(),
      };
      await ensureRecordIndexes(services.store, next);
      const updated = await request.db.transaction(async (db) => {
        // Compare-and-set on the version so two designers saving at once cannot silently overwrite each other.
        const res = await db.collection<FormDoc>('forms').updateOne(
          { _id: current._id, version: current.version },
          { $set: { name: next.name, description: next.description, fields: next.fields, rules: next.rules, settings: next.settings, version: next.version, updatedAt: next.updatedAt } },
        );
        if (res.matchedCount === 0) throw new ApiError(409, 'version_conflict', 'the form was changed by someone else; reload and retry');
        await db.collection('form_versions').insertOne({ ...next, _id: `${current._id}@${next.version}`, formId: current._id });
        await audit(db, request.caller, 'form.update', { type: 'form', id: current._id, name: next.name }, { appId: current.appId, version: next.version });
        return next;
      });
      return publicForm(updated);
    },
  );

  app.get<{ Params: FromSchema<typeof formParams> }>('/api/v1/forms/:formId/versions', { schema: { tags: ['forms'], params: formParams } }, async (request) => {
    (await accessFor(request, await getForm(request.db, request.params.formId))).assertUsable();
    const versions = await request.db.collection('form_versions').find({ formId: request.params.formId }, { sort: { version: -1 }, projection: { fields: 0, rules: 0 } });
    return { items: versions.map((v) => ({ version: v.version, name: v.name, updatedAt: v.updatedAt })) };
  });
}
