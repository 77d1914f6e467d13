import { CloseCircleOutlined, LockOutlined, QuestionCircleOutlined } from '@ant-design/icons';
import { Button, Empty, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';

export function Loading({ tip }: { tip?: string }) {
  const { t } = useTranslation();
  return (
    <div style={{ padding: 48, textAlign: 'center' }} role="status" aria-live="polite">
      <Spin />
      <div style={{ marginTop: 8, color: '#888' }}>{tip ?? t('common.loading')}</div>
    </div>
  );
}

export function errorMessage(error: unknown, t: (k: string) => string): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t('errors.network');
    if (error.status === 403) return t('errors.forbidden');
    if (error.status === 404) return t('errors.notFound');
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Antd's Result pulls in large illustrations; this plain block keeps the first screen's bundle small. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const status = error instanceof ApiError ? error.status : 0;
  const icon = status === 403 ? <LockOutlined /> : status === 404 ? <QuestionCircleOutlined /> : <CloseCircleOutlined />;
  return (
    <div role="alert" style={{ padding: 48, textAlign: 'center' }} data-testid="error-state">
      <div style={{ fontSize: 48, color: status === 403 || status === 404 ? '#faad14' : '#ff4d4f' }}>{icon}</div>
      <Typography.Title level={4}>{t('errors.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{errorMessage(error, t)}</Typography.Paragraph>
      {onRetry && <Button onClick={onRetry}>{t('common.retry')}</Button>}
    </div>
  );
}

export function EmptyState({ description, action }: { description?: string; action?: React.ReactNode }) {
  const { t } = useTranslation();
  return (
    <Empty description={description ?? t('common.empty')} style={{ padding: 32 }}>
      {action}
    </Empty>
  );
}
