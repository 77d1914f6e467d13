/**
 * Update operators ($set, $inc, $push, $unset) applied in place to a parsed document, with the type checks MongoDB
 * makes. Written directly rather than with mingo's updater, which deep-clones the whole document on every update and
 * dominated the cost of updating large documents (workflow instance states).
 */
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
  let changed = false;
  for (const [path, value] of Object.entries(update.$set ?? {})) changed = setAt(doc, path, value) || changed;
  for (const [path, amount] of Object.entries(update.$inc ?? {})) {
    const current = readPath(doc, path);
    changed = setAt(doc, path, (typeof current === 'number' ? current : 0) + (amount as number)) || changed;
  }
  for (const [path, value] of Object.entries(update.$push ?? {})) {
    const items = isPlainObject(value) && Array.isArray(value.$each) ? (value.$each as unknown[]) : [value];
    const current = readPath(doc, path);
    if (items.length) changed = setAt(doc, path, [...(Array.isArray(current) ? current : []), ...items]) || changed;
  }
  for (const path of Object.keys(update.$unset ?? {})) changed = unsetAt(doc, path) || changed;
  if (doc._id !== id) throw new Error('the _id field is immutable');
  return changed;
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The container holding the last segment of `path`, created on the way (objects, or array slots by index). */
function parentOf(doc: Record<string, unknown>, path: string, create: boolean): { node: Record<string, unknown> | unknown[]; key: string } | null {
  const keys = path.split('.');
  for (const key of keys) if (UNSAFE_KEYS.has(key) || key === '') throw new Error(`invalid update path ${path}`);
  let node: Record<string, unknown> | unknown[] = doc;
  for (const key of keys.slice(0, -1)) {
    const next: unknown = Array.isArray(node) ? node[Number(key)] : node[key];
    if (next === undefined || next === null) {
      if (!create) return null;
      const fresh: Record<string, unknown> = {};
      if (Array.isArray(node)) node[Number(key)] = fresh;
      else node[key] = fresh;
      node = fresh;
    } else if (typeof next === 'object') {
      node = next as Record<string, unknown> | unknown[];
    } else {
      throw new Error(`cannot create field ${key} in ${path}: an element of ${JSON.stringify(next)} is not an object`);
    }
  }
  return { node, key: keys[keys.length - 1] };
}

function setAt(doc: Record<string, unknown>, path: string, value: unknown): boolean {
  const { node, key } = parentOf(doc, path, true)!;
  const before = Array.isArray(node) ? node[Number(key)] : node[key];
  if (before === value || (typeof value === 'object' && value !== null && JSON.stringify(before) === JSON.stringify(value))) return false;
  if (Array.isArray(node)) {
    if (!/^\d+$/.test(key)) throw new Error(`cannot set ${path}: ${key} is not an array index`);
    node[Number(key)] = value;
  } else {
    node[key] = value;
  }
  return true;
}

function unsetAt(doc: Record<string, unknown>, path: string): boolean {
  const parent = parentOf(doc, path, false);
  if (!parent) return false;
  const { node, key } = parent;
  if (Array.isArray(node)) {
    // MongoDB sets an unset array element to null rather than shifting the array.
    if (node[Number(key)] === undefined) return false;
    node[Number(key)] = null;
    return true;
  }
  if (!(key in node)) return false;
  delete node[key];
  return true;
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
