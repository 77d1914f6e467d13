import type { EChartsCoreOption } from 'echarts/core';
import type { WidgetLabels } from './labels.ts';
import type { WidgetType } from './model.ts';

/** Each drawn item carries the group values behind it, so a click can ask the server for those records. */
export interface DrillItem {
  value: number | null;
  name?: string;
  group: Record<string, unknown>;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** ECharts options for a bar, line, pie or funnel widget from its rows. */
export function chartOption(type: WidgetType, rows: Record<string, unknown>[], groups: string[], metrics: string[], labels: WidgetLabels): EChartsCoreOption {
  const tooltipValue = (key: string) => (value: unknown) => labels.formatMetric(key, Array.isArray(value) ? value[0] : value);
  const [g0, g1] = groups;
  const m0 = metrics[0];
  // Counts are whole numbers: no 0.2 steps on their axis.
  const counting = metrics.every((m) => /^(count|distinct)(_|$)/.test(m));
  const valueAxis = { type: 'value', minInterval: counting ? 1 : undefined };

  if (type === 'pie' || type === 'funnel') {
    const data: DrillItem[] = rows.map((r) => ({ name: labels.groupLabel(g0, r[g0]), value: num(r[m0]), group: { [g0]: r[g0] } }));
    return {
      aria: { enabled: true },
      tooltip: { trigger: 'item', valueFormatter: tooltipValue(m0) },
      legend: { type: 'scroll', bottom: 0 },
      series: [
        type === 'pie'
          ? { type: 'pie', name: labels.metricLabel(m0), radius: ['35%', '65%'], center: ['50%', '45%'], data, label: { formatter: '{b}: {d}%' } }
          : { type: 'funnel', name: labels.metricLabel(m0), top: 10, bottom: 40, left: '10%', width: '80%', sort: 'descending', gap: 2, data, label: { position: 'inside', formatter: '{b}' } },
      ],
    };
  }

  const seriesType = type === 'line' ? 'line' : 'bar';
  if (g1 !== undefined) {
    // Two groups: the first along the axis, one series per value of the second, the first metric as height.
    const categories = [...new Map(rows.map((r) => [JSON.stringify(r[g0] ?? null), r[g0]])).values()];
    const seriesValues = [...new Map(rows.map((r) => [JSON.stringify(r[g1] ?? null), r[g1]])).values()];
    const cell = new Map(rows.map((r) => [`${JSON.stringify(r[g0] ?? null)}|${JSON.stringify(r[g1] ?? null)}`, r[m0]]));
    return {
      aria: { enabled: true },
      tooltip: { trigger: 'axis', valueFormatter: tooltipValue(m0) },
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 8, right: 16, top: 16, bottom: 40, containLabel: true },
      xAxis: { type: 'category', data: categories.map((c) => labels.groupLabel(g0, c)) },
      yAxis: valueAxis,
      series: seriesValues.map((s) => ({
        type: seriesType,
        name: labels.groupLabel(g1, s),
        stack: seriesType === 'bar' ? 'total' : undefined,
        data: categories.map((c): DrillItem => ({ value: num(cell.get(`${JSON.stringify(c ?? null)}|${JSON.stringify(s ?? null)}`)), group: { [g0]: c, [g1]: s } })),
      })),
    };
  }

  return {
    aria: { enabled: true },
    tooltip: { trigger: 'axis' },
    legend: metrics.length > 1 ? { type: 'scroll', bottom: 0 } : undefined,
    grid: { left: 8, right: 16, top: 16, bottom: metrics.length > 1 ? 40 : 8, containLabel: true },
    xAxis: { type: 'category', data: rows.map((r) => labels.groupLabel(g0, r[g0])), axisLabel: { interval: 0, hideOverlap: true } },
    yAxis: valueAxis,
    series: metrics.map((m) => ({
      type: seriesType,
      name: labels.metricLabel(m),
      smooth: seriesType === 'line',
      tooltip: { valueFormatter: tooltipValue(m) },
      data: rows.map((r): DrillItem => ({ value: num(r[m]), group: { [g0]: r[g0] } })),
    })),
  };
}
