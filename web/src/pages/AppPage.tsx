import { BranchesOutlined, DatabaseOutlined, EditOutlined, FileAddOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Breadcrumb, Button, Card, Form, Input, List, Modal, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api } from '../api/client.ts';
import { keys, useAppForms, useApps } from '../api/queries.ts';
import type { FormDef } from '../api/types.ts';
import { useAuth } from '../auth/AuthProvider.tsx';
import { AppDashboards } from '../dashboards/AppDashboards.tsx';
import { EmptyState, ErrorState, Loading, errorMessage } from '../layout/States.tsx';
import { useLocalize } from '../lib/localize.ts';

export default function AppPage() {
  const { appId = '' } = useParams();
  const { t } = useTranslation();
  const l = useLocalize();
  const { isAdmin } = useAuth();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const apps = useApps();
  const forms = useAppForms(appId);
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ name: string }>();
  const app = apps.data?.find((a) => a.id === appId);

  const create = useMutation({
    mutationFn: (name: string) => api<FormDef>('POST', `/apps/${appId}/forms`, { name, fields: [] }),
    onSuccess: (created) => {
      void queryClient.invalidateQueries({ queryKey: keys.appForms(appId) });
      setOpen(false);
      navigate(`/apps/${appId}/forms/${created.id}/design`);
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });

  if (forms.error) return <ErrorState error={forms.error} onRetry={() => void forms.refetch()} />;

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Breadcrumb items={[{ title: <Link to="/">{t('nav.workbench')}</Link> }, { title: app ? l(app.name) : '…' }]} />
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {app ? l(app.name) : ''}
        </Typography.Title>
        {isAdmin && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>
            {t('app.createForm')}
          </Button>
        )}
      </Space>
      <Card>
        {forms.isLoading ? (
          <Loading />
        ) : !forms.data?.length ? (
          <EmptyState description={t('app.noForms')} />
        ) : (
          <List
            dataSource={forms.data}
            renderItem={(f) => (
              <List.Item
                actions={[
                  <Link key="data" to={`/apps/${appId}/forms/${f.id}`}>
                    <DatabaseOutlined /> {t('app.data')}
                  </Link>,
                  <Link key="new" to={`/apps/${appId}/forms/${f.id}/new`}>
                    <FileAddOutlined /> {t('app.fill')}
                  </Link>,
                  ...(isAdmin
                    ? [
                        <Link key="design" to={`/apps/${appId}/forms/${f.id}/design`}>
                          <EditOutlined /> {t('app.design')}
                        </Link>,
                        <Link key="workflow" to={`/apps/${appId}/forms/${f.id}/workflow`}>
                          <BranchesOutlined /> {t('workflow.designWorkflow')}
                        </Link>,
                      ]
                    : []),
                ]}
              >
                <List.Item.Meta title={<Link to={`/apps/${appId}/forms/${f.id}`}>{l(f.name)}</Link>} description={t('app.fieldCount', { count: f.fields?.length ?? 0 })} />
              </List.Item>
            )}
          />
        )}
      </Card>
      <AppDashboards appId={appId} />
      <Modal open={open} title={t('app.createForm')} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={create.isPending} okText={t('common.create')} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v.name)}>
          <Form.Item label={t('app.formName')} name="name" rules={[{ required: true, message: t('common.required') }]}>
            <Input autoFocus />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
