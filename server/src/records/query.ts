import { compileConditionToMongo, ConditionError } from '@qiao/form-engine';
import type { Filter, Projection, Sort } from '../store/port.ts';
import { ApiError, badRequest } from '../http/problem.ts';
import type { FormDoc } from '../forms/store.ts';

/** System columns clients may sort and filter on, and where they live in the stored document. */
const SYSTEM_PATHS: Record<string, string> = { id: '_id', createdAt: 'createdAt', updatedAt: 'updatedAt', createdBy: 'createdBy', updatedBy: 'updatedBy' };

export interface ConditionContext {
  userId: string;
  departmentIds?: string[];
  now: Date;
  timeZone: string;
}

export function parseFilterParam(raw: string | undefined): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw badRequest('invalid_filter', 'filter is not valid JSON', { field: 'filter' });
  }
}

/** Compile a client condition into a store filter; refuses unknown fields and operator injection. */
export function compileFilter(form: FormDoc, condition: unknown, ctx: ConditionContext): Filter {
  if (condition === undefined || condition === null) return {};
  try {
    return compileConditionToMongo(condition as never, form as never, ctx, { pathPrefix: 'data.' }) as Filter;
  } catch (err) {
    if (err instanceof ConditionError) {
      const e = err as ConditionError & { field?: string; code?: string };
      throw new ApiError(422, 'invalid_filter', e.message, { errors: [{ field: e.field ?? 'filter', message: e.message, code: e.code }] });
    }
    throw err;
  }
}

export function fieldPath(form: FormDoc, id: string): string | null {
  if (SYSTEM_PATHS[id]) return SYSTEM_PATHS[id];
  const field = form.fields.find((f) => f.id === id);
  if (!field || field.type === 'subform' || field.type === 'divider' || field.type === 'description' || field.type === 'query') return null;
  return `data.${id}`;
}

/** `-amount,name` → { 'data.amount': -1, 'data.name': 1, _id: -1 }; `_id` always last so rows have a total order. */
export function parseSort(form: FormDoc, raw: string | undefined): Sort {
  const sort: Sort = {};
  for (const part of (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const desc = part.startsWith('-');
    const id = desc ? part.slice(1) : part.replace(/^\+/, '');
    const path = fieldPath(form, id);
    if (!path) throw new ApiError(422, 'invalid_sort', `cannot sort by ${id}`, { errors: [{ field: id, message: 'unknown or unsortable field', code: 'invalid_sort' }] });
    if (path === '_id') continue;
    sort[path] = desc ? -1 : 1;
  }
  if (Object.keys(sort).length === 0) sort.createdAt = -1;
  const lastDir = Object.values(sort).at(-1) ?? -1;
  sort._id = lastDir;
  return sort;
}

/** `fields=name,amount` → a projection keeping those data fields and the system columns. */
export function parseProjection(form: FormDoc, raw: string | undefined): Projection | undefined {
  if (!raw) return undefined;
  const projection: Projection = { formId: 1, formVersion: 1, version: 1, createdAt: 1, createdBy: 1, updatedAt: 1, updatedBy: 1, instance: 1 };
  for (const id of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!form.fields.some((f) => f.id === id)) throw new ApiError(422, 'invalid_fields', `unknown field ${id}`, { errors: [{ field: id, message: 'unknown field', code: 'unknown_field' }] });
    projection[`data.${id}`] = 1;
  }
  return projection;
}
