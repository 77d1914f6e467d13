import { DndContext, KeyboardSensor, PointerSensor, useDraggable, useDroppable, useSensor, useSensors, type DragEndEvent } from '@dnd-kit/core';
import { App as AntApp, Badge, Button, Select, Space, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { useDepartments, useMembers } from '../api/queries.ts';
import type { Condition, FieldDef, FormDef, RecordItem } from '../api/types.ts';
import { EmptyState, errorMessage } from '../layout/States.tsx';
import { useLocalize } from '../lib/localize.ts';
import { cellText, type CellContext } from '../renderer/cellText.ts';
import { cardTitle, titleField } from './recordTitle.ts';
import { usePatchCachedRecord, useRecordList } from './useRecordList.ts';

const EMPTY = '__empty__';
export const KANBAN_TYPES = new Set(['select', 'radio', 'member', 'department']);

interface Lane {
  key: string;
  label: string;
}

function Card({ form, record, ctx, onOpen }: { form: FormDef; record: RecordItem; ctx: CellContext; onOpen: (r: RecordItem) => void }) {
  const { i18n } = useTranslation();
  const l = useLocalize();
  const { attributes, listeners, setNodeRef, transform, isDragging } = useDraggable({ id: record.id });
  const title = titleField(form);
  const extra = form.fields.filter((f) => f !== title && !['divider', 'description', 'query', 'subform', 'image', 'attachment', 'signature'].includes(f.type)).slice(0, 3);
  return (
    <div
      ref={setNodeRef}
      className="qiao-kanban-card"
      style={{ transform: transform ? `translate(${transform.x}px, ${transform.y}px)` : undefined, opacity: isDragging ? 0.6 : 1, zIndex: isDragging ? 10 : undefined, position: 'relative' }}
      {...attributes}
      {...listeners}
      onClick={() => onOpen(record)}
      onKeyDown={(e) => {
        listeners?.onKeyDown?.(e);
        if (!e.defaultPrevented && e.key === 'Enter') onOpen(record);
      }}
      data-testid={`kanban-card-${record.id}`}
    >
      <Typography.Text strong>{cardTitle(form, record, i18n.language, ctx)}</Typography.Text>
      {extra.map((f) => {
        const text = cellText(f, record.data[f.id], i18n.language, ctx);
        return text ? (
          <div key={f.id} style={{ fontSize: 12, color: '#666' }}>
            {l(f.label)}: {text}
          </div>
        ) : null;
      })}
    </div>
  );
}

function Column({ lane, records, form, ctx, onOpen }: { lane: Lane; records: RecordItem[]; form: FormDef; ctx: CellContext; onOpen: (r: RecordItem) => void }) {
  const { setNodeRef, isOver } = useDroppable({ id: lane.key });
  return (
    <section ref={setNodeRef} className={`qiao-kanban-col${isOver ? ' over' : ''}`} aria-label={lane.label} data-testid={`kanban-lane-${lane.key}`}>
      <div style={{ fontWeight: 600, marginBottom: 8 }}>
        {lane.label} <Badge count={records.length} showZero color="#bbb" />
      </div>
      {records.map((r) => (
        <Card key={r.id} form={form} record={r} ctx={ctx} onOpen={onOpen} />
      ))}
    </section>
  );
}

interface KanbanProps {
  form: FormDef;
  groupBy: string | undefined;
  onGroupBy: (id: string) => void;
  filter?: Condition;
  sort?: string;
  ctx: CellContext;
  onOpen: (r: RecordItem) => void;
}

/** Kanban 看板: one lane per option, member or department; dragging a card sets the record's field. */
export function KanbanView({ form, groupBy, onGroupBy, filter, sort, ctx, onOpen }: KanbanProps) {
  const { t } = useTranslation();
  const l = useLocalize();
  const { message } = AntApp.useApp();
  const members = useMembers();
  const departments = useDepartments();
  const candidates = form.fields.filter((f) => KANBAN_TYPES.has(f.type));
  const field: FieldDef | undefined = candidates.find((f) => f.id === groupBy) ?? candidates[0];
  const list = useRecordList(form.id, { filter, sort, pageSize: 500 });
  const patchCache = usePatchCachedRecord(form.id);
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 5 } }), useSensor(KeyboardSensor));

  const lanes: Lane[] = useMemo(() => {
    if (!field) return [];
    const base: Lane[] =
      field.type === 'member'
        ? (members.data ?? []).map((m) => ({ key: m.id, label: m.name }))
        : field.type === 'department'
          ? (departments.data ?? []).map((d) => ({ key: d.id, label: d.name }))
          : (field.options ?? []).map((o) => ({ key: o.value, label: l(o.label) }));
    return [...base, { key: EMPTY, label: t('kanban.empty') }];
  }, [field, members.data, departments.data, l, t]);

  if (!field) return <EmptyState description={t('kanban.noField')} />;

  const laneOf = (r: RecordItem) => {
    const v = r.data[field.id];
    return typeof v === 'string' && lanes.some((lane) => lane.key === v) ? v : EMPTY;
  };

  const onDragEnd = async ({ active, over }: DragEndEvent) => {
    if (!over) return;
    const record = list.rows.find((r) => r.id === active.id);
    if (!record || laneOf(record) === over.id) return;
    const value = over.id === EMPTY ? null : String(over.id);
    const undo = patchCache(record.id, (r) => ({ ...r, data: { ...r.data, [field.id]: value ?? undefined } }));
    try {
      const updated = await api<RecordItem>('PATCH', `/forms/${form.id}/records/${record.id}`, { data: { [field.id]: value }, version: record.version });
      patchCache(record.id, () => updated);
    } catch (err) {
      undo();
      message.error(errorMessage(err, t));
    }
  };

  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space>
        <Typography.Text>{t('kanban.groupBy')}</Typography.Text>
        <Select aria-label={t('kanban.groupBy')} value={field.id} onChange={onGroupBy} options={candidates.map((f) => ({ value: f.id, label: l(f.label) }))} style={{ minWidth: 160 }} />
        <Typography.Text type="secondary">{t('kanban.count', { shown: list.rows.length, total: list.total })}</Typography.Text>
        {list.hasNextPage && (
          <Button size="small" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
            {t('common.loadMore')}
          </Button>
        )}
      </Space>
      <DndContext sensors={sensors} onDragEnd={(e) => void onDragEnd(e)}>
        <div className="qiao-kanban" data-testid="kanban">
          {lanes.map((lane) => (
            <Column key={lane.key} lane={lane} records={list.rows.filter((r) => laneOf(r) === lane.key)} form={form} ctx={ctx} onOpen={onOpen} />
          ))}
        </div>
      </DndContext>
    </Space>
  );
}
