import { Button, Radio, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { FieldDef } from '../api/types.ts';
import { NO_DATA_TYPES } from '../fields/fieldTypes.ts';
import { useLocalize } from '../lib/localize.ts';
import type { FieldPermission } from './model.ts';

const MODES: FieldPermission[] = ['hidden', 'read', 'edit'];

/**
 * What the people at a node see of each field: hidden, read-only or editable. Fields left out keep the node's
 * default (the start node edits, other nodes read), which the grid shows as the selected mode.
 */
export function FieldPermissionGrid({
  fields,
  value,
  defaultMode,
  modes = MODES,
  onChange,
}: {
  fields: FieldDef[];
  value: Record<string, FieldPermission> | undefined;
  defaultMode: FieldPermission;
  modes?: FieldPermission[];
  onChange: (next: Record<string, FieldPermission>) => void;
}) {
  const { t } = useTranslation();
  const l = useLocalize();
  const dataFields = fields.filter((f) => !NO_DATA_TYPES.has(f.type));
  const current = value ?? {};
  if (!dataFields.length) return <Typography.Text type="secondary">{t('workflow.noFields')}</Typography.Text>;
  const setAll = (mode: FieldPermission) => onChange(Object.fromEntries(dataFields.map((f) => [f.id, mode])));
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="wf-field-permissions">
      <Space size={4} wrap>
        <Typography.Text type="secondary">{t('workflow.setAll')}</Typography.Text>
        {modes.map((mode) => (
          <Button key={mode} size="small" onClick={() => setAll(mode)}>
            {t(`workflow.fieldPermission.${mode}`)}
          </Button>
        ))}
      </Space>
      <Table
        size="small"
        pagination={false}
        rowKey="id"
        dataSource={dataFields}
        columns={[
          { title: t('workflow.field'), key: 'field', render: (_, f: FieldDef) => l(f.label) || f.id, ellipsis: true },
          {
            title: t('workflow.fieldPermissions'),
            key: 'mode',
            width: 200,
            render: (_, f: FieldDef) => (
              <Radio.Group
                size="small"
                optionType="button"
                aria-label={`${t('workflow.fieldPermissions')} ${l(f.label) || f.id}`}
                value={current[f.id] ?? defaultMode}
                options={modes.map((mode) => ({ value: mode, label: t(`workflow.fieldPermission.${mode}`) }))}
                onChange={(e) => onChange({ ...current, [f.id]: e.target.value as FieldPermission })}
              />
            ),
          },
        ]}
      />
    </Space>
  );
}
