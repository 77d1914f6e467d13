import { AppstoreOutlined, BellOutlined, FileTextOutlined, ShopOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Col, List, Row, Space, Statistic, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useAppForms, useApps, useTodoCount } from '../api/queries.ts';
import type { AppSummary } from '../api/types.ts';
import { useAuth } from '../auth/AuthProvider.tsx';
import { EmptyState, ErrorState, Loading } from '../layout/States.tsx';
import { useLocalize } from '../lib/localize.ts';
import { CreateAppButton } from './CreateAppButton.tsx';

function AppCard({ app }: { app: AppSummary }) {
  const { t } = useTranslation();
  const l = useLocalize();
  const forms = useAppForms(app.id);
  return (
    <Card
      title={
        <Link to={`/apps/${app.id}`}>
          <AppstoreOutlined /> {l(app.name)}
        </Link>
      }
      size="small"
      style={{ height: '100%' }}
      data-testid={`app-card-${app.id}`}
    >
      {forms.isLoading ? (
        <Loading />
      ) : forms.error ? (
        <ErrorState error={forms.error} onRetry={() => void forms.refetch()} />
      ) : (
        <List
          size="small"
          dataSource={forms.data ?? []}
          locale={{ emptyText: t('workbench.noForms') }}
          renderItem={(form) => (
            <List.Item>
              <Link to={`/apps/${app.id}/forms/${form.id}`}>
                <FileTextOutlined /> {l(form.name)}
              </Link>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

export default function WorkbenchPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const apps = useApps();
  const todo = useTodoCount();

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Row gutter={[16, 16]} align="middle">
        <Col flex="auto">
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('workbench.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{me ? t('workbench.welcome', { name: me.user.name, tenant: me.tenant.name }) : ''}</Typography.Text>
        </Col>
        <Col>
          <Card size="small">
            <Badge count={todo.data ?? 0} showZero={false} offset={[8, 0]}>
              <Statistic title={<><BellOutlined /> {t('workbench.todo')}</>} value={todo.data ?? 0} />
            </Badge>
          </Card>
        </Col>
      </Row>
      <Space wrap>
        <CreateAppButton />
        <Link to="/templates">
          <Button icon={<ShopOutlined />}>{t('workbench.installTemplate')}</Button>
        </Link>
      </Space>
      {apps.isLoading ? (
        <Loading />
      ) : apps.error ? (
        <ErrorState error={apps.error} onRetry={() => void apps.refetch()} />
      ) : !apps.data?.length ? (
        <EmptyState description={t('workbench.noApps')} />
      ) : (
        <Row gutter={[16, 16]}>
          {apps.data.map((app) => (
            <Col key={app.id} xs={24} sm={12} lg={8} xl={6}>
              <AppCard app={app} />
            </Col>
          ))}
        </Row>
      )}
    </Space>
  );
}
