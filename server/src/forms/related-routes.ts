import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import { compileConditionToMongo, ConditionError } from '@qiao/form-engine';
import type { Services } from '../platform/context.ts';
import type { Filter, Sort } from '../store/port.ts';
import { ApiError, badRequest, notFound } from '../http/problem.ts';
import { accessFor, callerOrg, type FormAccess } from '../access/index.ts';
import { afterCursor, cursorValues, decodeCursor, encodeCursor } from '../records/cursor.ts';
import type { RecordDoc } from '../records/service.ts';
import { displayFieldsOf, findRelationField, titleFieldsOf } from './related-fields.ts';
import { getForm, recordsCollection, type FieldDef, type FormDoc } from './store.ts';

const TIME_ZONE = 'Asia/Shanghai';
const SORT: Sort = { createdAt: -1, _id: -1 };

const fieldParams = {
  type: 'object',
  required: ['formId', 'fieldId'],
  properties: { formId: { type: 'string', maxLength: 64 }, fieldId: { type: 'string', maxLength: 130 } },
} as const;
const relatedParams = {
  type: 'object',
  required: ['formId', 'recordId', 'fieldId'],
  properties: { formId: { type: 'string', maxLength: 64 }, recordId: { type: 'string', maxLength: 64 }, fieldId: { type: 'string', maxLength: 64 } },
} as const;
const pageQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'string', pattern: '^[0-9]{1,3}$' }, cursor: { type: 'string', maxLength: 4000 } },
} as const;
const optionsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...pageQuery.properties,
    q: { type: 'string', maxLength: 200 },
    /** The record being filled in (JSON), for filters comparing with its fields (`{ ref }`). */
    data: { type: 'string', maxLength: 100_000 },
    recordId: { type: 'string', maxLength: 64 },
  },
} as const;
const dataBody = { type: 'object', required: ['data'], additionalProperties: false, properties: { data: { type: 'object', maxProperties: 1000 } } } as const;

function invalidFilter(err: ConditionError) {
  const e = err as ConditionError & { field?: string; code?: string };
  return new ApiError(422, 'invalid_filter', `the field's filter cannot be applied: ${e.message}`, { errors: [{ field: e.field ?? 'filter', code: e.code, message: e.message }] });
}

/** The target form's records matching `condition`, where `{ ref }` values read from `record` (the source record). */
async function conditionFilter(request: FastifyRequest, target: FormDoc, condition: unknown, record: Record<string, unknown>): Promise<Filter> {
  if (condition === undefined || condition === null) return {};
  const org = await callerOrg(request);
  try {
    return compileConditionToMongo(condition as never, target as never, { userId: request.caller.userId, departmentIds: [...org.departmentIds], now: new Date(), timeZone: TIME_ZONE, record }, { pathPrefix: 'data.' }) as Filter;
  } catch (err) {
    if (err instanceof ConditionError) throw invalidFilter(err);
    throw err;
  }
}

const and = (...parts: Filter[]): Filter => {
  const kept = parts.filter((p) => Object.keys(p).length > 0);
  return kept.length === 0 ? {} : kept.length === 1 ? kept[0] : { $and: kept };
};

/** A page of target records showing only the field's display fields (the only target values these routes reveal). */
async function page(request: FastifyRequest, target: FormDoc, filter: Filter, shown: string[], query: { limit?: string; cursor?: string }) {
  const limit = Math.min(Math.max(Number(query.limit ?? 20), 1), 100);
  const col = request.db.collection<RecordDoc>(recordsCollection(target._id));
  const paged = query.cursor ? and(filter, afterCursor(SORT, decodeCursor(query.cursor, SORT))) : filter;
  const projection = Object.fromEntries([['createdAt', 1 as const], ...shown.map((id) => [`data.${id}`, 1 as const])]);
  const [rows, total] = await Promise.all([col.find(paged, { sort: SORT, limit: limit + 1, projection }), col.countDocuments(filter)]);
  const items = rows.slice(0, limit);
  return {
    items: items.map((r) => ({ id: r._id, data: r.data ?? {}, createdAt: r.createdAt })),
    total,
    nextCursor: rows.length > limit ? encodeCursor(cursorValues(items[items.length - 1], SORT)) : null,
    fields: shown,
    formId: target._id,
  };
}

async function targetOf(request: FastifyRequest, field: FieldDef): Promise<FormDoc> {
  if (!field.form) throw notFound('related form');
  try {
    return await getForm(request.db, field.form);
  } catch {
    throw notFound('related form');
  }
}

function assertFieldVisible(access: FormAccess, fieldId: string) {
  if (access.isHidden(fieldId)) throw new ApiError(403, 'forbidden_field', 'you cannot see this field', { errors: [{ field: fieldId, code: 'forbidden_field', message: 'you cannot see this field' }] });
}

function queryField(form: FormDoc, fieldId: string): FieldDef {
  const field = form.fields.find((f) => f.id === fieldId && f.type === 'query');
  if (!field) throw notFound('query field');
  return field;
}

function parseData(raw: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  try {
    const value = JSON.parse(raw) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    /* reported below */
  }
  throw badRequest('invalid_data', 'data must be a JSON object', { field: 'data' });
}

/**
 * Related query 关联查询 (records of another form matching the field's condition) and the relation picker 关联数据
 * (records of the target form, searched by text, within the field's filter). As in Jiandaoyun, what they show is what
 * the designer chose (display fields) and needs no right on the target form, only on this one.
 */
export function registerRelatedRoutes(app: FastifyInstance, _services: Services) {
  app.get<{ Params: FromSchema<typeof relatedParams>; Querystring: FromSchema<typeof pageQuery> }>(
    '/api/v1/forms/:formId/records/:recordId/related/:fieldId',
    { schema: { tags: ['records'], params: relatedParams, querystring: pageQuery } },
    async (request) => {
      const form = await getForm(request.db, request.params.formId);
      const access = await accessFor(request, form);
      access.assert('view');
      const field = queryField(form, request.params.fieldId);
      assertFieldVisible(access, field.id);
      const record = await request.db.collection<RecordDoc>(recordsCollection(form._id)).findOne(access.restrict('view', { _id: request.params.recordId }));
      if (!record) throw notFound('record');
      const target = await targetOf(request, field);
      const filter = await conditionFilter(request, target, field.filter, { id: record._id, ...access.stripData(record.data) });
      return page(request, target, filter, displayFieldsOf(field, target, 5), request.query);
    },
  );

  app.post<{ Params: FromSchema<typeof fieldParams>; Querystring: FromSchema<typeof pageQuery>; Body: FromSchema<typeof dataBody> }>(
    '/api/v1/forms/:formId/related/:fieldId',
    { schema: { tags: ['records'], params: fieldParams, querystring: pageQuery, body: dataBody } },
    async (request) => {
      const form = await getForm(request.db, request.params.formId);
      const access = await accessFor(request, form);
      access.assertUsable();
      const field = queryField(form, request.params.fieldId);
      assertFieldVisible(access, field.id);
      const target = await targetOf(request, field);
      const filter = await conditionFilter(request, target, field.filter, request.body.data as Record<string, unknown>);
      return page(request, target, filter, displayFieldsOf(field, target, 5), request.query);
    },
  );

  app.get<{ Params: FromSchema<typeof fieldParams>; Querystring: FromSchema<typeof optionsQuery> }>(
    '/api/v1/forms/:formId/relation-options/:fieldId',
    { schema: { tags: ['records'], params: fieldParams, querystring: optionsQuery } },
    async (request) => {
      const form = await getForm(request.db, request.params.formId);
      const access = await accessFor(request, form);
      access.assertUsable();
      const field = findRelationField(form, request.params.fieldId);
      if (!field) throw notFound('relation field');
      assertFieldVisible(access, request.params.fieldId.split('.')[0]);
      const target = await targetOf(request, field);
      let source = parseData(request.query.data);
      if (request.query.recordId) {
        const record = await request.db.collection<RecordDoc>(recordsCollection(form._id)).findOne(access.restrict('view', { _id: request.query.recordId }));
        if (!record) throw notFound('record');
        source = { ...access.stripData(record.data), ...source, id: record._id };
      }
      const parts: Filter[] = [await conditionFilter(request, target, field.filter, source)];
      const q = request.query.q?.trim();
      if (q) {
        const search = titleFieldsOf(field, target).map((f) => ({ field: f.id, op: 'contains' as const, value: q }));
        const alternatives: Filter[] = [];
        if (search.length) {
          try {
            alternatives.push(compileConditionToMongo({ or: search }, target as never, {}, { pathPrefix: 'data.' }) as Filter);
          } catch (err) {
            if (!(err instanceof ConditionError)) throw err;
          }
        }
        if (/^[A-Za-z0-9_-]{1,64}$/.test(q)) alternatives.push({ _id: q });
        parts.push(alternatives.length === 0 ? { _id: { $in: [] } } : alternatives.length === 1 ? alternatives[0] : { $or: alternatives });
      }
      return page(request, target, and(...parts), displayFieldsOf(field, target), request.query);
    },
  );
}
