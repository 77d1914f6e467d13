import type { Filter, Sort } from '../store/port.ts';
import { badRequest } from '../http/problem.ts';

/** A keyset cursor: the sort values of the last row served, so later pages are stable under inserts. */
export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, sort: Sort): unknown[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('invalid_cursor', 'the cursor is not valid');
  }
  if (!Array.isArray(values) || values.length !== Object.keys(sort).length) throw badRequest('invalid_cursor', 'the cursor does not match the sort');
  for (const v of values) {
    if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw badRequest('invalid_cursor', 'the cursor is not valid');
  }
  return values;
}

export function readPath(doc: Record<string, unknown>, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export function cursorValues(doc: Record<string, unknown>, sort: Sort): unknown[] {
  return Object.keys(sort).map((path) => {
    const v = readPath(doc, path);
    return v === undefined ? null : v;
  });
}

/**
 * The filter selecting rows strictly after `values` in `sort` order (the last key must be unique, e.g. _id).
 * Follows MongoDB's ordering, where null/missing sorts before every value: first ascending, last descending.
 */
export function afterCursor(sort: Sort, values: unknown[]): Filter {
  const keys = Object.keys(sort);
  const build = (i: number): Filter => {
    const key = keys[i];
    const dir = sort[key];
    const v = values[i];
    const last = i === keys.length - 1;
    const alternatives: Filter[] = [];
    if (v === null) {
      if (dir === 1) alternatives.push({ [key]: { $ne: null } });
      if (!last) alternatives.push({ $and: [{ [key]: null }, build(i + 1)] });
    } else {
      alternatives.push({ [key]: { [dir === 1 ? '$gt' : '$lt']: v } });
      if (dir === -1) alternatives.push({ [key]: null });
      if (!last) alternatives.push({ $and: [{ [key]: v }, build(i + 1)] });
    }
    if (alternatives.length === 0) return { _id: { $in: [] } };
    return alternatives.length === 1 ? alternatives[0] : { $or: alternatives };
  };
  return build(0);
}
