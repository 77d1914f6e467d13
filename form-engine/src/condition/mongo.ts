import { indexForm, type FormLike } from '../definition/form-index.ts';
import { prepareCondition, type ConditionContext, type Prepared, type Test } from './prepare.ts';
import type { Target } from './target.ts';

export type MongoFilter = Record<string, unknown>;

export interface CompileOptions {
  /** Prefix of form fields in stored documents; system fields (`id` → `_id`, createdAt...) are never prefixed. */
  pathPrefix?: string;
}

/** Matches no document on MongoDB and on mingo alike ($or: [] is an error in MongoDB). */
const NEVER: MongoFilter = { _id: { $in: [] } };
const isNever = (f: MongoFilter) => f === NEVER;
const isAlways = (f: MongoFilter) => Object.keys(f).length === 0;

function positive(test: Exclude<Test, { t: 'never' }>, path: string, objectKind: boolean): MongoFilter {
  switch (test.t) {
    case 'eq':
      return { [path]: test.value };
    case 'in':
      return { [path]: { $in: test.values } };
    case 'all':
      return { [path]: { $all: test.values } };
    case 'range': {
      const bounds: Record<string, unknown> = {};
      if (test.gt !== undefined) bounds.$gt = test.gt;
      if (test.gte !== undefined) bounds.$gte = test.gte;
      if (test.lt !== undefined) bounds.$lt = test.lt;
      if (test.lte !== undefined) bounds.$lte = test.lte;
      return { [path]: bounds };
    }
    case 'regex':
      return { [path]: { $regex: test.source, $options: test.flags } };
    case 'empty': {
      const alternatives: MongoFilter[] = [{ [path]: null }, { [path]: '' }, { [path]: { $size: 0 } }];
      if (objectKind) alternatives.push({ [path]: {} });
      return { $or: alternatives };
    }
  }
}

function negative(test: Exclude<Test, { t: 'never' }>, path: string, objectKind: boolean): MongoFilter {
  if (test.t === 'eq') return { [path]: { $ne: test.value } };
  if (test.t === 'in') return { [path]: { $nin: test.values } };
  if (test.t === 'empty') {
    const { $or } = positive(test, path, objectKind) as { $or: MongoFilter[] };
    return { $nor: $or };
  }
  return { $nor: [positive(test, path, objectKind)] };
}

function leaf(target: Target, test: Test, negate: boolean, prefix: string): MongoFilter {
  if (test.t === 'never') return negate ? {} : NEVER;
  const objectKind = target.kind === 'object';
  const storage = target.storage;
  if (storage.at === 'rows') {
    // Any row matching the whole clause: $elemMatch keeps both bounds of a range on the same row.
    const match = { [`${prefix}${storage.subformId}`]: { $elemMatch: positive(test, storage.column, objectKind) } };
    return negate ? { $nor: [match] } : match;
  }
  const path = storage.at === 'system' ? storage.path : `${prefix}${storage.fieldId}${storage.part ? `.${storage.part}` : ''}`;
  return negate ? negative(test, path, objectKind) : positive(test, path, objectKind);
}

function compile(node: Prepared, prefix: string): MongoFilter {
  if ('leaf' in node) return leaf(node.leaf.target, node.leaf.test, node.leaf.negate, prefix);
  if ('and' in node) {
    const parts = node.and.map((n) => compile(n, prefix)).filter((f) => !isAlways(f));
    if (parts.some(isNever)) return NEVER;
    return parts.length === 0 ? {} : parts.length === 1 ? parts[0] : { $and: parts };
  }
  const parts = node.or.map((n) => compile(n, prefix)).filter((f) => !isNever(f));
  if (parts.some(isAlways)) return {};
  return parts.length === 0 ? NEVER : parts.length === 1 ? parts[0] : { $or: parts };
}

/**
 * Compiles a JSON condition into a MongoDB filter document. Injection-proof by construction: every field must exist
 * in the form (or be a system field), every value must be a scalar or list of scalars of the field's type, and text
 * searches are built from escaped text. Throws ConditionError ({ field, code, message }) for anything else.
 */
export function compileConditionToMongo(cond: unknown, form: FormLike, ctx: ConditionContext = {}, options: CompileOptions = {}): MongoFilter {
  const prepared = prepareCondition(cond, { index: indexForm(form), ctx });
  return compile(prepared, options.pathPrefix ?? 'data.');
}
