import { COMPUTED_TYPES, labelOf, localize, type FieldType } from '@qiao/form-engine';
import type { FieldDef, FormDoc } from '../../forms/store.ts';
import type { FieldError } from '../../http/problem.ts';

/** One spreadsheet column bound to a field (or to a column of a subform). */
export interface ImportColumn {
  index: number;
  header: string;
  fieldId: string;
  columnId?: string;
}

export interface ResolvedMapping {
  columns: ImportColumn[];
  /** Headers matched to nothing (system columns of an export, notes...): skipped. */
  unmapped: string[];
  /** Headers naming computed fields (formulas, serial numbers): the server computes them, so they are skipped. */
  ignored: string[];
  errors: FieldError[];
}

/** Values the import cannot write: computed by the server, layout, or drawn by hand. */
export function importable(field: FieldDef): boolean {
  return !COMPUTED_TYPES.has(field.type as FieldType) && field.type !== 'subform' && field.type !== 'signature';
}

const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();

function namesOf(field: FieldDef): string[] {
  const label = field.label as Parameters<typeof localize>[0];
  return [...new Set([field.id, localize(label, 'zh-CN'), localize(label, 'en')].filter((n): n is string => !!n).map(norm))];
}

/** Every header a column may carry: `subform.column` in ids or labels (either language), joined by "." or "-". */
function columnNames(subform: FieldDef, column: FieldDef): string[] {
  const out: string[] = [];
  for (const s of namesOf(subform)) for (const c of namesOf(column)) for (const sep of ['.', '-', '/']) out.push(`${s}${sep}${c}`);
  return out;
}

interface Target {
  fieldId: string;
  columnId?: string;
  def: FieldDef;
}

function targets(form: FormDoc): Target[] {
  const out: Target[] = [];
  for (const field of form.fields) {
    if (field.type === 'subform') for (const column of field.fields ?? []) out.push({ fieldId: field.id, columnId: column.id, def: column });
    else out.push({ fieldId: field.id, def: field });
  }
  return out;
}

const keyOf = (t: { fieldId: string; columnId?: string }) => (t.columnId ? `${t.fieldId}.${t.columnId}` : t.fieldId);

/**
 * Bind headers to fields. An explicit mapping `{ header: fieldId | "subformId.columnId" }` wins; without one, a header
 * matches a field by id or label (zh-CN or en), and a subform column by "subform.column".
 */
export function resolveMapping(form: FormDoc, headers: string[], explicit?: Record<string, string>): ResolvedMapping {
  const all = targets(form);
  const byKey = new Map(all.map((t) => [keyOf(t), t]));
  // Column ids are unique across a form, so a bare column id names its column too.
  for (const t of all) if (t.columnId && !byKey.has(t.columnId)) byKey.set(t.columnId, t);
  const byName = new Map<string, Target[]>();
  const add = (name: string, t: Target) => byName.set(name, [...(byName.get(name) ?? []), t]);
  for (const t of all) {
    if (t.columnId) {
      const subform = form.fields.find((f) => f.id === t.fieldId)!;
      for (const n of columnNames(subform, t.def)) add(n, t);
    } else for (const n of namesOf(t.def)) add(n, t);
  }

  const result: ResolvedMapping = { columns: [], unmapped: [], ignored: [], errors: [] };
  const used = new Map<string, string>();
  const bind = (index: number, header: string, t: Target) => {
    const key = keyOf(t);
    const previous = used.get(key);
    if (previous !== undefined) {
      result.errors.push({ field: key, code: 'duplicate_mapping', message: `columns "${previous}" and "${header}" both map to ${labelOf(t.def as never)}` });
      return;
    }
    used.set(key, header);
    result.columns.push({ index, header, fieldId: t.fieldId, columnId: t.columnId });
  };

  if (explicit) {
    const known = new Set(headers);
    for (const [header, target] of Object.entries(explicit)) {
      if (!known.has(header)) result.errors.push({ field: header, code: 'unknown_column', message: `the file has no column "${header}"` });
      if (typeof target !== 'string' || !byKey.has(target)) {
        result.errors.push({ field: header, code: 'unknown_field', message: `"${String(target)}" is not a field of this form` });
      } else if (!importable(byKey.get(target)!.def)) {
        result.errors.push({ field: header, code: 'not_importable', message: `${labelOf(byKey.get(target)!.def as never)} is computed by the server and cannot be imported` });
      }
    }
    headers.forEach((header, index) => {
      const target = Object.prototype.hasOwnProperty.call(explicit, header) ? explicit[header] : undefined;
      const t = typeof target === 'string' ? byKey.get(target) : undefined;
      if (t && importable(t.def)) bind(index, header, t);
      else if (target === undefined && header) result.unmapped.push(header);
    });
    return result;
  }

  headers.forEach((header, index) => {
    if (!header) return;
    const found = byName.get(norm(header)) ?? [];
    const candidates = found.filter((t) => importable(t.def));
    if (candidates.length === 0) {
      (found.length ? result.ignored : result.unmapped).push(header);
      return;
    }
    if (candidates.length > 1) {
      result.errors.push({ field: header, code: 'ambiguous_column', message: `column "${header}" matches several fields (${candidates.map(keyOf).join(', ')}): send a mapping` });
      return;
    }
    bind(index, header, candidates[0]);
  });
  return result;
}

export const mappingPreview = (form: FormDoc, mapping: ResolvedMapping, lang: string) =>
  mapping.columns.map((c) => {
    const field = form.fields.find((f) => f.id === c.fieldId)!;
    const column = c.columnId ? field.fields?.find((f) => f.id === c.columnId) : undefined;
    const label = column ? `${labelOf(field as never, lang)}.${labelOf(column as never, lang)}` : labelOf(field as never, lang);
    return { header: c.header, field: c.fieldId, ...(c.columnId ? { column: c.columnId } : {}), label };
  });
