import type { FieldDef, FormDoc } from '../../forms/store.ts';
import { convertCell, type Lookups } from './convert.ts';
import type { ImportColumn } from './mapping.ts';
import type { Cell, Sheet, SheetRow } from './read-sheet.ts';

/** A problem with one imported record: the field (and subform row/column) and the Excel row it came from. */
export interface RowError {
  /** 1-based Excel row. */
  row: number;
  field: string;
  /** 0-based row inside the subform, as in record validation errors. */
  subformRow?: number;
  column?: string;
  code: string;
  message: string;
  /** A unique value's current holder. */
  existingId?: string;
}

/** One record to import: its first Excel row and the rows holding its subform lines. */
export interface RecordRows {
  row: number;
  main: SheetRow;
  /** Rows that carry subform lines, in order (the first row too, when it has subform cells). */
  lines: SheetRow[];
}

const blank = (c: Cell | undefined) => c === null || c === undefined || (typeof c === 'string' && c.trim() === '');

/**
 * Split sheet rows into records. A row whose mapped field cells are all blank but that has subform cells continues the
 * record above (the layout of an export, where a record's fields are merged across its subform lines).
 */
export function groupRecords(sheet: Sheet, columns: ImportColumn[]): RecordRows[] {
  const top = columns.filter((c) => !c.columnId);
  const sub = columns.filter((c) => c.columnId);
  const out: RecordRows[] = [];
  for (const row of sheet.rows) {
    const hasTop = top.some((c) => !blank(row.cells[c.index]));
    const hasSub = sub.some((c) => !blank(row.cells[c.index]));
    const current = out.at(-1);
    if (!hasTop && hasSub && current && top.length > 0) {
      current.lines.push(row);
      continue;
    }
    if (!hasTop && !hasSub) continue;
    out.push({ row: row.row, main: row, lines: hasSub ? [row] : [] });
  }
  return out;
}

export interface ConvertedRecord {
  row: number;
  data: Record<string, unknown>;
  errors: RowError[];
  /** Per subform, the Excel row of each line. */
  lineRows: Record<string, number[]>;
}

/** Convert one record's cells into record data, collecting every cell that cannot be converted. */
export async function convertRecord(form: FormDoc, rows: RecordRows, columns: ImportColumn[], lookups: Lookups, timeZone: string): Promise<ConvertedRecord> {
  const data: Record<string, unknown> = {};
  const errors: RowError[] = [];
  const lineRows: Record<string, number[]> = {};
  const fields = new Map(form.fields.map((f) => [f.id, f]));
  for (const c of columns) {
    if (c.columnId) continue;
    const field = fields.get(c.fieldId)!;
    const r = await convertCell(field, rows.main.cells[c.index] ?? null, lookups, timeZone);
    if ('error' in r) errors.push({ row: rows.row, field: c.fieldId, code: r.code, message: `${c.header}: ${r.error}` });
    else if (r.value !== undefined) data[c.fieldId] = r.value;
  }
  const bySubform = new Map<string, ImportColumn[]>();
  for (const c of columns) if (c.columnId) bySubform.set(c.fieldId, [...(bySubform.get(c.fieldId) ?? []), c]);
  for (const [subformId, subColumns] of bySubform) {
    const subform = fields.get(subformId)!;
    const defs = new Map((subform.fields ?? []).map((f: FieldDef) => [f.id, f]));
    const lines: Record<string, unknown>[] = [];
    for (const line of rows.lines) {
      if (subColumns.every((c) => blank(line.cells[c.index]))) continue;
      const index = lines.length;
      const value: Record<string, unknown> = {};
      for (const c of subColumns) {
        const r = await convertCell(defs.get(c.columnId!)!, line.cells[c.index] ?? null, lookups, timeZone);
        if ('error' in r) errors.push({ row: line.row, field: subformId, subformRow: index, column: c.columnId, code: r.code, message: `${c.header}: ${r.error}` });
        else if (r.value !== undefined) value[c.columnId!] = r.value;
      }
      lines.push(value);
      (lineRows[subformId] ??= []).push(line.row);
    }
    if (lines.length) data[subformId] = lines;
  }
  return { row: rows.row, data, errors, lineRows };
}

/** The Excel row a validation error points at: the subform line's own row when it names one. */
export function excelRowOf(record: ConvertedRecord, subformId: string | undefined, subformRow: number | undefined): number {
  if (subformId === undefined || subformRow === undefined) return record.row;
  return record.lineRows[subformId]?.[subformRow] ?? record.row;
}
