import { indexForm, type FormLike } from '../definition/form-index.ts';
import { COMPUTED_TYPES } from '../field-types.ts';
import { copyOwn, getOwn, isPlainObject, setOwn } from '../own.ts';
import { safeTimeZone } from '../time.ts';
import { FormulaError } from './errors.ts';
import { evaluateNode, lookupIn, makeEnv } from './evaluate.ts';
import { defaultValueFor, formulaFieldValue } from './finalize.ts';
import { formulaPlan, type PlanStep } from './plan.ts';
import type { FormulaContext } from './values.ts';

export interface ComputeContext extends FormulaContext {
  /** Told about each formula that failed (its field then holds null), e.g. to show '#DIV/0!' in the preview. */
  onFormulaError?: (key: string, error: FormulaError, row?: number) => void;
}

export interface DefaultsContext extends ComputeContext {
  /**
   * Values resolved by the server for data-linkage defaults, keyed as linkageRequests() names them
   * ('price' for a field, 'items.0.price' for a column of row 0).
   */
  linked?: Record<string, unknown>;
}

/** Copies data and the rows of every subform, so computing never mutates the caller's objects. */
function copyData(form: FormLike, data: Record<string, unknown>): Record<string, unknown> {
  const out = copyOwn(data);
  for (const subformId of indexForm(form).columns.keys()) {
    const rows = getOwn(out, subformId);
    if (Array.isArray(rows)) setOwn(out, subformId, rows.map((row) => (isPlainObject(row) ? copyOwn(row) : row)));
  }
  return out;
}

type Assign = (step: PlanStep, current: unknown, value: () => unknown) => unknown | typeof KEEP;
const KEEP = Symbol('keep');

/** Runs plan steps in order; `assign` decides per step whether and what to store. */
function runPlan(form: FormLike, data: Record<string, unknown>, ctx: ComputeContext | undefined, steps: PlanStep[], assign: Assign) {
  const index = indexForm(form);
  const topEnv = makeEnv(ctx, (name) => lookupIn(data, name));
  const evaluate = (step: PlanStep, env: ReturnType<typeof makeEnv>, row?: number) => () => {
    try {
      return evaluateNode(step.ast, env);
    } catch (error) {
      if (!(error instanceof FormulaError)) throw error;
      ctx?.onFormulaError?.(step.key, error, row);
      return null;
    }
  };
  for (const step of steps) {
    if (!step.subformId) {
      const value = assign(step, getOwn(data, step.fieldId), evaluate(step, topEnv));
      if (value !== KEEP) setOwn(data, step.fieldId, value);
      continue;
    }
    const rows = getOwn(data, step.subformId);
    if (!Array.isArray(rows)) continue;
    const columns = index.columns.get(step.subformId)!;
    rows.forEach((row, i) => {
      if (!isPlainObject(row)) return;
      const env = { ...topEnv, lookup: (name: string) => (columns.has(name) ? getOwn(row, name) : lookupIn(data, name)) };
      const value = assign(step, getOwn(row, step.fieldId), evaluate(step, env, i));
      if (value !== KEEP) setOwn(row, step.fieldId, value);
    });
  }
}

/**
 * Recomputes every formula field, subform column formulas row by row, in dependency order, and returns new data.
 * The server calls it on every write, so a client can never store a wrong total. Failing formulas store null.
 */
export function computeFormulas(form: FormLike, data: Record<string, unknown>, ctx?: ComputeContext): Record<string, unknown> {
  if (!isPlainObject(data)) return data;
  const out = copyData(form, data);
  const steps = formulaPlan(form).steps.filter((s) => s.kind === 'formula');
  runPlan(form, out, ctx, steps, (step, _current, value) => formulaFieldValue(value(), step.field));
  return out;
}

function cloneJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * Fills missing values (undefined, i.e. absent) on create: data-linkage results from `ctx.linked`, then fixed
 * defaults, then formula defaults in dependency order (formula fields are computed along the way so defaults may use them).
 */
export function applyDefaults(form: FormLike, data: Record<string, unknown>, ctx?: DefaultsContext): Record<string, unknown> {
  if (!isPlainObject(data)) return data;
  const index = indexForm(form);
  const linked = ctx?.linked ?? {};
  const out = copyOwn(data);
  for (const field of index.topLevel.values()) {
    if (COMPUTED_TYPES.has(field.type) || getOwn(out, field.id) !== undefined) continue;
    const fromLink = getOwn(linked, field.id);
    if (field.linkage && fromLink !== undefined && fromLink !== null) setOwn(out, field.id, cloneJson(fromLink));
    else if (field.default !== undefined) setOwn(out, field.id, cloneJson(field.default));
  }
  const filled = copyData(form, out);
  for (const [subformId, columns] of index.columns) {
    const rows = getOwn(filled, subformId);
    if (!Array.isArray(rows)) continue;
    rows.forEach((row, i) => {
      if (!isPlainObject(row)) return;
      for (const column of columns.values()) {
        if (COMPUTED_TYPES.has(column.type) || getOwn(row, column.id) !== undefined) continue;
        const fromLink = getOwn(linked, `${subformId}.${i}.${column.id}`);
        if (column.linkage && fromLink !== undefined && fromLink !== null) setOwn(row, column.id, cloneJson(fromLink));
        else if (column.default !== undefined) setOwn(row, column.id, cloneJson(column.default));
      }
    });
  }
  const timeZone = safeTimeZone(ctx?.timeZone);
  runPlan(form, filled, ctx, formulaPlan(form).steps, (step, current, value) => {
    if (step.kind === 'formula') return formulaFieldValue(value(), step.field);
    if (current !== undefined) return KEEP;
    const converted = defaultValueFor(value(), step.field, timeZone);
    return converted === undefined ? KEEP : converted;
  });
  return filled;
}
