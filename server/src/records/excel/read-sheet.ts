import ExcelJS from 'exceljs';
import { badRequest, ApiError } from '../../http/problem.ts';
import { decodeCsv, parseCsv } from './csv.ts';

/** A cell as the import converts it: what Excel typed it as (text, number, boolean, date), or null when blank. */
export type Cell = string | number | boolean | Date | null;

export interface SheetRow {
  /** 1-based row number as Excel shows it. */
  row: number;
  cells: Cell[];
}

export interface Sheet {
  headers: string[];
  rows: SheetRow[];
}

export const MAX_IMPORT_ROWS = 10_000;
const MAX_COLUMNS = 600;

const tooManyRows = () => new ApiError(422, 'too_many_rows', `an import may hold at most ${MAX_IMPORT_ROWS} rows`, { errors: [{ field: 'file', code: 'too_many_rows', message: `at most ${MAX_IMPORT_ROWS} rows` }] });

function isBlank(cell: Cell) {
  return cell === null || (typeof cell === 'string' && cell.trim() === '');
}

/** Flatten exceljs' cell value variants (rich text, hyperlinks, formulas, errors) into a plain cell. */
function plainCell(cell: ExcelJS.Cell): Cell {
  // The slaves of a merged range read as the master's value; for the import they are blank (a record's
  // fields merged across its subform rows belong to the first row only).
  if (cell.type === ExcelJS.ValueType.Merge) return null;
  const value = cell.value as unknown;
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) return (v.richText as { text?: string }[]).map((r) => r.text ?? '').join('');
    if ('result' in v) {
      const r = v.result;
      return typeof r === 'string' || typeof r === 'number' || typeof r === 'boolean' || r instanceof Date ? r : null;
    }
    if (typeof v.text === 'string') return v.text;
    if (v.text && typeof v.text === 'object' && Array.isArray((v.text as { richText?: unknown }).richText)) {
      return ((v.text as { richText: { text?: string }[] }).richText).map((r) => r.text ?? '').join('');
    }
    if ('error' in v) return null;
  }
  return null;
}

function headerText(cell: Cell): string {
  if (cell === null) return '';
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  return String(cell).trim();
}

function trimTrailingBlank(rows: SheetRow[]) {
  return rows.filter((r) => r.cells.some((c) => !isBlank(c)));
}

async function readXlsx(bytes: Buffer): Promise<Sheet> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw badRequest('invalid_file', 'the file is not a readable .xlsx workbook', { field: 'file' });
  }
  const sheet = workbook.worksheets.find((ws) => ws.actualRowCount > 0) ?? workbook.worksheets[0];
  if (!sheet) return { headers: [], rows: [] };
  if (sheet.actualRowCount > MAX_IMPORT_ROWS + 1) throw tooManyRows();
  const width = Math.min(sheet.columnCount, MAX_COLUMNS);
  let headers: string[] | null = null;
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: Cell[] = [];
    for (let c = 1; c <= width; c++) cells.push(plainCell(row.getCell(c)));
    if (headers === null) {
      if (cells.every(isBlank)) return;
      headers = cells.map(headerText);
      return;
    }
    rows.push({ row: rowNumber, cells });
  });
  return { headers: headers ?? [], rows: trimTrailingBlank(rows) };
}

function readCsv(bytes: Buffer): Sheet {
  const table = parseCsv(decodeCsv(bytes), MAX_IMPORT_ROWS + 1);
  if (table.length > MAX_IMPORT_ROWS + 1) throw tooManyRows();
  const first = table.findIndex((cells) => cells.some((c) => c.trim() !== ''));
  if (first < 0) return { headers: [], rows: [] };
  const headers = table[first].slice(0, MAX_COLUMNS).map((h) => h.trim());
  const rows = table.slice(first + 1).map((cells, i) => ({ row: first + i + 2, cells: cells.slice(0, MAX_COLUMNS).map((c) => (c === '' ? null : c)) }));
  return { headers, rows: trimTrailingBlank(rows) };
}

/** `.xlsx` (zip signature) or CSV, decided by the bytes first and the file name second. */
export async function readSheet(bytes: Buffer, filename = ''): Promise<Sheet> {
  const zip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (zip) return readXlsx(bytes);
  if (/\.xlsx?$/i.test(filename)) throw badRequest('invalid_file', 'the file is not a readable .xlsx workbook (old .xls files must be saved as .xlsx or CSV)', { field: 'file' });
  return readCsv(bytes);
}
