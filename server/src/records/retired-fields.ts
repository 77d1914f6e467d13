import type { FormDoc } from '../forms/store.ts';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Data of fields (and subform columns) removed from the form since a record was written: kept, never destroyed, and
 * never validated against a definition that no longer has them. `stored` and `patch` come back without it (a patch
 * echoing a removed field's stored value unchanged is accepted; changing it is still refused by validation), and
 * `restore` puts it back into the prepared data.
 */
export function setAsideRetired(form: FormDoc, stored: Record<string, unknown>, patch: Record<string, unknown>) {
  const known = new Map(form.fields.map((f) => [f.id, f]));
  const retired: Record<string, unknown> = {};
  const base: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stored)) {
    if (known.has(key)) base[key] = value;
    else retired[key] = value;
  }
  const cleanPatch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (!known.has(key) && key in retired && same(value, retired[key])) continue;
    cleanPatch[key] = value;
  }
  // Removed columns of subform rows: kept for rows the patch leaves alone or sends back with them unchanged.
  const retiredColumns = new Map<string, (Record<string, unknown> | undefined)[]>();
  for (const field of form.fields) {
    const rows = base[field.id];
    if (field.type !== 'subform' || !Array.isArray(rows)) continue;
    const columns = new Set((field.fields ?? []).map((c) => c.id));
    const goneOf = (row: unknown) => (isObject(row) ? Object.fromEntries(Object.entries(row).filter(([k]) => !columns.has(k))) : {});
    const known = (row: unknown) => (isObject(row) ? Object.fromEntries(Object.entries(row).filter(([k]) => columns.has(k))) : row);
    const storedGone = rows.map(goneOf);
    if (storedGone.every((g) => Object.keys(g).length === 0)) continue;
    const sent = cleanPatch[field.id];
    if (!(field.id in cleanPatch)) {
      retiredColumns.set(field.id, storedGone.map((g) => (Object.keys(g).length ? g : undefined)));
      base[field.id] = rows.map(known);
    } else if (Array.isArray(sent)) {
      const kept: (Record<string, unknown> | undefined)[] = [];
      cleanPatch[field.id] = sent.map((row, i) => {
        const echoed = Object.entries(goneOf(row)).filter(([k, v]) => k in (storedGone[i] ?? {}) && same(v, storedGone[i][k]));
        if (!echoed.length || !isObject(row)) return row;
        kept[i] = Object.fromEntries(echoed);
        return Object.fromEntries(Object.entries(row).filter(([k]) => !echoed.some(([e]) => e === k)));
      });
      if (kept.some(Boolean)) retiredColumns.set(field.id, kept);
    }
  }
  return {
    stored: base,
    patch: cleanPatch,
    restore(data: Record<string, unknown>): Record<string, unknown> {
      for (const [subformId, extras] of retiredColumns) {
        const rows = data[subformId];
        if (!Array.isArray(rows)) continue;
        data[subformId] = rows.map((row, i) => (isObject(row) && extras[i] ? { ...row, ...extras[i] } : row));
      }
      return Object.assign(data, retired);
    },
  };
}
