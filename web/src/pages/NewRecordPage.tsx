import { CheckCircleOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Breadcrumb, Button, Card, Result, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useParams } from 'react-router-dom';
import { api } from '../api/client.ts';
import { keys, useForm } from '../api/queries.ts';
import { formRights, type RecordItem } from '../api/types.ts';
import { AppCrumb } from '../layout/AppCrumb.tsx';
import { ErrorState, Loading } from '../layout/States.tsx';
import { useLocalize } from '../lib/localize.ts';
import { RecordForm } from '../renderer/RecordForm.tsx';
import { RecordView } from '../renderer/RecordView.tsx';

export default function NewRecordPage() {
  const { appId = '', formId = '' } = useParams();
  const { t } = useTranslation();
  const l = useLocalize();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const location = useLocation();
  const form = useForm(formId);
  const [saved, setSaved] = useState<RecordItem | null>(null);
  const [round, setRound] = useState(0);
  // "Copy" in the record drawer opens this page with the record's data as the starting point.
  const copied = (location.state as { copyOf?: Record<string, unknown> } | null)?.copyOf;

  if (form.isLoading) return <Loading />;
  if (form.error || !form.data) return <ErrorState error={form.error} onRetry={() => void form.refetch()} />;

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%', maxWidth: form.data.settings?.columns === 2 ? 1100 : 820, margin: '0 auto' }}>
      <Breadcrumb
        items={[
          { title: <Link to="/">{t('nav.workbench')}</Link> },
          { title: <AppCrumb appId={appId} /> },
          { title: <Link to={`/apps/${appId}/forms/${formId}`}>{l(form.data.name)}</Link> },
          { title: t('record.new') },
        ]}
      />
      <Typography.Title level={3} style={{ margin: 0 }}>
        {l(form.data.name)}
      </Typography.Title>
      {saved ? (
        <Card>
          <Result
            icon={<CheckCircleOutlined />}
            status="success"
            title={t('record.submitted')}
            extra={[
              <Button key="again" type="primary" onClick={() => { setSaved(null); setRound((r) => r + 1); }}>
                {t('record.fillAnother')}
              </Button>,
              <Link key="data" to={`/apps/${appId}/forms/${formId}`}>
                <Button>{t('record.toData')}</Button>
              </Link>,
              <Link key="open" to={`/apps/${appId}/forms/${formId}/records/${saved.id}`}>
                <Button>{t('record.open')}</Button>
              </Link>,
            ]}
          />
          <RecordView form={form.data} data={saved.data} permissions={formRights(form.data).fields} />
        </Card>
      ) : (
        <RecordForm
          key={round}
          form={form.data}
          initial={copied}
          permissions={formRights(form.data).fields}
          onSubmit={async (data) => {
            const record = await api<RecordItem>('POST', `/forms/${formId}/records`, { data });
            void queryClient.invalidateQueries({ queryKey: keys.records(formId) });
            message.success(t('record.submitted'));
            setSaved(record);
          }}
        />
      )}
    </Space>
  );
}
