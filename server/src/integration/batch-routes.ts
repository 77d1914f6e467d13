import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import type { Services } from '../platform/context.ts';
import { ApiError } from '../http/problem.ts';
import { getForm, recordsCollection, type FormDoc } from '../forms/store.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import { accessFor, callerOrg, type FormAccess } from '../access/index.ts';
import { publicRecord, type RecordDoc, type RecordService } from '../records/service.ts';

export const MAX_BATCH = 1000;

const formParams = { type: 'object', required: ['formId'], properties: { formId: { type: 'string', maxLength: 64 } } } as const;
const dataObject = { type: 'object', maxProperties: 1000 } as const;
const createBody = {
  type: 'object',
  required: ['records'],
  additionalProperties: false,
  properties: {
    records: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: { type: 'object', required: ['data'], additionalProperties: false, properties: { data: dataObject } } },
    silent: { type: 'boolean', description: 'do not trigger automations or webhooks' },
  },
} as const;
const patchBody = {
  type: 'object',
  required: ['records'],
  additionalProperties: false,
  properties: {
    records: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_BATCH,
      items: {
        type: 'object',
        required: ['id', 'data'],
        additionalProperties: false,
        properties: { id: { type: 'string', maxLength: 64 }, data: dataObject, version: { type: 'integer', minimum: 1 } },
      },
    },
    silent: { type: 'boolean' },
  },
} as const;

/** Batches of 1,000 large records exceed the default 1 MiB body limit. */
const BATCH_BODY_LIMIT = 32 * 1024 * 1024;

interface ItemError {
  index: number;
  id?: string;
  status: number;
  code: string;
  field?: string;
  row?: number;
  column?: string;
  message: string;
}

/** What went wrong with one item, as flat errors carrying its index. */
function itemErrors(index: number, err: unknown, id?: string): ItemError[] {
  if (!(err instanceof ApiError) || err.status >= 500) throw err;
  const fieldErrors = Array.isArray(err.extra.errors) ? (err.extra.errors as { field?: string; row?: number; column?: string; code?: string; message: string }[]) : [];
  const base = { index, ...(id ? { id } : {}), status: err.status };
  if (fieldErrors.length === 0) return [{ ...base, code: err.code, message: err.title }];
  return fieldErrors.map((e) => ({ ...base, code: e.code ?? err.code, field: e.field, ...(e.row !== undefined ? { row: e.row } : {}), ...(e.column ? { column: e.column } : {}), message: e.message }));
}

function batchFailure(errors: ItemError[]): ApiError {
  // A conflict (a ledger constraint, a duplicate, a stale version) says more than a validation error.
  const status = errors.find((e) => e.status !== 422)?.status ?? 422;
  const count = new Set(errors.map((e) => e.index)).size;
  return new ApiError(status, status === 422 ? 'validation_failed' : 'batch_failed', `${count} record(s) of the batch were refused; nothing was written`, { errors });
}

/**
 * Unique values a record would clash on: in the form, or earlier in the batch. Only needed once the batch is known
 * to fail (records are then checked, not written, so the unique index cannot answer).
 */
async function checkUnique(tx: TenantDb, form: FormDoc, data: Record<string, unknown>, taken: Map<string, Set<string>>) {
  const errors: { field: string; code: string; message: string }[] = [];
  for (const field of form.fields) {
    if (!field.unique || data[field.id] === undefined) continue;
    const key = JSON.stringify(data[field.id]);
    const seen = taken.get(field.id) ?? new Set<string>();
    taken.set(field.id, seen);
    const clash = seen.has(key) || (await tx.collection(recordsCollection(form._id)).findOne({ [`data.${field.id}`]: data[field.id] }, { projection: { _id: 1 } }));
    seen.add(key);
    if (clash) errors.push({ field: field.id, code: 'duplicate', message: 'value must be unique' });
  }
  if (errors.length) throw new ApiError(409, 'duplicate', 'a value must be unique', { errors });
}

const visible = (record: RecordDoc, access: FormAccess) => {
  const out = publicRecord(record);
  return access.hiddenFields.length ? { ...out, data: access.stripData(out.data) } : out;
};

async function formFor(request: FastifyRequest, action: 'submit' | 'edit'): Promise<{ form: FormDoc; access: FormAccess }> {
  const form = await getForm(request.db, (request.params as { formId: string }).formId);
  const access = await accessFor(request, form);
  access.assert(action);
  return { form, access };
}

/**
 * Batch create and update: up to 1,000 records in one unit of work. Every record is checked; if any is refused the
 * whole batch is (with each refusal's index), and nothing is written, hooks included (ledgers, automations, webhooks).
 */
export function registerBatchRoutes(app: FastifyInstance, _services: Services, records: RecordService) {
  app.post<{ Params: FromSchema<typeof formParams>; Body: FromSchema<typeof createBody> }>(
    '/api/v1/forms/:formId/records/batch',
    {
      bodyLimit: BATCH_BODY_LIMIT,
      schema: { tags: ['records'], params: formParams, body: createBody, description: `Create up to ${MAX_BATCH} records, all or nothing.` },
      preValidation: async (request) => void (await formFor(request, 'submit')),
    },
    async (request, reply) => {
      const { form, access } = await formFor(request, 'submit');
      const org = await callerOrg(request);
      const now = new Date();
      const errors: ItemError[] = [];
      request.body.records.forEach((item, index) => {
        try {
          access.assertWritable('submit', item.data as Record<string, unknown>);
        } catch (err) {
          errors.push(...itemErrors(index, err));
        }
      });
      if (errors.length) throw batchFailure(errors);
      const created = await request.db.transaction(async (tx) => {
        const out: RecordDoc[] = [];
        const taken = new Map<string, Set<string>>();
        for (const [index, item] of request.body.records.entries()) {
          const data = item.data as Record<string, unknown>;
          try {
            // After the first refusal nothing will be written: the rest is only checked, so every refusal is reported.
            if (errors.length) {
              const prepared = await records.prepare(tx, form, data, request.caller, `batch-${index}`, now, 'create');
              await checkUnique(tx, form, prepared, taken);
            } else out.push(await records.create(tx, form, data, request.caller, { source: 'batch', silent: request.body.silent, ownerDepartmentIds: [...org.departmentIds], now }));
          } catch (err) {
            errors.push(...itemErrors(index, err));
          }
        }
        if (errors.length) throw batchFailure(errors);
        return out;
      });
      return reply.status(201).send({ items: created.map((r) => visible(r, access)), total: created.length });
    },
  );

  app.patch<{ Params: FromSchema<typeof formParams>; Body: FromSchema<typeof patchBody> }>(
    '/api/v1/forms/:formId/records/batch',
    {
      bodyLimit: BATCH_BODY_LIMIT,
      schema: { tags: ['records'], params: formParams, body: patchBody, description: `Update up to ${MAX_BATCH} records, all or nothing; \`version\` guards each against lost updates.` },
      preValidation: async (request) => void (await formFor(request, 'edit')),
    },
    async (request) => {
      const { form, access } = await formFor(request, 'edit');
      const ids = request.body.records.map((r) => r.id);
      const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
      if (duplicates.length) {
        throw new ApiError(422, 'validation_failed', 'a record appears twice in the batch', { errors: duplicates.map((id) => ({ index: ids.lastIndexOf(id), id, status: 422, code: 'duplicate_id', field: 'id', message: 'each record once per batch' })) });
      }
      const scope = access.scopeFilter('edit');
      const errors: ItemError[] = [];
      const updated = await request.db.transaction(async (tx) => {
        const out: RecordDoc[] = [];
        for (const [index, item] of request.body.records.entries()) {
          const data = item.data as Record<string, unknown>;
          try {
            const current = await records.get(tx, form, item.id, scope);
            access.assertWritable('edit', data, current.data);
            if (errors.length) await records.prepare(tx, form, { ...current.data, ...data }, request.caller, item.id, new Date(), 'update');
            else out.push(await records.update(tx, form, item.id, data, item.version, request.caller, { source: 'batch', silent: request.body.silent, scope }));
          } catch (err) {
            errors.push(...itemErrors(index, err, item.id));
          }
        }
        if (errors.length) throw batchFailure(errors);
        return out;
      });
      return { items: updated.map((r) => visible(r, access)), total: updated.length };
    },
  );
}
