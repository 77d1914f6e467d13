import { Alert, Button, Form, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api } from '../api/client.ts';
import { safeNext, useAuth } from '../auth/AuthProvider.tsx';
import { errorMessage } from '../layout/States.tsx';
import { AuthCard } from './AuthCard.tsx';

interface SignupValues {
  name: string;
  email: string;
  password: string;
  tenantName: string;
}

export default function SignupPage() {
  const { t } = useTranslation();
  const { signIn } = useAuth();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [form] = Form.useForm<SignupValues>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (values: SignupValues) => {
    setBusy(true);
    setError(null);
    try {
      const answer = await api<{ token: string }>('POST', '/auth/signup', values, { anonymous: true });
      signIn(answer.token);
      navigate(safeNext(params.get('next')), { replace: true });
    } catch (err) {
      setError(errorMessage(err, t));
      const fieldErrors = (err as { errors?: Array<{ field: string; message: string }> }).errors ?? [];
      form.setFields(fieldErrors.filter((e) => ['name', 'email', 'password', 'tenantName'].includes(e.field)).map((e) => ({ name: e.field as keyof SignupValues, errors: [e.message] })));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title={t('auth.signup')}>
      <Form<SignupValues> form={form} layout="vertical" onFinish={submit} requiredMark={false} name="signup">
        {error && <Alert type="error" title={error} showIcon style={{ marginBottom: 16 }} role="alert" />}
        <Form.Item label={t('auth.name')} name="name" rules={[{ required: true, message: t('auth.nameRequired') }]}>
          <Input autoComplete="name" autoFocus />
        </Form.Item>
        <Form.Item label={t('auth.email')} name="email" rules={[{ required: true, type: 'email', message: t('auth.emailInvalid') }]}>
          <Input autoComplete="username" />
        </Form.Item>
        <Form.Item label={t('auth.password')} name="password" rules={[{ required: true, min: 8, message: t('auth.passwordTooShort') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item label={t('auth.tenantName')} name="tenantName" rules={[{ required: true, message: t('auth.tenantNameRequired') }]}>
          <Input autoComplete="organization" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy}>
          {t('auth.signupButton')}
        </Button>
        <div style={{ marginTop: 16, textAlign: 'center' }}>
          {t('auth.haveAccount')} <Link to="/login">{t('auth.login')}</Link>
        </div>
      </Form>
    </AuthCard>
  );
}
