import { ExportOutlined, RollbackOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntApp, Breadcrumb, Button, Card, Col, Descriptions, Popconfirm, Row, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { ApiError } from '../api/client.ts';
import { useForm } from '../api/queries.ts';
import { useAuth } from '../auth/AuthProvider.tsx';
import { errorMessage } from '../layout/States.tsx';
import { useLocalize } from '../lib/localize.ts';
import { useOrgNames } from '../renderer/inputs/OrgPickers.tsx';
import { FlowGraph } from '../workflow/FlowGraph.tsx';
import { nodeName, type Definition } from '../workflow/model.ts';
import { ActionPanel } from './ActionPanel.tsx';
import { actOnTask, taskKeys, withdrawInstance, type ActionBody, type InstanceView, type NodePermissions, type TaskRow, type ViewedRecord } from './api.ts';
import { ProcessLog } from './ProcessLog.tsx';
import './tasks.css';
import { STATUS_COLORS } from './status.ts';
import { editableFields, TaskRecord } from './TaskRecord.tsx';

/** Actions after which this task is no longer the viewer's to handle: back to the list. */
const DECISIVE = new Set(['approve', 'reject', 'submit', 'sendBack', 'transfer']);

export interface ProcessViewProps {
  instance: InstanceView;
  record: ViewedRecord | null;
  definition: Definition;
  permissions: NodePermissions | null;
  /** The task being handled (approval page), absent on an instance's own page. */
  task?: TaskRow;
  /** The task actions go to and the actions the viewer may take on it. */
  actionTaskId?: string;
  allowed: string[];
  sendBackTargets: string[];
  onChanged: () => void;
}

/** The approval page's body: record, actions, flow graph and log of one instance. */
export function ProcessView({ instance, record, definition, permissions, task, actionTaskId, allowed, sendBackTargets, onChanged }: ProcessViewProps) {
  const { t } = useTranslation();
  const l = useLocalize();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { me } = useAuth();
  const names = useOrgNames();
  const form = useForm(instance.formId);
  const [edits, setEdits] = useState<Record<string, unknown>>({});
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [round, setRound] = useState(0);

  const myId = me?.user.id;
  const isInitiator = myId === instance.initiatorId;
  const running = instance.status === 'running';
  const canDecideWithData = allowed.includes('approve') || allowed.includes('submit');
  const editable = useMemo(() => (canDecideWithData ? editableFields(form.data, permissions) : []), [canDecideWithData, form.data, permissions]);
  const editing = editable.length > 0;
  const node = task ? definition.nodes.find((n) => n.id === task.nodeId) : undefined;
  const requireComment = Boolean(node?.data?.requireComment);
  const targets = sendBackTargets.map((id) => ({ nodeId: id, name: nodeName(definition.nodes.find((n) => n.id === id)) || id }));
  const visited = useMemo(() => [...new Set(instance.log.filter((e) => e.kind === 'node_left').map((e) => e.nodeId!).filter(Boolean))], [instance.log]);
  const waiting = instance.tasks.filter((x) => x.status === 'open');
  const formName = form.data ? l(form.data.name) : '';
  const appId = form.data?.appId;

  const act = async (body: ActionBody) => {
    if (!actionTaskId) return;
    setBusy(body.action);
    setActionError(null);
    setErrors(new Map());
    try {
      const changed = Object.fromEntries(Object.entries(edits).filter(([k]) => editable.some((f) => f.id === k)));
      const withData = (body.action === 'approve' || body.action === 'submit') && Object.keys(changed).length ? { ...body, data: changed } : body;
      await actOnTask(actionTaskId, withData);
      message.success(t('tasks.actionDone', { action: t(`tasks.buttons.${body.action}`) }));
      void queryClient.invalidateQueries({ queryKey: taskKeys.all });
      if (DECISIVE.has(body.action) && task) navigate('/tasks');
      else {
        setRound((r) => r + 1);
        onChanged();
      }
    } catch (err) {
      if (err instanceof ApiError && err.errors.length) {
        setErrors(new Map(err.errors.filter((e) => e.field).map((e) => [e.field.replace(/^\/?data[./]/, '').split(/[.[]/)[0], e.message])));
      }
      setActionError(errorMessage(err, t));
    } finally {
      setBusy(null);
    }
  };

  const withdraw = async () => {
    try {
      await withdrawInstance(instance.id);
      message.success(t('tasks.withdrawn'));
      void queryClient.invalidateQueries({ queryKey: taskKeys.all });
      onChanged();
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="process-view">
      <Breadcrumb items={[{ title: <Link to="/tasks">{t('tasks.title')}</Link> }, { title: formName || '…' }]} />
      <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
        <Space wrap align="center">
          <Typography.Title level={3} style={{ margin: 0 }}>
            {task ? t('tasks.approvalTitle', { form: formName, node: task.nodeName ?? nodeName(node) }) : formName}
          </Typography.Title>
          <Tag color={STATUS_COLORS[instance.status] ?? 'default'} data-testid="instance-status">
            {t(`workflow.status.${instance.status}`, { defaultValue: instance.status })}
          </Tag>
          {task && task.status !== 'open' && <Tag color={STATUS_COLORS[task.status]}>{t(`tasks.statuses.${task.status}`, { defaultValue: task.status })}</Tag>}
        </Space>
        <Space wrap>
          {appId && record && (
            <Link to={`/apps/${appId}/forms/${instance.formId}/records/${instance.recordId}`}>
              <Button icon={<ExportOutlined />}>{t('tasks.openRecord')}</Button>
            </Link>
          )}
          {isInitiator && running && (
            <Popconfirm title={t('tasks.withdrawConfirm')} onConfirm={() => void withdraw()} okText={t('tasks.buttons.withdraw')} cancelText={t('common.cancel')}>
              <Button icon={<RollbackOutlined />} data-testid="instance-withdraw">
                {t('tasks.buttons.withdraw')}
              </Button>
            </Popconfirm>
          )}
        </Space>
      </Space>
      <Descriptions
        size="small"
        column={{ xs: 1, md: 3 }}
        items={[
          { key: 'initiator', label: t('tasks.columns.initiator'), children: names.get(instance.initiatorId) ?? instance.initiatorId },
          { key: 'started', label: t('tasks.columns.startedAt'), children: dayjs(instance.createdAt).format('YYYY-MM-DD HH:mm') },
          {
            key: 'waiting',
            label: t('tasks.waiting'),
            children: waiting.length ? waiting.map((x) => `${names.get(x.assigneeId) ?? x.assigneeId}（${nodeName(definition.nodes.find((n) => n.id === x.nodeId))}）`).join('，') : '—',
          },
        ]}
      />
      {task?.kind === 'resubmit' && task.status === 'open' && <Alert type="warning" showIcon title={t('tasks.resubmitHint')} data-testid="resubmit-hint" />}
      {instance.reason && !running && <Alert type="info" showIcon title={instance.reason} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={13}>
          <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
            <Card title={t('tasks.record')} size="small">
              {record ? (
                <TaskRecord
                  form={form.data}
                  data={record.data}
                  permissions={permissions}
                  editing={editing}
                  edits={edits}
                  onEdit={(fieldId, value) => {
                    setEdits((prev) => ({ ...prev, [fieldId]: value }));
                    setErrors((prev) => {
                      if (!prev.has(fieldId)) return prev;
                      const next = new Map(prev);
                      next.delete(fieldId);
                      return next;
                    });
                  }}
                  errors={errors}
                />
              ) : (
                <Typography.Text type="secondary">{t('tasks.recordHidden')}</Typography.Text>
              )}
            </Card>
            <Card title={t('tasks.actions')} size="small">
              {allowed.length && actionTaskId ? (
                <ActionPanel key={round} allowed={allowed} targets={targets} requireComment={requireComment} busy={busy} error={actionError} onAct={(body) => void act(body)} />
              ) : (
                <Typography.Text type="secondary" data-testid="task-no-actions">
                  {t('tasks.noActions')}
                </Typography.Text>
              )}
            </Card>
          </Space>
        </Col>
        <Col xs={24} lg={11}>
          <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
            <Card title={t('tasks.flow')} size="small">
              <FlowGraph definition={definition} fields={form.data?.fields ?? []} current={instance.currentNodeIds} visited={visited} height={360} />
            </Card>
            <Card title={t('tasks.log.title')} size="small">
              <ProcessLog log={instance.log} definition={definition} />
            </Card>
          </Space>
        </Col>
      </Row>
    </Space>
  );
}
