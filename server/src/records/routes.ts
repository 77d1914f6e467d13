import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import type { Services } from '../platform/context.ts';
import { getForm, recordsCollection } from '../forms/store.ts';
import { afterCursor, cursorValues, decodeCursor, encodeCursor } from './cursor.ts';
import { compileFilter, parseFilterParam, parseProjection, parseSort } from './query.ts';
import { publicRecord, RecordService, type HistoryDoc, type RecordDoc } from './service.ts';
import { accessFor, callerOrg, type FormAccess, type Action } from '../access/index.ts';
import { forbidden, notFound, ApiError } from '../http/problem.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import type { FormDoc } from '../forms/store.ts';

const ids = (raw: string | undefined, strip = false) =>
  (raw ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => (strip ? p.replace(/^[-+]/, '') : p));

/** The record as this caller may see it (hidden fields removed). */
const visibleRecord = (record: RecordDoc, access: FormAccess) => {
  const out = publicRecord(record);
  return access.hiddenFields.length ? { ...out, data: access.stripData(out.data) } : out;
};

/**
 * Load a record inside the caller's scope for `action`: outside every scope it does not exist (404); visible but
 * outside the scope of `action` it is a known record the caller may not touch (403).
 */
async function recordInScope(db: TenantDb, records: RecordService, form: FormDoc, access: FormAccess, recordId: string, action: Action): Promise<RecordDoc> {
  try {
    return await records.get(db, form, recordId, access.scopeFilter(action));
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404 || action === 'view' || !access.can('view')) throw err;
    await records.get(db, form, recordId, access.scopeFilter('view'));
    throw forbidden(`you may not ${action} this record`);
  }
}

/** A deleted record inside the caller's `action` scope (the bin keeps the record under `record.`). */
async function binnedInScope(db: TenantDb, form: FormDoc, access: FormAccess, recordId: string, action: Action) {
  const binned = await db.collection('recycle_bin').findOne(access.restrict(action, { _id: recordId, formId: form._id }, 'record.'));
  if (!binned) throw notFound('deleted record');
  return binned;
}

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
      const access = await accessFor(request, form);
      access.assert('submit');
      const data = request.body.data as Record<string, unknown>;
      access.assertWritable('submit', data);
      const org = await callerOrg(request);
      const record = await records.create(request.db, form, data, request.caller, { silent: request.body.silent, ownerDepartmentIds: [...org.departmentIds] });
      return reply.status(201).send(visibleRecord(record, access));
    },
  );

  app.get<{ Params: FromSchema<typeof formParams>; Querystring: FromSchema<typeof listQuery> }>(
    '/api/v1/forms/:formId/records',
    { schema: { tags: ['records'], params: formParams, querystring: listQuery } },
    async (request) => {
      const form = await getForm(request.db, request.params.formId);
      const access = await accessFor(request, form);
      access.assert('view');
      const limit = Math.min(Math.max(Number(request.query.limit ?? 20), 1), 1000);
      const condition = parseFilterParam(request.query.filter);
      // Filtering, sorting or selecting by a hidden field would reveal its values: refused, never silently answered.
      access.assertConditionQueryable(condition);
      access.assertQueryable([...ids(request.query.sort, true), ...ids(request.query.fields)]);
      const org = await callerOrg(request);
      const userFilter = compileFilter(form, condition, { userId: request.caller.userId, departmentIds: [...org.departmentIds], now: new Date(), timeZone: 'Asia/Shanghai' });
      const filter = access.restrict('view', userFilter);
      const sort = parseSort(form, request.query.sort);
      const projection = parseProjection(form, request.query.fields);
      const page = request.query.cursor ? { $and: [filter, afterCursor(sort, decodeCursor(request.query.cursor, sort))] } : filter;
      const col = request.db.collection<RecordDoc>(recordsCollection(form._id));
      const rows = await col.find(page, { sort, limit: limit + 1, projection });
      // A first page that holds every match already knows the total: skip the count (a second scan when a scope
      // filter cannot use an index).
      const total = !request.query.cursor && rows.length <= limit ? rows.length : await col.countDocuments(filter);
      const items = rows.slice(0, limit);
      const nextCursor = rows.length > limit ? encodeCursor(cursorValues(items[items.length - 1], sort)) : null;
      return { items: items.map((r) => visibleRecord(r, access)), total, nextCursor };
    },
  );

  app.get<{ Params: FromSchema<typeof recordParams> }>('/api/v1/forms/:formId/records/:recordId', { schema: { tags: ['records'], params: recordParams } }, async (request) => {
    const form = await getForm(request.db, request.params.formId);
    const access = await accessFor(request, form);
    access.assert('view');
    return visibleRecord(await records.get(request.db, form, request.params.recordId, access.scopeFilter('view')), access);
  });

  app.patch<{ Params: FromSchema<typeof recordParams>; Body: FromSchema<typeof patchBody> }>(
    '/api/v1/forms/:formId/records/:recordId',
    { schema: { tags: ['records'], params: recordParams, body: patchBody } },
    async (request) => {
      const form = await getForm(request.db, request.params.formId);
      const access = await accessFor(request, form);
      access.assert('edit');
      const data = request.body.data as Record<string, unknown>;
      const current = await recordInScope(request.db, records, form, access, request.params.recordId, 'edit');
      access.assertWritable('edit', data, current.data);
      const record = await records.update(request.db, form, request.params.recordId, data, request.body.version, request.caller, { silent: request.body.silent, scope: access.scopeFilter('edit') });
      return visibleRecord(record, access);
    },
  );

  app.delete<{ Params: FromSchema<typeof recordParams> }>('/api/v1/forms/:formId/records/:recordId', { schema: { tags: ['records'], params: recordParams } }, async (request, reply) => {
    const form = await getForm(request.db, request.params.formId);
    const access = await accessFor(request, form);
    access.assert('delete');
    await recordInScope(request.db, records, form, access, request.params.recordId, 'delete');
    await records.remove(request.db, form, request.params.recordId, request.caller, { scope: access.scopeFilter('delete') });
    return reply.status(204).send();
  });

  app.get<{ Params: FromSchema<typeof recordParams> }>('/api/v1/forms/:formId/records/:recordId/history', { schema: { tags: ['records'], params: recordParams } }, async (request) => {
    const form = await getForm(request.db, request.params.formId);
    const access = await accessFor(request, form);
    access.assert('view');
    const { recordId } = request.params;
    const live = await request.db.collection(recordsCollection(form._id)).findOne(access.restrict('view', { _id: recordId }), { projection: { _id: 1 } });
    if (!live) await binnedInScope(request.db, form, access, recordId, 'view');
    const items = await request.db.collection<HistoryDoc>('record_history').find({ recordId, formId: form._id }, { sort: { at: 1, _id: 1 } });
    const entries = items.map((h) => ({ id: h._id, at: h.at, actorId: h.actorId, action: h.action, source: h.source, version: h.version, changes: h.changes }));
    return { items: access.stripChanges(entries) };
  });

  app.post<{ Params: FromSchema<typeof recordParams> }>('/api/v1/forms/:formId/records/:recordId/restore', { schema: { tags: ['records'], params: recordParams } }, async (request) => {
    const form = await getForm(request.db, request.params.formId);
    const access = await accessFor(request, form);
    access.assert('delete');
    await binnedInScope(request.db, form, access, request.params.recordId, 'delete');
    return visibleRecord(await records.restore(request.db, form, request.params.recordId, request.caller), access);
  });

  app.get<{ Params: FromSchema<typeof formParams> }>('/api/v1/forms/:formId/recycle-bin', { schema: { tags: ['records'], params: formParams } }, async (request) => {
    const form = await getForm(request.db, request.params.formId);
    const access = await accessFor(request, form);
    access.assert('delete');
    const items = await request.db.collection('recycle_bin').find(access.restrict('delete', { formId: form._id }, 'record.'), { sort: { deletedAt: -1 }, limit: 500 });
    return { items: items.map((b) => ({ ...visibleRecord(b.record as RecordDoc, access), deletedAt: b.deletedAt, deletedBy: b.deletedBy })), total: items.length };
  });

  app.delete<{ Params: FromSchema<typeof recordParams> }>('/api/v1/forms/:formId/recycle-bin/:recordId', { schema: { tags: ['records'], params: recordParams } }, async (request, reply) => {
    const form = await getForm(request.db, request.params.formId);
    const access = await accessFor(request, form);
    access.assert('delete');
    await binnedInScope(request.db, form, access, request.params.recordId, 'delete');
    await records.purge(request.db, form, request.params.recordId);
    return reply.status(204).send();
  });
}
