import { CrownOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Card, Col, Empty, Form, Input, Modal, Popconfirm, Row, Select, Space, Tree, TreeSelect } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { keys, useDepartments, useMembers } from '../../api/queries.ts';
import type { Department } from '../../api/types.ts';
import { ErrorState, Loading, errorMessage } from '../../layout/States.tsx';
import { departmentTree } from '../../renderer/inputs/OrgPickers.tsx';

interface DepartmentValues {
  name: string;
  parentId?: string | null;
  supervisorId?: string | null;
  memberIds?: string[];
}

export default function DepartmentsPage() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const departments = useDepartments();
  const members = useMembers();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [creating, setCreating] = useState<{ parentId?: string } | null>(null);
  const [editForm] = Form.useForm<DepartmentValues>();
  const [createForm] = Form.useForm<DepartmentValues>();
  const selected = departments.data?.find((d) => d.id === selectedId);
  const names = useMemo(() => new Map((members.data ?? []).map((m) => [m.id, m.name])), [members.data]);
  const tree = useMemo(() => departmentTree(departments.data ?? []), [departments.data]);
  const memberOptions = (members.data ?? []).map((m) => ({ value: m.id, label: `${m.name} (${m.email})` }));
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.departments });

  useEffect(() => {
    if (selected) editForm.setFieldsValue({ name: selected.name, parentId: selected.parentId ?? undefined, supervisorId: selected.supervisorId ?? undefined, memberIds: selected.memberIds ?? [] });
  }, [selected, editForm]);

  const create = useMutation({
    mutationFn: (values: DepartmentValues) => api<Department>('POST', '/departments', values),
    onSuccess: (d) => {
      setCreating(null);
      createForm.resetFields();
      setSelectedId(d.id);
      refresh();
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });
  const update = useMutation({
    mutationFn: (values: DepartmentValues) => api<Department>('PATCH', `/departments/${selectedId}`, { ...values, parentId: values.parentId ?? null, supervisorId: values.supervisorId ?? null }),
    onSuccess: () => {
      message.success(t('common.saved'));
      refresh();
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api('DELETE', `/departments/${id}`),
    onSuccess: () => {
      setSelectedId(null);
      refresh();
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });

  if (departments.isLoading) return <Loading />;
  if (departments.error) return <ErrorState error={departments.error} onRetry={() => void departments.refetch()} />;

  const withSupervisor = (nodes: ReturnType<typeof departmentTree>): object[] =>
    nodes.map((n) => {
      const d = departments.data?.find((x) => x.id === n.value);
      const supervisor = d?.supervisorId ? names.get(d.supervisorId) : undefined;
      return {
        key: n.value,
        title: (
          <span>
            {n.title}
            {supervisor && (
              <span style={{ color: '#999', marginLeft: 6 }}>
                <CrownOutlined /> {supervisor}
              </span>
            )}
          </span>
        ),
        children: withSupervisor(n.children),
      };
    });

  return (
    <Row gutter={16}>
      <Col xs={24} md={10}>
        <Card
          title={t('admin.departments')}
          extra={
            <Button size="small" icon={<PlusOutlined />} onClick={() => setCreating({})}>
              {t('admin.addDepartment')}
            </Button>
          }
        >
          {tree.length ? (
            <Tree treeData={withSupervisor(tree) as never} defaultExpandAll selectedKeys={selectedId ? [selectedId] : []} onSelect={(keys) => setSelectedId((keys[0] as string) ?? null)} data-testid="department-tree" />
          ) : (
            <Empty description={t('admin.noDepartments')} />
          )}
        </Card>
      </Col>
      <Col xs={24} md={14}>
        <Card
          title={selected ? selected.name : t('admin.departmentDetail')}
          extra={
            selected && (
              <Space>
                <Button size="small" icon={<PlusOutlined />} onClick={() => setCreating({ parentId: selected.id })}>
                  {t('admin.addSubDepartment')}
                </Button>
                <Popconfirm title={t('admin.confirmDeleteDepartment')} onConfirm={() => remove.mutate(selected.id)}>
                  <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                </Popconfirm>
              </Space>
            )
          }
        >
          {selected ? (
            <Form form={editForm} layout="vertical" onFinish={(v) => update.mutate(v)}>
              <Form.Item label={t('admin.departmentName')} name="name" rules={[{ required: true }]}>
                <Input />
              </Form.Item>
              <Form.Item label={t('admin.parentDepartment')} name="parentId">
                <TreeSelect allowClear treeData={tree.filter((n) => n.value !== selected.id)} treeDefaultExpandAll />
              </Form.Item>
              <Form.Item label={t('admin.supervisor')} name="supervisorId">
                <Select allowClear showSearch={{ optionFilterProp: 'label' }} options={memberOptions} />
              </Form.Item>
              <Form.Item label={t('admin.departmentMembers')} name="memberIds">
                <Select mode="multiple" showSearch={{ optionFilterProp: 'label' }} options={memberOptions} />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={update.isPending}>
                {t('common.save')}
              </Button>
            </Form>
          ) : (
            <Empty description={t('admin.pickDepartment')} />
          )}
        </Card>
      </Col>
      <Modal open={Boolean(creating)} title={t('admin.addDepartment')} onCancel={() => setCreating(null)} onOk={() => createForm.submit()} confirmLoading={create.isPending} destroyOnHidden>
        <Form form={createForm} layout="vertical" initialValues={{ parentId: creating?.parentId }} onFinish={(v) => create.mutate(v)}>
          <Form.Item label={t('admin.departmentName')} name="name" rules={[{ required: true, message: t('common.required') }]}>
            <Input autoFocus />
          </Form.Item>
          <Form.Item label={t('admin.parentDepartment')} name="parentId">
            <TreeSelect allowClear treeData={tree} treeDefaultExpandAll />
          </Form.Item>
          <Form.Item label={t('admin.supervisor')} name="supervisorId">
            <Select allowClear showSearch={{ optionFilterProp: 'label' }} options={memberOptions} />
          </Form.Item>
          <Form.Item label={t('admin.departmentMembers')} name="memberIds">
            <Select mode="multiple" showSearch={{ optionFilterProp: 'label' }} options={memberOptions} />
          </Form.Item>
        </Form>
      </Modal>
    </Row>
  );
}
