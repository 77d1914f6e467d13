import { PlusOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Form, Input, Modal } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { api } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import type { AppSummary } from '../api/types.ts';
import { errorMessage } from '../layout/States.tsx';

export function CreateAppButton({ type = 'primary' }: { type?: 'primary' | 'default' }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ name: string }>();
  const create = useMutation({
    mutationFn: (name: string) => api<AppSummary>('POST', '/apps', { name }),
    onSuccess: (app) => {
      void queryClient.invalidateQueries({ queryKey: keys.apps });
      setOpen(false);
      form.resetFields();
      navigate(`/apps/${app.id}`);
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });
  return (
    <>
      <Button type={type} icon={<PlusOutlined />} onClick={() => setOpen(true)}>
        {t('workbench.createApp')}
      </Button>
      <Modal open={open} title={t('workbench.createApp')} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={create.isPending} okText={t('common.create')} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v.name)}>
          <Form.Item label={t('workbench.appName')} name="name" rules={[{ required: true, message: t('common.required') }]}>
            <Input autoFocus />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
