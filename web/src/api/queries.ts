import { useQueries, useQuery } from '@tanstack/react-query';
import { api } from './client.ts';
import type { AppSummary, Department, FormDef, Member, Page, Role, TemplateSummary } from './types.ts';

/** Lists answer either `{ items }` or a bare array depending on the route; screens only want the array. */
export function itemsOf<T>(payload: T[] | { items?: T[] } | undefined): T[] {
  if (!payload) return [];
  return Array.isArray(payload) ? payload : (payload.items ?? []);
}

export const keys = {
  apps: ['apps'] as const,
  appForms: (appId: string) => ['apps', appId, 'forms'] as const,
  form: (formId: string) => ['forms', formId] as const,
  records: (formId: string) => ['forms', formId, 'records'] as const,
  record: (formId: string, recordId: string) => ['forms', formId, 'records', recordId] as const,
  members: ['members'] as const,
  departments: ['departments'] as const,
  roles: ['roles'] as const,
  templates: ['templates'] as const,
  todo: ['tasks', 'todo', 'count'] as const,
};

export function useApps() {
  return useQuery({
    queryKey: keys.apps,
    queryFn: async ({ signal }) => itemsOf(await api<AppSummary[] | Page<AppSummary>>('GET', '/apps', undefined, { signal })),
  });
}

export function useAppForms(appId: string | undefined) {
  return useQuery({
    queryKey: keys.appForms(appId ?? ''),
    enabled: Boolean(appId),
    queryFn: async ({ signal }) => itemsOf(await api<FormDef[] | Page<FormDef>>('GET', `/apps/${appId}/forms`, undefined, { signal })),
  });
}

export function useForm(formId: string | undefined) {
  return useQuery({
    queryKey: keys.form(formId ?? ''),
    enabled: Boolean(formId),
    queryFn: ({ signal }) => api<FormDef>('GET', `/forms/${formId}`, undefined, { signal }),
  });
}

export function useMembers() {
  return useQuery({
    queryKey: keys.members,
    staleTime: 60_000,
    queryFn: async ({ signal }) => itemsOf(await api<Member[] | Page<Member>>('GET', '/members', undefined, { signal })),
  });
}

export function useDepartments() {
  return useQuery({
    queryKey: keys.departments,
    staleTime: 60_000,
    queryFn: async ({ signal }) => itemsOf(await api<Department[] | Page<Department>>('GET', '/departments', undefined, { signal })),
  });
}

export function useRoles() {
  return useQuery({
    queryKey: keys.roles,
    staleTime: 60_000,
    queryFn: async ({ signal }) => itemsOf(await api<Role[] | Page<Role>>('GET', '/roles', undefined, { signal })),
  });
}

export function useTemplates() {
  return useQuery({
    queryKey: keys.templates,
    queryFn: async ({ signal }) => itemsOf(await api<TemplateSummary[] | Page<TemplateSummary>>('GET', '/templates', undefined, { signal })),
  });
}

/** The to-do badge; a tenant without workflows (or a server without them yet) simply shows no badge. */
export function useTodoCount() {
  return useQuery({
    queryKey: keys.todo,
    refetchInterval: 60_000,
    retry: false,
    queryFn: async ({ signal }) => {
      const page = await api<Page<unknown>>('GET', '/tasks', undefined, { signal, query: { box: 'todo', limit: 1 } });
      return page.total ?? 0;
    },
  });
}

export interface FormWithApp extends FormDef {
  appId: string;
  appName: AppSummary['name'];
}

/** Every form the caller can see, across apps: relation targets and the permissions screen pick from these. */
export function useAllForms() {
  const apps = useApps();
  const results = useQueries({
    queries: (apps.data ?? []).map((app) => ({
      queryKey: keys.appForms(app.id),
      queryFn: async ({ signal }: { signal: AbortSignal }) => itemsOf(await api<FormDef[] | Page<FormDef>>('GET', `/apps/${app.id}/forms`, undefined, { signal })),
    })),
  });
  const forms: FormWithApp[] = [];
  (apps.data ?? []).forEach((app, i) => {
    for (const form of results[i]?.data ?? []) forms.push({ ...form, appId: app.id, appName: app.name });
  });
  return { forms, isLoading: apps.isLoading || results.some((r) => r.isLoading), error: apps.error ?? results.find((r) => r.error)?.error };
}
