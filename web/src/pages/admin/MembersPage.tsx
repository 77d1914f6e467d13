import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Card, Form, Input, Modal, Space, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { keys, useMembers } from '../../api/queries.ts';
import type { Member } from '../../api/types.ts';
import { useAuth } from '../../auth/AuthProvider.tsx';
import { ErrorState, errorMessage } from '../../layout/States.tsx';

interface NewMember {
  email: string;
  name: string;
  password?: string;
}

export default function MembersPage() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const { me } = useAuth();
  const queryClient = useQueryClient();
  const members = useMembers();
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  const [form] = Form.useForm<NewMember>();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.members });

  const create = useMutation({
    mutationFn: (values: NewMember) => api<Member>('POST', '/members', { ...values, password: values.password || undefined }),
    onSuccess: () => {
      message.success(t('admin.memberAdded'));
      setOpen(false);
      form.resetFields();
      refresh();
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });

  const setDisabled = useMutation({
    mutationFn: ({ id, disabled }: { id: string; disabled: boolean }) => api<Member>('PATCH', `/members/${id}`, { disabled }),
    onMutate: async ({ id, disabled }) => {
      await queryClient.cancelQueries({ queryKey: keys.members });
      const before = queryClient.getQueryData<Member[]>(keys.members);
      queryClient.setQueryData<Member[]>(keys.members, (list) => list?.map((m) => (m.id === id ? { ...m, disabled } : m)));
      return { before };
    },
    onError: (err, _v, context) => {
      queryClient.setQueryData(keys.members, context?.before);
      message.error(errorMessage(err, t));
    },
    onSettled: refresh,
  });

  if (members.error) return <ErrorState error={members.error} onRetry={() => void members.refetch()} />;
  const term = search.trim().toLowerCase();
  const rows = (members.data ?? []).filter((m) => !term || m.name.toLowerCase().includes(term) || m.email.toLowerCase().includes(term));

  return (
    <Card
      title={t('admin.members')}
      extra={
        <Space>
          <Input.Search aria-label={t('common.search')} placeholder={t('common.search')} allowClear onChange={(e) => setSearch(e.target.value)} style={{ width: 200 }} />
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>
            {t('admin.addMember')}
          </Button>
        </Space>
      }
    >
      <Table<Member>
        rowKey="id"
        size="small"
        loading={members.isLoading}
        dataSource={rows}
        scroll={{ x: 'max-content' }}
        data-testid="members-table"
        columns={[
          { key: 'name', title: t('auth.name'), dataIndex: 'name' },
          { key: 'email', title: t('auth.email'), dataIndex: 'email' },
          { key: 'role', title: t('admin.tenantRole'), render: (_, m) => <Tag>{t(`admin.tenantRoles.${m.role ?? 'member'}`, { defaultValue: m.role ?? 'member' })}</Tag> },
          {
            key: 'status',
            title: t('admin.active'),
            render: (_, m) => (
              <Switch
                aria-label={t('admin.activeFor', { name: m.name })}
                checked={!m.disabled}
                disabled={m.id === me?.user.id || m.role === 'owner'}
                onChange={(active) => setDisabled.mutate({ id: m.id, disabled: !active })}
              />
            ),
          },
        ]}
      />
      <Modal open={open} title={t('admin.addMember')} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={create.isPending} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)}>
          <Form.Item label={t('auth.email')} name="email" rules={[{ required: true, type: 'email', message: t('auth.emailInvalid') }]}>
            <Input autoFocus />
          </Form.Item>
          <Form.Item label={t('auth.name')} name="name" rules={[{ required: true, message: t('auth.nameRequired') }]}>
            <Input />
          </Form.Item>
          <Form.Item label={t('admin.initialPassword')} name="password" help={t('admin.initialPasswordHelp')} rules={[{ min: 8, message: t('auth.passwordTooShort') }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
