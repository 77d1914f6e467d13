import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { NODE_TYPES, type NodeType } from './model.ts';
import { NODE_LOOK } from './nodeLook.tsx';

/** The drag payload's type; the canvas accepts nothing else. */
export const NODE_DRAG_TYPE = 'application/x-qiao-workflow-node';

/** Every node type of the engine (start included: a flow that lost its start can get it back). */
export function NodePalette({ onAdd, disabled }: { onAdd: (type: NodeType) => void; disabled?: boolean }) {
  const { t } = useTranslation();
  return (
    <div className="qiao-flow-palette" aria-label={t('workflow.palette')} role="list">
      <Typography.Text strong>{t('workflow.palette')}</Typography.Text>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '4px 0 8px' }}>
        {t('workflow.paletteHint')}
      </Typography.Paragraph>
      {NODE_TYPES.map((type) => (
        <div
          key={type}
          role="listitem"
          className="qiao-palette-item qiao-flow-palette-item"
          draggable={!disabled}
          tabIndex={0}
          data-testid={`wf-palette-${type}`}
          aria-label={t('workflow.addNode', { type: t(`workflow.nodeTypes.${type}`) })}
          onDragStart={(e) => {
            e.dataTransfer.setData(NODE_DRAG_TYPE, type);
            e.dataTransfer.effectAllowed = 'move';
          }}
          onClick={() => !disabled && onAdd(type)}
          onKeyDown={(e) => {
            if (!disabled && (e.key === 'Enter' || e.key === ' ')) {
              e.preventDefault();
              onAdd(type);
            }
          }}
        >
          <span style={{ color: NODE_LOOK[type].color }}>{NODE_LOOK[type].icon}</span>
          {t(`workflow.nodeTypes.${type}`)}
        </div>
      ))}
    </div>
  );
}
