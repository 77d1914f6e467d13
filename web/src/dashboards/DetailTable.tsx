import { Table } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import type { FormDef } from '../api/types.ts';
import { NO_DATA_TYPES } from '../fields/fieldTypes.ts';
import { localize } from '../lib/localize.ts';
import { cellText } from '../renderer/cellText.ts';
import { useOrgNames } from '../renderer/inputs/OrgPickers.tsx';
import type { WidgetDef } from './model.ts';

interface RecordRow {
  id: string;
  data: Record<string, unknown>;
  createdAt?: string;
}

const DEFAULT_COLUMNS = 6;

/** A detail table: the first records of its form, each row opening the record. */
export function DetailTable({ widget, form, rows }: { widget: WidgetDef; form: FormDef | undefined; rows: Record<string, unknown>[] }) {
  const { t, i18n } = useTranslation();
  const names = useOrgNames();
  const navigate = useNavigate();
  const fields = (form?.fields ?? []).filter((f) => !NO_DATA_TYPES.has(f.type) && f.type !== 'subform');
  const shown = widget.columns?.length ? widget.columns.map((id) => fields.find((f) => f.id === id)).filter((f) => f !== undefined) : fields.slice(0, DEFAULT_COLUMNS);
  const records = rows as unknown as RecordRow[];
  return (
    <Table<RecordRow>
      size="small"
      rowKey="id"
      pagination={false}
      scroll={{ x: 'max-content' }}
      dataSource={records}
      onRow={(r) => ({ onClick: () => form?.appId && navigate(`/apps/${form.appId}/forms/${form.id}/records/${r.id}`), style: { cursor: form?.appId ? 'pointer' : undefined } })}
      columns={[
        ...shown.map((f) => ({ title: localize(f.label, i18n.language) || f.id, key: f.id, ellipsis: true, render: (_: unknown, r: RecordRow) => cellText(f, r.data?.[f.id], i18n.language, { names }) })),
        { title: t('system.createdAt'), key: 'createdAt', render: (_: unknown, r: RecordRow) => (r.createdAt ? dayjs(r.createdAt).format('YYYY-MM-DD HH:mm') : '') },
      ]}
    />
  );
}
