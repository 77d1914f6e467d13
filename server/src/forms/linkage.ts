import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import { compileConditionToMongo, ConditionError, linkageRequests, type LinkageRequest } from '@qiao/form-engine';
import type { Services } from '../platform/context.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import type { Filter } from '../store/port.ts';
import { accessFor } from '../access/index.ts';
import { getForm, recordsCollection, type FormDoc } from './store.ts';

const TIME_ZONE = 'Asia/Shanghai';

export interface LinkageContext {
  recordId?: string;
  now?: Date;
  timeZone?: string;
}

/** True when some field or subform column takes its default from another form. */
export function hasLinkage(form: FormDoc): boolean {
  return form.fields.some((f) => f.linkage !== undefined || (f.type === 'subform' && (f.fields ?? []).some((c) => c.linkage !== undefined)));
}

/** The store filter selecting the records a linkage looks in; null when its values cannot match that form's fields. */
function matchFilter(target: FormDoc, request: LinkageRequest): Filter | null {
  const condition = { and: request.match.map((m) => ({ field: m.field, op: 'eq' as const, value: m.value as string | number | boolean })) };
  try {
    return compileConditionToMongo(condition, target as never, {}, { pathPrefix: 'data.' }) as Filter;
  } catch (err) {
    if (err instanceof ConditionError) return null;
    throw err;
  }
}

/**
 * Resolve the data-linkage defaults (数据联动) still missing from `data`: for each, the newest record of the target
 * form whose fields equal the match values, and its `take` value (or its id for `take: "id"`). Keys are those of
 * linkageRequests ('price', 'items.0.price'), ready for applyDefaults' `ctx.linked`.
 */
export async function resolveLinkage(db: TenantDb, form: FormDoc, data: Record<string, unknown>, ctx: LinkageContext = {}): Promise<Record<string, unknown>> {
  if (!hasLinkage(form)) return {};
  const requests = linkageRequests(form as never, data, { now: ctx.now, timeZone: ctx.timeZone ?? TIME_ZONE, recordId: ctx.recordId });
  const linked: Record<string, unknown> = {};
  const forms = new Map<string, Promise<FormDoc | null>>();
  const answers = new Map<string, Promise<unknown>>();
  for (const request of requests) {
    let target = forms.get(request.form);
    if (!target) forms.set(request.form, (target = db.collection<FormDoc>('forms').findOne({ _id: request.form })));
    const targetForm = await target;
    if (!targetForm) continue;
    const filter = matchFilter(targetForm, request);
    if (!filter) continue;
    const key = JSON.stringify([request.form, filter, request.take]);
    let answer = answers.get(key);
    if (!answer) {
      answer = db
        .collection(recordsCollection(targetForm._id))
        .findOne(filter, { sort: { updatedAt: -1, _id: -1 } })
        .then((record) => (record ? (request.take === 'id' ? record._id : (record.data as Record<string, unknown> | undefined)?.[request.take]) : undefined));
      answers.set(key, answer);
    }
    const value = await answer;
    if (value !== undefined && value !== null) linked[request.key] = value;
  }
  return linked;
}

const formParams = { type: 'object', required: ['formId'], properties: { formId: { type: 'string', maxLength: 64 } } } as const;
const linkageBody = {
  type: 'object',
  required: ['data'],
  additionalProperties: false,
  properties: { data: { type: 'object', maxProperties: 1000 } },
} as const;

/**
 * POST /api/v1/forms/:formId/linkage { data } → { values }: the linked defaults for a record being filled in. The
 * target forms are read as the form's designer configured them (like Jiandaoyun, the filler needs no right on them):
 * only the configured `take` field of one matching record is revealed.
 */
export function registerLinkageRoutes(app: FastifyInstance, _services: Services) {
  app.post<{ Params: FromSchema<typeof formParams>; Body: FromSchema<typeof linkageBody> }>(
    '/api/v1/forms/:formId/linkage',
    { schema: { tags: ['forms'], params: formParams, body: linkageBody } },
    async (request) => {
      const form = await getForm(request.db, request.params.formId);
      const access = await accessFor(request, form);
      if (!access.can('submit') && !access.can('edit')) access.assert('submit');
      const values = await resolveLinkage(request.db, form, request.body.data as Record<string, unknown>, { now: new Date() });
      // A field the caller cannot see is not filled for them either.
      for (const key of Object.keys(values)) if (access.isHidden(key.split('.')[0])) delete values[key];
      return { values };
    },
  );
}
