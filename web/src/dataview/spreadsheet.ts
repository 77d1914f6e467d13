/** Reads the header row of an uploaded .xlsx or .csv so the user can map its columns to fields before import. */
export async function readHeaders(file: File): Promise<string[]> {
  if (/\.csv$/i.test(file.name) || file.type === 'text/csv') {
    const text = await file.text();
    return parseCsvLine(text.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '');
  }
  // exceljs is large; it is only fetched when someone actually imports a workbook.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(await file.arrayBuffer());
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const headers: string[] = [];
  sheet.getRow(1).eachCell({ includeEmpty: false }, (cell) => {
    headers.push(String(cell.text ?? '').trim());
  });
  return headers.filter(Boolean);
}

export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        current += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  out.push(current.trim());
  return out.filter(Boolean);
}
