/**
 * MongoDB filter and sort documents to SQLite SQL over `json_extract(doc, path)`.
 *
 * The SQL is always a superset of what the filter matches (never drops a matching document);
 * `exact` says it is also a subset, so mingo need not re-check rows. Anything not translated exactly
 * (regex, $elemMatch, $not, paths that ever held arrays, object values...) becomes `1` and is left to mingo.
 *
 * Type bracketing follows MongoDB: numbers only compare with numbers and strings with strings.
 * In SQLite, json_extract gives INTEGER/REAL for numbers, TEXT for strings, 0/1 for booleans, JSON
 * TEXT for objects and arrays, and NULL for both JSON null and missing; and NULL < numbers < TEXT.
 * Ranges are closed with `< ''` / `>= ''` to stay inside one type, and `json_type` guards are added
 * only when the path ever mixed kinds that SQL would confuse (booleans with numbers, objects with strings).
 */
import type { Filter, Sort } from '../port.ts';
import { jsonPathLiteral, typeSql, valueSql } from './json-path.ts';
import { KIND_ARRAY, KIND_BOOL, KIND_NUMBER, KIND_OBJECT, KIND_STRING, type PathKinds } from './path-kinds.ts';
import { compileRegExp, REGEXP_FUNCTION } from './sql-functions.ts';

export interface SqlPart {
  sql: string;
  params: unknown[];
  exact: boolean;
}

export interface SortSql {
  /** ORDER BY list, '' for natural (insertion) order. */
  sql: string;
  exact: boolean;
}

const MATCH_ALL: SqlPart = { sql: '1', params: [], exact: true };
const MATCH_NONE: SqlPart = { sql: '0', params: [], exact: true };
/** A condition left entirely to mingo. */
const UNTRANSLATED: SqlPart = { sql: '1', params: [], exact: false };
/** Keeps `IN (...)` lists well below SQLite's bound-parameter limit. */
const MAX_IN_LIST = 500;

type Field =
  | { kind: 'id' }
  | { kind: 'json'; value: string; type: string; kinds: number };

export class FilterTranslator {
  constructor(
    private readonly kinds: PathKinds,
    private readonly collection: string,
  ) {}

  filter(filter: Filter): SqlPart {
    const parts: SqlPart[] = [];
    for (const [key, condition] of Object.entries(filter)) {
      if (key === '$and' || key === '$or') {
        if (!Array.isArray(condition) || condition.length === 0) return UNTRANSLATED;
        const branches = condition.map((branch) => (isPlainObject(branch) ? this.filter(branch) : UNTRANSLATED));
        parts.push(key === '$and' ? and(branches) : or(branches));
      } else if (key.startsWith('$')) {
        parts.push(UNTRANSLATED);
      } else {
        parts.push(this.fieldCondition(key, condition));
      }
    }
    return and(parts);
  }

  sort(sort: Sort | undefined): SortSql {
    const terms: string[] = [];
    for (const [path, direction] of Object.entries(sort ?? {})) {
      const order = direction === -1 ? 'DESC' : 'ASC';
      if (path === '_id') {
        terms.push(`_id ${order}`);
        continue;
      }
      const field = this.field(path);
      if (!field || field.kind !== 'json' || !sortsLikeMongo(field.kinds)) return { sql: '', exact: false };
      terms.push(`${field.value} ${order}`);
    }
    return { sql: terms.join(', '), exact: true };
  }

  private field(path: string): Field | null {
    if (path === '_id') return { kind: 'id' };
    const literal = jsonPathLiteral(path);
    if (!literal || !this.kinds.arrayFree(this.collection, path)) return null;
    return {
      kind: 'json',
      // valueSql builds index expressions too: the texts must match for SQLite to use an index.
      value: valueSql(path)!,
      type: typeSql(literal),
      kinds: this.kinds.kindsAt(this.collection, path),
    };
  }

  private fieldCondition(path: string, condition: unknown): SqlPart {
    const field = this.field(path);
    if (!field) return this.arrayPrefilter(path, condition);
    if (condition instanceof RegExp) return regex(field, condition.source, condition.flags);
    if (!isOperatorObject(condition)) return equals(field, condition);
    const parts: SqlPart[] = [];
    for (const [op, operand] of Object.entries(condition)) {
      if (op === '$regex') parts.push(regexOperator(field, operand, condition.$options));
      else if (op !== '$options') parts.push(operator(field, op, operand));
    }
    return and(parts);
  }

  /**
   * A path that held an array (but none of whose prefixes did) cannot be matched exactly in SQL, but
   * equality and $in can still narrow the rows mingo re-checks: json_each lists the elements of an
   * array (or the value itself for a scalar), so "some element equals v" is a superset of the match.
   */
  private arrayPrefilter(path: string, condition: unknown): SqlPart {
    const literal = jsonPathLiteral(path);
    const dot = path.lastIndexOf('.');
    if (!literal || (dot !== -1 && !this.kinds.arrayFree(this.collection, path.slice(0, dot)))) return UNTRANSLATED;
    const lists: unknown[][] = [];
    if (!isOperatorObject(condition)) lists.push([condition]);
    else {
      if ('$eq' in condition) lists.push([condition.$eq]);
      if (Array.isArray(condition.$in)) lists.push(condition.$in);
    }
    const parts = lists.map((values): SqlPart => {
      const usable = values.length > 0 && values.length <= MAX_IN_LIST && values.every((v) => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)));
      if (!usable) return UNTRANSLATED;
      return {
        sql: `EXISTS (SELECT 1 FROM json_each(doc, ${literal}) WHERE value IN (${placeholders(values.length)}))`,
        params: values.map((v) => (typeof v === 'boolean' ? Number(v) : v)),
        exact: false,
      };
    });
    return parts.length ? and(parts) : UNTRANSLATED;
  }
}

function operator(field: Field, op: string, operand: unknown): SqlPart {
  switch (op) {
    case '$eq':
      return equals(field, operand);
    case '$ne':
      return notEquals(field, operand);
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return compare(field, op, operand);
    case '$in':
      return inList(field, operand);
    case '$nin':
      return notInList(field, operand);
    case '$exists':
      if (field.kind === 'id') return operand ? MATCH_ALL : MATCH_NONE;
      return { sql: `${field.type} IS ${operand ? 'NOT NULL' : 'NULL'}`, params: [], exact: true };
    default:
      return UNTRANSLATED;
  }
}

function regexOperator(field: Field, pattern: unknown, options: unknown): SqlPart {
  if (options !== undefined && typeof options !== 'string') return UNTRANSLATED;
  if (pattern instanceof RegExp) return regex(field, pattern.source, options ?? pattern.flags);
  return typeof pattern === 'string' ? regex(field, pattern, options ?? '') : UNTRANSLATED;
}

/** Evaluated by the registered JavaScript function, so the pattern means what it means to mingo. */
function regex(field: Field, source: string, flags: string): SqlPart {
  // Global and sticky expressions keep state between tests; leave them to mingo.
  if (/[gy]/.test(flags) || !compileRegExp(source, flags)) return UNTRANSLATED;
  const value = field.kind === 'id' ? '_id' : field.value;
  const guard = field.kind === 'json' ? stringGuard(field) : '';
  return exact(`${REGEXP_FUNCTION}(${value}, ?, ?)${guard}`, [source, flags]);
}

function equals(field: Field, value: unknown): SqlPart {
  if (field.kind === 'id') return typeof value === 'string' ? exact('_id = ?', [value]) : UNTRANSLATED;
  if (value === null) return exact(`${field.value} IS NULL`, []);
  if (typeof value === 'number' && Number.isFinite(value)) {
    return exact(`${field.value} = ?${numberGuard(field, [value])}`, [value]);
  }
  if (typeof value === 'string') return exact(`${field.value} = ?${stringGuard(field)}`, [value]);
  if (typeof value === 'boolean') {
    const guard = field.kinds & KIND_NUMBER ? ` AND ${field.type} = '${value}'` : '';
    return exact(`${field.value} = ?${guard}`, [value ? 1 : 0]);
  }
  return UNTRANSLATED;
}

/** Negations are written with IS NOT so that missing fields (SQL NULL) match, as in MongoDB. */
function notEquals(field: Field, value: unknown): SqlPart {
  if (field.kind === 'id') return typeof value === 'string' ? exact('_id <> ?', [value]) : UNTRANSLATED;
  if (value === null) return exact(`${field.value} IS NOT NULL`, []);
  if (typeof value === 'number' && Number.isFinite(value)) {
    const guarded = numberGuard(field, [value]) !== '';
    return exact(`(${field.value} IS NOT ?${guarded ? ` OR ${field.type} NOT IN ('integer', 'real')` : ''})`, [value]);
  }
  if (typeof value === 'string') {
    return exact(`(${field.value} IS NOT ?${field.kinds & KIND_OBJECT ? ` OR ${field.type} <> 'text'` : ''})`, [value]);
  }
  if (typeof value === 'boolean') return exact(`${field.type} IS NOT '${value}'`, []);
  return UNTRANSLATED;
}

function compare(field: Field, op: '$gt' | '$gte' | '$lt' | '$lte', value: unknown): SqlPart {
  const sqlOp = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' }[op];
  const lower = op === '$gt' || op === '$gte';
  if (field.kind === 'id') return typeof value === 'string' ? exact(`_id ${sqlOp} ?`, [value]) : UNTRANSLATED;
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Every TEXT sorts above every number in SQLite: `< ''` keeps a lower-bounded range among numbers.
    const cap = lower ? ` AND ${field.value} < ''` : '';
    const guard = field.kinds & KIND_BOOL ? ` AND ${field.type} IN ('integer', 'real')` : '';
    return exact(`${field.value} ${sqlOp} ?${cap}${guard}`, [value]);
  }
  if (typeof value === 'string') {
    const floor = lower ? '' : ` AND ${field.value} >= ''`;
    return exact(`${field.value} ${sqlOp} ?${floor}${stringGuard(field)}`, [value]);
  }
  return UNTRANSLATED;
}

function inList(field: Field, values: unknown): SqlPart {
  if (!Array.isArray(values) || values.length > MAX_IN_LIST) return UNTRANSLATED;
  if (values.length === 0) return MATCH_NONE;
  if (field.kind === 'id') {
    return values.every((v) => typeof v === 'string')
      ? exact(`_id IN (${placeholders(values.length)})`, values)
      : UNTRANSLATED;
  }
  const numbers = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const strings = values.filter((v): v is string => typeof v === 'string');
  const others = values.filter((v) => typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v)));
  const branches: SqlPart[] = [];
  if (numbers.length) {
    branches.push(exact(`${field.value} IN (${placeholders(numbers.length)})${numberGuard(field, numbers)}`, numbers));
  }
  if (strings.length) branches.push(exact(`${field.value} IN (${placeholders(strings.length)})${stringGuard(field)}`, strings));
  for (const other of others) branches.push(equals(field, other));
  return or(branches);
}

function notInList(field: Field, values: unknown): SqlPart {
  if (!Array.isArray(values) || values.length > MAX_IN_LIST) return UNTRANSLATED;
  return and(values.map((value) => notEquals(field, value)));
}

/** Booleans are 0/1 in SQL: an equality on 0 or 1 must exclude them when the path ever held one. */
function numberGuard(field: Field & { kind: 'json' }, values: number[]): string {
  if (!(field.kinds & KIND_BOOL) || !values.some((v) => v === 0 || v === 1)) return '';
  return ` AND ${field.type} IN ('integer', 'real')`;
}

/** Objects are JSON TEXT in SQL: string comparisons must exclude them when the path ever held one. */
function stringGuard(field: Field & { kind: 'json' }): string {
  return field.kinds & KIND_OBJECT ? ` AND ${field.type} = 'text'` : '';
}

/**
 * SQL ORDER BY json_extract equals MongoDB's order when the path holds only numbers and strings
 * (null/missing first, then numbers, then strings by UTF-8 bytes) or only booleans. Objects, arrays, and
 * booleans mixed with other types order differently, so such sorts are done by mingo.
 */
function sortsLikeMongo(kinds: number): boolean {
  if (kinds & (KIND_ARRAY | KIND_OBJECT)) return false;
  return !(kinds & KIND_BOOL && kinds & (KIND_NUMBER | KIND_STRING));
}

function and(parts: SqlPart[]): SqlPart {
  const kept = parts.filter((p) => p.sql !== '1');
  // One exactly-false conjunct makes the whole conjunction exactly false.
  if (kept.some((p) => p.sql === '0' && p.exact)) return MATCH_NONE;
  return {
    sql: kept.length === 0 ? '1' : kept.map((p) => (kept.length === 1 ? p.sql : `(${p.sql})`)).join(' AND '),
    params: kept.flatMap((p) => p.params),
    exact: parts.every((p) => p.exact),
  };
}

function or(parts: SqlPart[]): SqlPart {
  const exactAll = parts.every((p) => p.exact);
  if (parts.some((p) => p.sql === '1')) return { sql: '1', params: [], exact: exactAll };
  const kept = parts.filter((p) => p.sql !== '0');
  if (kept.length === 0) return { sql: '0', params: [], exact: exactAll };
  return {
    sql: kept.map((p) => (kept.length === 1 ? p.sql : `(${p.sql})`)).join(' OR '),
    params: kept.flatMap((p) => p.params),
    exact: exactAll,
  };
}

function exact(sql: string, params: unknown[]): SqlPart {
  return { sql, params, exact: true };
}

function placeholders(count: number): string {
  return new Array(count).fill('?').join(', ');
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => k.startsWith('$'));
}

