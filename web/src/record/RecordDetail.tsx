import { CopyOutlined, DeleteOutlined, EditOutlined, ExportOutlined, PrinterOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Popconfirm, Space, Tabs, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import { formRights, type FormDef, type RecordItem } from '../api/types.ts';
import { ErrorState, Loading, errorMessage } from '../layout/States.tsx';
import { COMPUTED_TYPES, NO_DATA_TYPES } from '../fields/fieldTypes.ts';
import { useOrgNames } from '../renderer/inputs/OrgPickers.tsx';
import { RecordForm } from '../renderer/RecordForm.tsx';
import { RecordView } from '../renderer/RecordView.tsx';
import { HistoryTimeline } from './HistoryTimeline.tsx';
import { PrintDialog } from './PrintDialog.tsx';
import { RelatedRecords } from './RelatedRecords.tsx';
import { WorkflowLog } from './WorkflowLog.tsx';

interface RecordDetailProps {
  appId: string;
  form: FormDef;
  recordId: string;
  /** Inside the data view's drawer: offer a link to the full page. */
  inDrawer?: boolean;
  onDeleted?: () => void;
}

/** Copy keeps what a person typed; ids, serials and formulas are the new record's own. */
function copyable(form: FormDef, data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of form.fields) if (!NO_DATA_TYPES.has(f.type) && !COMPUTED_TYPES.has(f.type) && data[f.id] !== undefined && !f.unique) out[f.id] = structuredClone(data[f.id]);
  return out;
}

export function RecordDetail({ appId, form, recordId, inDrawer, onDeleted }: RecordDetailProps) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const names = useOrgNames();
  const [editing, setEditing] = useState(false);
  const [printing, setPrinting] = useState(false);
  const record = useQuery({
    queryKey: keys.record(form.id, recordId),
    queryFn: ({ signal }) => api<RecordItem>('GET', `/forms/${form.id}/records/${recordId}`, undefined, { signal }),
  });

  if (record.isLoading) return <Loading />;
  if (record.error || !record.data) return <ErrorState error={record.error} onRetry={() => void record.refetch()} />;
  const current = record.data;
  const rights = formRights(form);
  const permissions = rights.fields;
  const can = (action: string) => !rights.actions || rights.actions.includes(action);

  const remove = async () => {
    try {
      await api('DELETE', `/forms/${form.id}/records/${recordId}`);
      message.success(t('record.deleted'));
      void queryClient.invalidateQueries({ queryKey: keys.records(form.id) });
      onDeleted?.();
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };

  return (
    <div data-testid="record-detail">
      <Space wrap style={{ marginBottom: 12, justifyContent: 'space-between', width: '100%' }} className="qiao-no-print">
        <Space wrap>
          <Typography.Text type="secondary">
            {t('record.createdBy', { name: names.get(current.createdBy) ?? current.createdBy, at: dayjs(current.createdAt).format('YYYY-MM-DD HH:mm') })}
          </Typography.Text>
          <Tag>v{current.version}</Tag>
          {current.instance && <Tag color="processing">{t(`workflow.status.${current.instance.status}`, { defaultValue: current.instance.status })}</Tag>}
        </Space>
        <Space wrap>
          {can('edit') && (
            <Button icon={<EditOutlined />} type={editing ? 'primary' : 'default'} onClick={() => setEditing((e) => !e)}>
              {editing ? t('record.cancelEdit') : t('record.edit')}
            </Button>
          )}
          {can('submit') && (
          <Button icon={<CopyOutlined />} onClick={() => navigate(`/apps/${appId}/forms/${form.id}/new`, { state: { copyOf: copyable(form, current.data) } })}>
            {t('record.copy')}
          </Button>
          )}
          <Button icon={<PrinterOutlined />} onClick={() => setPrinting(true)}>
            {t('record.print')}
          </Button>
          {can('delete') && (
            <Popconfirm title={t('record.confirmDelete')} onConfirm={remove} okText={t('common.delete')} cancelText={t('common.cancel')}>
              <Button danger icon={<DeleteOutlined />}>
                {t('common.delete')}
              </Button>
            </Popconfirm>
          )}
          {inDrawer && (
            <Link to={`/apps/${appId}/forms/${form.id}/records/${recordId}`}>
              <Button icon={<ExportOutlined />} aria-label={t('record.openPage')} />
            </Link>
          )}
        </Space>
      </Space>
      <Tabs
        items={[
          {
            key: 'data',
            label: t('record.tabData'),
            children: editing ? (
              <RecordForm
                key={current.version}
                form={form}
                initial={current.data}
                permissions={permissions}
                submitText={t('record.save')}
                onSubmit={async (data) => {
                  const updated = await api<RecordItem>('PATCH', `/forms/${form.id}/records/${recordId}`, { data, version: current.version });
                  queryClient.setQueryData(keys.record(form.id, recordId), updated);
                  void queryClient.invalidateQueries({ queryKey: keys.records(form.id) });
                  void queryClient.invalidateQueries({ queryKey: ['forms', form.id, 'records', recordId, 'history'] });
                  message.success(t('record.saved'));
                  setEditing(false);
                }}
              />
            ) : (
              <RecordView form={form} data={current.data} permissions={permissions} />
            ),
          },
          { key: 'history', label: t('record.tabHistory'), children: <HistoryTimeline form={form} recordId={recordId} /> },
          { key: 'related', label: t('record.tabRelated'), children: <RelatedRecords formId={form.id} recordId={recordId} /> },
          { key: 'workflow', label: t('record.tabWorkflow'), children: <WorkflowLog instanceId={current.instance?.id} /> },
        ]}
      />
      {printing && <PrintDialog open form={form} record={current} ctx={{ names }} onClose={() => setPrinting(false)} />}
    </div>
  );
}
