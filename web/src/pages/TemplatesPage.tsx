import { AppstoreAddOutlined, CheckCircleOutlined, TeamOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntApp, Button, Card, Checkbox, Col, List, Modal, Result, Row, Select, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { ApiError, api } from '../api/client.ts';
import { keys, useRoles, useTemplates } from '../api/queries.ts';
import type { InstallResult, Localized, TemplateSummary } from '../api/types.ts';
import { useAuth } from '../auth/AuthProvider.tsx';
import { EmptyState, ErrorState, Loading, errorMessage } from '../layout/States.tsx';
import { useLocalize } from '../lib/localize.ts';

const NEW_ROLE = '__new__';

function refKey(ref: string | { key: string }): string {
  return typeof ref === 'string' ? ref : ref.key;
}

function refName(ref: string | { key: string; name?: Localized }, l: (v: Localized | undefined) => string, t: (k: string, o?: Record<string, unknown>) => string): string {
  if (typeof ref !== 'string' && ref.name) return l(ref.name);
  const key = refKey(ref);
  return t(`templates.roleNames.${key}`, { defaultValue: t(`templates.appNames.${key}`, { defaultValue: key }) });
}

function InstallDialog({ template, onClose }: { template: TemplateSummary; onClose: () => void }) {
  const { t } = useTranslation();
  const l = useLocalize();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const roles = useRoles();
  const [roleMap, setRoleMap] = useState<Record<string, string>>({});
  const [sampleData, setSampleData] = useState(true);
  const [result, setResult] = useState<InstallResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const install = useMutation({
    mutationFn: () => {
      const mapped = Object.fromEntries(Object.entries(roleMap).filter(([, v]) => v && v !== NEW_ROLE));
      return api<InstallResult>('POST', `/templates/${template.key}/install`, { roleMap: Object.keys(mapped).length ? mapped : undefined, sampleData });
    },
    onSuccess: (answer) => {
      setResult(answer);
      void queryClient.invalidateQueries({ queryKey: keys.apps });
      void queryClient.invalidateQueries({ queryKey: keys.roles });
      void queryClient.invalidateQueries({ queryKey: keys.templates });
      message.success(t('templates.installed'));
    },
    onError: (err) => setError(err instanceof ApiError && err.code === 'already_installed' ? t('templates.alreadyInstalled') : errorMessage(err, t)),
  });

  const formLinks = result
    ? Object.entries(result.forms).map(([formKey, formId]) => {
        const app = result.apps.find((a) => a.key === formKey.split('.')[0]) ?? result.apps[0];
        return { formKey, href: `/apps/${app?.id}/forms/${formId}` };
      })
    : [];

  return (
    <Modal open title={t('templates.installTitle', { name: l(template.name) })} onCancel={onClose} footer={result ? <Button onClick={onClose}>{t('common.close')}</Button> : undefined} onOk={() => install.mutate()} okText={t('templates.install')} confirmLoading={install.isPending} width={640}>
      {result ? (
        <div data-testid="install-result">
          <Result status="success" icon={<CheckCircleOutlined />} title={t('templates.installed')} subTitle={t('templates.installedApps', { count: result.apps.length })} />
          <List
            size="small"
            header={t('templates.openForms')}
            dataSource={formLinks}
            renderItem={(item) => (
              <List.Item>
                <Link to={item.href} onClick={onClose}>
                  {t(`templates.formNames.${item.formKey}`, { defaultValue: item.formKey })}
                </Link>
              </List.Item>
            )}
          />
        </div>
      ) : (
        <Space orientation="vertical" style={{ width: '100%' }}>
          {error && <Alert type="error" showIcon title={error} role="alert" />}
          <Typography.Paragraph>{l(template.description)}</Typography.Paragraph>
          {(template.roles ?? []).length > 0 && (
            <>
              <Typography.Text strong>
                <TeamOutlined /> {t('templates.roleMapping')}
              </Typography.Text>
              {(template.roles ?? []).map((ref) => {
                const key = refKey(ref);
                return (
                  <Space key={key} style={{ width: '100%' }}>
                    <span style={{ display: 'inline-block', width: 140 }}>{refName(ref, l, t)}</span>
                    <Select
                      aria-label={t('templates.mapRole', { role: refName(ref, l, t) })}
                      style={{ width: 260 }}
                      value={roleMap[key] ?? NEW_ROLE}
                      onChange={(v: string) => setRoleMap({ ...roleMap, [key]: v })}
                      options={[{ value: NEW_ROLE, label: t('templates.createRole') }, ...(roles.data ?? []).map((r) => ({ value: r.id, label: l(r.name) }))]}
                    />
                  </Space>
                );
              })}
            </>
          )}
          <Checkbox checked={sampleData} onChange={(e) => setSampleData(e.target.checked)}>
            {t('templates.sampleData')}
          </Checkbox>
        </Space>
      )}
    </Modal>
  );
}

export default function TemplatesPage() {
  const { t } = useTranslation();
  const l = useLocalize();
  const { isAdmin } = useAuth();
  const templates = useTemplates();
  const [installing, setInstalling] = useState<TemplateSummary | null>(null);
  if (templates.isLoading) return <Loading />;
  if (templates.error) return <ErrorState error={templates.error} onRetry={() => void templates.refetch()} />;
  const items = [...(templates.data ?? [])].sort((a, b) => (a.key === 'suite' ? -1 : b.key === 'suite' ? 1 : 0));
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('templates.title')}
      </Typography.Title>
      <Typography.Text type="secondary">{t('templates.subtitle')}</Typography.Text>
      {!isAdmin && <Alert type="info" showIcon title={t('templates.adminOnly')} />}
      {!items.length ? (
        <EmptyState />
      ) : (
        <Row gutter={[16, 16]}>
          {items.map((template) => (
            <Col key={template.key} xs={24} md={12} xl={8}>
              <Card
                title={
                  <Space>
                    <AppstoreAddOutlined />
                    {l(template.name)}
                    {template.key === 'suite' && <Tag color="gold">{t('templates.recommended')}</Tag>}
                  </Space>
                }
                extra={<Tag>v{template.version}</Tag>}
                actions={[
                  <Button key="install" type="primary" disabled={!isAdmin || template.installed} onClick={() => setInstalling(template)} data-testid={`install-${template.key}`} aria-label={`${t('templates.install')} ${l(template.name)}`}>
                    {template.installed ? t('templates.alreadyInstalledShort') : t('templates.install')}
                  </Button>,
                ]}
                style={{ height: '100%' }}
                data-testid={`template-${template.key}`}
              >
                <Typography.Paragraph ellipsis={{ rows: 3 }}>{l(template.description)}</Typography.Paragraph>
                <div style={{ marginBottom: 8 }}>
                  <Typography.Text type="secondary">{t('templates.apps')}: </Typography.Text>
                  {template.apps.map((app) => (
                    <Tag key={refKey(app)} color="blue">
                      {refName(app, l, t)}
                    </Tag>
                  ))}
                </div>
                {(template.roles ?? []).length > 0 && (
                  <div>
                    <Typography.Text type="secondary">{t('templates.roles')}: </Typography.Text>
                    {(template.roles ?? []).map((role) => (
                      <Tag key={refKey(role)}>{refName(role, l, t)}</Tag>
                    ))}
                  </div>
                )}
              </Card>
            </Col>
          ))}
        </Row>
      )}
      {installing && <InstallDialog template={installing} onClose={() => setInstalling(null)} />}
    </Space>
  );
}
