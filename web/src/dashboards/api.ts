import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../api/client.ts';
import { itemsOf, keys } from '../api/queries.ts';
import type { Condition, FormDef, Page } from '../api/types.ts';
import { isLedger, type Dashboard, type WidgetResult } from './model.ts';

export const dashboardKeys = {
  app: (appId: string) => ['apps', appId, 'dashboards'] as const,
  one: (id: string) => ['dashboards', id] as const,
  data: (id: string, version: number, filter: Condition | undefined) => ['dashboards', id, 'data', version, filter ?? null] as const,
};

export function useAppDashboards(appId: string | undefined) {
  return useQuery({
    queryKey: dashboardKeys.app(appId ?? ''),
    enabled: Boolean(appId),
    queryFn: async ({ signal }) => itemsOf(await api<Page<Dashboard>>('GET', `/apps/${appId}/dashboards`, undefined, { signal })),
  });
}

export function useDashboard(id: string | undefined) {
  return useQuery({
    queryKey: dashboardKeys.one(id ?? ''),
    enabled: Boolean(id),
    queryFn: ({ signal }) => api<Dashboard>('GET', `/dashboards/${id}`, undefined, { signal }),
  });
}

/** Every widget's rows in one request, computed by the server as the viewer may see the data. */
export function useDashboardData(dashboard: Dashboard | undefined, filter: Condition | undefined) {
  return useQuery({
    queryKey: dashboardKeys.data(dashboard?.id ?? '', dashboard?.version ?? 0, filter),
    enabled: Boolean(dashboard && dashboard.widgets.length),
    placeholderData: keepPreviousData,
    queryFn: async ({ signal }) => (await api<{ widgets: Record<string, WidgetResult> }>('POST', `/dashboards/${dashboard!.id}/data`, filter ? { filter } : {}, { signal })).widgets,
  });
}

/** The definitions of the forms the widgets read: labels of fields, options and members for the charts. */
export function useSourceForms(dashboard: Dashboard | undefined): Map<string, FormDef> {
  const ids = [...new Set((dashboard?.widgets ?? []).flatMap((w) => (isLedger(w.source) ? [] : [w.source.formId])))];
  const results = useQueries({
    queries: ids.map((id) => ({ queryKey: keys.form(id), retry: false, queryFn: ({ signal }: { signal: AbortSignal }) => api<FormDef>('GET', `/forms/${id}`, undefined, { signal }) })),
  });
  const stamp = ids.map((id, i) => `${id}@${results[i]?.dataUpdatedAt ?? 0}`).join(',');
  return useMemo(() => {
    const forms = new Map<string, FormDef>();
    ids.forEach((id, i) => {
      const data = results[i]?.data;
      if (data) forms.set(id, data);
    });
    return forms;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stamp]);
}
