import { Tag, Timeline, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useOrgNames } from '../renderer/inputs/OrgPickers.tsx';
import { nodeName, type Definition } from '../workflow/model.ts';
import type { LogEntry } from './api.ts';

const SYSTEM_SHOWN = new Set(['withdraw', 'timeout', 'empty_assignees', 'cc', 'failed', 'jump', 'terminate', 'automation_failed_continue', 'subprocess_started', 'subprocess_finished', 'dedupe']);
const COLORS: Record<string, string> = { approve: 'green', approved: 'green', submit: 'green', reject: 'red', rejected: 'red', sendBack: 'orange', withdraw: 'gray', urge: 'orange' };

/** The instance's history as people read it: who did what at which node, with their comments. */
export function ProcessLog({ log, definition }: { log: LogEntry[]; definition: Definition | undefined }) {
  const { t } = useTranslation();
  const names = useOrgNames();
  const who = (id: string | undefined) => (!id ? '' : id === 'system' ? t('tasks.log.system') : (names.get(id) ?? id));
  const node = (id: string | undefined) => (id ? nodeName(definition?.nodes.find((n) => n.id === id)) || id : '');
  const shown = log.filter((e) => e.kind === 'started' || e.kind === 'task_action' || e.kind === 'task_opened' || e.kind === 'finished' || e.kind === 'reactivated' || (e.kind === 'system' && SYSTEM_SHOWN.has(e.action ?? '')));

  const line = (e: LogEntry): React.ReactNode => {
    switch (e.kind) {
      case 'started':
        return t('tasks.log.started', { name: who(e.actorId) });
      case 'task_opened':
        return <Typography.Text type="secondary">{t('tasks.log.opened', { name: who(e.detail?.assigneeId as string | undefined), node: node(e.nodeId) })}</Typography.Text>;
      case 'finished':
        return t('tasks.log.finished', { status: t(`workflow.status.${e.action}`, { defaultValue: e.action ?? '' }) });
      case 'reactivated':
        return t('tasks.log.reactivated', { name: who(e.actorId) });
      case 'task_action': {
        const action = e.action ?? '';
        const label = t(`workflow.actions.${action}`, { defaultValue: t(`tasks.statuses.${action}`, { defaultValue: action }) });
        const extra =
          action === 'sendBack' && e.detail?.toNodeId ? t('tasks.log.toNode', { node: node(e.detail.toNodeId as string) })
          : action === 'transfer' && e.detail?.toMemberId ? t('tasks.log.toMember', { name: who(e.detail.toMemberId as string) })
          : action === 'addSigner' && Array.isArray(e.detail?.memberIds) ? t('tasks.log.signers', { names: (e.detail.memberIds as string[]).map(who).join('、') })
          : '';
        return (
          <>
            <Typography.Text strong>{who(e.actorId)}</Typography.Text> <Tag color={COLORS[action]}>{label}</Tag>
            {extra}
            {e.reason && e.actorId === 'system' ? <Typography.Text type="secondary"> ({e.reason})</Typography.Text> : null}
          </>
        );
      }
      default: {
        const action = e.action ?? '';
        return (
          <>
            {e.actorId && <Typography.Text strong>{who(e.actorId)} </Typography.Text>}
            <Tag color={COLORS[action]}>{t(`tasks.log.system_${action}`, { defaultValue: action })}</Tag>
            {action === 'cc' && Array.isArray(e.detail?.memberIds) ? (e.detail.memberIds as string[]).map(who).join('、') : e.reason ? <Typography.Text type="secondary">{e.reason}</Typography.Text> : null}
          </>
        );
      }
    }
  };

  return (
    <Timeline
      data-testid="process-log"
      items={shown.map((e, i) => ({
        key: String(i),
        color: COLORS[e.action ?? ''] ?? (e.kind === 'task_opened' ? 'gray' : 'blue'),
        content: (
          <div data-testid="process-log-entry">
            <div>
              {e.nodeId && <Typography.Text type="secondary">[{node(e.nodeId)}] </Typography.Text>}
              {line(e)}
            </div>
            {e.comment && <div className="qiao-task-comment">“{e.comment}”</div>}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {dayjs(e.at).format('YYYY-MM-DD HH:mm:ss')}
            </Typography.Text>
          </div>
        ),
      }))}
    />
  );
}
