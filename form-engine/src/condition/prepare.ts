import { getOwn, isPlainObject } from '../own.ts';
import { isDateString, isDateTimeString, canonicalDateTime, startOfDayIso, todayIn, addDaysToDate, toDate, safeTimeZone, type Instant } from '../time.ts';
import { ConditionError } from './errors.ts';
import {
  CONDITION_OPS,
  DYNAMIC_VALUES,
  MAX_CONDITION_CLAUSES,
  MAX_CONDITION_DEPTH,
  MAX_CONDITION_LIST,
  MAX_CONDITION_TEXT,
  type ConditionOp,
  type DynamicValueName,
} from './schema.ts';
import { allowedOps, resolveTarget, type ResolveOptions, type Target, type ValueKind } from './target.ts';
import { lookupIn } from '../formula/evaluate.ts';

/** Who is asking and when: resolves dynamic values ({ dynamic: 'currentUser' | 'currentDepartment' | 'today' | 'now' }). */
export interface ConditionContext {
  userId?: string;
  departmentIds?: readonly string[];
  now?: Instant;
  timeZone?: string;
  /** The current record's data, for `{ ref: fieldId }` values (a related query's "customer = this record's customer"). */
  record?: Record<string, unknown>;
}

export type Scalar = string | number | boolean;

export type Test =
  | { t: 'eq'; value: Scalar }
  | { t: 'in'; values: Scalar[] }
  | { t: 'all'; values: Scalar[] }
  | { t: 'range'; gt?: Scalar; gte?: Scalar; lt?: Scalar; lte?: Scalar }
  | { t: 'regex'; source: string; flags: '' | 'i' }
  | { t: 'empty' }
  | { t: 'never' };

export type Prepared = { and: Prepared[] } | { or: Prepared[] } | { leaf: { target: Target; test: Test; negate: boolean } };

interface PrepareOptions extends ResolveOptions {
  /** Resolve dynamic and ref values with this context; without it (definition checks) values are only type-checked. */
  ctx?: ConditionContext;
  /** Where `{ ref }` values read from, when not the context's record (rules compare fields of the same record). */
  refData?: Record<string, unknown>;
  /** Check `{ ref }` names against this when they belong to another form than the clause fields (relation/query filters). */
  refCheck?: (ref: string) => string | undefined;
  /** Only validate the shape and values: the clause fields belong to a form we cannot see. */
  fieldsUnknown?: boolean;
}

const OPS = new Set<string>(CONDITION_OPS);
const DYNAMICS = new Set<string>(DYNAMIC_VALUES);
const NEGATED: Partial<Record<ConditionOp, ConditionOp>> = { ne: 'eq', nin: 'in', notEmpty: 'empty' };

/** A resolved operand: a typed scalar, a whole day (date-only value on a date-time field), a list, or nothing to compare. */
type Operand = { scalar: Scalar } | { day: string } | { list: Scalar[] } | { none: true };

function describeValue(value: unknown): string {
  if (isPlainObject(value)) return 'an object';
  if (Array.isArray(value)) return 'a list';
  return JSON.stringify(value) ?? String(value);
}

function typeName(kind: ValueKind): string {
  return { text: 'text', id: 'an id (text)', number: 'a number', date: "a date 'YYYY-MM-DD'", datetime: 'an ISO date-time or a date', any: 'text, a number or a boolean', object: 'nothing' }[kind];
}

class Preparer {
  private clauses = 0;

  constructor(private readonly options: PrepareOptions) {}

  node(cond: unknown, depth: number, path: string): Prepared {
    if (!isPlainObject(cond)) throw new ConditionError('', `Condition${path ? ` at ${path}` : ''} must be an object`, 'invalid_condition', path);
    const keys = Object.keys(cond);
    const groupKey = keys.length === 1 && (keys[0] === 'and' || keys[0] === 'or') ? keys[0] : undefined;
    if (groupKey) {
      if (depth >= MAX_CONDITION_DEPTH) throw new ConditionError('', `Conditions may nest at most ${MAX_CONDITION_DEPTH} groups deep`, 'too_deep', path);
      const items = cond[groupKey];
      if (!Array.isArray(items)) throw new ConditionError('', `"${groupKey}" must be a list of conditions`, 'invalid_condition', path);
      const prepared = items.map((item, i) => this.node(item, depth + 1, path ? `${path}.${groupKey}.${i}` : `${groupKey}.${i}`));
      return groupKey === 'and' ? { and: prepared } : { or: prepared };
    }
    return this.leaf(cond, path);
  }

  private leaf(cond: Record<string, unknown>, path: string): Prepared {
    if (++this.clauses > MAX_CONDITION_CLAUSES) throw new ConditionError('', `A condition may have at most ${MAX_CONDITION_CLAUSES} clauses`, 'too_many_clauses', path);
    for (const key of Object.keys(cond)) {
      if (key !== 'field' && key !== 'op' && key !== 'value') {
        throw new ConditionError(typeof cond.field === 'string' ? cond.field : '', `Unexpected key "${key}" in condition: use { and }, { or } or { field, op, value }`, 'invalid_condition', path);
      }
    }
    const ref = cond.field;
    if (typeof ref !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(ref)) {
      throw new ConditionError(typeof ref === 'string' ? ref : '', 'Condition "field" must be a field id', 'invalid_condition', path);
    }
    const op = cond.op;
    if (typeof op !== 'string' || !OPS.has(op)) throw new ConditionError(ref, `Unknown operator ${describeValue(op)}`, 'invalid_op', path);
    const target: Target = this.options.fieldsUnknown
      ? { ref, kind: 'any', multi: false, storage: { at: 'field', fieldId: ref } }
      : resolveTarget(ref, this.options, path);
    if (!allowedOps(target).includes(op as ConditionOp)) {
      throw new ConditionError(ref, `Operator "${op}" cannot be used on field "${ref}"`, 'invalid_op', path);
    }
    const positive = (NEGATED[op as ConditionOp] ?? op) as ConditionOp;
    const test = this.test(target, positive, cond.value, path, Object.prototype.hasOwnProperty.call(cond, 'value'));
    return { leaf: { target, test, negate: positive !== op } };
  }

  private fail(target: Target, message: string, path: string): never {
    throw new ConditionError(target.ref, message, 'invalid_value', path);
  }

  /** Checks one literal or dynamic value against the field's kind and resolves it. */
  private operand(target: Target, value: unknown, path: string): Operand {
    const kind = target.kind;
    if (isPlainObject(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && keys[0] === 'dynamic' && typeof value.dynamic === 'string' && DYNAMICS.has(value.dynamic)) {
        return this.dynamic(target, value.dynamic as DynamicValueName, path);
      }
      if (keys.length === 1 && keys[0] === 'ref' && typeof value.ref === 'string') return this.reference(target, value.ref, path);
      this.fail(target, `Value of "${target.ref}" must be a JSON scalar, a list of scalars, { dynamic } or { ref }, not an object`, path);
    }
    if (value === null || value === undefined) this.fail(target, `Value of "${target.ref}" is missing (use op "empty" to test for no value)`, path);
    if (Array.isArray(value)) this.fail(target, `Value of "${target.ref}" must be a single value here, not a list`, path);
    return { scalar: this.scalar(target, kind, value, path) };
  }

  private scalar(target: Target, kind: ValueKind, value: unknown, path: string): Scalar {
    const bad = () => this.fail(target, `Value of "${target.ref}" must be ${typeName(kind)}, got ${describeValue(value)}`, path);
    switch (kind) {
      case 'text':
      case 'id':
        if (typeof value !== 'string') bad();
        break;
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) bad();
        break;
      case 'date':
        if (!isDateString(value)) bad();
        break;
      case 'datetime':
        if (!isDateString(value) && !isDateTimeString(value)) bad();
        break;
      case 'any':
        if (typeof value !== 'string' && typeof value !== 'boolean' && (typeof value !== 'number' || !Number.isFinite(value))) bad();
        break;
      default:
        bad();
    }
    if (typeof value === 'string' && value.length > MAX_CONDITION_TEXT) this.fail(target, `Value of "${target.ref}" is longer than ${MAX_CONDITION_TEXT} characters`, path);
    if (kind === 'datetime' && isDateTimeString(value)) return canonicalDateTime(value);
    return value as Scalar;
  }

  private dynamic(target: Target, name: DynamicValueName, path: string): Operand {
    const kind = target.kind;
    const people = name === 'currentUser' || name === 'currentDepartment';
    const compatible = people ? kind === 'id' || kind === 'text' || kind === 'any' : kind === 'date' || kind === 'datetime' || kind === 'any';
    if (!compatible) this.fail(target, `{ dynamic: '${name}' } cannot be compared with field "${target.ref}"`, path);
    const ctx = this.options.ctx;
    if (!ctx) return { none: true };
    switch (name) {
      case 'currentUser':
        return typeof ctx.userId === 'string' && ctx.userId !== '' ? { scalar: ctx.userId } : { none: true };
      case 'currentDepartment': {
        const ids = (Array.isArray(ctx.departmentIds) ? ctx.departmentIds : []).filter((d): d is string => typeof d === 'string');
        return ids.length ? { list: ids } : { none: true };
      }
      case 'today': {
        const today = todayIn(ctx.now, ctx.timeZone);
        return kind === 'datetime' ? { day: today } : { scalar: today };
      }
      case 'now': {
        const now = toDate(ctx.now);
        if (kind === 'date') return { scalar: todayIn(now, ctx.timeZone) };
        return { scalar: now.toISOString() };
      }
    }
  }

  private reference(target: Target, ref: string, path: string): Operand {
    const problem = this.options.refCheck?.(ref);
    if (problem) throw new ConditionError(target.ref, problem, 'unknown_field', path);
    const ctx = this.options.ctx;
    if (!ctx) return { none: true };
    const source = ctx.record ?? this.options.refData;
    const value = lookupIn(source, ref);
    const fits = (v: unknown) => {
      try {
        return { ok: true as const, v: this.scalar(target, target.kind, v, path) };
      } catch {
        return { ok: false as const };
      }
    };
    if (Array.isArray(value)) {
      const list = value.map(fits).flatMap((r) => (r.ok ? [r.v] : []));
      return list.length ? { list } : { none: true };
    }
    if (value === undefined || value === null || value === '') return { none: true };
    const r = fits(value);
    if (!r.ok) return { none: true };
    if (target.kind === 'datetime' && isDateString(r.v)) return { day: r.v as string };
    return { scalar: r.v };
  }

  private dayBounds(day: string): { start: string; end: string } {
    const zone = safeTimeZone(this.options.ctx?.timeZone);
    return { start: startOfDayIso(day, zone), end: startOfDayIso(addDaysToDate(day, 1), zone) };
  }

  /** A date-only literal compared with a date-time field means that whole day in the context's time zone. */
  private normalize(target: Target, operand: Operand): Operand {
    if ('scalar' in operand && target.kind === 'datetime' && typeof operand.scalar === 'string' && isDateString(operand.scalar)) return { day: operand.scalar };
    return operand;
  }

  private list(target: Target, value: unknown, path: string): Operand[] {
    if (Array.isArray(value)) {
      if (value.length > MAX_CONDITION_LIST) this.fail(target, `A list may hold at most ${MAX_CONDITION_LIST} values`, path);
      return value.map((item) => this.normalize(target, this.operand(target, item, path)));
    }
    return [this.normalize(target, this.operand(target, value, path))];
  }

  private test(target: Target, op: ConditionOp, value: unknown, path: string, hasValue: boolean): Test {
    const never: Test = { t: 'never' };
    switch (op) {
      case 'empty':
        if (hasValue && value !== null && value !== undefined && value !== true) this.fail(target, `Operator "${op}" takes no value`, path);
        return { t: 'empty' };
      case 'in': {
        const values: Scalar[] = [];
        for (const operand of this.list(target, value, path)) {
          if ('day' in operand) this.fail(target, 'Lists of days are not supported on date-time fields', path);
          if ('scalar' in operand) values.push(operand.scalar);
          if ('list' in operand) values.push(...operand.list);
        }
        return values.length ? { t: 'in', values } : never;
      }
      case 'contains': {
        if (target.multi) {
          const values: Scalar[] = [];
          for (const operand of this.list(target, value, path)) {
            if ('scalar' in operand) values.push(operand.scalar);
            if ('list' in operand) values.push(...operand.list);
          }
          if (!values.length) return never;
          return values.length === 1 ? { t: 'eq', value: values[0] } : { t: 'all', values };
        }
        const operand = this.operand(target, value, path);
        if ('none' in operand) return never;
        if (!('scalar' in operand) || typeof operand.scalar !== 'string') this.fail(target, `"contains" needs text`, path);
        return { t: 'regex', source: escapeRegex(operand.scalar), flags: 'i' };
      }
      case 'startsWith': {
        const operand = this.operand(target, value, path);
        if ('none' in operand) return never;
        if (!('scalar' in operand) || typeof operand.scalar !== 'string') this.fail(target, `"startsWith" needs text`, path);
        return { t: 'regex', source: `^${escapeRegex(operand.scalar)}`, flags: '' };
      }
      case 'between': {
        if (!Array.isArray(value) || value.length !== 2) this.fail(target, '"between" needs a list [low, high]', path);
        if (value[0] === null && value[1] === null) this.fail(target, '"between" needs at least one bound', path);
        const range: Extract<Test, { t: 'range' }> = { t: 'range' };
        const [lo, hi] = value.map((bound) => (bound === null ? undefined : this.normalize(target, this.operand(target, bound, path))));
        for (const [bound, side] of [[lo, 'lo'], [hi, 'hi']] as const) {
          if (!bound) continue;
          if ('none' in bound) return never;
          if ('list' in bound) this.fail(target, '"between" bounds must be single values', path);
          if ('day' in bound) {
            const { start, end } = this.dayBounds(bound.day);
            if (side === 'lo') range.gte = start;
            else range.lt = end;
          } else if (side === 'lo') range.gte = bound.scalar;
          else range.lte = bound.scalar;
        }
        return range;
      }
      default: {
        const operand = this.normalize(target, this.operand(target, value, path));
        if ('none' in operand) return never;
        if ('list' in operand) {
          if (op !== 'eq') this.fail(target, `Operator "${op}" needs a single value`, path);
          return { t: 'in', values: operand.list };
        }
        if ('day' in operand) {
          const { start, end } = this.dayBounds(operand.day);
          switch (op) {
            case 'eq':
              return { t: 'range', gte: start, lt: end };
            case 'gt':
              return { t: 'range', gte: end };
            case 'gte':
              return { t: 'range', gte: start };
            case 'lt':
              return { t: 'range', lt: start };
            default:
              return { t: 'range', lt: end };
          }
        }
        if (op === 'eq') return { t: 'eq', value: operand.scalar };
        return { t: 'range', [op]: operand.scalar };
      }
    }
  }
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Validates an untrusted condition against the form and resolves its dynamic values; throws ConditionError. */
export function prepareCondition(cond: unknown, options: PrepareOptions): Prepared {
  return new Preparer(options).node(cond, 0, '');
}

/** Reads a clause's value from data the way the store does (a row's column for row targets is read by the caller). */
export function fieldValue(target: Target, data: Record<string, unknown>): unknown {
  const storage = target.storage;
  if (storage.at === 'system') return getOwn(data, target.ref);
  if (storage.at === 'rows') return undefined;
  const value = getOwn(data, storage.fieldId);
  return storage.part === undefined ? value : isPlainObject(value) ? getOwn(value, storage.part) : undefined;
}
