import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, getToken, setToken, setUnauthorizedListener } from '../api/client.ts';
import type { Me } from '../api/types.ts';

interface AuthState {
  token: string | null;
  me: Me | undefined;
  meLoading: boolean;
  meError: unknown;
  signIn(token: string): void;
  signOut(): Promise<void>;
  switchTenant(tenantId: string): Promise<void>;
  isAdmin: boolean;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [token, setTokenState] = useState<string | null>(() => getToken());

  const applyToken = useCallback(
    (next: string | null) => {
      setToken(next);
      setTokenState(next);
      queryClient.clear();
    },
    [queryClient],
  );

  useEffect(() => {
    setUnauthorizedListener(() => applyToken(null));
    return () => setUnauthorizedListener(null);
  }, [applyToken]);

  const meQuery = useQuery({
    queryKey: ['me', token],
    queryFn: ({ signal }) => api<Me>('GET', '/auth/me', undefined, { signal }),
    enabled: Boolean(token),
    staleTime: 60_000,
    retry: false,
  });

  const signOut = useCallback(async () => {
    try {
      await api('POST', '/auth/logout', {}, { anonymous: true });
    } catch {
      // The token is dropped locally either way; a failed revoke must not keep the user signed in here.
    }
    applyToken(null);
  }, [applyToken]);

  const switchTenant = useCallback(
    async (tenantId: string) => {
      const { token: next } = await api<{ token: string }>('POST', '/auth/switch', { tenantId });
      applyToken(next);
    },
    [applyToken],
  );

  const value = useMemo<AuthState>(() => {
    const role = meQuery.data?.role ?? meQuery.data?.tenants?.find((t) => t.id === meQuery.data?.tenant.id)?.role ?? meQuery.data?.tenant.role;
    return {
      token,
      me: meQuery.data,
      meLoading: meQuery.isLoading,
      meError: meQuery.error,
      signIn: (next) => applyToken(next),
      signOut,
      switchTenant,
      isAdmin: role === 'owner' || role === 'admin',
    };
  }, [token, meQuery.data, meQuery.isLoading, meQuery.error, applyToken, signOut, switchTenant]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

/** Only same-site paths are honoured so a crafted ?next= cannot bounce the user to another origin. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}
