import type { FieldDef, RecordItem } from '../api/types.ts';
import { NO_DATA_TYPES } from '../fields/fieldTypes.ts';

/** A grid column: a form field, or one of the record's system columns. */
export interface GridColumn {
  id: string;
  field: FieldDef;
  system?: boolean;
  width: number;
}

export const SYSTEM_FIELDS: FieldDef[] = [
  { id: 'createdAt', type: 'datetime', label: { 'zh-CN': '提交时间', en: 'Created at' } },
  { id: 'updatedAt', type: 'datetime', label: { 'zh-CN': '更新时间', en: 'Updated at' } },
  { id: 'createdBy', type: 'member', label: { 'zh-CN': '提交人', en: 'Created by' } },
];

const WIDTHS: Partial<Record<FieldDef['type'], number>> = { textarea: 240, subform: 110, number: 120, money: 130, date: 120, datetime: 160, address: 220 };

export function columnWidth(field: FieldDef): number {
  return WIDTHS[field.type] ?? 160;
}

/** Fields that can be a grid column (they hold a value of their own). */
export function columnCandidates(fields: FieldDef[]): FieldDef[] {
  return [...fields.filter((f) => !NO_DATA_TYPES.has(f.type)), ...SYSTEM_FIELDS];
}

export function valueOf(record: RecordItem, column: GridColumn): unknown {
  if (column.system) return (record as unknown as Record<string, unknown>)[column.id];
  return record.data[column.id];
}

export function buildColumns(fields: FieldDef[], visibleIds: string[] | null): GridColumn[] {
  const candidates = columnCandidates(fields);
  const byId = new Map(candidates.map((f) => [f.id, f]));
  const ids = visibleIds ?? [...fields.filter((f) => !NO_DATA_TYPES.has(f.type)).map((f) => f.id), 'createdAt'];
  return ids
    .map((id) => byId.get(id))
    .filter((f): f is FieldDef => Boolean(f))
    .map((field) => ({ id: field.id, field, system: SYSTEM_FIELDS.some((s) => s.id === field.id), width: columnWidth(field) }));
}
