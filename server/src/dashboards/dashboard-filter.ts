import type { AggregateSource } from './source-fields.ts';
import type { DashboardFilterDef, WidgetDef } from './model.ts';

/** The field of `widget`'s source that a filter-bar entry applies to, or null when it does not apply to it. */
export function bindFilterField(def: DashboardFilterDef, widget: WidgetDef): string | null {
  if (def.fields && Object.prototype.hasOwnProperty.call(def.fields, widget.id)) return def.fields[widget.id];
  return def.field ?? def.key;
}

export function collectFieldRefs(condition: unknown, out = new Set<string>(), depth = 0): Set<string> {
  if (depth > 20 || !condition || typeof condition !== 'object') return out;
  for (const [k, v] of Object.entries(condition)) {
    if (k === 'field' && typeof v === 'string') out.add(v);
    else collectFieldRefs(v, out, depth + 1);
  }
  return out;
}

export function renameFields(condition: unknown, rename: (ref: string) => string, depth = 0): unknown {
  if (depth > 20 || !condition || typeof condition !== 'object') return condition;
  if (Array.isArray(condition)) return condition.map((c) => renameFields(c, rename, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(condition)) out[k] = k === 'field' && typeof v === 'string' ? rename(v) : k === 'value' ? v : renameFields(v, rename, depth + 1);
  return out;
}

/** Top-level parts of a dashboard-wide filter: the items of a top `and`, or the whole condition. */
export function filterItems(filter: unknown): unknown[] {
  if (filter === undefined || filter === null) return [];
  if (typeof filter === 'object' && !Array.isArray(filter) && Object.keys(filter).length === 1 && Array.isArray((filter as { and?: unknown }).and)) {
    return (filter as { and: unknown[] }).and;
  }
  return [filter];
}

/**
 * The parts of the dashboard-wide filter that apply to one widget, with filter keys replaced by the widget's
 * field ids. A part naming a key the widget's source lacks (or that the bar does not bind to it) is skipped for
 * that widget only, so one bar serves widgets over different forms.
 */
export function widgetFilterParts(filters: DashboardFilterDef[], widget: WidgetDef, filter: unknown, source: AggregateSource): unknown[] {
  const parts: unknown[] = [];
  for (const item of filterItems(filter)) {
    const refs = [...collectFieldRefs(item)];
    const mapping = new Map<string, string>();
    let applies = true;
    for (const ref of refs) {
      const def = filters.find((f) => f.key === ref);
      const bound = def ? bindFilterField(def, widget) : ref;
      if (!bound || !source.lookup(bound).ok) {
        applies = false;
        break;
      }
      mapping.set(ref, bound);
    }
    if (applies) parts.push(renameFields(item, (ref) => mapping.get(ref) ?? ref));
  }
  return parts;
}

/** How many groups deep a condition nests (a single clause: 0). */
export function conditionDepth(condition: unknown, depth = 0): number {
  if (depth > 20 || !condition || typeof condition !== 'object' || Array.isArray(condition)) return 0;
  const items = (condition as { and?: unknown; or?: unknown }).and ?? (condition as { or?: unknown }).or;
  if (!Array.isArray(items)) return 0;
  return 1 + Math.max(0, ...items.map((i) => conditionDepth(i, depth + 1)));
}
