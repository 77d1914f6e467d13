/**
 * Dotted MongoDB paths ("data.amount") as SQLite JSON path SQL literals.
 * Index expressions and query expressions must be textually identical for SQLite to use an index,
 * so every SQL expression over a path is built here, always the same way.
 */

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `'$.data.amount'` (as a SQL string literal), or null when the path cannot be expressed exactly. */
export function jsonPathLiteral(path: string): string | null {
  if (path === '' || path.startsWith('$')) return null;
  let jsonPath = '$';
  for (const key of path.split('.')) {
    if (key === '' || key.startsWith('$') || key.includes('"')) return null;
    jsonPath += PLAIN_KEY.test(key) ? `.${key}` : `."${key}"`;
  }
  return `'${jsonPath.replace(/'/g, "''")}'`;
}

/** SQL value of a path: `_id` column, or `json_extract` (SQL NULL for JSON null and for missing). */
export function valueSql(path: string): string | null {
  if (path === '_id') return '_id';
  const literal = jsonPathLiteral(path);
  return literal && `json_extract(doc, ${literal})`;
}

/** JSON type name of a path ('null', 'true', 'integer', 'text', ...) or SQL NULL when missing. */
export function typeSql(literal: string): string {
  return `json_type(doc, ${literal})`;
}

/** Read a dotted path from a plain document (no array traversal); undefined when missing. */
export function readPath(doc: unknown, path: string): unknown {
  let value: unknown = doc;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteText(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
