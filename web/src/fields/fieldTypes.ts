import type { FieldDef, FieldType } from '../api/types.ts';

export type PaletteGroup = 'basic' | 'choice' | 'org' | 'media' | 'advanced' | 'layout';

export interface FieldTypeInfo {
  type: FieldType;
  group: PaletteGroup;
  /** Layout-only fields carry no data and never appear as grid columns. */
  layoutOnly?: boolean;
  /** Can be a subform column. */
  inSubform: boolean;
  label: { 'zh-CN': string; en: string };
}

export const FIELD_TYPES: FieldTypeInfo[] = [
  { type: 'text', group: 'basic', inSubform: true, label: { 'zh-CN': '单行文本', en: 'Single-line text' } },
  { type: 'textarea', group: 'basic', inSubform: true, label: { 'zh-CN': '多行文本', en: 'Multi-line text' } },
  { type: 'number', group: 'basic', inSubform: true, label: { 'zh-CN': '数字', en: 'Number' } },
  { type: 'money', group: 'basic', inSubform: true, label: { 'zh-CN': '金额', en: 'Money' } },
  { type: 'date', group: 'basic', inSubform: true, label: { 'zh-CN': '日期', en: 'Date' } },
  { type: 'datetime', group: 'basic', inSubform: true, label: { 'zh-CN': '日期时间', en: 'Date and time' } },
  { type: 'phone', group: 'basic', inSubform: true, label: { 'zh-CN': '手机/电话', en: 'Phone' } },
  { type: 'email', group: 'basic', inSubform: true, label: { 'zh-CN': '邮箱', en: 'Email' } },
  { type: 'radio', group: 'choice', inSubform: true, label: { 'zh-CN': '单选按钮组', en: 'Radio group' } },
  { type: 'checkbox', group: 'choice', inSubform: true, label: { 'zh-CN': '复选框组', en: 'Checkbox group' } },
  { type: 'select', group: 'choice', inSubform: true, label: { 'zh-CN': '下拉框', en: 'Select' } },
  { type: 'multiselect', group: 'choice', inSubform: true, label: { 'zh-CN': '下拉复选框', en: 'Multi-select' } },
  { type: 'member', group: 'org', inSubform: true, label: { 'zh-CN': '成员单选', en: 'Member' } },
  { type: 'members', group: 'org', inSubform: true, label: { 'zh-CN': '成员多选', en: 'Members' } },
  { type: 'department', group: 'org', inSubform: true, label: { 'zh-CN': '部门单选', en: 'Department' } },
  { type: 'departments', group: 'org', inSubform: true, label: { 'zh-CN': '部门多选', en: 'Departments' } },
  { type: 'address', group: 'media', inSubform: false, label: { 'zh-CN': '地址', en: 'Address' } },
  { type: 'location', group: 'media', inSubform: false, label: { 'zh-CN': '定位', en: 'Location' } },
  { type: 'image', group: 'media', inSubform: true, label: { 'zh-CN': '图片', en: 'Image' } },
  { type: 'attachment', group: 'media', inSubform: true, label: { 'zh-CN': '附件', en: 'Attachment' } },
  { type: 'signature', group: 'media', inSubform: false, label: { 'zh-CN': '手写签名', en: 'Signature' } },
  { type: 'serial', group: 'advanced', inSubform: false, label: { 'zh-CN': '流水号', en: 'Serial number' } },
  { type: 'subform', group: 'advanced', inSubform: false, label: { 'zh-CN': '子表单', en: 'Subform' } },
  { type: 'relation', group: 'advanced', inSubform: true, label: { 'zh-CN': '关联数据', en: 'Related record' } },
  { type: 'query', group: 'advanced', inSubform: false, label: { 'zh-CN': '关联查询', en: 'Related query' } },
  { type: 'formula', group: 'advanced', inSubform: true, label: { 'zh-CN': '公式', en: 'Formula' } },
  { type: 'divider', group: 'layout', layoutOnly: true, inSubform: false, label: { 'zh-CN': '分割线', en: 'Divider' } },
  { type: 'description', group: 'layout', layoutOnly: true, inSubform: false, label: { 'zh-CN': '描述文字', en: 'Description' } },
];

export const PALETTE_GROUPS: PaletteGroup[] = ['basic', 'choice', 'org', 'media', 'advanced', 'layout'];

const byType = new Map(FIELD_TYPES.map((info) => [info.type, info]));

export function typeInfo(type: FieldType): FieldTypeInfo {
  return byType.get(type) ?? { type, group: 'basic', inSubform: false, label: { 'zh-CN': type, en: type } };
}

export const OPTION_TYPES = new Set<FieldType>(['radio', 'checkbox', 'select', 'multiselect']);
export const NUMERIC_TYPES = new Set<FieldType>(['number', 'money']);
export const MULTI_VALUE_TYPES = new Set<FieldType>(['checkbox', 'multiselect', 'members', 'departments']);
export const UNIQUE_CAPABLE = new Set<FieldType>(['text', 'number', 'money', 'phone', 'email', 'date', 'select', 'radio', 'serial']);
export const NO_DATA_TYPES = new Set<FieldType>(['divider', 'description', 'query']);
/** Values the server computes; a user never types them. */
export const COMPUTED_TYPES = new Set<FieldType>(['formula', 'serial']);

/** Every field id of the definition, including subform columns, so new ids never collide. */
export function allFieldIds(fields: FieldDef[]): Set<string> {
  const ids = new Set<string>();
  for (const field of fields) {
    ids.add(field.id);
    for (const column of field.fields ?? []) ids.add(column.id);
  }
  return ids;
}

export function nextFieldId(type: FieldType, taken: Set<string>): string {
  for (let n = 1; ; n++) {
    const id = `${type}${n}`;
    if (!taken.has(id)) return id;
  }
}

/** A field as it lands on the canvas: labelled by its type in both languages, with sensible starting properties. */
export function newField(type: FieldType, taken: Set<string>): FieldDef {
  const info = typeInfo(type);
  const field: FieldDef = { id: nextFieldId(type, taken), type, label: { ...info.label } };
  if (OPTION_TYPES.has(type)) {
    field.options = [1, 2, 3].map((n) => ({ value: `option${n}`, label: { 'zh-CN': `选项${n}`, en: `Option ${n}` } }));
  }
  if (type === 'money') field.precision = 2;
  if (type === 'formula') field.formula = '';
  if (type === 'serial') field.pattern = '{YYYYMMDD}-{0000}';
  if (type === 'subform') field.fields = [];
  if (type === 'description') field.content = { 'zh-CN': '说明文字', en: 'Description text' };
  return field;
}
