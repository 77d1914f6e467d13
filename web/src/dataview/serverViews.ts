import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { itemsOf } from '../api/queries.ts';
import type { Page, PermissionGroup } from '../api/types.ts';
import type { ViewConfig } from './savedViews.ts';

export type ViewSharing = 'all' | { groupIds: string[] } | null;

/** A view stored on the server: the caller's own, or one an admin shared with them. */
export interface ServerView {
  id: string;
  name: string;
  config: Omit<ViewConfig, 'name' | 'type'> & { viewType?: ViewConfig['type'] };
  shared: ViewSharing;
  mine: boolean;
}

const viewsKey = (formId: string) => ['forms', formId, 'views'] as const;

export function toViewConfig(view: ServerView): ViewConfig {
  const { viewType, ...rest } = view.config;
  return { ...rest, name: view.name, type: viewType ?? 'table' };
}

export function useServerViews(formId: string) {
  return useQuery({
    queryKey: viewsKey(formId),
    queryFn: async ({ signal }) => itemsOf(await api<Page<ServerView>>('GET', `/forms/${formId}/views`, undefined, { signal })),
  });
}

/** The form's permission groups, to share a view with (admins only: the list is theirs to read). */
export function useShareableGroups(formId: string, enabled: boolean) {
  return useQuery({
    queryKey: ['permission-groups', formId],
    enabled,
    queryFn: async ({ signal }) => itemsOf(await api<PermissionGroup[] | Page<PermissionGroup>>('GET', `/forms/${formId}/permission-groups`, undefined, { signal })),
  });
}

export function useViewMutations(formId: string) {
  const queryClient = useQueryClient();
  const onSuccess = () => void queryClient.invalidateQueries({ queryKey: viewsKey(formId) });
  const save = useMutation({
    mutationFn: ({ view, shared }: { view: ViewConfig; shared: ViewSharing }) => {
      const { name, type, ...rest } = view;
      return api<ServerView>('POST', `/forms/${formId}/views`, { name, config: { ...rest, viewType: type }, ...(shared ? { shared } : {}) });
    },
    onSuccess,
  });
  const remove = useMutation({ mutationFn: (id: string) => api('DELETE', `/views/${id}`), onSuccess });
  return { save, remove };
}
