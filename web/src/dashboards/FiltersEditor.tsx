import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Input, Modal, Select, Space, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FormDef } from '../api/types.ts';
import { NO_DATA_TYPES } from '../fields/fieldTypes.ts';
import { localize } from '../lib/localize.ts';
import type { DashboardFilterDef } from './model.ts';

const INPUTS = ['auto', 'member', 'department', 'dateRange', 'select', 'number', 'text'] as const;

/** The filter bar's entries: a field the widgets share (by id), its label and the kind of input. */
export function FiltersEditor({ value, forms, onSave, onCancel }: { value: DashboardFilterDef[]; forms: Map<string, FormDef>; onSave: (next: DashboardFilterDef[]) => void; onCancel: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [rows, setRows] = useState<DashboardFilterDef[]>(value);
  const fieldOptions = new Map<string, string>();
  for (const form of forms.values()) {
    for (const f of form.fields) if (!NO_DATA_TYPES.has(f.type) && f.type !== 'subform' && !fieldOptions.has(f.id)) fieldOptions.set(f.id, `${localize(f.label, lang) || f.id} (${f.id})`);
  }
  for (const id of ['createdAt', 'createdBy', 'updatedAt']) fieldOptions.set(id, t(`system.${id}`));
  const replace = (i: number, patch: Partial<DashboardFilterDef>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const labelOf = (field: string) => {
    for (const form of forms.values()) {
      const f = form.fields.find((x) => x.id === field);
      if (f) return f.label;
    }
    return t(`system.${field}`, { defaultValue: field });
  };
  return (
    <Modal
      open
      title={t('dashboards.editor.filters')}
      width={820}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      onCancel={onCancel}
      onOk={() => onSave(rows.filter((r) => r.key).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined && v !== '')) as unknown as DashboardFilterDef))}
      destroyOnHidden
    >
      <Table
        size="small"
        pagination={false}
        rowKey={(_, i) => String(i)}
        dataSource={rows}
        columns={[
          {
            title: t('dashboards.editor.filterField'),
            key: 'field',
            render: (_, r, i) => (
              <Select
                aria-label={`${t('dashboards.editor.filterField')} ${i + 1}`}
                style={{ width: 220 }}
                showSearch={{ optionFilterProp: 'label' }}
                value={r.field ?? r.key}
                options={[...fieldOptions].map(([value, label]) => ({ value, label }))}
                onChange={(field: string) => replace(i, { key: field, field, label: typeof r.label === 'string' && r.label ? r.label : labelOf(field) })}
              />
            ),
          },
          {
            title: t('dashboards.editor.filterLabel'),
            key: 'label',
            render: (_, r, i) => <Input aria-label={`${t('dashboards.editor.filterLabel')} ${i + 1}`} value={localize(r.label, lang)} onChange={(e) => replace(i, { label: e.target.value })} />,
          },
          {
            title: t('dashboards.editor.filterInput'),
            key: 'input',
            render: (_, r, i) => (
              <Select
                aria-label={`${t('dashboards.editor.filterInput')} ${i + 1}`}
                style={{ width: 130 }}
                value={r.input ?? 'auto'}
                options={INPUTS.map((k) => ({ value: k, label: t(`dashboards.editor.inputs.${k}`) }))}
                onChange={(input: string) => replace(i, { input: input === 'auto' ? undefined : input })}
              />
            ),
          },
          { title: '', key: 'remove', width: 50, render: (_, __, i) => <Button type="text" danger icon={<DeleteOutlined />} aria-label={`${t('common.delete')} ${i + 1}`} onClick={() => setRows(rows.filter((_, j) => j !== i))} /> },
        ]}
      />
      <Space style={{ marginTop: 12 }}>
        <Button size="small" icon={<PlusOutlined />} disabled={!fieldOptions.size} onClick={() => { const [field] = [...fieldOptions.keys()]; setRows([...rows, { key: field, field, label: labelOf(field) }]); }}>
          {t('dashboards.editor.addFilter')}
        </Button>
      </Space>
    </Modal>
  );
}
