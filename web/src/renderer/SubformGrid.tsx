import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Table, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { FieldDef } from '../api/types.ts';
import { COMPUTED_TYPES } from '../fields/fieldTypes.ts';
import { useLocalize } from '../lib/localize.ts';
import { FieldInput } from './FieldInput.tsx';

export type Row = Record<string, unknown>;

interface SubformGridProps {
  field: FieldDef;
  id: string;
  label: string;
  rows: Row[];
  /** Rows with formulas computed, for display. */
  computedRows: Row[];
  onChange: (rows: Row[]) => void;
  errorFor: (row: number, column: string) => string | undefined;
  /** Column requiredness per row, from requiredWhen rules. */
  requiredFor?: (row: number, column: string) => boolean;
  disabled?: boolean;
}

/** Subform 子表单: one table row per entry, a typed input per column, rows added and removed in place. */
export function SubformGrid({ field, id, label, rows, computedRows, onChange, errorFor, requiredFor, disabled }: SubformGridProps) {
  const { t } = useTranslation();
  const l = useLocalize();
  const columns = field.fields ?? [];
  const canAdd = !disabled && (field.maxRows === undefined || rows.length < field.maxRows);
  const canRemove = !disabled && rows.length > (field.minRows ?? 0);
  const setCell = (index: number, column: string, value: unknown) =>
    onChange(rows.map((row, i) => {
      if (i !== index) return row;
      const next = { ...row };
      if (value === undefined) delete next[column];
      else next[column] = value;
      return next;
    }));

  return (
    <div id={id} role="group" aria-label={label} data-testid={`subform-${field.id}`}>
      <Table<Row>
        size="small"
        bordered
        pagination={false}
        scroll={{ x: 'max-content' }}
        rowKey={(_, i) => String(i)}
        dataSource={rows}
        locale={{ emptyText: t('record.noRows') }}
        onRow={(_, i) => ({ 'aria-label': t('record.rowN', { n: (i ?? 0) + 1 }) }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: '#', key: '#', width: 40, render: (_, __, i) => i + 1 },
          ...columns.map((column) => ({
            title: (
              <span>
                {column.required && <span style={{ color: '#ff4d4f' }}>* </span>}
                {l(column.label)}
              </span>
            ),
            key: column.id,
            width: column.type === 'textarea' ? 240 : 180,
            render: (_: unknown, __: Row, index: number) => {
              const error = errorFor(index, column.id);
              const computed = COMPUTED_TYPES.has(column.type);
              const needed = !column.required && requiredFor?.(index, column.id);
              const input = (
                <FieldInput
                  compact
                  field={column}
                  id={`${id}-${index}-${column.id}`}
                  label={l(column.label)}
                  value={computed ? computedRows[index]?.[column.id] : rows[index]?.[column.id]}
                  onChange={(v) => setCell(index, column.id, v)}
                  disabled={disabled || column.readOnly}
                  invalid={Boolean(error)}
                />
              );
              return (
                <div>
                  {needed && <span style={{ color: '#ff4d4f' }} aria-hidden>* </span>}
                  {input}
                  {error && (
                    <Typography.Text type="danger" style={{ fontSize: 12 }} role="alert" data-testid={`error-${field.id}-${index}-${column.id}`}>
                      {error}
                    </Typography.Text>
                  )}
                </div>
              );
            },
          })),
          {
            title: '',
            key: 'remove',
            width: 48,
            render: (_: unknown, __: Row, index: number) => (
              <Tooltip title={t('record.removeRow')}>
                <Button type="text" danger icon={<DeleteOutlined />} disabled={!canRemove} aria-label={t('record.removeRowN', { n: index + 1 })} onClick={() => onChange(rows.filter((_, i) => i !== index))} />
              </Tooltip>
            ),
          },
        ]}
      />
      <Button style={{ marginTop: 8 }} icon={<PlusOutlined />} disabled={!canAdd} onClick={() => onChange([...rows, {}])} aria-label={t('record.addRowTo', { label })}>
        {t('record.addRow')}
      </Button>
    </div>
  );
}
