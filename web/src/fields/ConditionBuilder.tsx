import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, DatePicker, Input, InputNumber, Segmented, Select, Space } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { Condition, FieldDef } from '../api/types.ts';
import { useLocalize } from '../lib/localize.ts';
import { useDepartments, useMembers } from '../api/queries.ts';
import { NO_DATA_TYPES, NUMERIC_TYPES, OPTION_TYPES } from './fieldTypes.ts';

/** System columns every record has; filters and sorts may use them like fields. */
export const SYSTEM_COLUMNS = ['createdAt', 'updatedAt', 'createdBy'] as const;

const OPS_BY_KIND: Record<string, string[]> = {
  text: ['eq', 'ne', 'contains', 'startsWith', 'in', 'nin', 'empty', 'notEmpty'],
  number: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'empty', 'notEmpty'],
  date: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'empty', 'notEmpty'],
  option: ['eq', 'ne', 'in', 'nin', 'empty', 'notEmpty'],
  multi: ['contains', 'in', 'nin', 'empty', 'notEmpty'],
  other: ['eq', 'ne', 'empty', 'notEmpty'],
};

type Kind = keyof typeof OPS_BY_KIND;

function kindOf(field: FieldDef | undefined, id: string): Kind {
  if (!field) return id === 'createdBy' ? 'other' : 'date';
  if (NUMERIC_TYPES.has(field.type) || field.type === 'formula') return 'number';
  if (field.type === 'date' || field.type === 'datetime') return 'date';
  if (field.type === 'checkbox' || field.type === 'multiselect' || field.type === 'members' || field.type === 'departments') return field.options ? 'multi' : 'other';
  if (OPTION_TYPES.has(field.type)) return 'option';
  if (['text', 'textarea', 'phone', 'email', 'serial'].includes(field.type)) return 'text';
  return 'other';
}

export function filterableFields(fields: FieldDef[]): FieldDef[] {
  return fields.filter((f) => !NO_DATA_TYPES.has(f.type) && f.type !== 'subform' && f.type !== 'signature' && f.type !== 'image' && f.type !== 'attachment');
}

function isGroup(c: Condition): boolean {
  return Array.isArray(c.and) || Array.isArray(c.or);
}

const ME = '__currentUser__';
const MY_DEPARTMENT = '__currentDepartment__';
const isDynamic = (v: unknown, name: string) => Boolean(v && typeof v === 'object' && (v as { dynamic?: string }).dynamic === name);

/** Member and department conditions may name "the current user" / "my department" (dynamic values). */
function OrgValueInput({ department, value, onChange, label }: { department: boolean; value: unknown; onChange: (v: unknown) => void; label: string }) {
  const { t } = useTranslation();
  const members = useMembers();
  const departments = useDepartments();
  const dynamicName = department ? 'currentDepartment' : 'currentUser';
  const token = department ? MY_DEPARTMENT : ME;
  const options = [
    { value: token, label: t(department ? 'filter.myDepartment' : 'filter.currentUser') },
    ...(department ? (departments.data ?? []).map((d) => ({ value: d.id, label: d.name })) : (members.data ?? []).map((m) => ({ value: m.id, label: m.name }))),
  ];
  return (
    <Select
      aria-label={label}
      style={{ minWidth: 160 }}
      showSearch={{ optionFilterProp: 'label' }}
      value={isDynamic(value, dynamicName) ? token : (value as string | undefined)}
      onChange={(v: string) => onChange(v === token ? { dynamic: dynamicName } : v)}
      options={options}
    />
  );
}

function ValueInput({ field, kind, op, value, onChange, label }: { field?: FieldDef; kind: Kind; op: string; value: unknown; onChange: (v: unknown) => void; label: string }) {
  const l = useLocalize();
  const { t } = useTranslation();
  if (op === 'empty' || op === 'notEmpty') return null;
  const multiple = op === 'in' || op === 'nin';
  const memberLike = field ? field.type === 'member' || field.type === 'members' : false;
  const departmentLike = field ? field.type === 'department' || field.type === 'departments' : false;
  if (!multiple && (memberLike || departmentLike || (!field && kind === 'other'))) {
    return <OrgValueInput department={departmentLike} value={value} onChange={onChange} label={label} />;
  }
  if (kind === 'date' && op !== 'between') {
    const today = isDynamic(value, 'today');
    return (
      <Space.Compact>
        <Select
          aria-label={`${label} ${t('filter.dateMode')}`}
          value={today ? 'today' : 'fixed'}
          onChange={(mode: string) => onChange(mode === 'today' ? { dynamic: 'today' } : undefined)}
          options={[
            { value: 'fixed', label: t('filter.fixedDate') },
            { value: 'today', label: t('filter.today') },
          ]}
          style={{ width: 100 }}
        />
        {!today && <DatePicker aria-label={label} value={value ? dayjs(String(value)) : null} onChange={(d) => onChange(d ? d.format('YYYY-MM-DD') : undefined)} />}
      </Space.Compact>
    );
  }
  if (field?.options && (kind === 'option' || kind === 'multi')) {
    return (
      <Select
        aria-label={label}
        style={{ minWidth: 160 }}
        mode={multiple ? 'multiple' : undefined}
        value={value as string | string[] | undefined}
        options={field.options.map((o) => ({ value: o.value, label: l(o.label) }))}
        onChange={onChange}
      />
    );
  }
  if (op === 'between') {
    const pair = Array.isArray(value) ? value : [undefined, undefined];
    if (kind === 'date') {
      return (
        <DatePicker.RangePicker
          aria-label={label}
          value={[pair[0] ? dayjs(String(pair[0])) : null, pair[1] ? dayjs(String(pair[1])) : null]}
          onChange={(range) => onChange([range?.[0]?.format('YYYY-MM-DD'), range?.[1]?.format('YYYY-MM-DD')])}
        />
      );
    }
    return (
      <Space.Compact>
        <InputNumber aria-label={`${label} ${t('filter.from')}`} value={pair[0] as number | undefined} onChange={(v) => onChange([v, pair[1]])} />
        <InputNumber aria-label={`${label} ${t('filter.to')}`} value={pair[1] as number | undefined} onChange={(v) => onChange([pair[0], v])} />
      </Space.Compact>
    );
  }
  if (kind === 'number') return <InputNumber aria-label={label} value={value as number | undefined} onChange={(v) => onChange(v)} style={{ width: 140 }} />;
  if (kind === 'date') {
    return <DatePicker aria-label={label} value={value ? dayjs(String(value)) : null} onChange={(d) => onChange(d ? d.format('YYYY-MM-DD') : undefined)} />;
  }
  if (multiple) {
    return <Select aria-label={label} mode="tags" style={{ minWidth: 160 }} value={(value as string[]) ?? []} onChange={onChange} open={false} />;
  }
  return <Input aria-label={label} value={(value as string) ?? ''} onChange={(e) => onChange(e.target.value)} style={{ width: 180 }} />;
}

function Leaf({ condition, fields, onChange, onRemove }: { condition: Condition; fields: FieldDef[]; onChange: (c: Condition) => void; onRemove: () => void }) {
  const { t } = useTranslation();
  const l = useLocalize();
  const field = fields.find((f) => f.id === condition.field);
  const kind = kindOf(field, condition.field ?? '');
  const ops = OPS_BY_KIND[kind];
  const fieldOptions = [
    ...fields.map((f) => ({ value: f.id, label: l(f.label) || f.id })),
    ...SYSTEM_COLUMNS.map((id) => ({ value: id, label: t(`system.${id}`) })),
  ];
  return (
    <Space wrap data-testid="condition-leaf">
      <Select
        aria-label={t('filter.field')}
        showSearch={{ optionFilterProp: 'label' }}
        style={{ minWidth: 160 }}
        value={condition.field}
        options={fieldOptions}
        onChange={(id: string) => {
          const nextKind = kindOf(fields.find((f) => f.id === id), id);
          onChange({ field: id, op: OPS_BY_KIND[nextKind][0], value: undefined });
        }}
      />
      <Select
        aria-label={t('filter.operator')}
        style={{ minWidth: 120 }}
        value={condition.op}
        options={ops.map((op) => ({ value: op, label: t(`filter.ops.${op}`) }))}
        onChange={(op: string) => onChange({ ...condition, op, value: op === 'between' || op === 'in' || op === 'nin' ? [] : undefined })}
      />
      <ValueInput field={field} kind={kind} op={condition.op ?? 'eq'} value={condition.value} onChange={(value) => onChange({ ...condition, value })} label={t('filter.value')} />
      <Button type="text" danger icon={<DeleteOutlined />} onClick={onRemove} aria-label={t('filter.removeCondition')} />
    </Space>
  );
}

function Group({ condition, fields, onChange, onRemove, depth }: { condition: Condition; fields: FieldDef[]; onChange: (c: Condition) => void; onRemove?: () => void; depth: number }) {
  const { t } = useTranslation();
  const joiner: 'and' | 'or' = condition.or ? 'or' : 'and';
  const items = condition[joiner] ?? [];
  const setItems = (next: Condition[]) => onChange({ [joiner]: next });
  const firstField = fields[0]?.id;
  return (
    <div style={{ borderLeft: depth ? '3px solid #d6e4ff' : undefined, paddingLeft: depth ? 10 : 0, display: 'grid', gap: 8 }} data-testid="condition-group">
      <Space>
        <Segmented
          size="small"
          value={joiner}
          options={[
            { value: 'and', label: t('filter.and') },
            { value: 'or', label: t('filter.or') },
          ]}
          onChange={(value) => onChange({ [value as string]: items })}
          aria-label={t('filter.joiner')}
        />
        {onRemove && <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={onRemove} aria-label={t('filter.removeGroup')} />}
      </Space>
      {items.map((item, i) => {
        const replace = (c: Condition) => setItems(items.map((old, j) => (j === i ? c : old)));
        const remove = () => setItems(items.filter((_, j) => j !== i));
        return isGroup(item) ? (
          <Group key={i} condition={item} fields={fields} onChange={replace} onRemove={remove} depth={depth + 1} />
        ) : (
          <Leaf key={i} condition={item} fields={fields} onChange={replace} onRemove={remove} />
        );
      })}
      <Space>
        <Button size="small" icon={<PlusOutlined />} onClick={() => setItems([...items, { field: firstField, op: 'eq', value: undefined }])} disabled={!firstField}>
          {t('filter.addCondition')}
        </Button>
        {depth < 2 && (
          <Button size="small" icon={<PlusOutlined />} onClick={() => setItems([...items, { [joiner === 'and' ? 'or' : 'and']: [] }])}>
            {t('filter.addGroup')}
          </Button>
        )}
      </Space>
    </div>
  );
}

export function ConditionBuilder({ value, fields, onChange }: { value: Condition | undefined; fields: FieldDef[]; onChange: (c: Condition) => void }) {
  return <Group condition={value && isGroup(value) ? value : { and: value ? [value] : [] }} fields={filterableFields(fields)} onChange={onChange} depth={0} />;
}

/** Drops unfinished leaves (no field, or a value still missing) so the server only sees complete conditions. */
export function pruneCondition(condition: Condition | undefined): Condition | undefined {
  if (!condition) return undefined;
  if (isGroup(condition)) {
    const joiner = condition.or ? 'or' : 'and';
    const items = (condition[joiner] ?? []).map(pruneCondition).filter((c): c is Condition => Boolean(c));
    return items.length ? { [joiner]: items } : undefined;
  }
  if (!condition.field || !condition.op) return undefined;
  if (condition.op === 'empty' || condition.op === 'notEmpty') return { field: condition.field, op: condition.op };
  const v = condition.value;
  if (v && typeof v === 'object' && !Array.isArray(v)) return { field: condition.field, op: condition.op, value: v };
  if (v === undefined || v === null || v === '' || (Array.isArray(v) && (v.length === 0 || v.some((x) => x === undefined || x === null)))) return undefined;
  return { field: condition.field, op: condition.op, value: v };
}
