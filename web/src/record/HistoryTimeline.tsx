import { useQuery } from '@tanstack/react-query';
import { Table, Tag, Timeline, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { FieldDef, FormDef, HistoryChange, HistoryEntry, Page } from '../api/types.ts';
import { ErrorState, Loading, EmptyState } from '../layout/States.tsx';
import { useLocalize } from '../lib/localize.ts';
import { cellText } from '../renderer/cellText.ts';
import { useOrgNames } from '../renderer/inputs/OrgPickers.tsx';

function changesOf(entry: HistoryEntry): HistoryChange[] {
  if (Array.isArray(entry.changes)) return entry.changes;
  return Object.entries(entry.changes ?? {}).map(([field, c]) => ({ field, ...c }));
}

/** Subform values differ row by row; summarise what changed instead of printing two arrays. */
function subformDiff(field: FieldDef, before: unknown, after: unknown, lang: string, names: Map<string, string>): string {
  const a = Array.isArray(before) ? (before as Record<string, unknown>[]) : [];
  const b = Array.isArray(after) ? (after as Record<string, unknown>[]) : [];
  const lines: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    for (const column of field.fields ?? []) {
      const x = cellText(column, a[i]?.[column.id], lang, { names });
      const y = cellText(column, b[i]?.[column.id], lang, { names });
      if (x !== y) lines.push(`#${i + 1} ${column.id}: ${x || '∅'} → ${y || '∅'}`);
    }
  }
  return lines.join('\n');
}

/** 数据修改记录: who changed what and when, field by field. */
export function HistoryTimeline({ form, recordId }: { form: FormDef; recordId: string }) {
  const { t, i18n } = useTranslation();
  const l = useLocalize();
  const names = useOrgNames();
  const history = useQuery({
    queryKey: ['forms', form.id, 'records', recordId, 'history'],
    queryFn: async ({ signal }) => {
      const answer = await api<Page<HistoryEntry> | HistoryEntry[]>('GET', `/forms/${form.id}/records/${recordId}/history`, undefined, { signal });
      return Array.isArray(answer) ? answer : answer.items;
    },
  });
  if (history.isLoading) return <Loading />;
  if (history.error) return <ErrorState error={history.error} onRetry={() => void history.refetch()} />;
  if (!history.data?.length) return <EmptyState description={t('history.empty')} />;
  const fieldById = new Map(form.fields.map((f) => [f.id, f]));
  return (
    <Timeline
      data-testid="history"
      items={[...history.data].reverse().map((entry, i) => {
        const changes = changesOf(entry);
        return {
          key: entry.id ?? String(i),
          children: (
            <div>
              <Typography.Text strong>{names.get(entry.actorId ?? '') ?? entry.actorId ?? t('history.system')}</Typography.Text>{' '}
              <Tag>{t(`history.actions.${entry.action ?? 'update'}`, { defaultValue: entry.action ?? '' })}</Tag>
              <Typography.Text type="secondary">{dayjs(entry.at).format('YYYY-MM-DD HH:mm:ss')}</Typography.Text>
              {changes.length > 0 && (
                <Table
                  size="small"
                  style={{ marginTop: 6 }}
                  pagination={false}
                  rowKey="field"
                  dataSource={changes}
                  columns={[
                    { key: 'field', title: t('history.field'), render: (_, c) => (fieldById.get(c.field) ? l(fieldById.get(c.field)!.label) : c.field) },
                    {
                      key: 'before',
                      title: t('history.before'),
                      render: (_, c) => {
                        const f = fieldById.get(c.field);
                        if (f?.type === 'subform') return <pre style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{subformDiff(f, c.before, c.after, i18n.language, names)}</pre>;
                        return <Typography.Text delete type="secondary">{f ? cellText(f, c.before, i18n.language, { names }) : JSON.stringify(c.before ?? '')}</Typography.Text>;
                      },
                    },
                    {
                      key: 'after',
                      title: t('history.after'),
                      render: (_, c) => {
                        const f = fieldById.get(c.field);
                        if (f?.type === 'subform') return null;
                        return <Typography.Text>{f ? cellText(f, c.after, i18n.language, { names }) : JSON.stringify(c.after ?? '')}</Typography.Text>;
                      },
                    },
                  ]}
                />
              )}
            </div>
          ),
        };
      })}
    />
  );
}
