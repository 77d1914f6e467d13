import type { FormIndex } from '../definition/form-index.ts';
import type { AnyFieldDefinition } from '../definition/schema.ts';

const LAYOUT_TYPES = new Set(['divider', 'description', 'query']);
const OBJECT_PARTS: Record<string, readonly string[]> = {
  address: ['province', 'city', 'district', 'detail'],
  location: ['lng', 'lat', 'address'],
};

export type ResolvedReference =
  | { ok: true; /** Keys of the values read: 'total', or 'items.amount' for a column. */ keys: string[] }
  | { ok: false; message: string };

/**
 * Resolves a formula reference the way the evaluator reads it: inside a subform column formula a bare name is a column
 * of the same row first; `items.amount` is a column over all rows; `address.city` is part of a value; `id` is the record id.
 */
export function resolveFormulaReference(name: string, index: FormIndex, subformId?: string): ResolvedReference {
  if (name === 'id') return { ok: true, keys: [] };
  const parts = name.split('.');
  if (parts.length > 2) return { ok: false, message: `"${name}" is not a field reference` };
  const [head, tail] = parts;
  if (tail === undefined) {
    if (subformId && index.columns.get(subformId)?.has(head)) return { ok: true, keys: [`${subformId}.${head}`] };
    if (index.columnOwner.has(head)) {
      const owner = index.columnOwner.get(head)!.id;
      return { ok: false, message: `"${head}" is a column of subform "${owner}": use ${owner}.${head}` };
    }
    const field = index.topLevel.get(head);
    if (!field) return { ok: false, message: `unknown field "${head}"` };
    if (LAYOUT_TYPES.has(field.type)) return { ok: false, message: `field "${head}" (${field.type}) has no value to use in a formula` };
    if (field.type === 'subform') return { ok: true, keys: [...(index.columns.get(head)?.keys() ?? [])].map((c) => `${head}.${c}`) };
    return { ok: true, keys: [head] };
  }
  const field = index.topLevel.get(head);
  if (!field) return { ok: false, message: `unknown field "${head}" in "${name}"` };
  if (field.type === 'subform') {
    if (!index.columns.get(head)?.has(tail)) return { ok: false, message: `subform "${head}" has no column "${tail}"` };
    return { ok: true, keys: [`${head}.${tail}`] };
  }
  const parts2 = OBJECT_PARTS[field.type];
  if (parts2?.includes(tail)) return { ok: true, keys: [head] };
  return { ok: false, message: `"${name}" is not a field reference` };
}

/** A field holding a formula: a `formula` field, or a formula default of any other field. */
export function hasFormula(field: AnyFieldDefinition): boolean {
  return typeof field.formula === 'string' && field.formula.trim() !== '';
}
