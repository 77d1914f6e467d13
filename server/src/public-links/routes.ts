import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import type { Services } from '../platform/context.ts';
import { isAdmin } from '../platform/context.ts';
import { newId, newSecret } from '../platform/ids.ts';
import { TenantDb } from '../platform/tenant-db.ts';
import { ApiError, forbidden, notFound, validationFailed, type FieldError } from '../http/problem.ts';
import { getForm, type FormDoc } from '../forms/store.ts';
import { audit } from '../audit/audit.ts';
import type { RecordService } from '../records/service.ts';
import { checkFileRefs } from '../files/refs.ts';
import { publicFile } from '../files/store.ts';
import { saveUpload, uploadedPart } from '../files/upload.ts';
import { multipartOptions } from '../files/routes.ts';
import { exposedDefinition, needsInput, NOT_EXPOSABLE, PUBLIC_ACTOR, PUBLIC_LINKS, publicLinkView, writableFields, type PublicLinkDoc } from './model.ts';

/** Per client address and minute; a link is for people filling a form, not for scripts. */
export const PUBLIC_LIMITS = { view: 120, submit: 20, upload: 20 };

const formParams = { type: 'object', required: ['formId'], properties: { formId: { type: 'string', maxLength: 64 } } } as const;
const linkParams = {
  type: 'object',
  required: ['formId', 'linkId'],
  properties: { formId: { type: 'string', maxLength: 64 }, linkId: { type: 'string', maxLength: 64 } },
} as const;
const tokenParams = { type: 'object', required: ['token'], properties: { token: { type: 'string', pattern: '^[A-Za-z0-9_-]{20,100}$' } } } as const;
const createBody = {
  type: 'object',
  required: ['fields'],
  additionalProperties: false,
  properties: {
    fields: { type: 'array', minItems: 1, maxItems: 500, uniqueItems: true, items: { type: 'string', maxLength: 64 } },
    expiresAt: { type: 'string', format: 'date-time' },
    name: { type: 'string', maxLength: 200 },
  },
} as const;
const submitBody = {
  type: 'object',
  required: ['data'],
  additionalProperties: false,
  properties: { data: { type: 'object', maxProperties: 1000 } },
} as const;

function checkExposure(form: FormDoc, fields: readonly string[]) {
  const byId = new Map(form.fields.map((f) => [f.id, f]));
  const errors: FieldError[] = [];
  for (const id of fields) {
    const field = byId.get(id);
    if (!field) errors.push({ field: id, code: 'unknown_field', message: 'is not a field of this form' });
    else if (NOT_EXPOSABLE.has(field.type)) errors.push({ field: id, code: 'not_exposable', message: `a ${field.type} field cannot be filled in anonymously` });
  }
  for (const field of form.fields) {
    if (needsInput(field) && !fields.includes(field.id)) errors.push({ field: field.id, code: 'required_not_exposed', message: 'is required, so the link must expose it' });
  }
  if (errors.length) throw validationFailed(errors, 'the link cannot expose these fields');
}

export async function registerPublicLinkRoutes(app: FastifyInstance, services: Services, records: RecordService) {
  const links = services.store.collection<PublicLinkDoc>(PUBLIC_LINKS);

  /** The live link for a token and its tenant's store handle; 404 when unknown or revoked, 410 once expired. */
  const resolve = async (token: string) => {
    const link = await links.findOne({ token });
    if (!link || !link.tenantId) throw notFound('link');
    if (link.expiresAt && Date.parse(link.expiresAt) <= Date.now()) throw new ApiError(410, 'link_expired', 'this link has expired');
    const db = new TenantDb(services.store, link.tenantId);
    const form = await db.collection<FormDoc>('forms').findOne({ _id: link.formId });
    if (!form) throw notFound('link');
    return { link, db, form };
  };

  app.post<{ Params: FromSchema<typeof formParams>; Body: FromSchema<typeof createBody> }>(
    '/api/v1/forms/:formId/public-links',
    { schema: { tags: ['public links'], params: formParams, body: createBody } },
    async (request, reply) => {
      if (!isAdmin(request.caller)) throw forbidden('only admins can share forms publicly');
      const form = await getForm(request.db, request.params.formId);
      checkExposure(form, request.body.fields);
      if (request.body.expiresAt && Date.parse(request.body.expiresAt) <= Date.now()) throw validationFailed([{ field: 'expiresAt', code: 'min', message: 'must be in the future' }]);
      const link: PublicLinkDoc = {
        _id: newId(),
        formId: form._id,
        appId: form.appId,
        token: newSecret(24),
        ...(request.body.name ? { name: request.body.name } : {}),
        fields: [...request.body.fields],
        ...(request.body.expiresAt ? { expiresAt: new Date(request.body.expiresAt).toISOString() } : {}),
        createdAt: new Date().toISOString(),
        createdBy: request.caller.userId,
      };
      await request.db.transaction(async (tx) => {
        await tx.collection<PublicLinkDoc>(PUBLIC_LINKS).insertOne(link);
        await audit(tx, request.caller, 'public_link.create', { type: 'form', id: form._id, name: form.name }, { linkId: link._id, fields: link.fields, expiresAt: link.expiresAt ?? null });
      });
      return reply.status(201).send(publicLinkView(link));
    },
  );

  app.get<{ Params: FromSchema<typeof formParams> }>('/api/v1/forms/:formId/public-links', { schema: { tags: ['public links'], params: formParams } }, async (request) => {
    if (!isAdmin(request.caller)) throw forbidden('only admins can see public links');
    const form = await getForm(request.db, request.params.formId);
    const items = await request.db.collection<PublicLinkDoc>(PUBLIC_LINKS).find({ formId: form._id }, { sort: { createdAt: -1, _id: -1 } });
    return { items: items.map(publicLinkView), total: items.length };
  });

  app.delete<{ Params: FromSchema<typeof linkParams> }>('/api/v1/forms/:formId/public-links/:linkId', { schema: { tags: ['public links'], params: linkParams } }, async (request, reply) => {
    if (!isAdmin(request.caller)) throw forbidden('only admins can revoke public links');
    const form = await getForm(request.db, request.params.formId);
    await request.db.transaction(async (tx) => {
      const res = await tx.collection(PUBLIC_LINKS).deleteOne({ _id: request.params.linkId, formId: form._id });
      if (res.deletedCount === 0) throw notFound('link');
      await audit(tx, request.caller, 'public_link.revoke', { type: 'form', id: form._id, name: form.name }, { linkId: request.params.linkId });
    });
    return reply.status(204).send();
  });

  // Anonymous routes: their own scope, so the rate limiter and the multipart parser apply to them alone.
  await app.register(async (scope) => {
    await scope.register(rateLimit, { global: true, max: PUBLIC_LIMITS.view, timeWindow: 60_000, keyGenerator: (request) => request.ip });
    await scope.register(multipart, multipartOptions);

    scope.get<{ Params: FromSchema<typeof tokenParams> }>(
      '/api/v1/public/forms/:token',
      { schema: { tags: ['public links'], params: tokenParams, security: [] }, config: { public: true } },
      async (request) => {
        const { link, form } = await resolve(request.params.token);
        return { form: exposedDefinition(form, link), link: { name: link.name, expiresAt: link.expiresAt ?? null } };
      },
    );

    scope.post<{ Params: FromSchema<typeof tokenParams>; Body: FromSchema<typeof submitBody> }>(
      '/api/v1/public/forms/:token/records',
      { schema: { tags: ['public links'], params: tokenParams, body: submitBody, security: [] }, config: { public: true, rateLimit: { max: PUBLIC_LIMITS.submit, timeWindow: 60_000 } } },
      async (request, reply) => {
        const { link, db, form } = await resolve(request.params.token);
        const data = request.body.data as Record<string, unknown>;
        const writable = writableFields(form, link);
        const errors: FieldError[] = Object.keys(data)
          .filter((key) => !writable.has(key))
          .map((field) => ({ field, code: 'not_exposed', message: 'this link does not accept this field' }));
        errors.push(...(await checkFileRefs(db, form, data, (file) => file.publicLinkId === link._id)));
        if (errors.length) throw validationFailed(errors);
        const record = await records.create(db, form, data, { userId: PUBLIC_ACTOR }, { source: 'api', meta: { publicLinkId: link._id }, ownerId: PUBLIC_ACTOR, ownerDepartmentIds: [] });
        const shown = Object.fromEntries(Object.entries(record.data).filter(([k]) => link.fields.includes(k)));
        return reply.status(201).send({ id: record._id, data: shown, createdAt: record.createdAt });
      },
    );

    scope.post<{ Params: FromSchema<typeof tokenParams> }>(
      '/api/v1/public/forms/:token/files',
      { schema: { tags: ['public links'], params: tokenParams, consumes: ['multipart/form-data'], security: [] }, config: { public: true, rateLimit: { max: PUBLIC_LIMITS.upload, timeWindow: 60_000 } } },
      async (request, reply) => {
        const { link, db, form } = await resolve(request.params.token);
        const takesFiles = form.fields.some((f) => link.fields.includes(f.id) && (f.type === 'image' || f.type === 'attachment' || (f.type === 'subform' && (f.fields ?? []).some((c) => c.type === 'image' || c.type === 'attachment'))));
        if (!takesFiles) throw forbidden('this link takes no files');
        const part = await uploadedPart(request);
        const doc = await saveUpload(services, db, part, { createdBy: PUBLIC_ACTOR, publicLinkId: link._id });
        return reply.status(201).send(publicFile(doc));
      },
    );
  });
}
