import { useQuery } from '@tanstack/react-query';
import { Table } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { useForm } from '../api/queries.ts';
import type { Condition, FieldDef, Page, RecordItem } from '../api/types.ts';
import { NO_DATA_TYPES } from '../fields/fieldTypes.ts';
import { useLocalize } from '../lib/localize.ts';
import { cellText } from './cellText.ts';
import { useOrgNames } from './inputs/OrgPickers.tsx';

/** Replaces `{ ref: fieldId }` values with the current record's values, so the server sees plain conditions. */
export function resolveRefs(condition: Condition | undefined, data: Record<string, unknown>): Condition | undefined {
  if (!condition) return undefined;
  if (condition.and) return { and: condition.and.map((c) => resolveRefs(c, data)!).filter(Boolean) };
  if (condition.or) return { or: condition.or.map((c) => resolveRefs(c, data)!).filter(Boolean) };
  const v = condition.value as { ref?: string } | undefined;
  if (v && typeof v === 'object' && !Array.isArray(v) && typeof v.ref === 'string') {
    const [top, col] = v.ref.split('.');
    const resolved = col ? undefined : data[top];
    return { ...condition, value: resolved ?? null };
  }
  return condition;
}

/** Related query 关联查询: a read-only live list of another form's records that match the field's condition. */
export function QueryList({ field, data, id, label }: { field: FieldDef; data: Record<string, unknown>; id: string; label: string }) {
  const { t, i18n } = useTranslation();
  const l = useLocalize();
  const target = useForm(field.form);
  const names = useOrgNames();
  const filter = resolveRefs(field.filter, data);
  const records = useQuery({
    queryKey: ['query-field', field.form, JSON.stringify(filter ?? null)],
    enabled: Boolean(field.form),
    queryFn: ({ signal }) =>
      api<Page<RecordItem>>('GET', `/forms/${field.form}/records`, undefined, { signal, query: { limit: 50, filter: filter ? JSON.stringify(filter) : undefined } }),
  });
  const shown = (field.displayFields?.length ? field.displayFields : (target.data?.fields ?? []).filter((f) => !NO_DATA_TYPES.has(f.type) && f.type !== 'subform').slice(0, 4).map((f) => f.id))
    .map((fid) => target.data?.fields.find((f) => f.id === fid))
    .filter((f): f is FieldDef => Boolean(f));
  return (
    <Table<RecordItem>
      id={id}
      aria-label={label}
      size="small"
      loading={records.isLoading}
      rowKey="id"
      pagination={false}
      scroll={{ x: 'max-content', y: 240 }}
      dataSource={records.data?.items ?? []}
      locale={{ emptyText: records.error ? t('errors.title') : t('common.empty') }}
      columns={shown.map((f) => ({ key: f.id, title: l(f.label), render: (_: unknown, r: RecordItem) => cellText(f, r.data[f.id], i18n.language, { names }) }))}
    />
  );
}
