/**
 * SQLite DDL for IndexSpec.
 *
 * Every index gets a query index over `json_extract(doc, path)` (the exact expressions the filter
 * translator emits, so the planner can use it). A unique index additionally gets an enforcement index
 * over `coalesce(doc -> path, 'null')`: the JSON text of the value keeps types apart (true vs 1,
 * "1" vs 1) and maps null and missing to the same key, which is how MongoDB's unique indexes behave
 * (two documents without the field collide unless a partial filter leaves them out).
 */
import type { Doc, Filter, IndexSpec } from '../port.ts';
import { isPlainObject } from './filter-sql.ts';
import { jsonPathLiteral, quoteIdent, quoteText, readPath, valueSql } from './json-path.ts';

export function defaultIndexName(keys: Record<string, 1 | -1>): string {
  return Object.entries(keys)
    .map(([path, direction]) => `${path}_${direction}`)
    .join('_');
}

export function tableName(collection: string): string {
  return quoteIdent(`c_${collection}`);
}

const uniquePrefix = (collection: string) => `u_${collection}__`;
const queryPrefix = (collection: string) => `q_${collection}__`;

export function createIndexStatements(collection: string, name: string, spec: IndexSpec): string[] {
  const entries = Object.entries(spec.keys);
  if (entries.length === 0) throw new Error('createIndex needs at least one key');
  const table = tableName(collection);
  const queryColumns = entries.map(([path, direction]) => `${requireValueSql(path)}${direction === -1 ? ' DESC' : ''}`);
  const statements = [
    `CREATE INDEX IF NOT EXISTS ${quoteIdent(queryPrefix(collection) + name)} ON ${table} (${queryColumns.join(', ')})`,
  ];
  const onlyId = entries.length === 1 && entries[0][0] === '_id';
  if (spec.unique && !onlyId) {
    const keyColumns = entries.map(([path]) => (path === '_id' ? '_id' : `coalesce(doc -> ${requirePath(path)}, 'null')`));
    const where = spec.partialFilter ? ` WHERE ${partialFilterSql(spec.partialFilter)}` : '';
    statements.push(
      `CREATE UNIQUE INDEX IF NOT EXISTS ${quoteIdent(uniquePrefix(collection) + name)} ON ${table} (${keyColumns.join(', ')})${where}`,
    );
  }
  return statements;
}

export function dropIndexStatements(collection: string, name: string): string[] {
  return [
    `DROP INDEX IF EXISTS ${quoteIdent(queryPrefix(collection) + name)}`,
    `DROP INDEX IF EXISTS ${quoteIdent(uniquePrefix(collection) + name)}`,
  ];
}

/** The index name a SQLite unique-constraint message refers to: '_id_' for the primary key, else the spec name. */
export function violatedIndex(collection: string, message: string): string | null {
  const indexMatch = /index '([^']+)'/.exec(message);
  if (indexMatch) {
    const prefix = uniquePrefix(collection);
    return indexMatch[1].startsWith(prefix) ? indexMatch[1].slice(prefix.length) : indexMatch[1];
  }
  return /\._id\b/.test(message) ? '_id_' : null;
}

export function keyValueOf(doc: Doc, keys: Record<string, unknown>): Record<string, unknown> {
  const keyValue: Record<string, unknown> = {};
  for (const path of Object.keys(keys)) keyValue[path] = readPath(doc, path) ?? null;
  return keyValue;
}

/** Partial filters are limited to equality on scalars, $exists and $and (as the port documents). */
function partialFilterSql(filter: Filter): string {
  const terms: string[] = [];
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(condition)) {
      terms.push(...condition.map((branch) => `(${partialFilterSql(branch as Filter)})`));
      continue;
    }
    const path = requirePath(key);
    const conditions = isPlainObject(condition) && Object.keys(condition).every((k) => k.startsWith('$')) ? condition : { $eq: condition };
    for (const [op, operand] of Object.entries(conditions)) {
      if (op === '$exists') terms.push(`json_type(doc, ${path}) IS ${operand ? 'NOT NULL' : 'NULL'}`);
      else if (op === '$eq' && (operand === null || ['string', 'number', 'boolean'].includes(typeof operand))) {
        terms.push(`coalesce(doc -> ${path}, 'null') = ${quoteText(JSON.stringify(operand))}`);
      } else throw new Error(`unsupported partialFilter condition on ${key}: ${op}`);
    }
  }
  return terms.length ? terms.join(' AND ') : '1';
}

function requirePath(path: string): string {
  const literal = jsonPathLiteral(path);
  if (!literal) throw new Error(`cannot index path ${JSON.stringify(path)}`);
  return literal;
}

function requireValueSql(path: string): string {
  const sql = valueSql(path);
  if (!sql) throw new Error(`cannot index path ${JSON.stringify(path)}`);
  return sql;
}
