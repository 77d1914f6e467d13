import { Alert, Button, Form, Input, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { api } from '../api/client.ts';
import type { TenantRef, User } from '../api/types.ts';
import { safeNext, useAuth } from '../auth/AuthProvider.tsx';
import { errorMessage } from '../layout/States.tsx';
import { AuthCard } from './AuthCard.tsx';

interface LoginAnswer {
  token?: string;
  user?: User;
  tenants?: TenantRef[];
}

interface LoginValues {
  email: string;
  password: string;
  tenantId?: string;
}

export default function LoginPage() {
  const { t } = useTranslation();
  const { token, signIn } = useAuth();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get('next'));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tenantChoices, setTenantChoices] = useState<TenantRef[] | null>(null);

  if (token && !busy) return <Navigate to={next} replace />;

  const submit = async (values: LoginValues) => {
    setBusy(true);
    setError(null);
    try {
      const answer = await api<LoginAnswer>('POST', '/auth/login', values, { anonymous: true });
      if (answer.token) {
        signIn(answer.token);
        navigate(next, { replace: true });
        return;
      }
      // A user in several tenants without a default gets asked which one to enter.
      if (answer.tenants?.length) setTenantChoices(answer.tenants);
      else setError(t('auth.loginFailed'));
    } catch (err) {
      setError(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title={t('auth.login')}>
      <Form<LoginValues> layout="vertical" onFinish={submit} requiredMark={false} name="login">
        {error && <Alert type="error" title={error} showIcon style={{ marginBottom: 16 }} role="alert" />}
        <Form.Item label={t('auth.email')} name="email" rules={[{ required: true, type: 'email', message: t('auth.emailInvalid') }]}>
          <Input autoComplete="username" autoFocus />
        </Form.Item>
        <Form.Item label={t('auth.password')} name="password" rules={[{ required: true, message: t('auth.passwordRequired') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        {tenantChoices && (
          <Form.Item label={t('auth.tenant')} name="tenantId" rules={[{ required: true }]}>
            <Select options={tenantChoices.map((tenant) => ({ value: tenant.id, label: tenant.name }))} />
          </Form.Item>
        )}
        <Button type="primary" htmlType="submit" block loading={busy}>
          {t('auth.loginButton')}
        </Button>
        <div style={{ marginTop: 16, textAlign: 'center' }}>
          {t('auth.noAccount')} <Link to={`/signup${params.get('next') ? `?next=${encodeURIComponent(next)}` : ''}`}>{t('auth.signup')}</Link>
        </div>
      </Form>
    </AuthCard>
  );
}
