import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api } from '../api/client.ts';
import { useForm } from '../api/queries.ts';
import type { FieldDef, RecordItem } from '../api/types.ts';
import { recordTitle } from './inputs/RelationPicker.tsx';

/** A related record shown by its title and linked to its page. */
export function RelationLink({ field, recordId }: { field: FieldDef; recordId: string }) {
  const { i18n } = useTranslation();
  const target = useForm(field.form);
  const record = useQuery({
    queryKey: ['forms', field.form, 'records', recordId],
    enabled: Boolean(field.form),
    retry: false,
    queryFn: ({ signal }) => api<RecordItem>('GET', `/forms/${field.form}/records/${recordId}`, undefined, { signal }),
  });
  const title = record.data ? recordTitle(record.data, target.data, field, i18n.language) : recordId;
  if (!target.data?.appId) return <span>{title}</span>;
  return <Link to={`/apps/${target.data.appId}/forms/${field.form}/records/${recordId}`}>{title}</Link>;
}
