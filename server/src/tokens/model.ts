import { ACTIONS } from '../access/model.ts';

/** What a token may do: the record actions, plus `manage` for the admin routes of an admin's token. */
export const TOKEN_ACTIONS = [...ACTIONS, 'manage'] as const;
export type TokenAction = (typeof TOKEN_ACTIONS)[number];

export const TOKEN_PREFIX = 'qt_';
export const API_TOKENS = 'api_tokens';

export interface ApiTokenDoc {
  _id: string;
  tenantId?: string;
  name: string;
  /** SHA-256 of the secret: the secret itself is shown once and never stored. */
  digest: string;
  /** The first characters of the secret, so people can tell their tokens apart. */
  hint: string;
  appIds?: string[];
  actions?: TokenAction[];
  expiresAt?: string;
  createdAt: string;
  createdBy: string;
  revokedAt?: string;
  revokedBy?: string;
  lastUsedAt?: string;
  [key: string]: unknown;
}

export const publicToken = (t: ApiTokenDoc) => ({
  id: t._id,
  name: t.name,
  hint: t.hint,
  appIds: t.appIds ?? null,
  actions: t.actions ?? null,
  expiresAt: t.expiresAt ?? null,
  createdAt: t.createdAt,
  createdBy: t.createdBy,
  lastUsedAt: t.lastUsedAt ?? null,
  revoked: !!t.revokedAt,
  revokedAt: t.revokedAt ?? null,
});
