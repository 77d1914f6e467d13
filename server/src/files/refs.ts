import type { FieldDef, FormDoc } from '../forms/store.ts';
import type { FieldError } from '../http/problem.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import { FILES, type FileDoc } from './store.ts';

interface FileRef {
  id: string;
  field: string;
  row?: number;
  column?: string;
}

const FILE_TYPES = new Set(['image', 'attachment', 'signature']);

function refsIn(value: unknown, def: FieldDef, where: Omit<FileRef, 'id'>, out: FileRef[]) {
  if (!FILE_TYPES.has(def.type)) return;
  const items = Array.isArray(value) ? value : value && typeof value === 'object' ? [value] : [];
  for (const item of items) {
    const id = item && typeof item === 'object' ? (item as { id?: unknown }).id : undefined;
    if (typeof id === 'string' && id !== '') out.push({ ...where, id });
  }
}

/** Every uploaded-file id the record's image, attachment and signature values name (top level and subform rows). */
export function fileRefs(form: FormDoc, data: Record<string, unknown>): FileRef[] {
  const out: FileRef[] = [];
  for (const field of form.fields) {
    const value = data[field.id];
    if (field.type === 'subform' && Array.isArray(value)) {
      value.forEach((row, index) => {
        if (!row || typeof row !== 'object') return;
        for (const column of field.fields ?? []) refsIn((row as Record<string, unknown>)[column.id], column, { field: field.id, row: index, column: column.id }, out);
      });
    } else refsIn(value, field, { field: field.id }, out);
  }
  return out;
}

/**
 * A file value with an `id` must name a file uploaded to this tenant (and, when `accept` is given, one it accepts:
 * a public link only takes files uploaded through itself). Values with only a `url` (external links) are not checked.
 */
export async function checkFileRefs(db: TenantDb, form: FormDoc, data: Record<string, unknown>, accept?: (file: FileDoc) => boolean): Promise<FieldError[]> {
  const refs = fileRefs(form, data);
  if (refs.length === 0) return [];
  const found = await db.collection<FileDoc>(FILES).find({ _id: { $in: [...new Set(refs.map((r) => r.id))] } }, { projection: { _id: 1, createdBy: 1, publicLinkId: 1 } });
  const ok = new Set(found.filter((f) => !accept || accept(f)).map((f) => f._id));
  return refs
    .filter((r) => !ok.has(r.id))
    .map((r) => ({ field: r.field, ...(r.row !== undefined ? { row: r.row, column: r.column } : {}), code: 'file_missing', message: `file ${r.id} does not exist` }));
}
