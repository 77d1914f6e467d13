import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import timezone from 'dayjs/plugin/timezone.js';
import { localize } from '@qiao/form-engine';
import type { FieldDef } from '../../forms/store.ts';
import type { Cell } from './read-sheet.ts';

dayjs.extend(utc);
dayjs.extend(timezone);

/** A converted cell: the stored value (undefined when blank) or why the text cannot become one. */
export type Converted = { value: unknown } | { error: string; code: string };

/** Look-ups that need the store: members, departments, related records and uploaded files by what a person typed. */
export interface Lookups {
  member(text: string): Promise<Converted>;
  department(text: string): Promise<Converted>;
  relation(field: FieldDef, text: string): Promise<Converted>;
  file(text: string): Promise<Converted>;
}

const fail = (code: string, error: string): Converted => ({ error, code });
const ok = (value: unknown): Converted => ({ value });
const BLANK: Converted = { value: undefined };

const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
const LIST_SPLIT = /[,，;；、\r\n]+/;

/** Drop binary floating-point noise (0.1 + 0.2) that Excel stores and displays rounded. */
const clean = (n: number) => Number(n.toPrecision(15));

function text(cell: Exclude<Cell, null>): string {
  if (cell instanceof Date) {
    const d = dayjs.utc(roundToSecond(cell));
    return d.format(d.hour() || d.minute() || d.second() ? 'YYYY-MM-DD HH:mm:ss' : 'YYYY-MM-DD');
  }
  if (typeof cell === 'number') return String(clean(cell));
  return String(cell).trim();
}

const roundToSecond = (d: Date) => new Date(Math.round(d.getTime() / 1000) * 1000);

function toNumber(cell: Exclude<Cell, null>): Converted {
  if (typeof cell === 'number') return Number.isFinite(cell) ? ok(clean(cell)) : fail('type', 'is not a finite number');
  if (typeof cell !== 'string') return fail('type', `"${text(cell)}" is not a number`);
  let s = cell.trim().replace(/[\s,，_¥￥$€£]/g, '');
  let scale = 1;
  if (s.endsWith('%')) {
    s = s.slice(0, -1);
    scale = 0.01;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return fail('type', `"${cell.trim()}" is not a number`);
  const n = Number(s) * scale;
  if (!Number.isFinite(n)) return fail('type', `"${cell.trim()}" is out of range`);
  return ok(clean(n));
}

/** Excel's serial day numbers (1900 date system) count from 1899-12-30. */
function fromSerial(n: number): Date {
  return new Date(Date.UTC(1899, 11, 30) + Math.round(n * 86_400_000));
}

const DATE_TEXT = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/;
const DATETIME_TEXT = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+|T)(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$/;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const pad = (s: string) => s.padStart(2, '0');

function toDate(cell: Exclude<Cell, null>): Converted {
  if (cell instanceof Date) return ok(dayjs.utc(roundToSecond(cell)).format('YYYY-MM-DD'));
  if (typeof cell === 'number') {
    if (cell < 1 || cell > 2_958_465) return fail('format', `${cell} is not a date`);
    return ok(dayjs.utc(fromSerial(cell)).format('YYYY-MM-DD'));
  }
  const s = String(cell).trim();
  const m = DATE_TEXT.exec(s) ?? DATETIME_TEXT.exec(s);
  if (m) return ok(`${m[1]}-${pad(m[2])}-${pad(m[3])}`);
  return fail('format', `"${s}" is not a date (use YYYY-MM-DD)`);
}

/** Excel holds wall-clock times without a zone: they mean the tenant's time zone. */
function toDateTime(cell: Exclude<Cell, null>, timeZone: string): Converted {
  const wall = (y: string | number, mo: string | number, d: string | number, h: string | number = 0, mi: string | number = 0, s: string | number = 0) => {
    const local = `${y}-${pad(String(mo))}-${pad(String(d))}T${pad(String(h))}:${pad(String(mi))}:${pad(String(s))}`;
    const parsed = dayjs.tz(local, timeZone);
    return parsed.isValid() ? ok(parsed.toDate().toISOString()) : fail('format', `"${local}" is not a date-time`);
  };
  if (cell instanceof Date || typeof cell === 'number') {
    if (typeof cell === 'number' && (cell < 1 || cell > 2_958_465)) return fail('format', `${cell} is not a date-time`);
    const d = dayjs.utc(roundToSecond(cell instanceof Date ? cell : fromSerial(cell)));
    return wall(d.year(), d.month() + 1, d.date(), d.hour(), d.minute(), d.second());
  }
  const s = String(cell).trim();
  if (ISO_WITH_ZONE.test(s) && !Number.isNaN(Date.parse(s))) return ok(new Date(s).toISOString());
  const m = DATETIME_TEXT.exec(s);
  if (m) return wall(m[1], m[2], m[3], m[4], m[5], m[6] ?? 0);
  const d = DATE_TEXT.exec(s);
  if (d) return wall(d[1], d[2], d[3]);
  return fail('format', `"${s}" is not a date-time (use YYYY-MM-DD HH:mm)`);
}

function optionValue(field: FieldDef, raw: string): Converted {
  const wanted = norm(raw);
  for (const option of (field.options as { value: string; label: Parameters<typeof localize>[0] }[] | undefined) ?? []) {
    const names = [option.value, localize(option.label, 'zh-CN'), localize(option.label, 'en')];
    if (names.some((n) => n !== undefined && norm(n) === wanted)) return ok(option.value);
  }
  return fail('option', `"${raw}" is not an option`);
}

function list(cell: Exclude<Cell, null>): string[] {
  return text(cell)
    .split(LIST_SPLIT)
    .map((s) => s.trim())
    .filter(Boolean);
}

async function each(items: string[], convert: (s: string) => Converted | Promise<Converted>): Promise<Converted> {
  const values: unknown[] = [];
  const problems: string[] = [];
  let code = 'invalid';
  for (const item of items) {
    const r = await convert(item);
    if ('error' in r) {
      problems.push(r.error);
      code = r.code;
    } else if (r.value !== undefined && !values.includes(r.value)) values.push(r.value);
  }
  if (problems.length) return fail(code, problems.join('; '));
  return ok(values.length ? values : undefined);
}

function parseJsonObject(s: string): Record<string, unknown> | undefined {
  if (!s.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(s) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** "省/市/区/详细地址" (the export's format), or a JSON object. */
function toAddress(s: string): Converted {
  const json = parseJsonObject(s);
  if (json) return ok(json);
  const parts = s.split('/').map((p) => p.trim());
  if (parts.length === 1) return ok({ detail: parts[0] });
  const [province, city, district, ...rest] = parts;
  const out: Record<string, string> = {};
  if (province) out.province = province;
  if (city) out.city = city;
  if (district) out.district = district;
  if (rest.length && rest.join('/')) out.detail = rest.join('/');
  return ok(out);
}

/** "lng,lat" or "lng,lat,address", or a JSON object. */
function toLocation(s: string): Converted {
  const json = parseJsonObject(s);
  if (json) return ok(json);
  const m = /^\s*([+-]?\d+(?:\.\d+)?)\s*[,，]\s*([+-]?\d+(?:\.\d+)?)\s*(?:[,，]\s*(.*))?$/.exec(s);
  if (!m) return fail('format', `"${s}" is not a location (use "lng,lat" or "lng,lat,address")`);
  const out: Record<string, unknown> = { lng: Number(m[1]), lat: Number(m[2]) };
  if (m[3]?.trim()) out.address = m[3].trim();
  return ok(out);
}

const FILE_SPLIT = /[\r\n]+|[,，;；]\s*(?=https?:\/\/|\/)/;

/**
 * Turn one spreadsheet cell into the stored value of `field` (a top-level field or a subform column).
 * Blank cells give undefined (the field is left out, so defaults and `required` apply).
 */
export async function convertCell(field: FieldDef, cell: Cell, lookups: Lookups, timeZone: string): Promise<Converted> {
  if (cell === null || (typeof cell === 'string' && cell.trim() === '')) return BLANK;
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'serial':
      return ok(field.type === 'textarea' && typeof cell === 'string' ? cell.replace(/\r\n/g, '\n').trim() : text(cell));
    case 'phone':
      return ok(text(cell).replace(/\s+/g, ''));
    case 'email':
      return ok(text(cell));
    case 'number':
    case 'money':
      return toNumber(cell);
    case 'date':
      return toDate(cell);
    case 'datetime':
      return toDateTime(cell, timeZone);
    case 'radio':
    case 'select':
      return optionValue(field, text(cell));
    case 'checkbox':
    case 'multiselect':
      return each(list(cell), (s) => optionValue(field, s));
    case 'member':
      return lookups.member(text(cell));
    case 'members':
      return each(list(cell), (s) => lookups.member(s));
    case 'department':
      return lookups.department(text(cell));
    case 'departments':
      return each(list(cell), (s) => lookups.department(s));
    case 'relation':
      return field.multiple ? each(list(cell), (s) => lookups.relation(field, s)) : lookups.relation(field, text(cell));
    case 'address':
      return toAddress(text(cell));
    case 'location':
      return toLocation(text(cell));
    case 'image':
    case 'attachment':
      return each(
        text(cell)
          .split(FILE_SPLIT)
          .map((s) => s.trim())
          .filter(Boolean),
        (s) => lookups.file(s),
      );
    default:
      return fail('not_importable', 'this field cannot be imported');
  }
}
