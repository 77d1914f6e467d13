import { DashboardOutlined, PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Card, Form, Input, List, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, ApiError } from '../api/client.ts';
import { useAuth } from '../auth/AuthProvider.tsx';
import { errorMessage } from '../layout/States.tsx';
import { useLocalize } from '../lib/localize.ts';
import { dashboardKeys, useAppDashboards } from './api.ts';
import type { Dashboard } from './model.ts';

/** The app's dashboards (仪表盘) on its page; admins create new ones here. Hidden when there is nothing to show. */
export function AppDashboards({ appId }: { appId: string }) {
  const { t } = useTranslation();
  const l = useLocalize();
  const { isAdmin } = useAuth();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const list = useAppDashboards(appId);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ name: string }>();
  const dashboards = list.data ?? [];
  // Members who may not see the app's dashboards get a 403: the section simply stays away.
  if (list.error instanceof ApiError && list.error.status === 403) return null;
  if (!isAdmin && !dashboards.length) return null;

  const create = async ({ name }: { name: string }) => {
    setBusy(true);
    try {
      const created = await api<Dashboard>('POST', `/apps/${appId}/dashboards`, { name, filters: [], widgets: [] });
      void queryClient.invalidateQueries({ queryKey: dashboardKeys.app(appId) });
      setOpen(false);
      navigate(`/apps/${appId}/dashboards/${created.id}?edit=1`);
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      title={
        <span>
          <DashboardOutlined /> {t('dashboards.title')}
        </span>
      }
      extra={
        isAdmin && (
          <Button size="small" icon={<PlusOutlined />} onClick={() => setOpen(true)}>
            {t('dashboards.create')}
          </Button>
        )
      }
      data-testid="app-dashboards"
    >
      <List
        loading={list.isLoading}
        dataSource={dashboards}
        locale={{ emptyText: t('dashboards.noDashboards') }}
        renderItem={(d) => (
          <List.Item>
            <Link to={`/apps/${appId}/dashboards/${d.id}`}>{l(d.name)}</Link>
          </List.Item>
        )}
      />
      <Modal open={open} title={t('dashboards.create')} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={busy} okText={t('common.create')} cancelText={t('common.cancel')} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={(v) => void create(v)}>
          <Form.Item label={t('dashboards.name')} name="name" rules={[{ required: true, message: t('common.required') }]}>
            <Input autoFocus />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
