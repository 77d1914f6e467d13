import { ArrowDownOutlined, ArrowUpOutlined } from '@ant-design/icons';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Checkbox, Skeleton } from 'antd';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RecordItem } from '../api/types.ts';
import { useLocalize } from '../lib/localize.ts';
import { cellText, type CellContext } from '../renderer/cellText.ts';
import { valueOf, type GridColumn } from './columns.ts';

const ROW_HEIGHT = 36;
const HEADER_HEIGHT = 38;
const SELECT_WIDTH = 44;

export interface SortKey {
  id: string;
  desc: boolean;
}

export function parseSort(sort: string | undefined): SortKey[] {
  return (sort ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => ({ id: s.replace(/^[-+]/, ''), desc: s.startsWith('-') }));
}

export function formatSort(keys: SortKey[]): string {
  return keys.map((k) => `${k.desc ? '-' : ''}${k.id}`).join(',');
}

/** Click cycles ascending → descending → unsorted; shift-click adds a secondary key. */
export function nextSort(current: SortKey[], id: string, additive: boolean): SortKey[] {
  const existing = current.find((k) => k.id === id);
  const rest = additive ? current.filter((k) => k.id !== id) : [];
  if (!existing) return [...rest, { id, desc: false }];
  if (!existing.desc) return additive ? current.map((k) => (k.id === id ? { id, desc: true } : k)) : [{ id, desc: true }];
  return rest;
}

interface VirtualGridProps {
  columns: GridColumn[];
  rows: RecordItem[];
  total: number;
  loading: boolean;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => void;
  sort: SortKey[];
  onSort: (next: SortKey[]) => void;
  selected: Set<string>;
  onSelect: (next: Set<string>) => void;
  onOpen: (record: RecordItem) => void;
  ctx: CellContext;
  height: number;
}

/**
 * The records grid: only the rows in view exist in the DOM (real cells with text), the scroll height stands for
 * every row the server counted, and pages load as the viewport approaches rows not fetched yet.
 */
export function VirtualGrid({ columns, rows, total, loading, hasNextPage, isFetchingNextPage, fetchNextPage, sort, onSort, selected, onSelect, onOpen, ctx, height }: VirtualGridProps) {
  const { t, i18n } = useTranslation();
  const l = useLocalize();
  const scrollRef = useRef<HTMLDivElement>(null);
  const [focusIndex, setFocusIndex] = useState(0);
  const count = Math.max(total, rows.length);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    scrollPaddingStart: HEADER_HEIGHT,
  });
  const items = virtualizer.getVirtualItems();
  const lastVisible = items.length ? items[items.length - 1].index : 0;

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastVisible >= rows.length - 40) fetchNextPage();
  }, [lastVisible, rows.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const totalWidth = SELECT_WIDTH + columns.reduce((w, c) => w + c.width, 0);
  const allLoadedSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const someSelected = rows.some((r) => selected.has(r.id));

  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    onSelect(next);
  };

  const moveFocus = (index: number) => {
    const clamped = Math.max(0, Math.min(count - 1, index));
    setFocusIndex(clamped);
    virtualizer.scrollToIndex(clamped, { align: 'auto' });
    requestAnimationFrame(() => scrollRef.current?.querySelector<HTMLElement>(`[data-row-index="${clamped}"]`)?.focus());
  };

  const onRowKey = (e: KeyboardEvent<HTMLDivElement>, index: number, record: RecordItem | undefined) => {
    if (e.key === 'ArrowDown') moveFocus(index + 1);
    else if (e.key === 'ArrowUp') moveFocus(index - 1);
    else if (e.key === 'PageDown') moveFocus(index + 10);
    else if (e.key === 'PageUp') moveFocus(index - 10);
    else if (e.key === 'Home' && e.ctrlKey) moveFocus(0);
    else if (e.key === 'End' && e.ctrlKey) moveFocus(count - 1);
    else if (e.key === 'Enter' && record) onOpen(record);
    else if (e.key === ' ' && record) toggle(record.id);
    else return;
    e.preventDefault();
  };

  return (
    <div
      ref={scrollRef}
      className="qiao-grid"
      style={{ height }}
      role="grid"
      aria-rowcount={count + 1}
      aria-colcount={columns.length + 1}
      aria-label={t('grid.label')}
      aria-busy={loading}
      data-testid="records-grid"
    >
      <div className="qiao-grid-header" role="row" aria-rowindex={1} style={{ width: totalWidth, height: HEADER_HEIGHT }}>
        <div className="qiao-grid-cell qiao-grid-frozen" role="columnheader" style={{ width: SELECT_WIDTH, left: 0, cursor: 'default' }}>
          <Checkbox
            aria-label={t('grid.selectAll')}
            checked={allLoadedSelected}
            indeterminate={someSelected && !allLoadedSelected}
            onChange={(e) => onSelect(e.target.checked ? new Set(rows.map((r) => r.id)) : new Set())}
          />
        </div>
        {columns.map((column, ci) => {
          const key = sort.find((k) => k.id === column.id);
          const sortable = column.field.type !== 'subform' && column.field.type !== 'signature' && column.field.type !== 'image' && column.field.type !== 'attachment';
          return (
            <div
              key={column.id}
              role="columnheader"
              aria-sort={key ? (key.desc ? 'descending' : 'ascending') : 'none'}
              tabIndex={sortable ? 0 : -1}
              className={`qiao-grid-cell${ci === 0 ? ' qiao-grid-frozen qiao-grid-frozen-2' : ''}`}
              style={{ width: column.width, left: ci === 0 ? SELECT_WIDTH : undefined, cursor: sortable ? 'pointer' : 'default' }}
              onClick={(e) => sortable && onSort(nextSort(sort, column.id, e.shiftKey))}
              onKeyDown={(e) => {
                if (sortable && (e.key === 'Enter' || e.key === ' ')) {
                  e.preventDefault();
                  onSort(nextSort(sort, column.id, e.shiftKey));
                }
              }}
              title={t('grid.sortHint')}
              data-testid={`header-${column.id}`}
            >
              {l(column.field.label)} {key && (key.desc ? <ArrowDownOutlined aria-hidden /> : <ArrowUpOutlined aria-hidden />)}
            </div>
          );
        })}
      </div>
      <div style={{ height: virtualizer.getTotalSize(), width: totalWidth, position: 'relative' }} role="rowgroup">
        {items.map((item) => {
          const record = rows[item.index];
          const isSelected = record ? selected.has(record.id) : false;
          return (
            <div
              key={item.key}
              role="row"
              aria-rowindex={item.index + 2}
              aria-selected={isSelected}
              tabIndex={item.index === focusIndex ? 0 : -1}
              data-row-index={item.index}
              data-record-id={record?.id}
              className={`qiao-grid-row${isSelected ? ' selected' : ''}`}
              style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT, width: totalWidth }}
              onClick={() => record && onOpen(record)}
              onFocus={() => setFocusIndex(item.index)}
              onKeyDown={(e) => onRowKey(e, item.index, record)}
            >
              <div className="qiao-grid-cell qiao-grid-frozen" role="gridcell" style={{ width: SELECT_WIDTH, left: 0 }} onClick={(e) => e.stopPropagation()}>
                {record && <Checkbox aria-label={t('grid.selectRow', { n: item.index + 1 })} checked={isSelected} onChange={() => toggle(record.id)} tabIndex={-1} />}
              </div>
              {columns.map((column, ci) => (
                <div
                  key={column.id}
                  role="gridcell"
                  className={`qiao-grid-cell${ci === 0 ? ' qiao-grid-frozen qiao-grid-frozen-2' : ''}`}
                  style={{ width: column.width, left: ci === 0 ? SELECT_WIDTH : undefined, textAlign: column.field.type === 'number' || column.field.type === 'money' || column.field.type === 'formula' ? 'right' : undefined }}
                >
                  {record ? cellText(column.field, valueOf(record, column), i18n.language, ctx) : <Skeleton.Input active size="small" style={{ height: 14, minWidth: 40, width: Math.min(column.width - 24, 100) }} />}
                </div>
              ))}
            </div>
          );
        })}
      </div>
      {!loading && count === 0 && (
        <div style={{ position: 'sticky', left: 0, padding: 32, textAlign: 'center', color: '#999', width: '100%' }} role="row">
          <span role="gridcell">{t('grid.empty')}</span>
        </div>
      )}
    </div>
  );
}
