import { Breadcrumb, Card, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useForm } from '../api/queries.ts';
import { AppCrumb } from '../layout/AppCrumb.tsx';
import { ErrorState, Loading } from '../layout/States.tsx';
import { useLocalize } from '../lib/localize.ts';
import { RecordDetail } from '../record/RecordDetail.tsx';

export default function RecordPage() {
  const { appId = '', formId = '', recordId = '' } = useParams();
  const { t } = useTranslation();
  const l = useLocalize();
  const navigate = useNavigate();
  const form = useForm(formId);
  if (form.isLoading) return <Loading />;
  if (form.error || !form.data) return <ErrorState error={form.error} onRetry={() => void form.refetch()} />;
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%', maxWidth: 1100, margin: '0 auto' }}>
      <Breadcrumb
        items={[
          { title: <Link to="/">{t('nav.workbench')}</Link> },
          { title: <AppCrumb appId={appId} /> },
          { title: <Link to={`/apps/${appId}/forms/${formId}`}>{l(form.data.name)}</Link> },
          { title: t('record.title') },
        ]}
      />
      <Typography.Title level={3} style={{ margin: 0 }}>
        {l(form.data.name)}
      </Typography.Title>
      <Card>
        <RecordDetail appId={appId} form={form.data} recordId={recordId} onDeleted={() => navigate(`/apps/${appId}/forms/${formId}`)} />
      </Card>
    </Space>
  );
}
