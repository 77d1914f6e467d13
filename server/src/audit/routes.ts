import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import type { Services } from '../platform/context.ts';
import { isAdmin } from '../platform/context.ts';
import { ApiError, forbidden } from '../http/problem.ts';
import type { Filter, Sort } from '../store/port.ts';
import { afterCursor, cursorValues, decodeCursor, encodeCursor } from '../records/cursor.ts';
import { AUDIT_COLLECTION, publicAuditEntry, type AuditEntryDoc } from './audit.ts';

const auditQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    actorId: { type: 'string', maxLength: 64 },
    action: { type: 'string', maxLength: 100 },
    from: { type: 'string', maxLength: 40 },
    to: { type: 'string', maxLength: 40 },
    limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
    cursor: { type: 'string', maxLength: 1000 },
  },
} as const;

const SORT: Sort = { at: -1, _id: -1 };

function instant(value: string, field: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) {
    throw new ApiError(422, 'validation_failed', 'validation failed', { errors: [{ field, message: 'must be an ISO date or date-time', code: 'format' }] });
  }
  return time.toISOString();
}

/** `member.` or `member.*` matches every member action; anything else matches exactly. */
function actionFilter(action: string): Filter {
  const prefix = action.endsWith('*') ? action.slice(0, -1) : action.endsWith('.') ? action : null;
  if (prefix === null) return { action };
  // A range instead of a regex: exact on both store adapters and served by the action index.
  return { action: { $gte: prefix, $lt: `${prefix}\uffff` } };
}

export function registerAuditRoutes(app: FastifyInstance, _services: Services) {
  app.get<{ Querystring: FromSchema<typeof auditQuery> }>(
    '/api/v1/audit-log',
    { schema: { tags: ['audit'], querystring: auditQuery } },
    async (request) => {
      if (!isAdmin(request.caller)) throw forbidden('only tenant admins can read the audit log');
      const { actorId, action, from, to, cursor } = request.query;
      const limit = Math.min(Math.max(Number(request.query.limit ?? 50), 1), 500);
      const parts: Filter[] = [];
      if (actorId) parts.push({ actorId });
      if (action) parts.push(actionFilter(action));
      if (from) parts.push({ at: { $gte: instant(from, 'from') } });
      if (to) parts.push({ at: { $lte: instant(to, 'to') } });
      const filter: Filter = parts.length === 0 ? {} : parts.length === 1 ? parts[0] : { $and: parts };
      const page = cursor ? { $and: [filter, afterCursor(SORT, decodeCursor(cursor, SORT))] } : filter;
      const col = request.db.collection<AuditEntryDoc>(AUDIT_COLLECTION);
      const [rows, total] = await Promise.all([col.find(page, { sort: SORT, limit: limit + 1 }), col.countDocuments(filter)]);
      const items = rows.slice(0, limit);
      const nextCursor = rows.length > limit ? encodeCursor(cursorValues(items[items.length - 1], SORT)) : null;
      return { items: items.map(publicAuditEntry), total, nextCursor };
    },
  );
}
