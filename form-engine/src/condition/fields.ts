import { isPlainObject } from '../own.ts';

/**
 * The field references of a condition (e.g. ['status', 'items.product']), deduplicated in order of appearance,
 * plus the fields read by `{ ref }` values. Tolerates malformed input: only well-formed clauses are listed.
 */
export function conditionFields(cond: unknown): string[] {
  const seen = new Set<string>();
  const visitValue = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visitValue);
    else if (isPlainObject(value) && typeof value.ref === 'string') seen.add(value.ref);
  };
  const visit = (node: unknown, depth: number) => {
    if (!isPlainObject(node) || depth > 10) return;
    for (const key of ['and', 'or'] as const) {
      const items = node[key];
      if (Array.isArray(items)) items.forEach((item) => visit(item, depth + 1));
    }
    if (typeof node.field === 'string') seen.add(node.field);
    visitValue(node.value);
  };
  visit(cond, 0);
  return [...seen];
}
