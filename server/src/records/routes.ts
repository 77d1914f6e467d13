import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import type { Services } from '../platform/context.ts';
import { getForm, recordsCollection } from '../forms/store.ts';
import { afterCursor, cursorValues, decodeCursor, encodeCursor } from './cursor.ts';
import { compileFilter, parseFilterParam, parseProjection, parseSort } from './query.ts';
import { publicRecord, RecordService, type HistoryDoc, type RecordDoc } from './service.ts';

const formParams = { type: 'object', required: ['formId'], properties: { formId: { type: 'string', maxLength: 64 } } } as const;
const recordParams = {
  type: 'object',
  required: ['formId', 'recordId'],
  properties: { formId: { type: 'string', maxLength: 64 }, recordId: { type: 'string', maxLength: 64 } },
} as const;
const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    filter: { type: 'string', maxLength: 20_000 },
    sort: { type: 'string', maxLength: 1000 },
    limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
    cursor: { type: 'string', maxLength: 4000 },
    fields: { type: 'string', maxLength: 4000 },
  },
} as const;
const dataObject = { type: 'object', maxProperties: 1000 } as const;
const createBody = {
  type: 'object',
  required: ['data'],
  additionalProperties: false,
  properties: { data: dataObject, silent: { type: 'boolean' } },
} as const;
const patchBody = {
  type: 'object',
  required: ['data'],
  additionalProperties: false,
  properties: { data: dataObject, version: { type: 'integer', minimum: 1 }, silent: { type: 'boolean' } },
} as const;

export function registerRecordRoutes(app: FastifyInstance, services: Services, records = new RecordService(services)) {
  app.post<{ Params: FromSchema<typeof formParams>; Body: FromSchema<typeof createBody> }>(
    '/api/v1/forms/:formId/records',
    { schema: { tags: ['records'], params: formParams, body: createBody } },
    async (request, reply) => {
      const form = await getForm(request.db, request.params.formId);
      const record = await records.create(request.db, form, request.body.data as Record<string, unknown>, request.caller, { silent: request.body.silent });
      return reply.status(201).send(publicRecord(record));
    },
  );

  app.get<{ Params: FromSchema<typeof formParams>; Querystring: FromSchema<typeof listQuery> }>(
    '/api/v1/forms/:formId/records',
    { schema: { tags: ['records'], params: formParams, querystring: listQuery } },
    async (request) => {
      const form = await getForm(request.db, request.params.formId);
      const limit = Math.min(Math.max(Number(request.query.limit ?? 20), 1), 1000);
      const filter = compileFilter(form, parseFilterParam(request.query.filter), { userId: request.caller.userId, now: new Date(), timeZone: 'Asia/Shanghai' });
      const sort = parseSort(form, request.query.sort);
      const projection = parseProjection(form, request.query.fields);
      const page = request.query.cursor ? { $and: [filter, afterCursor(sort, decodeCursor(request.query.cursor, sort))] } : filter;
      const col = request.db.collection<RecordDoc>(recordsCollection(form._id));
      const [rows, total] = await Promise.all([col.find(page, { sort, limit: limit + 1, projection }), col.countDocuments(filter)]);
      const items = rows.slice(0, limit);
      const nextCursor = rows.length > limit ? encodeCursor(cursorValues(items[items.length - 1], sort)) : null;
      return { items: items.map(publicRecord), total, nextCursor };
    },
  );

  app.get<{ Params: FromSchema<typeof recordParams> }>('/api/v1/forms/:formId/records/:recordId', { schema: { tags: ['records'], params: recordParams } }, async (request) => {
    const form = await getForm(request.db, request.params.formId);
    return publicRecord(await records.get(request.db, form, request.params.recordId));
  });

  app.patch<{ Params: FromSchema<typeof recordParams>; Body: FromSchema<typeof patchBody> }>(
    '/api/v1/forms/:formId/records/:recordId',
    { schema: { tags: ['records'], params: recordParams, body: patchBody } },
    async (request) => {
      const form = await getForm(request.db, request.params.formId);
      const record = await records.update(request.db, form, request.params.recordId, request.body.data as Record<string, unknown>, request.body.version, request.caller, { silent: request.body.silent });
      return publicRecord(record);
    },
  );

  app.delete<{ Params: FromSchema<typeof recordParams> }>('/api/v1/forms/:formId/records/:recordId', { schema: { tags: ['records'], params: recordParams } }, async (request, reply) => {
    const form = await getForm(request.db, request.params.formId);
    await records.remove(request.db, form, request.params.recordId, request.caller);
    return reply.status(204).send();
  });

  app.get<{ Params: FromSchema<typeof recordParams> }>('/api/v1/forms/:formId/records/:recordId/history', { schema: { tags: ['records'], params: recordParams } }, async (request) => {
    const form = await getForm(request.db, request.params.formId);
    const items = await request.db.collection<HistoryDoc>('record_history').find({ recordId: request.params.recordId, formId: form._id }, { sort: { at: 1, _id: 1 } });
    if (items.length === 0) await records.get(request.db, form, request.params.recordId);
    return { items: items.map((h) => ({ id: h._id, at: h.at, actorId: h.actorId, action: h.action, source: h.source, version: h.version, changes: h.changes })) };
  });

  app.post<{ Params: FromSchema<typeof recordParams> }>('/api/v1/forms/:formId/records/:recordId/restore', { schema: { tags: ['records'], params: recordParams } }, async (request) => {
    const form = await getForm(request.db, request.params.formId);
    return publicRecord(await records.restore(request.db, form, request.params.recordId, request.caller));
  });

  app.get<{ Params: FromSchema<typeof formParams> }>('/api/v1/forms/:formId/recycle-bin', { schema: { tags: ['records'], params: formParams } }, async (request) => {
    const form = await getForm(request.db, request.params.formId);
    const items = await request.db.collection('recycle_bin').find({ formId: form._id }, { sort: { deletedAt: -1 }, limit: 500 });
    return { items: items.map((b) => ({ ...publicRecord(b.record as RecordDoc), deletedAt: b.deletedAt, deletedBy: b.deletedBy })), total: items.length };
  });

  app.delete<{ Params: FromSchema<typeof recordParams> }>('/api/v1/forms/:formId/recycle-bin/:recordId', { schema: { tags: ['records'], params: recordParams } }, async (request, reply) => {
    const form = await getForm(request.db, request.params.formId);
    await records.purge(request.db, form, request.params.recordId);
    return reply.status(204).send();
  });
}
