import type { Condition } from '../api/types.ts';

export type ViewType = 'table' | 'kanban' | 'gallery' | 'calendar';

export interface ViewConfig {
  name: string;
  type: ViewType;
  sort?: string;
  filter?: Condition;
  columns?: string[];
  groupBy?: string;
  dateField?: string;
}

const viewsKey = (formId: string) => `qiao.views.${formId}`;
const layoutKey = (formId: string) => `qiao.layout.${formId}`;

function read<T>(key: string, fallback: T): T {
  try {
    return (JSON.parse(localStorage.getItem(key) ?? 'null') as T) ?? fallback;
  } catch {
    return fallback;
  }
}

/** Personal views 我的视图, kept in this browser. */
export function loadViews(formId: string): ViewConfig[] {
  return read<ViewConfig[]>(viewsKey(formId), []);
}

export function saveViews(formId: string, views: ViewConfig[]): void {
  localStorage.setItem(viewsKey(formId), JSON.stringify(views));
}

export interface Layout {
  columns?: string[];
  groupBy?: string;
  dateField?: string;
}

/** The last column choice, kanban grouping and calendar field for a form. */
export function loadLayout(formId: string): Layout {
  return read<Layout>(layoutKey(formId), {});
}

export function saveLayout(formId: string, layout: Layout): void {
  localStorage.setItem(layoutKey(formId), JSON.stringify(layout));
}
