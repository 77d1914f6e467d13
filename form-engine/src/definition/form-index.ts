import type { ColumnDefinition, FieldDefinition, FormRule } from './schema.ts';

/**
 * What the engine reads from a form. A stored form document (with `_id`, tenant and timestamps) is accepted as is;
 * pass definitions that passed checkFormDefinition.
 */
export interface FormLike {
  readonly id?: string;
  readonly _id?: string;
  readonly version?: number | string;
  readonly fields: readonly FieldDefinition[];
  readonly rules?: readonly FormRule[];
}

export interface FormIndex {
  readonly form: FormLike;
  readonly topLevel: ReadonlyMap<string, FieldDefinition>;
  /** Columns by subform id, then column id. */
  readonly columns: ReadonlyMap<string, ReadonlyMap<string, ColumnDefinition>>;
  /** The subform owning a column id (ids are unique across a form). */
  readonly columnOwner: ReadonlyMap<string, FieldDefinition>;
}

const cache = new WeakMap<object, FormIndex>();

export function indexForm(form: FormLike): FormIndex {
  let index = cache.get(form);
  if (index) return index;
  const topLevel = new Map<string, FieldDefinition>();
  const columns = new Map<string, Map<string, ColumnDefinition>>();
  const columnOwner = new Map<string, FieldDefinition>();
  for (const field of Array.isArray(form.fields) ? form.fields : []) {
    if (!field || typeof field.id !== 'string') continue;
    topLevel.set(field.id, field);
    if (field.type === 'subform') {
      const byId = new Map<string, ColumnDefinition>();
      for (const column of Array.isArray(field.fields) ? field.fields : []) {
        if (!column || typeof column.id !== 'string') continue;
        byId.set(column.id, column);
        columnOwner.set(column.id, field);
      }
      columns.set(field.id, byId);
    }
  }
  index = { form, topLevel, columns, columnOwner };
  cache.set(form, index);
  return index;
}
