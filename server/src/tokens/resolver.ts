import type { Caller, Services } from '../platform/context.ts';
import { TenantDb } from '../platform/tenant-db.ts';
import type { TokenResolver } from '../http/app.ts';
import { membershipId, tokenDigest, type MembershipDoc } from '../auth/sessions.ts';
import { audit } from '../audit/audit.ts';
import { ACTIONS, type Action } from '../access/model.ts';
import { API_TOKENS, TOKEN_PREFIX, type ApiTokenDoc } from './model.ts';

const USE_LOG_INTERVAL_MS = 60_000;

/**
 * Resolves `qt_` bearer tokens to their creator, narrowed to the token's apps and actions. The creator's
 * membership is read on every request, so disabling them (or revoking the token) stops it at once.
 * Admin routes check `caller.role`; a token keeps the creator's admin role only when it may `manage` and is not
 * limited to some apps, otherwise it acts as a member (record access still follows the creator's rights).
 */
export function apiTokenResolver(services: Services): TokenResolver {
  const { store } = services;
  const lastLogged = new Map<string, number>();
  return async (token) => {
    if (!token.startsWith(TOKEN_PREFIX)) return null;
    const doc = await store.collection<ApiTokenDoc>(API_TOKENS).findOne({ digest: tokenDigest(token) });
    if (!doc || doc.revokedAt || !doc.tenantId) return null;
    if (doc.expiresAt && Date.parse(doc.expiresAt) <= Date.now()) return null;
    const member = await store.collection<MembershipDoc>('memberships').findOne({ _id: membershipId(doc.tenantId, doc.createdBy) });
    if (!member || member.disabled) return null;
    const isAdmin = member.role === 'owner' || member.role === 'admin';
    const manages = isAdmin && !doc.appIds && (!doc.actions || doc.actions.includes('manage'));
    const caller: Caller = {
      userId: doc.createdBy,
      tenantId: doc.tenantId,
      role: manages ? member.role : 'member',
      via: 'apiToken',
      sessionId: doc._id,
      scope: {
        ...(doc.appIds ? { appIds: [...doc.appIds] } : {}),
        ...(doc.actions ? { actions: doc.actions.filter((a): a is Action => (ACTIONS as readonly string[]).includes(a)) } : {}),
      },
    };
    const now = Date.now();
    if ((lastLogged.get(doc._id) ?? 0) + USE_LOG_INTERVAL_MS <= now) {
      lastLogged.set(doc._id, now);
      const db = new TenantDb(store, doc.tenantId);
      await db.transaction(async (tx) => {
        await audit(tx, caller, 'token.use', { type: 'api-token', id: doc._id, name: doc.name }, {});
        await tx.collection<ApiTokenDoc>(API_TOKENS).updateOne({ _id: doc._id }, { $set: { lastUsedAt: new Date(now).toISOString() } });
      });
    }
    return caller;
  };
}
