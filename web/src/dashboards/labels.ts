import type { TFunction } from 'i18next';
import type { FieldDef, FormDef } from '../api/types.ts';
import { localize } from '../lib/localize.ts';
import { cellText } from '../renderer/cellText.ts';
import { groupKey, metricKey, type WidgetDef } from './model.ts';

export interface WidgetLabels {
  groupLabel: (key: string, value: unknown) => string;
  metricLabel: (key: string) => string;
  formatMetric: (key: string, value: unknown) => string;
  /** The label of a group column itself ("阶段", "创建时间 (月)"). */
  columnLabel: (key: string) => string;
  /** Where a value of an option field stands among the field's options (its natural order), else undefined. */
  optionRank: (key: string, value: unknown) => number | undefined;
}

/** A field by reference: `stage`, or a subform column `items.product`. */
export function findField(form: FormDef | undefined, ref: string): FieldDef | undefined {
  if (!form) return undefined;
  const [head, tail] = ref.split('.');
  const top = form.fields.find((f) => f.id === head);
  return tail ? top?.fields?.find((c) => c.id === tail) : top;
}

/** Words and numbers of a widget's rows: option labels instead of values, member names instead of ids. */
export function widgetLabels(widget: WidgetDef, form: FormDef | undefined, t: TFunction, lang: string, names: Map<string, string>): WidgetLabels {
  const groups = new Map((widget.groupBy ?? []).map((g) => [groupKey(g), g]));
  const metrics = new Map((widget.metrics ?? []).map((m) => [metricKey(m), m]));
  const fieldLabel = (ref: string) => {
    const field = findField(form, ref);
    return field ? localize(field.label, lang) || ref : t(`system.${ref}`, { defaultValue: ref });
  };
  const number = new Intl.NumberFormat(lang === 'en' ? 'en-US' : 'zh-CN', { maximumFractionDigits: 2 });
  return {
    groupLabel(key, value) {
      if (value === null || value === undefined || value === '') return t('dashboards.emptyValue');
      const spec = groups.get(key);
      const field = spec ? findField(form, spec.field) : undefined;
      if (spec?.bucket || !field) return names.get(String(value)) ?? String(value);
      return cellText(field, value, lang, { names }) || String(value);
    },
    metricLabel(key) {
      const spec = metrics.get(key);
      if (!spec) return key;
      if (spec.as) return spec.as;
      const op = t(`dashboards.ops.${spec.op}`);
      return spec.field ? `${op} · ${fieldLabel(spec.field)}` : op;
    },
    formatMetric(key, value) {
      if (value === null || value === undefined) return '—';
      if (typeof value !== 'number') return String(value);
      const spec = metrics.get(key);
      const field = spec?.field && spec.op !== 'count' && spec.op !== 'distinct' ? findField(form, spec.field) : undefined;
      if (field && (field.type === 'money' || field.type === 'number')) return cellText({ ...field, precision: spec?.op === 'avg' ? Math.max(field.precision ?? 0, 2) : field.precision, thousands: true }, value, lang);
      return number.format(value);
    },
    optionRank(key, value) {
      const spec = groups.get(key);
      const field = spec && !spec.bucket ? findField(form, spec.field) : undefined;
      const index = field?.options?.findIndex((o) => o.value === value);
      return index === undefined || index < 0 ? undefined : index;
    },
    columnLabel(key) {
      const spec = groups.get(key);
      if (!spec) return key;
      const base = fieldLabel(spec.field);
      return spec.bucket ? `${base} (${t(`dashboards.buckets.${spec.bucket}`)})` : base;
    },
  };
}
