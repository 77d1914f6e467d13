import type { TestApi } from './api.ts';

export interface Member {
  id: string;
  token: string;
  email: string;
}

/** Add a member to the owner's tenant and sign them in. */
export async function addMember(api: TestApi, ownerToken: string, tenantId: string, name: string, extra: Record<string, unknown> = {}): Promise<Member> {
  const email = `${name.toLowerCase().replace(/\W/g, '')}-${Math.random().toString(36).slice(2)}@example.com`;
  const created = await api.post('/api/v1/members', { email, name, password: 'member-password-1', ...extra }, ownerToken);
  if (created.status !== 201) throw new Error(`member create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const login = await api.post('/api/v1/auth/login', { email, password: 'member-password-1', tenantId });
  if (login.status !== 200) throw new Error(`member login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return { id: created.body.id, token: login.body.token, email };
}

/** Poll `probe` until it returns a truthy value (never a fixed sleep); fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
