import type { FieldDef, FormDoc } from './store.ts';

/** Types whose stored value is short text a person can search and recognise a record by. */
const TITLE_TYPES = new Set(['text', 'serial', 'phone', 'email', 'select', 'radio', 'textarea']);
/** Types with a stored scalar value worth showing in a picker or a related list. */
const SHOWN_TYPES = new Set(['text', 'textarea', 'number', 'money', 'date', 'datetime', 'radio', 'select', 'checkbox', 'multiselect', 'member', 'members', 'department', 'departments', 'phone', 'email', 'serial', 'relation', 'formula', 'address']);

/**
 * The target-form fields a relation or query field shows: its `displayFields` when set (those that still exist),
 * else the first few shown fields of the target form. These are the only target values those endpoints reveal.
 */
export function displayFieldsOf(field: FieldDef, target: FormDoc, fallback = 3): string[] {
  const existing = new Map(target.fields.map((f) => [f.id, f]));
  const chosen = Array.isArray(field.displayFields) ? (field.displayFields as string[]).filter((id) => existing.has(id) && SHOWN_TYPES.has(existing.get(id)!.type)) : [];
  if (chosen.length) return chosen;
  return target.fields.filter((f) => SHOWN_TYPES.has(f.type)).slice(0, fallback).map((f) => f.id);
}

/** Fields searched when someone types to find a record: the displayed text fields, else the target's first text field. */
export function titleFieldsOf(field: FieldDef, target: FormDoc): FieldDef[] {
  const byId = new Map(target.fields.map((f) => [f.id, f]));
  const shown = displayFieldsOf(field, target).map((id) => byId.get(id)!).filter((f) => TITLE_TYPES.has(f.type));
  if (shown.length) return shown;
  const first = target.fields.find((f) => TITLE_TYPES.has(f.type));
  return first ? [first] : [];
}

/** A relation field of the form: top level (`customer`) or a subform column (`items.product`, or the bare column id). */
export function findRelationField(form: FormDoc, ref: string, types: readonly string[] = ['relation']): FieldDef | undefined {
  const [head, tail] = ref.split('.', 2);
  for (const field of form.fields) {
    if (tail === undefined && field.id === head && types.includes(field.type)) return field;
    if (field.type === 'subform') {
      const columnId = tail === undefined ? head : field.id === head ? tail : undefined;
      const column = columnId === undefined ? undefined : field.fields?.find((c) => c.id === columnId);
      if (column && types.includes(column.type)) return column;
    }
  }
  return undefined;
}
