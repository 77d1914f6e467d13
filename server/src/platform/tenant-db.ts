import type { Collection, Doc, Filter, FindOptions, IndexSpec, Pipeline, Store, StoreSession, Update, UpdateOptions, UpdateResult } from '../store/port.ts';

/**
 * The only store handle request code gets: every read is confined to one tenant and every write is stamped
 * with it, so a route cannot express a query without the tenant (tenant isolation is structural).
 */
export class TenantDb {
  constructor(
    private readonly root: Store,
    readonly tenantId: string,
    private readonly session: StoreSession = root,
  ) {}

  collection<T extends Doc = Doc>(name: string): Collection<T> {
    return new TenantCollection<T>(this.session.collection<T>(name), this.tenantId);
  }

  /** Run `work` atomically; the handle it gets is scoped to the same tenant. Nested calls join the outer unit. */
  async transaction<R>(work: (db: TenantDb) => Promise<R>): Promise<R> {
    if (this.session !== this.root) return work(this);
    return this.root.transaction((tx) => work(new TenantDb(this.root, this.tenantId, tx)));
  }

  /** `find` on a configuration collection (see CACHED_CONFIG), served from the process cache when fresh. Do not mutate the result. */
  async cachedFind<T extends Doc = Doc>(name: string, filter: Filter): Promise<T[]> {
    if (!CACHED_CONFIG.has(name)) throw new Error(`${name} is not a cached configuration collection`);
    const versionKey = `${this.tenantId}|${name}`;
    const version = configVersions.get(versionKey) ?? 0;
    const key = `${versionKey}|${JSON.stringify(filter)}`;
    const hit = configCache.get(key);
    const now = Date.now();
    if (hit && hit.version === version && now - hit.at < CONFIG_TTL_MS) return hit.docs as T[];
    const docs = await this.collection<T>(name).find(filter);
    if (configCache.size > 10_000) configCache.clear();
    configCache.set(key, { at: now, version, docs });
    return docs;
  }

  get inTransaction(): boolean {
    return this.session !== this.root;
  }

  /** The raw session, for port-level helpers (outbox) that stamp tenants themselves. */
  get rawSession(): StoreSession {
    return this.session;
  }
}

/**
 * Configuration that every record write or workflow event consults (workflows, automations, ledgers, webhooks, and the
 * organization the workflow engine resolves approvers against, and form definitions) is read through a small
 * cache: a write through any TenantDb of this process drops that collection's entries at once; other processes
 * see a change within CONFIG_TTL_MS. Record writes then skip four reads inside their transaction.
 */
export const CACHED_CONFIG = new Set(['workflows', 'automations', 'ledgers', 'webhooks', 'memberships', 'departments', 'roles', 'forms']);
const CONFIG_TTL_MS = 1000;
const configVersions = new Map<string, number>();
const configCache = new Map<string, { at: number; version: number; docs: unknown[] }>();

function bumpConfig(tenantId: string, name: string) {
  if (!CACHED_CONFIG.has(name)) return;
  const key = `${tenantId}|${name}`;
  configVersions.set(key, (configVersions.get(key) ?? 0) + 1);
}

const FORBIDDEN_STAGES = new Set(['$lookup', '$out', '$merge', '$unionWith', '$graphLookup', '$facet']);

class TenantCollection<T extends Doc> implements Collection<T> {
  constructor(
    private readonly inner: Collection<T>,
    private readonly tenantId: string,
  ) {}

  get name() {
    return this.inner.name;
  }

  private scope(filter: Filter): Filter {
    return { ...filter, tenantId: this.tenantId };
  }

  private stamp(doc: T): T {
    return { ...doc, tenantId: this.tenantId };
  }

  private guard(update: Update): Update {
    const out: Update = {};
    for (const [op, fields] of Object.entries(update) as [keyof Update, Record<string, unknown> | undefined][]) {
      if (!fields) continue;
      const kept: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(fields)) if (k !== 'tenantId' && k !== '_id') kept[k] = v;
      (out as Record<string, unknown>)[op] = kept;
    }
    return out;
  }

  private touched<R>(result: Promise<R>): Promise<R> {
    bumpConfig(this.tenantId, this.inner.name);
    return result.finally(() => bumpConfig(this.tenantId, this.inner.name));
  }

  insertOne(doc: T) {
    return this.touched(this.inner.insertOne(this.stamp(doc)));
  }
  insertMany(docs: T[]) {
    return this.touched(this.inner.insertMany(docs.map((d) => this.stamp(d))));
  }
  findOne(filter: Filter, options?: FindOptions) {
    return this.inner.findOne(this.scope(filter), options);
  }
  find(filter: Filter, options?: FindOptions) {
    return this.inner.find(this.scope(filter), options);
  }
  countDocuments(filter: Filter) {
    return this.inner.countDocuments(this.scope(filter));
  }
  updateOne(filter: Filter, update: Update, options?: UpdateOptions): Promise<UpdateResult> {
    const guarded = this.guard(update);
    if (options?.upsert) guarded.$set = { ...guarded.$set, tenantId: this.tenantId };
    return this.touched(this.inner.updateOne(this.scope(filter), guarded, options));
  }
  updateMany(filter: Filter, update: Update) {
    return this.touched(this.inner.updateMany(this.scope(filter), this.guard(update)));
  }
  findOneAndUpdate(filter: Filter, update: Update, options?: UpdateOptions & { returnDocument?: 'before' | 'after' }) {
    const guarded = this.guard(update);
    if (options?.upsert) guarded.$set = { ...guarded.$set, tenantId: this.tenantId };
    return this.touched(this.inner.findOneAndUpdate(this.scope(filter), guarded, options));
  }
  deleteOne(filter: Filter) {
    return this.touched(this.inner.deleteOne(this.scope(filter)));
  }
  deleteMany(filter: Filter) {
    return this.touched(this.inner.deleteMany(this.scope(filter)));
  }
  aggregate<R = Record<string, unknown>>(pipeline: Pipeline): Promise<R[]> {
    for (const stage of pipeline) {
      for (const key of Object.keys(stage)) if (FORBIDDEN_STAGES.has(key)) throw new Error(`aggregate stage ${key} is not allowed`);
    }
    return this.inner.aggregate<R>([{ $match: { tenantId: this.tenantId } }, ...pipeline]);
  }
  createIndex(spec: IndexSpec) {
    return this.inner.createIndex(spec);
  }
}
