import { indexForm, type FormLike } from '../definition/form-index.ts';
import { ConditionError } from './errors.ts';
import { resolveTarget } from './target.ts';

export type SortSpec = Record<string, 1 | -1>;

/**
 * Compiles a sort parameter such as '-amount,name' (field ids, '-' for descending) into a Mongo sort document,
 * refusing unknown fields and fields with no sortable value (subforms, files...). System fields map like filters.
 */
export function compileSort(sort: string, form: FormLike, options: { pathPrefix?: string } = {}): SortSpec {
  const prefix = options.pathPrefix ?? 'data.';
  const index = indexForm(form);
  const out: SortSpec = {};
  for (const raw of sort.split(',')) {
    const part = raw.trim();
    if (!part) continue;
    const descending = part.startsWith('-');
    const ref = descending || part.startsWith('+') ? part.slice(1) : part;
    const target = resolveTarget(ref, { index }, '');
    if (target.kind === 'object' || target.storage.at === 'rows') {
      throw new ConditionError(ref, `Cannot sort by "${ref}"`, 'invalid_field');
    }
    const storage = target.storage;
    const path = storage.at === 'system' ? storage.path : `${prefix}${storage.fieldId}${storage.part ? `.${storage.part}` : ''}`;
    out[path] = descending ? -1 : 1;
  }
  return out;
}
