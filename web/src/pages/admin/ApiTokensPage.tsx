import { CopyOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntApp, Button, Card, Checkbox, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { itemsOf, useApps } from '../../api/queries.ts';
import type { ApiToken, Page } from '../../api/types.ts';
import { ErrorState, errorMessage } from '../../layout/States.tsx';
import { useLocalize } from '../../lib/localize.ts';

const ACTIONS = ['submit', 'view', 'edit', 'delete', 'export', 'import'] as const;

interface TokenValues {
  name: string;
  appIds?: string[];
  actions?: string[];
}

export default function ApiTokensPage() {
  const { t } = useTranslation();
  const l = useLocalize();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const apps = useApps();
  const [open, setOpen] = useState(false);
  const [revealed, setRevealed] = useState<string | null>(null);
  const [form] = Form.useForm<TokenValues>();
  const tokens = useQuery({
    queryKey: ['api-tokens'],
    queryFn: async ({ signal }) => itemsOf(await api<ApiToken[] | Page<ApiToken>>('GET', '/api-tokens', undefined, { signal })),
  });
  const create = useMutation({
    mutationFn: (v: TokenValues) => api<ApiToken>('POST', '/api-tokens', { name: v.name, scopes: { appIds: v.appIds?.length ? v.appIds : undefined, actions: v.actions?.length ? v.actions : undefined } }),
    onSuccess: (token) => {
      setOpen(false);
      form.resetFields();
      setRevealed(token.token ?? null);
      void queryClient.invalidateQueries({ queryKey: ['api-tokens'] });
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api('DELETE', `/api-tokens/${id}`),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['api-tokens'] }),
    onError: (err) => message.error(errorMessage(err, t)),
  });
  if (tokens.error) return <ErrorState error={tokens.error} onRetry={() => void tokens.refetch()} />;
  const appName = (id: string) => l(apps.data?.find((a) => a.id === id)?.name) || id;
  return (
    <Card
      title={t('admin.apiTokens')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>
          {t('tokens.create')}
        </Button>
      }
    >
      <Table<ApiToken>
        rowKey="id"
        size="small"
        loading={tokens.isLoading}
        dataSource={tokens.data ?? []}
        scroll={{ x: 'max-content' }}
        columns={[
          { key: 'name', title: t('tokens.name'), dataIndex: 'name' },
          { key: 'apps', title: t('tokens.apps'), render: (_, tk) => (tk.scopes?.appIds?.length ? tk.scopes.appIds.map((id) => <Tag key={id}>{appName(id)}</Tag>) : <Tag>{t('tokens.allApps')}</Tag>) },
          { key: 'actions', title: t('tokens.actions'), render: (_, tk) => (tk.scopes?.actions ?? []).map((a) => <Tag key={a}>{t(`perm.actionNames.${a}`, { defaultValue: a })}</Tag>) },
          { key: 'created', title: t('tokens.createdAt'), render: (_, tk) => (tk.createdAt ? dayjs(tk.createdAt).format('YYYY-MM-DD HH:mm') : '') },
          { key: 'used', title: t('tokens.lastUsed'), render: (_, tk) => (tk.lastUsedAt ? dayjs(tk.lastUsedAt).format('YYYY-MM-DD HH:mm') : '—') },
          {
            key: 'revoke',
            title: '',
            render: (_, tk) =>
              tk.revokedAt ? (
                <Tag color="red">{t('tokens.revoked')}</Tag>
              ) : (
                <Popconfirm title={t('tokens.confirmRevoke')} onConfirm={() => revoke.mutate(tk.id)}>
                  <Button size="small" danger>
                    {t('tokens.revoke')}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      <Modal open={open} title={t('tokens.create')} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={create.isPending} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)}>
          <Form.Item label={t('tokens.name')} name="name" rules={[{ required: true, message: t('common.required') }]}>
            <Input autoFocus />
          </Form.Item>
          <Form.Item label={t('tokens.apps')} name="appIds" help={t('tokens.appsHelp')}>
            <Select mode="multiple" options={(apps.data ?? []).map((a) => ({ value: a.id, label: l(a.name) }))} />
          </Form.Item>
          <Form.Item label={t('tokens.actions')} name="actions">
            <Checkbox.Group options={ACTIONS.map((a) => ({ value: a, label: t(`perm.actionNames.${a}`) }))} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal open={Boolean(revealed)} title={t('tokens.createdTitle')} onCancel={() => setRevealed(null)} footer={<Button type="primary" onClick={() => setRevealed(null)}>{t('tokens.stored')}</Button>}>
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Alert type="warning" showIcon title={t('tokens.shownOnce')} />
          <Typography.Paragraph copyable={{ text: revealed ?? '', icon: <CopyOutlined /> }} code style={{ wordBreak: 'break-all' }} data-testid="new-token">
            {revealed}
          </Typography.Paragraph>
        </Space>
      </Modal>
    </Card>
  );
}
