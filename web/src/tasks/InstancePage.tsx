import { Alert, Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { useAuth } from '../auth/AuthProvider.tsx';
import { ErrorState, Loading } from '../layout/States.tsx';
import { useInstanceDetail } from './api.ts';
import { ProcessView } from './ProcessView.tsx';

/**
 * `/instances/:instanceId`: an instance seen by its initiator or someone copied on it (我发起的, 抄送我). The
 * initiator may urge and comment on the open task and withdraw; a task waiting for the viewer is a link away.
 */
export default function InstancePage() {
  const { instanceId = '' } = useParams();
  const { t } = useTranslation();
  const { me } = useAuth();
  const detail = useInstanceDetail(instanceId);
  if (detail.isLoading) return <Loading />;
  if (detail.error || !detail.data) return <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />;
  const d = detail.data;
  const myId = me?.user.id;
  const open = d.tasks.filter((x) => x.status === 'open');
  const mine = open.find((x) => x.assigneeId === myId);
  const initiator = myId === d.initiatorId;
  const urgeable = initiator && d.status === 'running' ? open.find((x) => x.assigneeId !== myId) : undefined;
  return (
    <>
      {mine && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          title={t('tasks.yourTurn')}
          action={
            <Link to={`/tasks/${mine.id}`}>
              <Button type="primary" size="small" data-testid="instance-go-task">
                {t('tasks.handle')}
              </Button>
            </Link>
          }
        />
      )}
      <ProcessView
        key={d.id}
        instance={d}
        record={d.record}
        definition={d.definition}
        permissions={d.record?.fieldPermissions ?? null}
        actionTaskId={urgeable?.id}
        allowed={urgeable ? ['comment', 'urge'] : []}
        sendBackTargets={[]}
        onChanged={() => void detail.refetch()}
      />
    </>
  );
}
