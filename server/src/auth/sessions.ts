import { createHash } from 'node:crypto';
import type { Store } from '../store/port.ts';
import { newId, newSecret } from '../platform/ids.ts';
import type { Caller, TenantRole } from '../platform/context.ts';

export interface UserDoc {
  _id: string;
  email: string;
  name: string;
  passwordHash?: string;
  createdAt: string;
  [key: string]: unknown;
}

export interface TenantDoc {
  _id: string;
  name: string;
  ownerId: string;
  timeZone: string;
  createdAt: string;
  [key: string]: unknown;
}

export interface MembershipDoc {
  _id: string;
  tenantId: string;
  userId: string;
  role: TenantRole;
  disabled?: boolean;
  joinedAt: string;
  [key: string]: unknown;
}

interface SessionDoc {
  _id: string;
  userId: string;
  tenantId: string;
  createdAt: number;
  expiresAt: number;
  [key: string]: unknown;
}

export const membershipId = (tenantId: string, userId: string) => `${tenantId}:${userId}`;

/** Tokens are opaque secrets; only their SHA-256 is stored, so a leaked database yields no usable token. */
export const tokenDigest = (token: string) => createHash('sha256').update(token).digest('hex');

export async function ensureAuthIndexes(store: Store) {
  await store.collection('users').createIndex({ keys: { email: 1 }, unique: true, name: 'users_email' });
  await store.collection('memberships').createIndex({ keys: { userId: 1 }, name: 'memberships_user' });
  await store.collection('memberships').createIndex({ keys: { tenantId: 1, userId: 1 }, unique: true, name: 'memberships_tenant_user' });
  await store.collection('sessions').createIndex({ keys: { userId: 1 }, name: 'sessions_user' });
}

export async function issueSession(store: Store, userId: string, tenantId: string, ttlMs: number): Promise<string> {
  const token = `qs_${newSecret()}`;
  const now = Date.now();
  await store.collection<SessionDoc>('sessions').insertOne({
    _id: tokenDigest(token),
    sessionKey: newId(),
    userId,
    tenantId,
    createdAt: now,
    expiresAt: now + ttlMs,
  });
  return token;
}

export async function revokeSession(store: Store, token: string) {
  await store.collection('sessions').deleteOne({ _id: tokenDigest(token) });
}

/** Resolve a bearer session token to the caller, or null when unknown, expired, or the membership is disabled. */
export async function resolveSession(store: Store, token: string): Promise<Caller | null> {
  const digest = tokenDigest(token);
  const session = await store.collection<SessionDoc>('sessions').findOne({ _id: digest });
  if (!session || session.expiresAt <= Date.now()) return null;
  const membership = await store
    .collection<MembershipDoc>('memberships')
    .findOne({ _id: membershipId(session.tenantId, session.userId) });
  if (!membership || membership.disabled) return null;
  return { userId: session.userId, tenantId: session.tenantId, role: membership.role, via: 'session', sessionId: digest, membership };
}
