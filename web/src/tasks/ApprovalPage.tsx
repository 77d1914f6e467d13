import { useParams } from 'react-router-dom';
import { ErrorState, Loading } from '../layout/States.tsx';
import { useTaskDetail } from './api.ts';
import { ProcessView } from './ProcessView.tsx';

/** `/tasks/:taskId`: one task to handle (审批页), or one already handled. */
export default function ApprovalPage() {
  const { taskId = '' } = useParams();
  const detail = useTaskDetail(taskId);
  if (detail.isLoading) return <Loading />;
  if (detail.error || !detail.data) return <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />;
  const d = detail.data;
  return (
    <ProcessView
      key={d.task.id}
      instance={d.instance}
      record={d.record}
      definition={d.definition}
      permissions={d.fieldPermissions}
      task={d.task}
      actionTaskId={d.task.id}
      allowed={d.allowedActions}
      sendBackTargets={d.sendBackTargets}
      onChanged={() => void detail.refetch()}
    />
  );
}
