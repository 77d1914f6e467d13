import { FilterOutlined } from '@ant-design/icons';
import { Badge, Button, Popover, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Condition, FieldDef } from '../api/types.ts';
import { ConditionBuilder, pruneCondition } from '../fields/ConditionBuilder.tsx';

function countLeaves(c: Condition | undefined): number {
  if (!c) return 0;
  if (c.and) return c.and.reduce((n, x) => n + countLeaves(x), 0);
  if (c.or) return c.or.reduce((n, x) => n + countLeaves(x), 0);
  return 1;
}

/** The filter builder 筛选: and/or groups of conditions in the same JSON format the API takes. */
export function FilterButton({ fields, value, onApply }: { fields: FieldDef[]; value: Condition | undefined; onApply: (c: Condition | undefined) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<Condition | undefined>(value);
  const active = countLeaves(value);
  return (
    <Popover
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) setDraft(value ?? { and: [] });
      }}
      trigger="click"
      placement="bottomLeft"
      title={t('filter.title')}
      content={
        <div style={{ maxWidth: 'min(720px, 90vw)' }} data-testid="filter-builder">
          <ConditionBuilder value={draft} fields={fields} onChange={setDraft} />
          <Space style={{ marginTop: 12 }}>
            <Button
              type="primary"
              onClick={() => {
                onApply(pruneCondition(draft));
                setOpen(false);
              }}
            >
              {t('filter.apply')}
            </Button>
            <Button
              onClick={() => {
                setDraft({ and: [] });
                onApply(undefined);
                setOpen(false);
              }}
            >
              {t('filter.clear')}
            </Button>
          </Space>
        </div>
      }
    >
      <Badge count={active} size="small">
        <Button icon={<FilterOutlined />} type={active ? 'primary' : 'default'} ghost={Boolean(active)}>
          {t('filter.button')}
        </Button>
      </Badge>
    </Popover>
  );
}
