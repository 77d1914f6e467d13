import { useQuery } from '@tanstack/react-query';
import { Tag, Timeline, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { Instance } from '../api/types.ts';
import { EmptyState, ErrorState, Loading } from '../layout/States.tsx';
import { useOrgNames } from '../renderer/inputs/OrgPickers.tsx';

const STATUS_COLORS: Record<string, string> = { running: 'processing', approved: 'success', rejected: 'error', withdrawn: 'default', terminated: 'warning', failed: 'error' };

/** The approval trail of the record's workflow instance: nodes, decisions and comments. */
export function WorkflowLog({ instanceId }: { instanceId: string | undefined }) {
  const { t } = useTranslation();
  const names = useOrgNames();
  const instance = useQuery({
    queryKey: ['instances', instanceId],
    enabled: Boolean(instanceId),
    queryFn: ({ signal }) => api<Instance>('GET', `/instances/${instanceId}`, undefined, { signal }),
  });
  if (!instanceId) return <EmptyState description={t('workflow.none')} />;
  if (instance.isLoading) return <Loading />;
  if (instance.error || !instance.data) return <ErrorState error={instance.error} onRetry={() => void instance.refetch()} />;
  return (
    <div data-testid="workflow-log">
      <Tag color={STATUS_COLORS[instance.data.status] ?? 'default'}>{t(`workflow.status.${instance.data.status}`, { defaultValue: instance.data.status })}</Tag>
      <Timeline
        style={{ marginTop: 12 }}
        items={(instance.data.log ?? []).map((entry, i) => ({
          key: String(i),
          children: (
            <div>
              <Typography.Text strong>{entry.nodeName ?? entry.nodeId ?? entry.type}</Typography.Text>{' '}
              {entry.action && <Tag>{t(`workflow.actions.${entry.action}`, { defaultValue: entry.action })}</Tag>}
              {entry.actorId && <Typography.Text>{names.get(entry.actorId) ?? entry.actorId} </Typography.Text>}
              <Typography.Text type="secondary">{dayjs(entry.at).format('YYYY-MM-DD HH:mm')}</Typography.Text>
              {entry.comment && <div style={{ color: '#555' }}>“{entry.comment}”</div>}
            </div>
          ),
        }))}
      />
    </div>
  );
}
