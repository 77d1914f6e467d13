import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Card, Form, Input, Modal, Popconfirm, Select, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { keys, useMembers, useRoles } from '../../api/queries.ts';
import type { Role } from '../../api/types.ts';
import { ErrorState, errorMessage } from '../../layout/States.tsx';
import { useLocalize } from '../../lib/localize.ts';

export default function RolesPage() {
  const { t } = useTranslation();
  const l = useLocalize();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const roles = useRoles();
  const members = useMembers();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ name: string; memberIds?: string[] }>();
  const memberOptions = (members.data ?? []).map((m) => ({ value: m.id, label: m.name }));

  const create = useMutation({
    mutationFn: (values: { name: string; memberIds?: string[] }) => api<Role>('POST', '/roles', values),
    onSuccess: () => {
      setOpen(false);
      form.resetFields();
      void queryClient.invalidateQueries({ queryKey: keys.roles });
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });
  const setMembers = useMutation({
    mutationFn: ({ id, memberIds }: { id: string; memberIds: string[] }) => api<Role>('PATCH', `/roles/${id}`, { memberIds }),
    onMutate: async ({ id, memberIds }) => {
      await queryClient.cancelQueries({ queryKey: keys.roles });
      const before = queryClient.getQueryData<Role[]>(keys.roles);
      queryClient.setQueryData<Role[]>(keys.roles, (list) => list?.map((r) => (r.id === id ? { ...r, memberIds } : r)));
      return { before };
    },
    onError: (err, _v, ctx) => {
      queryClient.setQueryData(keys.roles, ctx?.before);
      message.error(errorMessage(err, t));
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: keys.roles }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api('DELETE', `/roles/${id}`),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: keys.roles }),
    onError: (err) => message.error(errorMessage(err, t)),
  });

  if (roles.error) return <ErrorState error={roles.error} onRetry={() => void roles.refetch()} />;
  return (
    <Card
      title={t('admin.roles')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>
          {t('admin.addRole')}
        </Button>
      }
    >
      <Table<Role>
        rowKey="id"
        size="small"
        loading={roles.isLoading}
        dataSource={roles.data ?? []}
        data-testid="roles-table"
        columns={[
          { key: 'name', title: t('admin.roleName'), render: (_, r) => l(r.name), width: 200 },
          {
            key: 'members',
            title: t('admin.roleMembers'),
            render: (_, r) => (
              <Select
                aria-label={t('admin.membersOf', { role: l(r.name) })}
                mode="multiple"
                style={{ minWidth: 280, width: '100%' }}
                value={r.memberIds ?? []}
                options={memberOptions}
                showSearch={{ optionFilterProp: 'label' }}
                onChange={(memberIds: string[]) => setMembers.mutate({ id: r.id, memberIds })}
              />
            ),
          },
          {
            key: 'actions',
            title: '',
            width: 60,
            render: (_, r) => (
              <Popconfirm title={t('admin.confirmDeleteRole')} onConfirm={() => remove.mutate(r.id)}>
                <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
              </Popconfirm>
            ),
          },
        ]}
      />
      <Modal open={open} title={t('admin.addRole')} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={create.isPending} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)}>
          <Form.Item label={t('admin.roleName')} name="name" rules={[{ required: true, message: t('common.required') }]}>
            <Input autoFocus />
          </Form.Item>
          <Form.Item label={t('admin.roleMembers')} name="memberIds">
            <Select mode="multiple" options={memberOptions} showSearch={{ optionFilterProp: 'label' }} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
