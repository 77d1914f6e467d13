import { compileConditionToMongo, ConditionError, evaluateFormula, FormulaError, FormulaSyntaxError, matchCondition, parseFormula, type FormulaNode } from '@qiao/form-engine';
import type { FieldError } from '../http/problem.ts';
import type { FieldDef, FormDoc } from '../forms/store.ts';
import type { RecordDoc } from '../records/service.ts';
import type { Filter } from '../store/port.ts';
import type { MappingValue } from './model.ts';

/** What formulas of an automation read: field ids of the trigger record, system names, earlier results. */
export type Scope = Record<string, unknown>;

export const SYSTEM_NAMES = ['id', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy', 'ownerId'] as const;
/** Names with a meaning of their own in every scope (the trigger record, its old values, the row, the record being updated). */
export const RESERVED_NAMES = [...SYSTEM_NAMES, 'record', 'before', 'this', 'row'] as const;

export interface EvalContext {
  now: Date;
  timeZone: string;
  userId?: string;
}

/** A run step that cannot succeed as configured (bad value, formula error, unknown field): not worth a retry. */
export class ActionError extends Error {
  constructor(
    message: string,
    readonly errors: (FieldError & { name?: string })[] = [],
    readonly code = 'action_failed',
  ) {
    super(message);
    this.name = 'ActionError';
  }
}

export function recordScopeOf(record: RecordDoc | null | undefined): Scope {
  if (!record) return {};
  return {
    ...record.data,
    id: record._id,
    createdAt: record.createdAt,
    createdBy: record.createdBy,
    updatedAt: record.updatedAt,
    updatedBy: record.updatedBy,
    ...(record.ownerId ? { ownerId: record.ownerId } : {}),
  };
}

/** The scope a run starts from: the trigger record's fields at the top, and also under `record`; old values under `before`. */
export function triggerScope(record: Scope | null | undefined, before: Scope | null | undefined): Scope {
  const own = record ?? {};
  return { ...own, record: own, ...(before ? { before } : {}) };
}

const parsed = new Map<string, FormulaNode>();

function formulaOf(text: string): FormulaNode {
  let ast = parsed.get(text);
  if (!ast) {
    ast = parseFormula(text);
    if (parsed.size > 5000) parsed.clear();
    parsed.set(text, ast);
  }
  return ast;
}

export function evalFormula(text: string, scope: Scope, ctx: EvalContext): unknown {
  return evaluateFormula(formulaOf(text), scope, { now: ctx.now, timeZone: ctx.timeZone, recordId: typeof scope.id === 'string' ? scope.id : undefined });
}

export const isFormulaError = (err: unknown) => err instanceof FormulaError || err instanceof FormulaSyntaxError;

function describeFormulaError(err: unknown): string {
  const e = err as Error & { code?: string };
  return e.code && !e.message.includes(e.code) ? `${e.code} ${e.message}` : e.message;
}

export function isRowsSpec(spec: unknown): spec is { from: string; columns: Record<string, MappingValue> } {
  return !!spec && typeof spec === 'object' && !Array.isArray(spec) && typeof (spec as { from?: unknown }).from === 'string';
}

function isLiteralSpec(spec: unknown): spec is { value: unknown } {
  return !!spec && typeof spec === 'object' && !Array.isArray(spec) && 'value' in spec && Object.keys(spec).length === 1;
}

/** The rows of a subform (or of a list result) named `from`, as objects. */
export function rowsOf(scope: Scope, from: string): Record<string, unknown>[] {
  const value = from.includes('.') ? from.split('.').reduce<unknown>((cur, part) => (cur && typeof cur === 'object' ? (cur as Scope)[part] : undefined), scope) : scope[from];
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((r): r is Record<string, unknown> => !!r && typeof r === 'object' && !Array.isArray(r));
}

/** A row's columns shadow the record's fields; the row itself is also `row`. */
export function rowScope(scope: Scope, row: Record<string, unknown>): Scope {
  return { ...scope, ...row, row };
}

/** Evaluate one mapping value; formula errors become field errors at `at`. */
function evalValue(spec: MappingValue, scope: Scope, ctx: EvalContext, at: { field: string; row?: number; column?: string }, errors: FieldError[]): unknown {
  if (spec === null || typeof spec === 'number' || typeof spec === 'boolean') return spec;
  if (isLiteralSpec(spec)) return spec.value;
  if (typeof spec === 'string') {
    try {
      const value = evalFormula(spec, scope, ctx);
      return value === '' ? null : value;
    } catch (err) {
      if (!isFormulaError(err)) throw err;
      errors.push({ ...at, code: 'formula_error', message: `${spec}: ${describeFormulaError(err)}` });
      return undefined;
    }
  }
  errors.push({ ...at, code: 'invalid_mapping', message: 'a mapping value is a formula (text), a literal ({ value }) or subform rows ({ from, columns })' });
  return undefined;
}

/**
 * The data a mapping produces for `form`: fields named by the mapping that the form does not have (any more) are
 * errors, like values the formula engine refuses. Validation of the values is the record service's job.
 */
export function evalMapping(mapping: Record<string, MappingValue> | undefined, scope: Scope, form: FormDoc, ctx: EvalContext): { data: Record<string, unknown>; errors: FieldError[] } {
  const data: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const [fieldId, spec] of Object.entries(mapping ?? {})) {
    const field = form.fields.find((f) => f.id === fieldId);
    if (!field) {
      errors.push({ field: fieldId, code: 'unknown_field', message: `the form has no field "${fieldId}"` });
      continue;
    }
    if (isRowsSpec(spec)) {
      if (field.type !== 'subform') {
        errors.push({ field: fieldId, code: 'invalid_mapping', message: `"${fieldId}" is not a subform: rows cannot be mapped to it` });
        continue;
      }
      data[fieldId] = evalRows(spec, field, scope, ctx, errors);
      continue;
    }
    const value = evalValue(spec, scope, ctx, { field: fieldId }, errors);
    if (value !== undefined && value !== null) data[fieldId] = value;
  }
  return { data, errors };
}

function evalRows(spec: { from: string; columns: Record<string, MappingValue> }, field: FieldDef, scope: Scope, ctx: EvalContext, errors: FieldError[]) {
  const columns = field.fields ?? [];
  for (const column of Object.keys(spec.columns ?? {})) {
    if (!columns.some((c) => c.id === column)) errors.push({ field: field.id, column, code: 'unknown_field', message: `subform "${field.id}" has no column "${column}"` });
  }
  return rowsOf(scope, spec.from).map((row, index) => {
    const inner = rowScope(scope, row);
    const out: Record<string, unknown> = {};
    for (const [column, columnSpec] of Object.entries(spec.columns ?? {})) {
      if (!columns.some((c) => c.id === column)) continue;
      const value = evalValue(columnSpec, inner, ctx, { field: field.id, row: index, column }, errors);
      if (value !== undefined && value !== null) out[column] = value;
    }
    return out;
  });
}

/** Replace `{ formula }` values of a condition by `{ ref }`s to their results, so the condition engine treats them like refs. */
export function resolveConditionFormulas(condition: unknown, scope: Scope, ctx: EvalContext): { condition: unknown; scope: Scope } {
  const values: Scope = {};
  let n = 0;
  const resolveValue = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolveValue);
    if (value && typeof value === 'object' && typeof (value as { formula?: unknown }).formula === 'string' && Object.keys(value).length === 1) {
      const name = `__f${n++}`;
      try {
        values[name] = evalFormula((value as { formula: string }).formula, scope, ctx);
      } catch (err) {
        if (!isFormulaError(err)) throw err;
        throw new ActionError(`filter formula ${(value as { formula: string }).formula}: ${describeFormulaError(err)}`, [], 'formula_error');
      }
      return { ref: name };
    }
    return value;
  };
  const walk = (node: unknown): unknown => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return node;
    const obj = node as Record<string, unknown>;
    if (Array.isArray(obj.and)) return { and: obj.and.map(walk) };
    if (Array.isArray(obj.or)) return { or: obj.or.map(walk) };
    return 'value' in obj ? { ...obj, value: resolveValue(obj.value) } : obj;
  };
  const resolved = walk(condition);
  return { condition: resolved, scope: n ? { ...scope, ...values } : scope };
}

function conditionFailure(err: unknown, what: string): never {
  if (err instanceof ConditionError) {
    const e = err as ConditionError & { field?: string };
    throw new ActionError(`${what}: ${e.message}`, [{ field: e.field ?? 'filter', code: 'invalid_filter', message: e.message }], 'invalid_filter');
  }
  throw err;
}

/** A filter over `form` whose `{ ref }` / `{ formula }` values read from `scope`, as a store filter. */
export function compileScopedFilter(form: FormDoc, filter: unknown, scope: Scope, ctx: EvalContext): Filter {
  if (filter === undefined || filter === null) return {};
  const resolved = resolveConditionFormulas(filter, scope, ctx);
  try {
    return compileConditionToMongo(resolved.condition, form as never, { record: resolved.scope, userId: ctx.userId, now: ctx.now, timeZone: ctx.timeZone }, { pathPrefix: 'data.' }) as Filter;
  } catch (err) {
    return conditionFailure(err, 'filter');
  }
}

/** The automation's condition, evaluated on the trigger record. */
export function conditionHolds(condition: unknown, scope: Scope, form: FormDoc | null, ctx: EvalContext): boolean {
  if (condition === undefined || condition === null) return true;
  const resolved = resolveConditionFormulas(condition, scope, ctx);
  try {
    return matchCondition(resolved.condition, resolved.scope, { form: (form ?? undefined) as never, userId: ctx.userId, now: ctx.now, timeZone: ctx.timeZone });
  } catch (err) {
    return conditionFailure(err, 'condition');
  }
}

/** A `when` guard: any truthy formula result lets the action run. */
export function guardHolds(when: string | undefined, scope: Scope, ctx: EvalContext): boolean {
  if (!when) return true;
  try {
    const value = evalFormula(when, scope, ctx);
    if (Array.isArray(value)) return value.some(Boolean);
    return value !== null && value !== undefined && value !== false && value !== 0 && value !== '';
  } catch (err) {
    if (!isFormulaError(err)) throw err;
    throw new ActionError(`when ${when}: ${describeFormulaError(err)}`, [], 'formula_error');
  }
}
