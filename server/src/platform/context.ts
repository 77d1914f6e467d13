import type { Store } from '../store/port.ts';
import type { Queue } from '../queue/port.ts';
import type { Config } from '../config.ts';
import type { TenantDb } from './tenant-db.ts';

/** Everything a module needs from the running server; built once in main.ts (or a test). */
export interface Services {
  config: Config;
  store: Store;
  queue: Queue;
  /** Wake the outbox relay after a commit that wrote jobs. */
  notifyOutbox: () => void;
  /** Called inside every record write's unit of work (ledgers, workflow start, automation outbox, webhooks). */
  recordHooks: RecordHook[];
}

export type TenantRole = 'owner' | 'admin' | 'member';

/** Who is calling: resolved once per request by the auth hook. */
export interface Caller {
  userId: string;
  tenantId: string;
  role: TenantRole;
  /** 'session' for a signed-in user, 'apiToken' for an integration token. */
  via: 'session' | 'apiToken';
  sessionId: string;
  /** For API tokens: the apps and actions it may use (undefined = unrestricted session). */
  scope?: { appIds?: string[]; actions?: string[] };
  /** The membership document the auth hook read for this request, so later code need not read it again. */
  membership?: Record<string, unknown> & { _id: string };
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
    db: TenantDb;
  }
  interface FastifyContextConfig {
    /** Routes reachable without a token. */
    public?: boolean;
  }
}

export const isAdmin = (caller: Caller) => caller.role === 'owner' || caller.role === 'admin';

/** What a record write did; hooks see it inside the same unit of work as the write. */
export interface RecordChange {
  kind: 'created' | 'updated' | 'deleted' | 'restored';
  formId: string;
  appId: string;
  recordId: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  actorId: string;
  /** Where the write came from; automations and webhooks fire for every source unless `silent`. */
  source: 'api' | 'import' | 'batch' | 'automation' | 'workflow' | 'template';
  silent?: boolean;
  /** Depth of automation chains, to stop an automation that triggers itself. */
  depth?: number;
  /** Extra facts from the writer (e.g. the workflow initiator of a record an automation creates). */
  meta?: Record<string, unknown>;
}

/** Runs inside the write's transaction: throw to refuse the write (nothing is committed). */
export type RecordHook = (tx: TenantDb, change: RecordChange) => Promise<void>;
