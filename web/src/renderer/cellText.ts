import dayjs from 'dayjs';
import type { FieldDef } from '../api/types.ts';
import { localize } from '../lib/localize.ts';

export interface CellContext {
  /** Member and department names by id. */
  names?: Map<string, string>;
  /** Related records' titles by id. */
  titles?: Map<string, string>;
}

function formatNumber(field: FieldDef, value: number, lang: string): string {
  const percent = Boolean(field.percent);
  const shown = percent ? value * 100 : value;
  const digits = field.precision;
  const text = new Intl.NumberFormat(lang === 'en' ? 'en-US' : 'zh-CN', {
    minimumFractionDigits: digits ?? 0,
    maximumFractionDigits: digits ?? 10,
    useGrouping: field.type === 'money' || Boolean(field.thousands),
  }).format(shown);
  if (percent) return `${text}%`;
  if (field.type === 'money') return `${field.currency && field.currency !== 'CNY' ? `${field.currency} ` : '¥'}${text}`;
  return text;
}

function optionLabel(field: FieldDef, value: unknown, lang: string): string {
  const option = field.options?.find((o) => o.value === value);
  return option ? localize(option.label, lang) : String(value);
}

/** One line of plain text for a value, as grids, cards, history and exports show it. */
export function cellText(field: FieldDef, value: unknown, lang: string, ctx: CellContext = {}): string {
  if (value === undefined || value === null || value === '') return '';
  switch (field.type) {
    case 'number':
    case 'money':
      return typeof value === 'number' ? formatNumber(field, value, lang) : String(value);
    case 'formula':
      return typeof value === 'number' ? formatNumber(field, value, lang) : typeof value === 'boolean' ? String(value) : String(value);
    case 'date':
      return String(value);
    case 'datetime':
      return dayjs(String(value)).isValid() ? dayjs(String(value)).format('YYYY-MM-DD HH:mm') : String(value);
    case 'radio':
    case 'select':
      return optionLabel(field, value, lang);
    case 'checkbox':
    case 'multiselect':
      return Array.isArray(value) ? value.map((v) => optionLabel(field, v, lang)).join(', ') : String(value);
    case 'member':
    case 'department':
      return ctx.names?.get(String(value)) ?? String(value);
    case 'members':
    case 'departments':
      return Array.isArray(value) ? value.map((v) => ctx.names?.get(String(v)) ?? String(v)).join(', ') : String(value);
    case 'relation':
      return ctx.titles?.get(String(value)) ?? String(value);
    case 'address': {
      const a = value as Record<string, string | undefined>;
      return [a.province, a.city, a.district, a.detail].filter(Boolean).join(' ');
    }
    case 'location': {
      const loc = value as Record<string, unknown>;
      return String(loc.address ?? [loc.lng, loc.lat].filter((x) => x !== undefined).join(', '));
    }
    case 'image':
    case 'attachment':
      return Array.isArray(value) ? value.map((f) => (f as { name?: string }).name ?? '').join(', ') : '';
    case 'signature':
      return '✍';
    case 'subform':
      return Array.isArray(value) ? `${value.length}` : '';
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}
