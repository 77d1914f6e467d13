import { indexForm, type FormLike } from '../definition/form-index.ts';
import { COMPUTED_TYPES } from '../field-types.ts';
import { copyOwn, getOwn, isPlainObject, setOwn } from '../own.ts';
import { canonicalDateTime, isDateTimeString } from '../time.ts';

/**
 * Removes what clients may not write: formula, serial, query, divider and description values, at the top level and in
 * subform rows. Unknown keys are kept so that validation can name them. Returns new objects; input is not modified.
 */
export function stripComputed(form: FormLike, data: Record<string, unknown>): Record<string, unknown> {
  if (!isPlainObject(data)) return data;
  const index = indexForm(form);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(data)) {
    const field = index.topLevel.get(key);
    if (field && COMPUTED_TYPES.has(field.type)) continue;
    const value = data[key];
    const columns = field?.type === 'subform' ? index.columns.get(key) : undefined;
    if (columns && Array.isArray(value)) {
      setOwn(
        out,
        key,
        value.map((row) => {
          if (!isPlainObject(row)) return row;
          const clean: Record<string, unknown> = {};
          for (const column of Object.keys(row)) {
            const def = columns.get(column);
            if (!def || !COMPUTED_TYPES.has(def.type)) setOwn(clean, column, row[column]);
          }
          return clean;
        }),
      );
    } else {
      setOwn(out, key, value);
    }
  }
  return out;
}

/**
 * Rewrites date-time values to canonical UTC ('2024-05-01T01:30:00.000Z'), so that string order is time order in
 * every store and filters on date-times compare correctly. Other values are left as they are.
 */
export function normalizeRecord(form: FormLike, data: Record<string, unknown>): Record<string, unknown> {
  if (!isPlainObject(data)) return data;
  const index = indexForm(form);
  const out = copyOwn(data);
  for (const field of index.topLevel.values()) {
    const value = getOwn(out, field.id);
    if (field.type === 'datetime' && isDateTimeString(value)) setOwn(out, field.id, canonicalDateTime(value));
    const columns = index.columns.get(field.id);
    if (!columns || !Array.isArray(value)) continue;
    const datetimeColumns = [...columns.values()].filter((c) => c.type === 'datetime');
    if (!datetimeColumns.length) continue;
    setOwn(
      out,
      field.id,
      value.map((row) => {
        if (!isPlainObject(row)) return row;
        const copy = copyOwn(row);
        for (const column of datetimeColumns) {
          const v = getOwn(copy, column.id);
          if (isDateTimeString(v)) setOwn(copy, column.id, canonicalDateTime(v));
        }
        return copy;
      }),
    );
  }
  return out;
}
