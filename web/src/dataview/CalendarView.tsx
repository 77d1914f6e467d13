import { useQuery } from '@tanstack/react-query';
import { Badge, Calendar, Select, Space, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { Condition, FormDef, Page, RecordItem } from '../api/types.ts';
import { EmptyState, ErrorState } from '../layout/States.tsx';
import { useLocalize } from '../lib/localize.ts';
import type { CellContext } from '../renderer/cellText.ts';
import { cardTitle } from './recordTitle.ts';

/** Calendar 日历: records placed on the day of a date field, a month at a time. */
export function CalendarView({ form, dateField, onDateField, filter, ctx, onOpen }: { form: FormDef; dateField?: string; onDateField: (id: string) => void; filter?: Condition; ctx: CellContext; onOpen: (r: RecordItem) => void }) {
  const { t, i18n } = useTranslation();
  const l = useLocalize();
  const candidates = form.fields.filter((f) => f.type === 'date' || f.type === 'datetime');
  const field = candidates.find((f) => f.id === dateField) ?? candidates[0];
  const [month, setMonth] = useState<Dayjs>(() => dayjs().startOf('month'));
  // The calendar grid shows the tail of the previous month and the head of the next one too.
  const from = month.startOf('month').subtract(7, 'day');
  const to = month.endOf('month').add(14, 'day');
  const records = useQuery({
    queryKey: ['forms', form.id, 'records', 'calendar', field?.id, from.format('YYYY-MM-DD'), JSON.stringify(filter ?? null)],
    enabled: Boolean(field),
    queryFn: ({ signal }) => {
      const range: Condition = { field: field!.id, op: 'between', value: field!.type === 'date' ? [from.format('YYYY-MM-DD'), to.format('YYYY-MM-DD')] : [from.toISOString(), to.toISOString()] };
      return api<Page<RecordItem>>('GET', `/forms/${form.id}/records`, undefined, {
        signal,
        query: { limit: 1000, sort: field!.id, filter: JSON.stringify(filter ? { and: [filter, range] } : range) },
      });
    },
  });
  if (!field) return <EmptyState description={t('calendar.noField')} />;
  const byDay = new Map<string, RecordItem[]>();
  for (const r of records.data?.items ?? []) {
    const v = r.data[field.id];
    if (!v) continue;
    const day = dayjs(String(v)).format('YYYY-MM-DD');
    byDay.set(day, [...(byDay.get(day) ?? []), r]);
  }
  return (
    <Space orientation="vertical" style={{ width: '100%', background: '#fff', padding: 12, borderRadius: 8 }} data-testid="calendar">
      <Space>
        <Typography.Text>{t('calendar.dateField')}</Typography.Text>
        <Select aria-label={t('calendar.dateField')} value={field.id} onChange={onDateField} options={candidates.map((f) => ({ value: f.id, label: l(f.label) }))} style={{ minWidth: 160 }} />
      </Space>
      {records.error && <ErrorState error={records.error} onRetry={() => void records.refetch()} />}
      <Calendar
        value={month}
        onPanelChange={(d) => setMonth(d.startOf('month'))}
        onSelect={(d, info) => info.source !== 'date' && setMonth(d.startOf('month'))}
        cellRender={(d, info) => {
          if (info.type !== 'date') return info.originNode;
          const items = byDay.get(d.format('YYYY-MM-DD')) ?? [];
          return (
            <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
              {items.slice(0, 4).map((r) => (
                <li key={r.id}>
                  <button
                    type="button"
                    onClick={(e) => {
                      e.stopPropagation();
                      onOpen(r);
                    }}
                    style={{ border: 0, background: 'none', padding: 0, cursor: 'pointer', maxWidth: '100%', textAlign: 'left' }}
                  >
                    <Badge status="processing" text={<span style={{ fontSize: 12 }}>{cardTitle(form, r, i18n.language, ctx)}</span>} />
                  </button>
                </li>
              ))}
              {items.length > 4 && <li style={{ fontSize: 12, color: '#999' }}>+{items.length - 4}</li>}
            </ul>
          );
        }}
      />
    </Space>
  );
}
