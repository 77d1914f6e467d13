import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Card, Checkbox, Drawer, Empty, Form, Input, List, Popconfirm, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { itemsOf, useAllForms, useDepartments, useMembers, useRoles } from '../../api/queries.ts';
import type { Condition, FieldPermission, FormDef, Page, PermissionGroup, Scope } from '../../api/types.ts';
import { ConditionBuilder, pruneCondition } from '../../fields/ConditionBuilder.tsx';
import { NO_DATA_TYPES } from '../../fields/fieldTypes.ts';
import { ErrorState, Loading, errorMessage } from '../../layout/States.tsx';
import { useLocalize } from '../../lib/localize.ts';

const ACTIONS = ['submit', 'view', 'edit', 'delete', 'export', 'import'] as const;
const SCOPES = ['own', 'department', 'departmentTree', 'all', 'custom'] as const;

type Draft = Omit<PermissionGroup, 'id'> & { id?: string };

const emptyGroup = (): Draft => ({ name: '', grantees: { memberIds: [], departmentIds: [], roleIds: [] }, actions: ['view'], scope: 'all', fields: {} });

function GroupEditor({ form, initial, onClose }: { form: FormDef; initial: Draft; onClose: () => void }) {
  const { t } = useTranslation();
  const l = useLocalize();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const members = useMembers();
  const departments = useDepartments();
  const roles = useRoles();
  const [draft, setDraft] = useState<Draft>(initial);
  const scopeKind = typeof draft.scope === 'object' ? 'custom' : draft.scope;
  const save = useMutation({
    mutationFn: () => {
      const { id, ...body } = draft;
      const scope: Scope = typeof body.scope === 'object' ? { filter: pruneCondition(body.scope.filter) ?? { and: [] } } : body.scope;
      const payload = { ...body, scope, fields: Object.fromEntries(Object.entries(body.fields ?? {}).filter(([, v]) => v !== 'edit')) };
      return id ? api('PATCH', `/forms/${form.id}/permission-groups/${id}`, payload) : api('POST', `/forms/${form.id}/permission-groups`, payload);
    },
    onSuccess: () => {
      message.success(t('common.saved'));
      void queryClient.invalidateQueries({ queryKey: ['permission-groups', form.id] });
      onClose();
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });
  const fields = form.fields.filter((f) => !NO_DATA_TYPES.has(f.type) || f.type === 'query');
  const setFieldPermission = (id: string, p: FieldPermission) => setDraft({ ...draft, fields: { ...draft.fields, [id]: p } });

  return (
    <Drawer
      open
      size="large"
      title={draft.id ? t('perm.editGroup') : t('perm.newGroup')}
      onClose={onClose}
      extra={
        <Button type="primary" onClick={() => save.mutate()} loading={save.isPending} disabled={!draft.name.trim()}>
          {t('common.save')}
        </Button>
      }
      destroyOnHidden
    >
      <Form layout="vertical">
        <Form.Item label={t('perm.groupName')} htmlFor="perm-name" required>
          <Input id="perm-name" value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
        </Form.Item>
        <Form.Item label={t('perm.members')} htmlFor="perm-members">
          <Select id="perm-members" mode="multiple" showSearch={{ optionFilterProp: 'label' }} value={draft.grantees.memberIds ?? []} onChange={(memberIds: string[]) => setDraft({ ...draft, grantees: { ...draft.grantees, memberIds } })} options={(members.data ?? []).map((m) => ({ value: m.id, label: m.name }))} />
        </Form.Item>
        <Form.Item label={t('perm.departments')} htmlFor="perm-departments">
          <Select id="perm-departments" mode="multiple" showSearch={{ optionFilterProp: 'label' }} value={draft.grantees.departmentIds ?? []} onChange={(departmentIds: string[]) => setDraft({ ...draft, grantees: { ...draft.grantees, departmentIds } })} options={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))} />
        </Form.Item>
        <Form.Item label={t('perm.roles')} htmlFor="perm-roles">
          <Select id="perm-roles" mode="multiple" showSearch={{ optionFilterProp: 'label' }} value={draft.grantees.roleIds ?? []} onChange={(roleIds: string[]) => setDraft({ ...draft, grantees: { ...draft.grantees, roleIds } })} options={(roles.data ?? []).map((r) => ({ value: r.id, label: l(r.name) }))} />
        </Form.Item>
        <Form.Item label={t('perm.actions')}>
          <Checkbox.Group value={draft.actions} onChange={(actions) => setDraft({ ...draft, actions: actions as string[] })} options={ACTIONS.map((a) => ({ value: a, label: t(`perm.actionNames.${a}`) }))} />
        </Form.Item>
        <Form.Item label={t('perm.scope')}>
          <Radio.Group
            value={scopeKind}
            onChange={(e) => setDraft({ ...draft, scope: e.target.value === 'custom' ? { filter: { and: [] } } : e.target.value })}
            options={SCOPES.map((s) => ({ value: s, label: t(`perm.scopes.${s}`) }))}
          />
          {typeof draft.scope === 'object' && (
            <div style={{ marginTop: 8 }}>
              <ConditionBuilder value={draft.scope.filter} fields={form.fields} onChange={(filter: Condition) => setDraft({ ...draft, scope: { filter } })} />
            </div>
          )}
        </Form.Item>
        <Form.Item label={t('perm.fieldPermissions')}>
          <Table
            size="small"
            pagination={false}
            rowKey="id"
            dataSource={fields}
            data-testid="field-permissions"
            columns={[
              { key: 'field', title: t('perm.field'), render: (_, f) => l(f.label) },
              ...(['edit', 'read', 'hidden'] as const).map((p) => ({
                key: p,
                title: t(`perm.fieldModes.${p}`),
                width: 90,
                render: (_: unknown, f: { id: string; label: FormDef['name'] }) => (
                  <Radio
                    aria-label={`${l(f.label)} ${t(`perm.fieldModes.${p}`)}`}
                    checked={(draft.fields?.[f.id] ?? 'edit') === p}
                    onChange={() => setFieldPermission(f.id, p)}
                  />
                ),
              })),
            ]}
          />
        </Form.Item>
      </Form>
    </Drawer>
  );
}

export default function PermissionsPage() {
  const { t } = useTranslation();
  const l = useLocalize();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const { forms, isLoading } = useAllForms();
  const formId = params.get('form') ?? undefined;
  const form = forms.find((f) => f.id === formId);
  const [editing, setEditing] = useState<Draft | null>(null);
  const groups = useQuery({
    queryKey: ['permission-groups', formId],
    enabled: Boolean(formId),
    queryFn: async ({ signal }) => itemsOf(await api<PermissionGroup[] | Page<PermissionGroup>>('GET', `/forms/${formId}/permission-groups`, undefined, { signal })),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api('DELETE', `/forms/${formId}/permission-groups/${id}`),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['permission-groups', formId] }),
    onError: (err) => message.error(errorMessage(err, t)),
  });

  const scopeLabel = (scope: Scope) => (typeof scope === 'object' ? t('perm.scopes.custom') : t(`perm.scopes.${scope}`));

  return (
    <Card
      title={t('admin.permissions')}
      extra={
        <Space wrap>
          <Select
            aria-label={t('perm.chooseForm')}
            placeholder={t('perm.chooseForm')}
            loading={isLoading}
            style={{ minWidth: 260 }}
            showSearch={{ optionFilterProp: 'label' }}
            value={formId}
            onChange={(id: string) => setParams({ form: id })}
            options={forms.map((f) => ({ value: f.id, label: `${l(f.appName)} / ${l(f.name)}` }))}
          />
          <Button type="primary" icon={<PlusOutlined />} disabled={!form} onClick={() => setEditing(emptyGroup())}>
            {t('perm.newGroup')}
          </Button>
        </Space>
      }
    >
      {!formId ? (
        <Empty description={t('perm.pickForm')} />
      ) : groups.isLoading ? (
        <Loading />
      ) : groups.error ? (
        <ErrorState error={groups.error} onRetry={() => void groups.refetch()} />
      ) : (
        <List
          dataSource={groups.data ?? []}
          locale={{ emptyText: t('perm.noGroups') }}
          data-testid="permission-groups"
          renderItem={(g) => (
            <List.Item
              actions={[
                <Button key="edit" size="small" icon={<EditOutlined />} onClick={() => setEditing(g)}>
                  {t('common.edit')}
                </Button>,
                <Popconfirm key="del" title={t('perm.confirmDelete')} onConfirm={() => remove.mutate(g.id)}>
                  <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                </Popconfirm>,
              ]}
            >
              <List.Item.Meta
                title={g.name}
                description={
                  <Space wrap size={4}>
                    {g.actions.map((a) => (
                      <Tag key={a} color="blue">
                        {t(`perm.actionNames.${a}`, { defaultValue: a })}
                      </Tag>
                    ))}
                    <Tag color="purple">{scopeLabel(g.scope)}</Tag>
                    {Object.entries(g.fields ?? {}).filter(([, p]) => p !== 'edit').length > 0 && (
                      <Typography.Text type="secondary">{t('perm.restrictedFields', { count: Object.entries(g.fields ?? {}).filter(([, p]) => p !== 'edit').length })}</Typography.Text>
                    )}
                  </Space>
                }
              />
            </List.Item>
          )}
        />
      )}
      {editing && form && <GroupEditor form={form} initial={editing} onClose={() => setEditing(null)} />}
    </Card>
  );
}
