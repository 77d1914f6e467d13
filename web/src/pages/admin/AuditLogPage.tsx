import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Input, Select, Space, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { useMembers } from '../../api/queries.ts';
import type { AuditEntry, Page } from '../../api/types.ts';
import { ErrorState } from '../../layout/States.tsx';

function summary(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

export default function AuditLogPage() {
  const { t } = useTranslation();
  const members = useMembers();
  const [actor, setActor] = useState<string | undefined>();
  const [action, setAction] = useState('');
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const names = new Map((members.data ?? []).map((m) => [m.id, m.name]));
  const log = useInfiniteQuery({
    queryKey: ['audit-log', actor, action, range?.[0]?.toISOString(), range?.[1]?.toISOString()],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api<Page<AuditEntry>>('GET', '/audit-log', undefined, {
        signal,
        query: { actor, action: action.trim() || undefined, from: range?.[0]?.startOf('day').toISOString(), to: range?.[1]?.endOf('day').toISOString(), limit: 50, cursor: pageParam ?? undefined },
      }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = log.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card title={t('admin.auditLog')}>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select aria-label={t('audit.actor')} placeholder={t('audit.actor')} allowClear showSearch={{ optionFilterProp: 'label' }} style={{ width: 180 }} value={actor} onChange={setActor} options={(members.data ?? []).map((m) => ({ value: m.id, label: m.name }))} />
        <Input aria-label={t('audit.action')} placeholder={t('audit.actionPlaceholder')} value={action} onChange={(e) => setAction(e.target.value)} style={{ width: 200 }} allowClear />
        <DatePicker.RangePicker aria-label={t('audit.time')} value={range} onChange={(v) => setRange(v as [Dayjs | null, Dayjs | null] | null)} />
      </Space>
      {log.error ? (
        <ErrorState error={log.error} onRetry={() => void log.refetch()} />
      ) : (
        <>
          <Table<AuditEntry>
            rowKey="id"
            size="small"
            loading={log.isLoading}
            dataSource={rows}
            pagination={false}
            scroll={{ x: 'max-content' }}
            data-testid="audit-log"
            columns={[
              { key: 'at', title: t('audit.time'), render: (_, e) => dayjs(e.at).format('YYYY-MM-DD HH:mm:ss'), width: 170 },
              { key: 'actor', title: t('audit.actor'), render: (_, e) => names.get(e.actorId) ?? e.actorId },
              { key: 'action', title: t('audit.action'), render: (_, e) => <Typography.Text code>{e.action}</Typography.Text> },
              { key: 'target', title: t('audit.target'), render: (_, e) => <Typography.Text ellipsis style={{ maxWidth: 240 }}>{summary(e.target)}</Typography.Text> },
              { key: 'detail', title: t('audit.detail'), render: (_, e) => <Typography.Text ellipsis style={{ maxWidth: 320 }} type="secondary">{summary(e.detail)}</Typography.Text> },
            ]}
          />
          {log.hasNextPage && (
            <Button block style={{ marginTop: 12 }} onClick={() => void log.fetchNextPage()} loading={log.isFetchingNextPage}>
              {t('common.loadMore')}
            </Button>
          )}
        </>
      )}
    </Card>
  );
}
