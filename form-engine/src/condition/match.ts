import { indexForm, type FormLike } from '../definition/form-index.ts';
import { getOwn, isPlainObject } from '../own.ts';
import { fieldValue, prepareCondition, type ConditionContext, type Prepared, type Scalar, type Test } from './prepare.ts';

export interface MatchContext extends ConditionContext {
  /** The form the data belongs to: enables type-aware semantics (a date on a date-time field means that day) and checks fields. */
  form?: FormLike;
}

function sameType(a: unknown, b: Scalar): boolean {
  return typeof a === typeof b;
}

function inRange(value: unknown, test: Extract<Test, { t: 'range' }>): boolean {
  // Like the store: only values of the bound's type compare (a number never matches a text bound).
  const ok = (bound: Scalar | undefined, pass: (v: never, b: never) => boolean) => bound === undefined || (sameType(value, bound) && pass(value as never, bound as never));
  return (
    ok(test.gt, (v, b) => v > b) && ok(test.gte, (v, b) => v >= b) && ok(test.lt, (v, b) => v < b) && ok(test.lte, (v, b) => v <= b)
  );
}

/** The store's semantics for one value: a list matches when any element does; "empty" covers missing, null, "" and []. */
export function testValue(test: Test, value: unknown, objectKind: boolean): boolean {
  const list = Array.isArray(value) ? value : undefined;
  switch (test.t) {
    case 'never':
      return false;
    case 'eq':
      return list ? list.includes(test.value) : value === test.value;
    case 'in':
      return list ? list.some((v) => test.values.includes(v as Scalar)) : test.values.includes(value as Scalar);
    case 'all':
      return !!list && test.values.every((v) => list.includes(v));
    case 'range':
      return list ? list.some((v) => inRange(v, test)) : inRange(value, test);
    case 'regex': {
      const re = new RegExp(test.source, test.flags);
      return list ? list.some((v) => typeof v === 'string' && re.test(v)) : typeof value === 'string' && re.test(value);
    }
    case 'empty':
      if (value === undefined || value === null || value === '') return true;
      if (list) return list.length === 0 || list.includes(null) || list.includes('');
      return objectKind && isPlainObject(value) && Object.keys(value).length === 0;
  }
}

export function evaluatePrepared(node: Prepared, data: Record<string, unknown>): boolean {
  if ('and' in node) return node.and.every((n) => evaluatePrepared(n, data));
  if ('or' in node) return node.or.some((n) => evaluatePrepared(n, data));
  const { target, test, negate } = node.leaf;
  const objectKind = target.kind === 'object';
  const storage = target.storage;
  let result: boolean;
  if (storage.at === 'rows' || (storage.at === 'field' && storage.part !== undefined && Array.isArray(getOwn(data, storage.fieldId)))) {
    // A subform column: the clause holds when any row satisfies it.
    const rows = getOwn(data, storage.at === 'rows' ? storage.subformId : storage.fieldId);
    const column = storage.at === 'rows' ? storage.column : storage.part!;
    result = Array.isArray(rows) && rows.some((row) => isPlainObject(row) && testValue(test, getOwn(row, column), objectKind));
  } else {
    result = testValue(test, fieldValue(target, data), objectKind);
  }
  return negate ? !result : result;
}

/**
 * Evaluates a condition against record data in memory, with the same semantics as compileConditionToMongo:
 * a field without a value compares false (so `ne` and `nin`, the negations, are true), lists match when any element does,
 * `items.product` matches when any row does. System fields (id, createdAt...) are read from `data` under their names.
 * With `ctx.form`, fields are checked against the form and compared by type; throws ConditionError for bad conditions.
 */
export function matchCondition(cond: unknown, data: Record<string, unknown>, ctx: MatchContext = {}): boolean {
  const prepared = prepareCondition(cond, { index: ctx.form ? indexForm(ctx.form) : undefined, ctx, refData: data });
  return evaluatePrepared(prepared, isPlainObject(data) ? data : {});
}
