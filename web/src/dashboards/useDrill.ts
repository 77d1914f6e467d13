import { useQueryClient } from '@tanstack/react-query';
import { App as AntApp } from 'antd';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { api } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import type { Condition, FormDef } from '../api/types.ts';
import { errorMessage } from '../layout/States.tsx';
import type { Dashboard, DrillTarget, FormDrill, WidgetDef } from './model.ts';

/** The data view of a form with the drill filter in its address (`?filter=`), as the data view reads it. */
export function recordsAddress(appId: string, drill: FormDrill): string {
  return `/apps/${appId}/forms/${drill.formId}${drill.filter ? `?filter=${encodeURIComponent(JSON.stringify(drill.filter))}` : ''}`;
}

/**
 * Click-through: asks the server which records stand behind a segment (widget filter, dashboard filter and the
 * segment's group values as one condition) and opens them in the form's data view. A ledger segment may come
 * from several forms: those are offered to choose from.
 */
export function useDrill(dashboard: Dashboard | undefined, filter: Condition | undefined) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [choices, setChoices] = useState<(FormDrill & { appId: string; form: FormDef; sign?: 1 | -1 })[] | null>(null);

  const formOf = useCallback((formId: string) => queryClient.fetchQuery({ queryKey: keys.form(formId), queryFn: ({ signal }) => api<FormDef>('GET', `/forms/${formId}`, undefined, { signal }) }), [queryClient]);

  const drill = useCallback(
    async (widget: WidgetDef, group: Record<string, unknown>) => {
      if (!dashboard) return;
      try {
        const target = await api<DrillTarget>('POST', `/dashboards/${dashboard.id}/drill`, { widgetId: widget.id, group, ...(filter ? { filter } : {}) });
        const sources = 'sources' in target ? target.sources : [target];
        const resolved = await Promise.all(sources.map(async (s) => {
          const form = await formOf(s.formId);
          return { ...s, form, appId: form.appId ?? dashboard.appId };
        }));
        if (resolved.length === 1) navigate(recordsAddress(resolved[0].appId, resolved[0]));
        else if (resolved.length > 1) setChoices(resolved);
        else message.info(t('dashboards.noRecords'));
      } catch (err) {
        message.error(errorMessage(err, t));
      }
    },
    [dashboard, filter, formOf, navigate, message, t],
  );

  return { drill, choices, closeChoices: () => setChoices(null), open: (c: FormDrill & { appId: string }) => navigate(recordsAddress(c.appId, c)) };
}
