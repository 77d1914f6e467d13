import { LockOutlined } from '@ant-design/icons';
import { Card, Empty, Spin, Statistic, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { FormDef } from '../api/types.ts';
import { localize } from '../lib/localize.ts';
import { useOrgNames } from '../renderer/inputs/OrgPickers.tsx';
import { chartOption, type DrillItem } from './chartOption.ts';
import { DetailTable } from './DetailTable.tsx';
import { EChart } from './EChart.tsx';
import { widgetLabels } from './labels.ts';
import { groupKey, hasError, metricKey, type WidgetDef, type WidgetResult } from './model.ts';
import { PivotTable } from './PivotTable.tsx';

export interface WidgetViewProps {
  widget: WidgetDef;
  result: WidgetResult | undefined;
  loading: boolean;
  form: FormDef | undefined;
  onDrill: (widget: WidgetDef, group: Record<string, unknown>) => void;
  extra?: React.ReactNode;
}

/** One widget of the grid: a number, a chart or a table, each segment leading to the records behind it. */
export function WidgetView({ widget, result, loading, form, onDrill, extra }: WidgetViewProps) {
  const { t, i18n } = useTranslation();
  const names = useOrgNames();
  const labels = useMemo(() => widgetLabels(widget, form, t, i18n.language, names), [widget, form, t, i18n.language, names]);
  const title = localize(widget.title, i18n.language) || t(`dashboards.types.${widget.type}`);
  const groups = result && !hasError(result) ? (result.groups ?? (widget.groupBy ?? []).map(groupKey)) : [];
  const metrics = result && !hasError(result) ? (result.metrics ?? (widget.metrics ?? []).map(metricKey)) : [];
  const rows = useMemo(() => {
    const raw = result && !hasError(result) ? result.rows : [];
    // Without a sort of its own, an option field's groups follow the field's options (初步接洽 → 需求确认 → …).
    const first = (widget.groupBy ?? []).map(groupKey)[0];
    if (widget.sort || !first || widget.type === 'table' || !raw.some((r) => labels.optionRank(first, r[first]) !== undefined)) return raw;
    const rank = (r: Record<string, unknown>) => labels.optionRank(first, r[first]) ?? Number.MAX_SAFE_INTEGER;
    return [...raw].sort((a, b) => rank(a) - rank(b));
  }, [result, widget, labels]);
  const option = useMemo(
    () => (['bar', 'line', 'pie', 'funnel'].includes(widget.type) && rows.length ? chartOption(widget.type, rows, groups, metrics, labels) : null),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [widget.type, rows, labels],
  );

  let body: React.ReactNode;
  if (!result) body = loading ? <Spin style={{ margin: 'auto' }} /> : null;
  else if (hasError(result)) {
    body = (
      <Empty image={<LockOutlined style={{ fontSize: 32, color: '#bfbfbf' }} />} description={result.error.status === 403 ? t('dashboards.noAccess') : result.error.title} data-testid="widget-error" />
    );
  } else if (widget.type === 'metric') {
    const key = metrics[0];
    body = (
      <div className="qiao-widget-metric" onClick={() => onDrill(widget, {})} role="button" tabIndex={0} onKeyDown={(e) => e.key === 'Enter' && onDrill(widget, {})} data-testid="metric-value">
        <Statistic title={labels.metricLabel(key)} value={labels.formatMetric(key, rows[0]?.[key] ?? null)} />
      </div>
    );
  } else if (widget.type === 'table') {
    body = rows.length ? <DetailTable widget={widget} form={form} rows={rows} /> : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  } else if (!rows.length) {
    body = <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('dashboards.noData')} />;
  } else if (widget.type === 'pivot') {
    body = <PivotTable rows={rows} groups={groups} metrics={metrics} labels={labels} onDrill={(group) => onDrill(widget, group)} />;
  } else {
    body = (
      <EChart
        option={option!}
        label={title}
        testId={`chart-${widget.id}`}
        onClick={(event) => {
          const item = event.data as DrillItem | undefined;
          if (item?.group) onDrill(widget, item.group);
        }}
      />
    );
  }

  return (
    <Card
      size="small"
      className="qiao-widget"
      title={<Typography.Text strong>{title}</Typography.Text>}
      extra={
        <>
          {result && !hasError(result) && widget.type === 'table' && (
            <Typography.Link onClick={() => onDrill(widget, {})} style={{ marginRight: extra ? 8 : 0 }}>
              {t('dashboards.viewAll', { count: result.total })}
            </Typography.Link>
          )}
          {extra}
        </>
      }
      data-testid={`widget-${widget.id}`}
      data-widget-type={widget.type}
    >
      {body}
    </Card>
  );
}
