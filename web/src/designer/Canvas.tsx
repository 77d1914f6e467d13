import { useDroppable } from '@dnd-kit/core';
import { rectSortingStrategy, SortableContext, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { CopyOutlined, DeleteOutlined, HolderOutlined, WarningOutlined } from '@ant-design/icons';
import { Button, Tag, Tooltip, Typography } from 'antd';
import type { Dispatch, KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { FieldDef } from '../api/types.ts';
import { FieldIcon } from '../fields/FieldIcon.tsx';
import { typeInfo } from '../fields/fieldTypes.ts';
import { useLocalize } from '../lib/localize.ts';
import type { DesignerAction } from './designerState.ts';

export const CANVAS_ID = 'canvas';
export const SUBFORM_PREFIX = 'subform:';

export interface DropHint {
  targetId: string;
  after: boolean;
}

interface CanvasProps {
  fields: FieldDef[];
  twoColumns: boolean;
  selectedId: string | null;
  selectedColumn: string | null;
  problems: Map<string, string[]>;
  dropHint: DropHint | null;
  dispatch: Dispatch<DesignerAction>;
}

function SubformColumns({ field, selectedColumn, problems, dispatch }: { field: FieldDef; selectedColumn: string | null; problems: Map<string, string[]>; dispatch: Dispatch<DesignerAction> }) {
  const { t } = useTranslation();
  const l = useLocalize();
  const { setNodeRef, isOver } = useDroppable({ id: `${SUBFORM_PREFIX}${field.id}`, data: { subformId: field.id } });
  return (
    <div
      ref={setNodeRef}
      data-testid={`subform-drop-${field.id}`}
      style={{ marginTop: 8, padding: 8, border: `1px dashed ${isOver ? '#1677ff' : '#d9d9d9'}`, borderRadius: 6, background: isOver ? '#f0f7ff' : '#fafafa', minHeight: 40 }}
    >
      {(field.fields ?? []).map((column) => {
        const key = `${field.id}/${column.id}`;
        return (
          <Tag
            key={column.id}
            color={selectedColumn === key ? 'blue' : problems.has(column.id) ? 'red' : undefined}
            style={{ cursor: 'pointer', marginBottom: 4 }}
            onClick={(e) => {
              e.stopPropagation();
              dispatch({ type: 'select', id: field.id, column: key });
            }}
            data-testid={`subform-column-${column.id}`}
          >
            <FieldIcon type={column.type} /> {l(column.label)}
          </Tag>
        );
      })}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('designer.dropColumns')}
      </Typography.Text>
    </div>
  );
}

function FieldPreview({ field }: { field: FieldDef }) {
  const l = useLocalize();
  const { t } = useTranslation();
  if (field.type === 'divider') return <hr style={{ border: 'none', borderTop: '1px solid #ddd' }} />;
  if (field.type === 'description') return <Typography.Text type="secondary">{l(field.content)}</Typography.Text>;
  if (field.type === 'formula') return <Typography.Text code>{field.formula || t('designer.noFormula')}</Typography.Text>;
  if (field.options?.length) return <Typography.Text type="secondary">{field.options.map((o) => l(o.label)).join(' / ')}</Typography.Text>;
  return <div style={{ height: 24, border: '1px solid #eee', borderRadius: 4, background: '#fafafa' }} />;
}

function CanvasField({ field, selected, selectedColumn, problems, dropHint, dispatch }: Omit<CanvasProps, 'fields' | 'twoColumns' | 'selectedId'> & { field: FieldDef; selected: boolean }) {
  const { t } = useTranslation();
  const l = useLocalize();
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({ id: field.id, data: { source: 'canvas' } });
  const fieldProblems = problems.get(field.id);
  const wide = field.type === 'subform' || field.type === 'divider' || field.type === 'description' || field.type === 'query';
  const onKeyDown = (e: KeyboardEvent) => {
    listeners?.onKeyDown?.(e);
    if (e.defaultPrevented) return;
    if (e.key === 'Enter') dispatch({ type: 'select', id: field.id });
    if (e.key === 'Delete') dispatch({ type: 'remove', id: field.id });
  };
  const label = l(field.label) || field.id;
  return (
    <div
      ref={setNodeRef}
      className={`qiao-canvas-field${selected ? ' selected' : ''}${wide ? ' wide' : ''}`}
      style={{
        transform: CSS.Translate.toString(transform),
        transition,
        opacity: isDragging ? 0.4 : 1,
        boxShadow: dropHint?.targetId === field.id ? (dropHint.after ? 'inset 0 -3px 0 #1677ff' : 'inset 0 3px 0 #1677ff') : undefined,
      }}
      data-testid={`canvas-field-${field.id}`}
      data-field-type={field.type}
      onClick={() => dispatch({ type: 'select', id: field.id })}
      {...attributes}
      {...listeners}
      onKeyDown={onKeyDown}
      aria-label={t('designer.canvasField', { label, type: l(typeInfo(field.type).label) })}
      aria-pressed={selected}
    >
      <div style={{ display: 'flex', alignItems: 'center', gap: 6 }}>
        <HolderOutlined style={{ color: '#aaa' }} aria-hidden />
        <FieldIcon type={field.type} />
        <strong style={{ flex: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis' }}>
          {field.required && <span style={{ color: '#ff4d4f' }}>* </span>}
          {label}
        </strong>
        {fieldProblems && (
          <Tooltip title={fieldProblems.join('\n')}>
            <WarningOutlined style={{ color: '#fa541c' }} aria-label={fieldProblems.join('; ')} />
          </Tooltip>
        )}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {field.id}
        </Typography.Text>
        <Button
          size="small"
          type="text"
          icon={<CopyOutlined />}
          aria-label={t('designer.duplicate')}
          onPointerDown={(e) => e.stopPropagation()}
          onKeyDown={(e) => e.stopPropagation()}
          onClick={(e) => {
            e.stopPropagation();
            dispatch({ type: 'duplicate', id: field.id });
          }}
        />
        <Button
          size="small"
          type="text"
          danger
          icon={<DeleteOutlined />}
          aria-label={t('designer.remove')}
          onPointerDown={(e) => e.stopPropagation()}
          onKeyDown={(e) => e.stopPropagation()}
          onClick={(e) => {
            e.stopPropagation();
            dispatch({ type: 'remove', id: field.id });
          }}
        />
      </div>
      <div style={{ marginTop: 6 }}>
        <FieldPreview field={field} />
      </div>
      {field.type === 'subform' && <SubformColumns field={field} selectedColumn={selectedColumn} problems={problems} dispatch={dispatch} />}
    </div>
  );
}

export function Canvas({ fields, twoColumns, selectedId, selectedColumn, problems, dropHint, dispatch }: CanvasProps) {
  const { t } = useTranslation();
  const { setNodeRef, isOver } = useDroppable({ id: CANVAS_ID });
  return (
    <section ref={setNodeRef} className={`qiao-canvas${isOver ? ' over' : ''}`} aria-label={t('designer.canvas')} data-testid="designer-canvas">
      <SortableContext items={fields.map((f) => f.id)} strategy={twoColumns ? rectSortingStrategy : verticalListSortingStrategy}>
        <div className={`qiao-canvas-fields${twoColumns ? ' two' : ''}`}>
          {fields.map((field) => (
            <CanvasField
              key={field.id}
              field={field}
              selected={selectedId === field.id}
              selectedColumn={selectedColumn}
              problems={problems}
              dropHint={dropHint}
              dispatch={dispatch}
            />
          ))}
        </div>
      </SortableContext>
      {!fields.length && (
        <div style={{ padding: 48, textAlign: 'center', color: '#999' }} data-testid="canvas-empty">
          {t('designer.emptyCanvas')}
        </div>
      )}
    </section>
  );
}
