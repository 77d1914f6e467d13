import { useQuery } from '@tanstack/react-query';
import { ReactFlowProvider } from '@xyflow/react';
import { Breadcrumb, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { api } from '../api/client.ts';
import { useForm } from '../api/queries.ts';
import { AppCrumb } from '../layout/AppCrumb.tsx';
import { ErrorState, Loading } from '../layout/States.tsx';
import { useLocalize } from '../lib/localize.ts';
import { Designer } from './Designer.tsx';
import type { WorkflowInfo } from './model.ts';

export function useWorkflowInfo(formId: string | undefined) {
  return useQuery({
    queryKey: ['workflow', formId],
    enabled: Boolean(formId),
    queryFn: ({ signal }) => api<WorkflowInfo>('GET', `/forms/${formId}/workflow`, undefined, { signal }),
  });
}

/** `/apps/:appId/forms/:formId/workflow`: the flow designer (流程设计) of one form. */
export default function WorkflowDesignerPage() {
  const { appId = '', formId = '' } = useParams();
  const { t } = useTranslation();
  const l = useLocalize();
  const form = useForm(formId);
  const info = useWorkflowInfo(formId);
  if (form.isLoading || info.isLoading) return <Loading />;
  if (form.error || !form.data) return <ErrorState error={form.error} onRetry={() => void form.refetch()} />;
  if (info.error || !info.data) return <ErrorState error={info.error} onRetry={() => void info.refetch()} />;
  return (
    <Space orientation="vertical" size="small" style={{ width: '100%' }}>
      <Breadcrumb
        items={[
          { title: <Link to="/">{t('nav.workbench')}</Link> },
          { title: <AppCrumb appId={appId} /> },
          { title: <Link to={`/apps/${appId}/forms/${formId}`}>{l(form.data.name)}</Link> },
          { title: t('workflow.designer') },
        ]}
      />
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('workflow.title', { form: l(form.data.name) })}
      </Typography.Title>
      <ReactFlowProvider>
        <Designer key={formId} form={form.data} info={info.data} />
      </ReactFlowProvider>
    </Space>
  );
}
