import { LinkOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Select, Spin } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { useForm } from '../../api/queries.ts';
import type { Condition, FieldDef, FormDef, Page, RecordItem } from '../../api/types.ts';
import { NO_DATA_TYPES } from '../../fields/fieldTypes.ts';
import { cellText } from '../cellText.ts';

/** The fields that name a related record: the configured display fields, else the first text-like field. */
export function titleFields(target: FormDef | undefined, field: FieldDef): string[] {
  if (field.displayFields?.length) return field.displayFields;
  const first = target?.fields.find((f) => ['text', 'serial', 'email', 'phone'].includes(f.type)) ?? target?.fields.find((f) => !NO_DATA_TYPES.has(f.type) && f.type !== 'subform');
  return first ? [first.id] : [];
}

export function recordTitle(record: RecordItem | undefined, target: FormDef | undefined, field: FieldDef, lang: string): string {
  if (!record) return '';
  const parts = titleFields(target, field)
    .map((id) => {
      const f = target?.fields.find((x) => x.id === id);
      return f ? cellText(f, record.data[id], lang) : String(record.data[id] ?? '');
    })
    .filter(Boolean);
  return parts.join(' · ') || record.id;
}

interface RelationPickerProps {
  id?: string;
  ariaLabel: string;
  field: FieldDef;
  value: string | undefined;
  onChange: (value: string | undefined) => void;
  disabled?: boolean;
  status?: 'error';
}

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

/** Related record 关联数据: a searchable picker over the target form, filtered as the field says. */
export function RelationPicker({ id, ariaLabel, field, value, onChange, disabled, status }: RelationPickerProps) {
  const { t, i18n } = useTranslation();
  const target = useForm(field.form);
  const [search, setSearch] = useState('');
  const term = useDebounced(search, 250);
  const titles = titleFields(target.data, field);
  const searchField = titles[0];

  const results = useQuery({
    queryKey: ['relation-search', field.form, JSON.stringify(field.filter ?? null), searchField, term],
    enabled: Boolean(field.form && target.data),
    queryFn: ({ signal }) => {
      const parts: Condition[] = [];
      if (field.filter && !JSON.stringify(field.filter).includes('"ref"')) parts.push(field.filter);
      if (term && searchField) parts.push({ field: searchField, op: 'contains', value: term });
      return api<Page<RecordItem>>('GET', `/forms/${field.form}/records`, undefined, {
        signal,
        query: { limit: 20, filter: parts.length ? JSON.stringify({ and: parts }) : undefined },
      });
    },
  });
  const current = useQuery({
    queryKey: ['forms', field.form, 'records', value],
    enabled: Boolean(field.form && value) && !results.data?.items.some((r) => r.id === value),
    queryFn: ({ signal }) => api<RecordItem>('GET', `/forms/${field.form}/records/${value}`, undefined, { signal }),
    retry: false,
  });

  const options = (results.data?.items ?? []).map((r) => ({ value: r.id, label: recordTitle(r, target.data, field, i18n.language) }));
  if (value && !options.some((o) => o.value === value)) {
    options.unshift({ value, label: current.data ? recordTitle(current.data, target.data, field, i18n.language) : value });
  }

  return (
    <div style={{ display: 'flex', gap: 6, alignItems: 'center', width: '100%' }}>
      <Select
        id={id}
        aria-label={ariaLabel}
        showSearch={{ filterOption: false, onSearch: setSearch }}
        allowClear
        value={value}
        onChange={(v) => onChange(v ?? undefined)}
        options={options}
        loading={results.isFetching}
        notFoundContent={results.isFetching ? <Spin size="small" /> : t('common.noMatch')}
        disabled={disabled || !field.form}
        status={status}
        placeholder={t('record.searchRelated')}
        style={{ flex: 1, minWidth: 0 }}
      />
      {value && target.data?.appId && (
        <Link to={`/apps/${target.data.appId}/forms/${field.form}/records/${value}`} aria-label={t('record.openRelated')} title={t('record.openRelated')}>
          <LinkOutlined />
        </Link>
      )}
    </div>
  );
}
