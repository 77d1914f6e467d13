import { useQueries } from '@tanstack/react-query';
import { Card, List, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api } from '../api/client.ts';
import { useAllForms, type FormWithApp } from '../api/queries.ts';
import type { FieldDef, Page, RecordItem } from '../api/types.ts';
import { EmptyState, Loading } from '../layout/States.tsx';
import { useLocalize } from '../lib/localize.ts';
import { recordTitle } from '../renderer/inputs/RelationPicker.tsx';

interface Incoming {
  form: FormWithApp;
  field: FieldDef;
}

/** Records of other forms whose relation fields point at this record (the automatic tab of 关联数据). */
export function RelatedRecords({ formId, recordId }: { formId: string; recordId: string }) {
  const { t, i18n } = useTranslation();
  const l = useLocalize();
  const { forms, isLoading } = useAllForms();
  const links: Incoming[] = forms.flatMap((form) => form.fields.filter((f) => f.type === 'relation' && f.form === formId).map((field) => ({ form, field })));
  const results = useQueries({
    queries: links.map((link) => ({
      queryKey: ['related', link.form.id, link.field.id, recordId],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        api<Page<RecordItem>>('GET', `/forms/${link.form.id}/records`, undefined, {
          signal,
          query: { limit: 20, filter: JSON.stringify({ field: link.field.id, op: 'eq', value: recordId }) },
        }),
    })),
  });
  if (isLoading) return <Loading />;
  if (!links.length) return <EmptyState description={t('related.none')} />;
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="related-records">
      {links.map((link, i) => {
        const answer = results[i];
        const titleField: FieldDef = { id: '_', type: 'relation', label: '', form: link.form.id };
        return (
          <Card key={`${link.form.id}.${link.field.id}`} size="small" title={`${l(link.form.name)} · ${l(link.field.label)} (${answer?.data?.total ?? '…'})`}>
            {answer?.isLoading ? (
              <Loading />
            ) : (
              <List
                size="small"
                dataSource={answer?.data?.items ?? []}
                locale={{ emptyText: t('common.empty') }}
                renderItem={(record) => (
                  <List.Item>
                    <Link to={`/apps/${link.form.appId}/forms/${link.form.id}/records/${record.id}`}>{recordTitle(record, link.form, titleField, i18n.language)}</Link>
                  </List.Item>
                )}
              />
            )}
          </Card>
        );
      })}
    </Space>
  );
}
