import { Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import type { WidgetLabels } from './labels.ts';

type Row = Record<string, unknown>;
const keyOf = (v: unknown) => JSON.stringify(v ?? null);
const ADDITIVE = /^(count|sum)(_|$)/;

/**
 * Groups down the side and, with two or more groups, the last one across the top; each cell opens the records
 * behind it. Counts and sums get a total column.
 */
export function PivotTable({ rows, groups, metrics, labels, onDrill }: { rows: Row[]; groups: string[]; metrics: string[]; labels: WidgetLabels; onDrill: (group: Record<string, unknown>) => void }) {
  const { t } = useTranslation();
  const across = groups.length >= 2 ? groups[groups.length - 1] : undefined;
  const down = across ? groups.slice(0, -1) : groups;
  const link = (text: string, group: Record<string, unknown>) => (
    <Typography.Link onClick={() => onDrill(group)} data-testid="pivot-cell">
      {text}
    </Typography.Link>
  );

  if (!across) {
    const columns: ColumnsType<Row> = [
      ...down.map((g) => ({ title: labels.columnLabel(g), key: g, render: (_: unknown, r: Row) => labels.groupLabel(g, r[g]) })),
      ...metrics.map((m) => ({ title: labels.metricLabel(m), key: m, align: 'right' as const, render: (_: unknown, r: Row) => link(labels.formatMetric(m, r[m]), Object.fromEntries(down.map((g) => [g, r[g]]))) })),
    ];
    return <Table size="small" pagination={false} scroll={{ x: 'max-content', y: '100%' }} rowKey={(r) => down.map((g) => keyOf(r[g])).join('|')} dataSource={rows} columns={columns} />;
  }

  const acrossValues = [...new Map(rows.map((r) => [keyOf(r[across]), r[across]])).values()];
  const lines = new Map<string, { key: string; groups: Row; cells: Map<string, Row> }>();
  for (const r of rows) {
    const k = down.map((g) => keyOf(r[g])).join('|');
    let line = lines.get(k);
    if (!line) lines.set(k, (line = { key: k, groups: Object.fromEntries(down.map((g) => [g, r[g]])), cells: new Map() }));
    line.cells.set(keyOf(r[across]), r);
  }
  type Line = { key: string; groups: Row; cells: Map<string, Row> };
  const cellColumns = (m: string) =>
    acrossValues.map((v) => ({
      title: metrics.length > 1 ? `${labels.groupLabel(across, v)} · ${labels.metricLabel(m)}` : labels.groupLabel(across, v),
      key: `${m}:${keyOf(v)}`,
      align: 'right' as const,
      render: (_: unknown, line: Line) => {
        const cell = line.cells.get(keyOf(v));
        return cell ? link(labels.formatMetric(m, cell[m]), { ...line.groups, [across]: v }) : '';
      },
    }));
  const columns: ColumnsType<Line> = [
    ...down.map((g) => ({ title: labels.columnLabel(g), key: g, fixed: 'left' as const, render: (_: unknown, line: Line) => labels.groupLabel(g, line.groups[g]) })),
    ...metrics.flatMap(cellColumns),
    ...metrics
      .filter((m) => ADDITIVE.test(m))
      .map((m) => ({
        title: metrics.length > 1 ? `${t('dashboards.total')} · ${labels.metricLabel(m)}` : t('dashboards.total'),
        key: `total:${m}`,
        align: 'right' as const,
        render: (_: unknown, line: Line) => {
          const sum = [...line.cells.values()].reduce((acc, c) => acc + (typeof c[m] === 'number' ? (c[m] as number) : 0), 0);
          return link(labels.formatMetric(m, sum), line.groups);
        },
      })),
  ];
  return <Table size="small" pagination={false} scroll={{ x: 'max-content' }} rowKey="key" dataSource={[...lines.values()]} columns={columns} />;
}
