import { ReloadOutlined, WifiOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Badge, Button, Card, Input, Select, Space, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useAllForms } from '../api/queries.ts';
import { ErrorState } from '../layout/States.tsx';
import { useLocalize } from '../lib/localize.ts';
import { useOrgNames } from '../renderer/inputs/OrgPickers.tsx';
import { BOXES, taskKeys, useTaskBox, useTaskCounts, type Box, type TaskRow } from './api.ts';
import { STATUS_COLORS } from './status.ts';
import { useTaskEvents } from './useTaskEvents.ts';

dayjs.extend(relativeTime);

const PAGE_SIZE = 20;

/** Where a row leads: a task opens the approval page; an instance or a copy opens the instance's page. */
export function rowLink(box: Box, row: TaskRow): string {
  return box === 'todo' || box === 'done' ? `/tasks/${row.id}` : `/instances/${row.instanceId}`;
}

/** `/tasks`: 待办 / 已办 / 我发起的 / 抄送我, with counts, search, a form filter and live updates. */
export default function TasksPage() {
  const { t } = useTranslation();
  const l = useLocalize();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const box = (BOXES as readonly string[]).includes(params.get('box') ?? '') ? (params.get('box') as Box) : 'todo';
  const q = params.get('q') ?? '';
  const formId = params.get('formId') ?? '';
  const page = Math.max(1, Number(params.get('page') ?? 1) || 1);
  const [search, setSearch] = useState(q);
  const live = useTaskEvents();
  const counts = useTaskCounts(live);
  const list = useTaskBox(box, { formId: formId || undefined, q: q || undefined, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }, live);
  const { forms } = useAllForms();
  const names = useOrgNames();
  const formsById = useMemo(() => new Map(forms.map((f) => [f.id, f])), [forms]);

  const setParam = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: true });
  };

  const formCell = (row: TaskRow) => {
    const form = formsById.get(row.formId);
    return form ? l(form.name) : row.formId;
  };
  const when = (iso: string | undefined) =>
    iso ? (
      <Tooltip title={dayjs(iso).format('YYYY-MM-DD HH:mm:ss')}>
        <span>{dayjs(iso).format('MM-DD HH:mm')}</span> <Typography.Text type="secondary">({dayjs(iso).fromNow()})</Typography.Text>
      </Tooltip>
    ) : (
      '—'
    );
  // An instance (我发起的) reads 审批中 / 已通过; a task (已办) reads what its holder did.
  const statusTag = (status: string) => (
    <Tag color={STATUS_COLORS[status] ?? 'default'}>{box === 'initiated' ? t(`workflow.status.${status}`, { defaultValue: status }) : t(`tasks.statuses.${status}`, { defaultValue: status })}</Tag>
  );

  const columns = [
    {
      title: t('tasks.columns.form'),
      key: 'form',
      render: (_: unknown, row: TaskRow) => (
        <Link to={rowLink(box, row)} onClick={(e) => e.stopPropagation()}>
          {formCell(row)}
        </Link>
      ),
    },
    ...(box === 'initiated'
      ? [{ title: t('tasks.columns.status'), key: 'status', render: (_: unknown, row: TaskRow) => statusTag(row.status) }]
      : [{ title: t('tasks.columns.node'), key: 'node', render: (_: unknown, row: TaskRow) => row.nodeName ?? row.nodeId ?? '—' }]),
    { title: t('tasks.columns.initiator'), key: 'initiator', render: (_: unknown, row: TaskRow) => names.get(row.initiatorId) ?? row.initiatorId },
    { title: box === 'initiated' ? t('tasks.columns.startedAt') : t('tasks.columns.arrived'), key: 'arrived', render: (_: unknown, row: TaskRow) => when(row.createdAt) },
    ...(box === 'done'
      ? [
          { title: t('tasks.columns.result'), key: 'result', render: (_: unknown, row: TaskRow) => statusTag(row.status) },
          { title: t('tasks.columns.closedAt'), key: 'closed', render: (_: unknown, row: TaskRow) => when(row.closedAt) },
        ]
      : []),
    {
      title: '',
      key: 'open',
      width: 90,
      render: (_: unknown, row: TaskRow) => (
        <Link to={rowLink(box, row)} onClick={(e) => e.stopPropagation()}>
          {box === 'todo' ? t('tasks.handle') : t('tasks.view')}
        </Link>
      ),
    },
  ];

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('tasks.title')}
        </Typography.Title>
        <Tooltip title={live ? t('tasks.liveOn') : t('tasks.liveOff')}>
          <Tag icon={<WifiOutlined />} color={live ? 'success' : 'default'} data-testid="tasks-live" data-live={live ? 'true' : 'false'}>
            {live ? t('tasks.live') : t('tasks.polling')}
          </Tag>
        </Tooltip>
      </Space>
      <Card size="small">
        <Tabs
          activeKey={box}
          onChange={(key) => setParam({ box: key === 'todo' ? null : key, page: null })}
          items={BOXES.map((b) => ({
            key: b,
            label: (
              <span data-testid={`tasks-tab-${b}`}>
                {t(`tasks.tabs.${b}`)}{' '}
                <Badge count={counts[b] ?? 0} showZero overflowCount={999} color={b === 'todo' && counts[b] ? '#ff4d4f' : '#bfbfbf'} size="small" data-testid={`tasks-count-${b}`} />
              </span>
            ),
          }))}
        />
        <Space wrap style={{ marginBottom: 12 }}>
          <Input.Search
            allowClear
            aria-label={t('tasks.search')}
            placeholder={t('tasks.search')}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            onSearch={(value) => setParam({ q: value.trim() || null, page: null })}
            style={{ width: 240 }}
            disabled={box === 'initiated'}
          />
          <Select
            allowClear
            aria-label={t('tasks.formFilter')}
            placeholder={t('tasks.allForms')}
            style={{ minWidth: 220 }}
            value={formId || undefined}
            showSearch={{ optionFilterProp: 'label' }}
            options={forms.map((f) => ({ value: f.id, label: `${l(f.appName)} / ${l(f.name)}` }))}
            onChange={(v: string | undefined) => setParam({ formId: v ?? null, page: null })}
          />
          <Button icon={<ReloadOutlined />} onClick={() => void queryClient.invalidateQueries({ queryKey: taskKeys.all })} aria-label={t('common.refresh')} />
        </Space>
        {list.error ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<TaskRow>
            rowKey="id"
            size="middle"
            loading={list.isLoading}
            dataSource={list.data?.items ?? []}
            columns={columns}
            data-testid={`tasks-table-${box}`}
            locale={{ emptyText: t(`tasks.empty.${box}`) }}
            onRow={(row) => ({ onClick: () => navigate(rowLink(box, row)), style: { cursor: 'pointer' }, 'data-testid': 'task-row' } as React.HTMLAttributes<HTMLElement>)}
            pagination={{ current: page, pageSize: PAGE_SIZE, total: list.data?.total ?? 0, showSizeChanger: false, onChange: (p) => setParam({ page: p > 1 ? String(p) : null }), hideOnSinglePage: true }}
          />
        )}
      </Card>
    </Space>
  );
}
