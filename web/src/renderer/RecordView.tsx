import { Descriptions, Image, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { FieldDef, FieldPermission, FormDef, UploadedFile } from '../api/types.ts';
import { NO_DATA_TYPES } from '../fields/fieldTypes.ts';
import { useLocalize } from '../lib/localize.ts';
import { cellText, type CellContext } from './cellText.ts';
import { useOrgNames } from './inputs/OrgPickers.tsx';
import { QueryList } from './QueryList.tsx';
import { RelationLink } from './RelationLink.tsx';

export function ValueView({ field, value, ctx }: { field: FieldDef; value: unknown; ctx: CellContext }) {
  const { i18n } = useTranslation();
  const l = useLocalize();
  if (value === undefined || value === null || value === '') return <Typography.Text type="secondary">—</Typography.Text>;
  if (field.type === 'image' && Array.isArray(value)) {
    return (
      <Image.PreviewGroup>
        <Space wrap>
          {(value as UploadedFile[]).map((f) => (
            <Image key={f.id} src={f.url} alt={f.name} width={72} height={72} style={{ objectFit: 'cover' }} />
          ))}
        </Space>
      </Image.PreviewGroup>
    );
  }
  if (field.type === 'attachment' && Array.isArray(value)) {
    return (
      <Space orientation="vertical" size={2}>
        {(value as UploadedFile[]).map((f) => (
          <a key={f.id} href={f.url} target="_blank" rel="noreferrer" download={f.name}>
            {f.name}
          </a>
        ))}
      </Space>
    );
  }
  if (field.type === 'signature' && typeof value === 'object') {
    return <img src={(value as UploadedFile).url} alt={l(field.label)} style={{ maxHeight: 70, background: '#fff' }} />;
  }
  if (field.type === 'relation' && typeof value === 'string') return <RelationLink field={field} recordId={value} />;
  if (field.type === 'subform' && Array.isArray(value)) {
    const columns = field.fields ?? [];
    return (
      <Table
        size="small"
        bordered
        pagination={false}
        scroll={{ x: 'max-content' }}
        rowKey={(_, i) => String(i)}
        dataSource={value as Record<string, unknown>[]}
        columns={columns.map((c) => ({
          key: c.id,
          title: l(c.label),
          render: (_: unknown, row: Record<string, unknown>) => (c.type === 'relation' ? <ValueView field={c} value={row[c.id]} ctx={ctx} /> : cellText(c, row[c.id], i18n.language, ctx)),
        }))}
      />
    );
  }
  return <span style={{ whiteSpace: 'pre-wrap' }}>{cellText(field, value, i18n.language, ctx)}</span>;
}

/** A record read-only, field by field, as the caller may see it. */
export function RecordView({ form, data, permissions }: { form: FormDef; data: Record<string, unknown>; permissions?: Record<string, FieldPermission> }) {
  const l = useLocalize();
  const names = useOrgNames();
  const fields = form.fields.filter((f) => permissions?.[f.id] !== 'hidden' && f.type !== 'divider' && f.type !== 'description');
  return (
    <Descriptions
      bordered
      size="small"
      column={{ xs: 1, sm: 1, md: form.settings?.columns === 2 ? 2 : 1 }}
      data-testid="record-view"
      items={fields.map((field) => ({
        key: field.id,
        label: l(field.label) || field.id,
        span: field.type === 'subform' || field.type === 'query' ? 'filled' : 1,
        children: field.type === 'query' ? <QueryList field={field} data={data} id={`view-${field.id}`} label={l(field.label)} /> : NO_DATA_TYPES.has(field.type) ? null : <span data-testid={`value-${field.id}`}><ValueView field={field} value={data[field.id]} ctx={{ names }} /></span>,
      }))}
    />
  );
}
