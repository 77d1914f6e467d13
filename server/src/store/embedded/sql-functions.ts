/**
 * JavaScript functions registered on each SQLite connection so that operators SQL lacks can still be
 * evaluated inside SQLite, next to the indexes, instead of parsing every document in JavaScript.
 */
import type Database from 'better-sqlite3';

/** qiao_regexp(value, source, flags): 1 when value is a string matching the JavaScript RegExp (mingo's semantics). */
export const REGEXP_FUNCTION = 'qiao_regexp';

const MAX_CACHED = 200;
const compiled = new Map<string, RegExp>();

export function compileRegExp(source: string, flags: string): RegExp | null {
  const key = `${flags}/${source}`;
  let regexp = compiled.get(key);
  if (!regexp) {
    try {
      regexp = new RegExp(source, flags);
    } catch {
      return null;
    }
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(key, regexp);
  }
  return regexp;
}

export function registerSqlFunctions(db: Database.Database): void {
  db.function(REGEXP_FUNCTION, { deterministic: true }, (value: unknown, source: unknown, flags: unknown) => {
    if (typeof value !== 'string') return 0;
    const regexp = compileRegExp(String(source), String(flags));
    return regexp?.test(value) ? 1 : 0;
  });
}
