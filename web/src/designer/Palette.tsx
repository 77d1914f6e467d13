import { useDraggable } from '@dnd-kit/core';
import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { FieldType } from '../api/types.ts';
import { FieldIcon } from '../fields/FieldIcon.tsx';
import { FIELD_TYPES, PALETTE_GROUPS, type FieldTypeInfo } from '../fields/fieldTypes.ts';
import { localize } from '../lib/localize.ts';

export const PALETTE_PREFIX = 'palette:';

function PaletteItem({ info, onAdd }: { info: FieldTypeInfo; onAdd: (type: FieldType) => void }) {
  const { t, i18n } = useTranslation();
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({ id: `${PALETTE_PREFIX}${info.type}`, data: { source: 'palette', fieldType: info.type } });
  const label = localize(info.label, i18n.language);
  return (
    <div
      ref={setNodeRef}
      className="qiao-palette-item"
      data-testid={`palette-${info.type}`}
      style={{ opacity: isDragging ? 0.5 : 1 }}
      {...attributes}
      {...listeners}
      aria-label={t('designer.paletteItem', { label })}
      aria-roledescription={t('designer.draggable')}
      onDoubleClick={() => onAdd(info.type)}
      onKeyDown={(e) => {
        listeners?.onKeyDown?.(e);
        if (!e.defaultPrevented && e.key === 'Enter') onAdd(info.type);
      }}
    >
      <FieldIcon type={info.type} />
      <span>{label}</span>
    </div>
  );
}

export function Palette({ onAdd }: { onAdd: (type: FieldType) => void }) {
  const { t } = useTranslation();
  return (
    <nav aria-label={t('designer.palette')} className="qiao-palette">
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('designer.paletteHint')}
      </Typography.Text>
      {PALETTE_GROUPS.map((group) => (
        <div key={group} style={{ marginTop: 12 }}>
          <Typography.Text strong style={{ fontSize: 12 }}>
            {t(`designer.groups.${group}`)}
          </Typography.Text>
          <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 6, marginTop: 6 }}>
            {FIELD_TYPES.filter((info) => info.group === group).map((info) => (
              <PaletteItem key={info.type} info={info} onAdd={onAdd} />
            ))}
          </div>
        </div>
      ))}
    </nav>
  );
}
