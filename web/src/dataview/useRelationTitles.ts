import { useQueries } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { FieldDef, FormDef, Page, RecordItem } from '../api/types.ts';
import { recordTitle } from '../renderer/inputs/RelationPicker.tsx';

const MAX_IDS = 200;

/**
 * Titles of the related records the grid shows, fetched per target form with one `id in [...]` query, so a
 * relation column reads "ACME Ltd" rather than a record id.
 */
export function useRelationTitles(fields: FieldDef[], rows: RecordItem[], forms: Map<string, FormDef>): Map<string, string> {
  const { i18n } = useTranslation();
  const wanted = useMemo(() => {
    const byForm = new Map<string, { field: FieldDef; ids: Set<string> }>();
    for (const field of fields) {
      if (field.type !== 'relation' || !field.form) continue;
      const entry = byForm.get(field.form) ?? { field, ids: new Set<string>() };
      for (const row of rows) {
        if (entry.ids.size >= MAX_IDS) break;
        const v = row.data[field.id];
        if (typeof v === 'string') entry.ids.add(v);
      }
      byForm.set(field.form, entry);
    }
    return [...byForm.entries()].filter(([, e]) => e.ids.size).map(([formId, e]) => ({ formId, field: e.field, ids: [...e.ids].sort() }));
  }, [fields, rows]);

  const results = useQueries({
    queries: wanted.map((w) => ({
      queryKey: ['relation-titles', w.formId, w.ids.join(',')],
      staleTime: 60_000,
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        api<Page<RecordItem>>('GET', `/forms/${w.formId}/records`, undefined, { signal, query: { limit: w.ids.length, filter: JSON.stringify({ field: 'id', op: 'in', value: w.ids }) } }),
    })),
  });

  return useMemo(() => {
    const titles = new Map<string, string>();
    wanted.forEach((w, i) => {
      for (const record of results[i]?.data?.items ?? []) titles.set(record.id, recordTitle(record, forms.get(w.formId), w.field, i18n.language));
    });
    return titles;
    // results identity changes each render; the data arrays are what matter.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [wanted, forms, i18n.language, ...results.map((r) => r.data)]);
}
