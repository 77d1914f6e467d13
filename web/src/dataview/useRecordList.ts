import { useInfiniteQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { api } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import type { Condition, Page, RecordItem } from '../api/types.ts';

export interface ListParams {
  filter?: Condition;
  sort?: string;
  pageSize?: number;
}

export const listKey = (formId: string, params: ListParams) => [...keys.records(formId), 'list', JSON.stringify(params.filter ?? null), params.sort ?? '', params.pageSize ?? 200] as const;

/**
 * Cursor-paged records: pages arrive in order, so a long jump in a 100,000-row grid loads the pages in between
 * (each up to 1,000 rows, the server's cap) while the skipped rows show as placeholders.
 */
export function useRecordList(formId: string, params: ListParams) {
  const pageSize = params.pageSize ?? 200;
  const query = useInfiniteQuery({
    queryKey: listKey(formId, params),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api<Page<RecordItem>>('GET', `/forms/${formId}/records`, undefined, {
        signal,
        query: {
          limit: pageParam ? Math.max(pageSize, 500) : pageSize,
          cursor: pageParam ?? undefined,
          sort: params.sort || undefined,
          filter: params.filter ? JSON.stringify(params.filter) : undefined,
        },
      }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 10_000,
  });
  const rows = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data]);
  const total = query.data?.pages[query.data.pages.length - 1]?.total ?? query.data?.pages[0]?.total ?? 0;
  return { ...query, rows, total };
}

/** Patches one record inside every cached list of the form (optimistic kanban moves, inline edits). */
export function usePatchCachedRecord(formId: string) {
  const queryClient = useQueryClient();
  return useCallback(
    (recordId: string, change: (r: RecordItem) => RecordItem) => {
      const snapshots = queryClient.getQueriesData<InfiniteData<Page<RecordItem>>>({ queryKey: [...keys.records(formId), 'list'] });
      for (const [key, data] of snapshots) {
        if (!data) continue;
        queryClient.setQueryData(key, {
          ...data,
          pages: data.pages.map((p) => ({ ...p, items: p.items.map((r) => (r.id === recordId ? change(r) : r)) })),
        });
      }
      return () => snapshots.forEach(([key, data]) => queryClient.setQueryData(key, data));
    },
    [formId, queryClient],
  );
}
