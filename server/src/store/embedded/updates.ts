/**
 * Update operators ($set, $inc, $push, $unset) applied to a parsed document with mingo's updater,
 * after the type checks MongoDB makes and mingo skips (mingo silently ignores $inc on a string).
 */
import { update as mingoUpdate } from 'mingo/updater';
import type { Doc, Filter, Update } from '../port.ts';
import { isPlainObject } from './filter-sql.ts';
import { readPath } from './json-path.ts';

const OPERATORS = new Set(['$set', '$inc', '$push', '$unset']);

export function validateUpdate(update: Update): void {
  const keys = Object.keys(update);
  if (keys.length === 0) throw new Error('update document is empty');
  for (const key of keys) {
    if (!OPERATORS.has(key)) throw new Error(`unsupported update operator ${key} (supported: $set, $inc, $push, $unset)`);
  }
}

/** Applies `update` to `doc` in place; returns whether anything changed. */
export function applyUpdate(doc: Doc, update: Update): boolean {
  for (const [path, amount] of Object.entries(update.$inc ?? {})) {
    const current = readPath(doc, path);
    if (typeof amount !== 'number') throw new Error(`$inc amount for ${path} must be a number`);
    if (current !== undefined && typeof current !== 'number') throw new Error(`cannot apply $inc to non-numeric field ${path}`);
  }
  for (const path of Object.keys(update.$push ?? {})) {
    const current = readPath(doc, path);
    if (current !== undefined && !Array.isArray(current)) throw new Error(`cannot apply $push to non-array field ${path}`);
  }
  const id = doc._id;
  const changed = mingoUpdate(doc, update as Parameters<typeof mingoUpdate>[1], undefined, undefined, { cloneMode: 'deep' });
  if (doc._id !== id) throw new Error('the _id field is immutable');
  return changed.length > 0;
}

/** The document an upsert inserts: the filter's equality fields, then the update applied to them. */
export function upsertDocument(filter: Filter, update: Update): Doc {
  const base: Record<string, unknown> = {};
  collectEqualities(filter, base);
  const doc = base as Doc;
  applyUpdate(doc, update);
  if (typeof doc._id !== 'string') throw new Error('upsert needs a string _id in the filter or in $set');
  return doc;
}

function collectEqualities(filter: Filter, into: Record<string, unknown>): void {
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(condition)) {
      for (const branch of condition) if (isPlainObject(branch)) collectEqualities(branch, into);
    } else if (!key.startsWith('$')) {
      if (isPlainObject(condition) && Object.keys(condition).some((k) => k.startsWith('$'))) {
        if ('$eq' in condition) setPath(into, key, condition.$eq);
      } else {
        setPath(into, key, condition);
      }
    }
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = structuredClone(value);
}
