import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api } from '../api/client.ts';
import type { FormDef, Page, RecordItem } from '../api/types.ts';
import { pendingLinkage, type LinkageRequest } from '../engine/engine.ts';

type Data = Record<string, unknown>;

function place(data: Data, request: LinkageRequest, value: unknown): Data {
  if (request.subformId === undefined || request.row === undefined) return data[request.fieldId] === undefined ? { ...data, [request.fieldId]: value } : data;
  const rows = data[request.subformId];
  if (!Array.isArray(rows) || !rows[request.row] || (rows[request.row] as Data)[request.fieldId] !== undefined) return data;
  const next = rows.slice();
  next[request.row] = { ...(rows[request.row] as Data), [request.fieldId]: value };
  return { ...data, [request.subformId]: next };
}

/**
 * Data linkage 数据联动: when a field's default comes from another form ("price of the chosen product"), look the
 * record up as soon as the values it matches on are filled, and fill the field if the user has not typed one.
 */
export function useLinkage(form: FormDef, data: Data, setData: (update: (prev: Data) => Data) => void, enabled: boolean) {
  const queryClient = useQueryClient();
  const requests = enabled ? pendingLinkage(form, data) : [];
  const signature = JSON.stringify(requests.map((r) => [r.key, r.form, r.match, r.take]));
  useEffect(() => {
    if (!requests.length) return;
    let live = true;
    for (const request of requests) {
      const filter = { and: request.match.map((m) => ({ field: m.field, op: 'eq', value: m.value })) };
      void queryClient
        .fetchQuery({
          queryKey: ['linkage', request.form, JSON.stringify(filter)],
          staleTime: 30_000,
          queryFn: ({ signal }) => api<Page<RecordItem>>('GET', `/forms/${request.form}/records`, undefined, { signal, query: { limit: 1, filter: JSON.stringify(filter) } }),
        })
        .then((page) => {
          const value = page.items[0]?.data[request.take];
          if (live && value !== undefined && value !== null) setData((prev) => place(prev, request, value));
        })
        .catch(() => undefined);
    }
    return () => {
      live = false;
    };
    // The signature captures everything the requests depend on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signature]);
}
