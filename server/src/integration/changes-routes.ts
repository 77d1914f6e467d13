import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import type { Services } from '../platform/context.ts';
import { badRequest } from '../http/problem.ts';
import { getForm, recordsCollection } from '../forms/store.ts';
import { accessFor, type FormAccess } from '../access/index.ts';
import { publicRecord, type HistoryDoc, type RecordDoc } from '../records/service.ts';
import { afterCursor, cursorValues, decodeCursor, encodeCursor } from '../records/cursor.ts';
import type { Sort } from '../store/port.ts';

const formParams = { type: 'object', required: ['formId'], properties: { formId: { type: 'string', maxLength: 64 } } } as const;
const changesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    since: { type: 'string', format: 'date-time', description: 'changes at or after this instant (first call)' },
    cursor: { type: 'string', maxLength: 2000, description: 'nextCursor of the previous answer (later calls)' },
    limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
    settle: { type: 'string', pattern: '^[0-9]{1,5}$', description: 'hold back changes younger than this many ms (default 2000), so a slower concurrent commit is never skipped' },
  },
} as const;

const SORT: Sort = { at: 1, _id: 1 };
const DEFAULT_SETTLE_MS = 2000;

const visible = (record: RecordDoc, access: FormAccess) => {
  const out = publicRecord(record);
  return access.hiddenFields.length ? { ...out, data: access.stripData(out.data) } : out;
};

/**
 * The change feed of a form for systems that pull (an ERP, a finance system): every create, update, delete and
 * restore in commit-time order, each with the record as it is now (null once deleted), paged by an opaque cursor
 * the caller keeps between polls. Built on the record history, so deletions are included.
 */
export function registerChangesRoutes(app: FastifyInstance, _services: Services) {
  app.get<{ Params: FromSchema<typeof formParams>; Querystring: FromSchema<typeof changesQuery> }>(
    '/api/v1/forms/:formId/changes',
    { schema: { tags: ['records'], params: formParams, querystring: changesQuery, description: 'Pull changes since an instant or a cursor (the updated-since feed).' } },
    async (request) => {
      const form = await getForm(request.db, request.params.formId);
      const access = await accessFor(request, form);
      access.assert('view');
      const limit = Math.min(Math.max(Number(request.query.limit ?? 100), 1), 1000);
      const settle = Number(request.query.settle ?? DEFAULT_SETTLE_MS);
      let start: unknown[] | null = null;
      if (request.query.cursor) start = decodeCursor(request.query.cursor, SORT);
      else if (request.query.since) {
        const since = new Date(request.query.since);
        if (Number.isNaN(since.getTime())) throw badRequest('invalid_since', 'since is not a date-time');
        start = [since.toISOString(), ''];
      }
      const settled = new Date(Date.now() - settle).toISOString();
      const base = { formId: form._id, at: { $lte: settled } };
      const filter = start ? { $and: [base, afterCursor(SORT, start)] } : base;
      const rows = await request.db.collection<HistoryDoc>('record_history').find(filter, { sort: SORT, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const ids = [...new Set(page.map((h) => h.recordId))];
      const live = new Map(
        (await request.db.collection<RecordDoc>(recordsCollection(form._id)).find(access.restrict('view', { _id: { $in: ids } }))).map((r) => [r._id, r]),
      );
      const missing = ids.filter((id) => !live.has(id));
      const binned = new Set(
        missing.length ? (await request.db.collection('recycle_bin').find(access.restrict('view', { _id: { $in: missing }, formId: form._id }, 'record.'), { projection: { _id: 1 } })).map((b) => b._id) : [],
      );
      const items = [];
      for (const h of page) {
        const record = live.get(h.recordId);
        // Rows outside the caller's scope are skipped; a purged record's history is shown to full-access callers only.
        if (!record && !binned.has(h.recordId) && !access.full) continue;
        items.push({ op: h.action, recordId: h.recordId, version: h.version, at: h.at, source: h.source, actorId: h.actorId, record: record ? visible(record, access) : null });
      }
      const last = page[page.length - 1];
      const nextCursor = last ? encodeCursor(cursorValues(last, SORT)) : start ? encodeCursor(start) : null;
      return { items, nextCursor, hasMore: rows.length > limit };
    },
  );
}
