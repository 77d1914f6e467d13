import { ArrowDownOutlined, ArrowUpOutlined, InsertRowRightOutlined } from '@ant-design/icons';
import { Button, Checkbox, Popover, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import type { FieldDef } from '../api/types.ts';
import { useLocalize } from '../lib/localize.ts';
import { columnCandidates, type GridColumn } from './columns.ts';

/** Column chooser 显示字段: which columns the grid shows and in what order. */
export function ColumnChooser({ fields, columns, onChange }: { fields: FieldDef[]; columns: GridColumn[]; onChange: (ids: string[]) => void }) {
  const { t } = useTranslation();
  const l = useLocalize();
  const shown = columns.map((c) => c.id);
  const hidden = columnCandidates(fields).filter((f) => !shown.includes(f.id));
  const move = (i: number, delta: number) => {
    const next = shown.slice();
    const [id] = next.splice(i, 1);
    next.splice(i + delta, 0, id);
    onChange(next);
  };
  return (
    <Popover
      trigger="click"
      placement="bottomLeft"
      title={t('grid.columns')}
      content={
        <div style={{ maxHeight: 420, overflow: 'auto', minWidth: 240 }} data-testid="column-chooser">
          {columns.map((c, i) => (
            <div key={c.id} style={{ display: 'flex', alignItems: 'center', gap: 4 }}>
              <Checkbox checked disabled={shown.length === 1} onChange={() => onChange(shown.filter((id) => id !== c.id))} style={{ flex: 1 }}>
                {l(c.field.label)}
              </Checkbox>
              <Button size="small" type="text" icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => move(i, -1)} aria-label={t('designer.moveUp')} />
              <Button size="small" type="text" icon={<ArrowDownOutlined />} disabled={i === columns.length - 1} onClick={() => move(i, 1)} aria-label={t('designer.moveDown')} />
            </div>
          ))}
          {hidden.length > 0 && (
            <Space orientation="vertical" size={2} style={{ marginTop: 8, borderTop: '1px solid #eee', paddingTop: 8, width: '100%' }}>
              {hidden.map((f) => (
                <Checkbox key={f.id} checked={false} onChange={() => onChange([...shown, f.id])}>
                  {l(f.label)}
                </Checkbox>
              ))}
            </Space>
          )}
        </div>
      }
    >
      <Button icon={<InsertRowRightOutlined />}>{t('grid.columns')}</Button>
    </Popover>
  );
}
