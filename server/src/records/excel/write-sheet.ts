import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import timezone from 'dayjs/plugin/timezone.js';
import { labelOf, localize } from '@qiao/form-engine';
import type { Services } from '../../platform/context.ts';
import type { TenantDb } from '../../platform/tenant-db.ts';
import { DEPARTMENTS, MEMBERS, usersById, type DepartmentDoc, type MemberDoc } from '../../org/model.ts';
import type { FieldDef, FormDoc } from '../../forms/store.ts';
import { fileUrl } from '../../files/store.ts';

dayjs.extend(utc);
dayjs.extend(timezone);

/** A column of the exported sheet: a field, a subform column (one line per subform row) or a system column. */
export interface ExportColumn {
  header: string;
  fieldId: string;
  columnId?: string;
  system?: 'id' | 'createdBy' | 'createdAt' | 'updatedAt';
  def?: FieldDef;
  numFmt?: string;
  width: number;
}

export type ExcelValue = string | number | boolean | Date | null;

const NO_DATA = new Set(['divider', 'description', 'query']);

const SYSTEM_HEADERS = {
  'zh-CN': { id: '数据ID', createdBy: '提交人', createdAt: '提交时间', updatedAt: '更新时间' },
  en: { id: 'Record ID', createdBy: 'Created by', createdAt: 'Created at', updatedAt: 'Updated at' },
} as const;

function numberFormat(def: FieldDef): string | undefined {
  if (def.type === 'date') return 'yyyy-mm-dd';
  if (def.type === 'datetime') return 'yyyy-mm-dd hh:mm:ss';
  if (def.type !== 'number' && def.type !== 'money') return undefined;
  const precision = typeof def.precision === 'number' ? def.precision : def.type === 'money' ? 2 : undefined;
  const decimals = precision === undefined ? '.##' : precision > 0 ? `.${'0'.repeat(precision)}` : '';
  if (def.percent) return `0${decimals}%`;
  return `${def.thousands || def.type === 'money' ? '#,##0' : '0'}${decimals}`;
}

/**
 * The columns of an export in form order: every data field the caller may see (or the `fields` asked for), a
 * subform spread over its columns ("Items.Amount"), then the system columns.
 */
export function exportColumns(form: FormDoc, visible: (fieldId: string) => boolean, lang: string, only?: string[]): ExportColumn[] {
  const wanted = only?.length ? new Set(only) : undefined;
  const out: ExportColumn[] = [];
  for (const field of form.fields) {
    if (NO_DATA.has(field.type) || !visible(field.id) || (wanted && !wanted.has(field.id))) continue;
    const label = labelOf(field as never, lang);
    if (field.type === 'subform') {
      for (const column of field.fields ?? []) {
        if (NO_DATA.has(column.type)) continue;
        out.push({ header: `${label}.${labelOf(column as never, lang)}`, fieldId: field.id, columnId: column.id, def: column, numFmt: numberFormat(column), width: 16 });
      }
      continue;
    }
    out.push({ header: label, fieldId: field.id, def: field, numFmt: numberFormat(field), width: field.type === 'textarea' ? 40 : 18 });
  }
  const headers = lang.toLowerCase().startsWith('en') ? SYSTEM_HEADERS.en : SYSTEM_HEADERS['zh-CN'];
  if (!wanted) {
    out.push({ header: headers.id, fieldId: '', system: 'id', width: 24 });
    out.push({ header: headers.createdBy, fieldId: '', system: 'createdBy', width: 14 });
    out.push({ header: headers.createdAt, fieldId: '', system: 'createdAt', numFmt: 'yyyy-mm-dd hh:mm:ss', width: 20 });
    out.push({ header: headers.updatedAt, fieldId: '', system: 'updatedAt', numFmt: 'yyyy-mm-dd hh:mm:ss', width: 20 });
  }
  return out;
}

/** People and department names, read once per export. */
export interface NameBook {
  member(id: string): string;
  department(id: string): string;
}

export async function loadNameBook(services: Services, db: TenantDb): Promise<NameBook> {
  const members = await db.collection<MemberDoc>(MEMBERS).find({});
  const users = await usersById(services.store, members.map((m) => m.userId));
  const people = new Map(members.map((m) => [m.userId, m.name ?? users.get(m.userId)?.name ?? m.userId]));
  const departments = new Map((await db.collection<DepartmentDoc>(DEPARTMENTS).find({}, { projection: { _id: 1, name: 1 } })).map((d) => [d._id, d.name]));
  return { member: (id) => people.get(id) ?? id, department: (id) => departments.get(id) ?? id };
}

/** Excel has no time zones: a date-time is written as the wall-clock time of the tenant's zone. */
function wallClock(iso: string, timeZone: string): Date | string {
  const d = dayjs(iso);
  if (!d.isValid()) return iso;
  return new Date(`${d.tz(timeZone).format('YYYY-MM-DDTHH:mm:ss')}Z`);
}

const list = (value: unknown) => (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]);

/** One stored value as a cell the import reads back to the same value. */
export function excelValue(def: FieldDef, value: unknown, names: NameBook, lang: string, timeZone: string): ExcelValue {
  if (value === undefined || value === null || value === '') return null;
  switch (def.type) {
    case 'number':
    case 'money':
      return typeof value === 'number' ? value : null;
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : String(value);
    case 'datetime':
      return typeof value === 'string' ? wallClock(value, timeZone) : null;
    case 'radio':
    case 'select':
    case 'checkbox':
    case 'multiselect': {
      const options = (def.options as { value: string; label: Parameters<typeof localize>[0] }[] | undefined) ?? [];
      return list(value)
        .map((v) => localize(options.find((o) => o.value === v)?.label, lang) ?? String(v))
        .join(', ');
    }
    case 'member':
    case 'members':
      return list(value).map((v) => names.member(String(v))).join(', ');
    case 'department':
    case 'departments':
      return list(value).map((v) => names.department(String(v))).join(', ');
    case 'relation':
      return list(value).map(String).join(', ');
    case 'address': {
      const a = value as Record<string, string | undefined>;
      return [a.province, a.city, a.district, a.detail].map((p) => p ?? '').join('/').replace(/\/+$/, '');
    }
    case 'location': {
      const l = value as { lng?: number; lat?: number; address?: string };
      return [l.lng, l.lat, l.address].filter((p) => p !== undefined && p !== '').join(',');
    }
    case 'image':
    case 'attachment':
      return list(value)
        .map((f) => {
          const file = f as { id?: string; url?: string; name?: string };
          return file.id ? fileUrl(file.id) : (file.url ?? file.name ?? '');
        })
        .join('\n');
    case 'signature':
      return lang.toLowerCase().startsWith('en') ? '(signed)' : '(已签名)';
    case 'formula':
      return typeof value === 'number' || typeof value === 'boolean' ? value : String(value);
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

export function systemValue(column: ExportColumn, record: { _id: string; createdBy: string; createdAt: string; updatedAt: string }, names: NameBook, timeZone: string): ExcelValue {
  switch (column.system) {
    case 'id':
      return record._id;
    case 'createdBy':
      return record.createdBy === 'public' ? 'public' : names.member(record.createdBy);
    case 'createdAt':
      return wallClock(record.createdAt, timeZone);
    case 'updatedAt':
      return wallClock(record.updatedAt, timeZone);
    default:
      return null;
  }
}

/** Excel sheet names: at most 31 characters, none of []:*?/\. */
export const sheetName = (name: string) => name.replace(/[[\]:*?/\\]/g, ' ').trim().slice(0, 31) || 'Sheet1';
