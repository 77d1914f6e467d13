import { Button, DatePicker, Input, InputNumber, Select, Space, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { Condition, FieldDef, FormDef } from '../api/types.ts';
import { localize } from '../lib/localize.ts';
import { DepartmentPicker, MemberPicker } from '../renderer/inputs/OrgPickers.tsx';
import { findField } from './labels.ts';
import { isLedger, type Dashboard, type DashboardFilterDef } from './model.ts';

export type FilterValues = Record<string, unknown>;
type InputKind = 'member' | 'members' | 'department' | 'dateRange' | 'date' | 'select' | 'number' | 'text';

/** The field a filter entry stands for in the first widget it applies to (for its type and options). */
function boundField(def: DashboardFilterDef, dashboard: Dashboard, forms: Map<string, FormDef>): FieldDef | undefined {
  for (const w of dashboard.widgets) {
    if (isLedger(w.source)) continue;
    const ref = def.fields && Object.prototype.hasOwnProperty.call(def.fields, w.id) ? def.fields[w.id] : (def.field ?? def.key);
    const field = ref ? findField(forms.get(w.source.formId), ref) : undefined;
    if (field) return field;
  }
  return undefined;
}

function inputKind(def: DashboardFilterDef, field: FieldDef | undefined): InputKind {
  const hint = def.input as InputKind | undefined;
  if (hint && ['member', 'members', 'department', 'dateRange', 'date', 'select', 'number', 'text'].includes(hint)) return hint;
  switch (field?.type) {
    case 'member':
    case 'members':
      return 'member';
    case 'department':
    case 'departments':
      return 'department';
    case 'date':
    case 'datetime':
      return 'dateRange';
    case 'number':
    case 'money':
      return 'number';
    case 'radio':
    case 'select':
    case 'checkbox':
    case 'multiselect':
      return 'select';
    default:
      return 'text';
  }
}

function empty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && (v.length === 0 || v.every((x) => x === undefined || x === null || x === '')));
}

/** The dashboard-wide filter: one clause per filled entry, naming the entry's key (the server binds it per widget). */
export function filterCondition(dashboard: Dashboard, forms: Map<string, FormDef>, values: FilterValues): Condition | undefined {
  const clauses: Condition[] = [];
  for (const def of dashboard.filters) {
    const value = values[def.key];
    if (empty(value)) continue;
    const kind = inputKind(def, boundField(def, dashboard, forms));
    if (kind === 'dateRange' || kind === 'number') {
      const [from, to] = value as [unknown, unknown];
      if (!empty(from)) clauses.push({ field: def.key, op: 'gte', value: from });
      if (!empty(to)) clauses.push({ field: def.key, op: 'lte', value: to });
    } else if (kind === 'text') clauses.push({ field: def.key, op: 'contains', value });
    else if (Array.isArray(value)) clauses.push({ field: def.key, op: 'in', value });
    else clauses.push({ field: def.key, op: 'eq', value });
  }
  return clauses.length ? { and: clauses } : undefined;
}

export function FilterBar({ dashboard, forms, values, onChange }: { dashboard: Dashboard; forms: Map<string, FormDef>; values: FilterValues; onChange: (next: FilterValues) => void }) {
  const { t, i18n } = useTranslation();
  if (!dashboard.filters.length) return null;
  const set = (key: string, value: unknown) => onChange({ ...values, [key]: value });
  return (
    <div className="qiao-dashboard-filters" data-testid="dashboard-filters">
      <Space wrap size="middle">
        {dashboard.filters.map((def) => {
          const field = boundField(def, dashboard, forms);
          const kind = inputKind(def, field);
          const label = localize(def.label, i18n.language) || def.key;
          const value = values[def.key];
          let input: React.ReactNode;
          switch (kind) {
            case 'member':
            case 'members':
              input = <MemberPicker multiple ariaLabel={label} value={value as string[] | undefined} onChange={(v) => set(def.key, v)} />;
              break;
            case 'department':
              input = <DepartmentPicker multiple ariaLabel={label} value={value as string[] | undefined} onChange={(v) => set(def.key, v)} />;
              break;
            case 'date':
            case 'dateRange': {
              const pair = (value as [string | undefined, string | undefined] | undefined) ?? [undefined, undefined];
              input = (
                <DatePicker.RangePicker
                  aria-label={label}
                  allowEmpty={[true, true]}
                  value={[pair[0] ? dayjs(pair[0]) : null, pair[1] ? dayjs(pair[1]) : null]}
                  onChange={(range) => set(def.key, range ? [range[0]?.format('YYYY-MM-DD'), range[1]?.format('YYYY-MM-DD')] : undefined)}
                />
              );
              break;
            }
            case 'number': {
              const pair = (value as [number | undefined, number | undefined] | undefined) ?? [undefined, undefined];
              input = (
                <Space.Compact>
                  <InputNumber aria-label={`${label} ${t('filter.from')}`} value={pair[0]} onChange={(v) => set(def.key, [v ?? undefined, pair[1]])} />
                  <InputNumber aria-label={`${label} ${t('filter.to')}`} value={pair[1]} onChange={(v) => set(def.key, [pair[0], v ?? undefined])} />
                </Space.Compact>
              );
              break;
            }
            case 'select':
              input = (
                <Select
                  aria-label={label}
                  mode="multiple"
                  allowClear
                  style={{ minWidth: 180 }}
                  value={(value as string[] | undefined) ?? []}
                  options={(field?.options ?? []).map((o) => ({ value: o.value, label: localize(o.label, i18n.language) }))}
                  onChange={(v: string[]) => set(def.key, v)}
                />
              );
              break;
            default:
              input = <Input allowClear aria-label={label} value={(value as string | undefined) ?? ''} onChange={(e) => set(def.key, e.target.value)} style={{ width: 180 }} />;
          }
          return (
            <Space key={def.key} size={6}>
              <Typography.Text>{label}</Typography.Text>
              <div style={{ minWidth: kind === 'member' || kind === 'department' ? 200 : undefined }}>{input}</div>
            </Space>
          );
        })}
        <Button onClick={() => onChange({})} disabled={!Object.values(values).some((v) => !empty(v))}>
          {t('filter.clear')}
        </Button>
      </Space>
    </div>
  );
}
