/**
 * The store port: the only way the server touches persistence.
 * Shaped like the subset of a MongoDB collection the product needs, so one filter document
 * means the same thing on the embedded adapter (SQLite + mingo) and on MongoDB.
 */

/** A stored document. `_id` is always a string chosen by the caller (ids are ULID-like strings). */
export type Doc = { _id: string; [key: string]: unknown };

/** A MongoDB query filter document ({ a: 1, b: { $gte: 2 }, $or: [...] }). */
export type Filter = Record<string, unknown>;

/** Sort spec in key order: { "data.amount": -1, _id: 1 }. */
export type Sort = Record<string, 1 | -1>;

/** Inclusion ({ a: 1 }) or exclusion ({ a: 0 }) projection; `_id` is always kept unless `_id: 0`. */
export type Projection = Record<string, 0 | 1>;

export interface FindOptions {
  sort?: Sort;
  skip?: number;
  limit?: number;
  projection?: Projection;
}

/** Supported update operators. Paths are dotted ("data.amount"). */
export interface Update {
  $set?: Record<string, unknown>;
  $inc?: Record<string, number>;
  $push?: Record<string, unknown>;
  $unset?: Record<string, unknown>;
}

export interface UpdateOptions {
  /** Insert `{...equality fields of filter, ...$set, ...$inc}` when nothing matches. Needs `_id` in the filter or `$set`. */
  upsert?: boolean;
}

export interface UpdateResult {
  matchedCount: number;
  modifiedCount: number;
  upsertedId?: string;
}

export interface IndexSpec {
  /** Keys in order, e.g. { tenantId: 1, formId: 1, "data.amount": -1 }. */
  keys: Record<string, 1 | -1>;
  unique?: boolean;
  /** Index only documents matching this filter (equality and $exists only). Used for unique-when-present. */
  partialFilter?: Filter;
  name?: string;
}

/** Aggregation pipeline stages the product uses: $match, $group, $sort, $limit, $skip, $project, $unwind, $count. */
export type Pipeline = Record<string, unknown>[];

export interface Collection<T extends Doc = Doc> {
  readonly name: string;
  insertOne(doc: T): Promise<void>;
  insertMany(docs: T[]): Promise<void>;
  findOne(filter: Filter, options?: FindOptions): Promise<T | null>;
  find(filter: Filter, options?: FindOptions): Promise<T[]>;
  countDocuments(filter: Filter): Promise<number>;
  updateOne(filter: Filter, update: Update, options?: UpdateOptions): Promise<UpdateResult>;
  updateMany(filter: Filter, update: Update): Promise<UpdateResult>;
  /** Atomically update one document and return it (after the update), or null when nothing matched. */
  findOneAndUpdate(filter: Filter, update: Update, options?: UpdateOptions & { returnDocument?: 'before' | 'after'; sort?: Sort }): Promise<T | null>;
  deleteOne(filter: Filter): Promise<{ deletedCount: number }>;
  deleteMany(filter: Filter): Promise<{ deletedCount: number }>;
  aggregate<R = Record<string, unknown>>(pipeline: Pipeline): Promise<R[]>;
  /** Idempotent: creating an index that exists with the same keys is a no-op. */
  createIndex(spec: IndexSpec): Promise<void>;
}

/** Raised by every adapter for a unique index violation. */
export class DuplicateKeyError extends Error {
  readonly code = 'duplicate_key';
  constructor(
    readonly collection: string,
    readonly index: string,
    /** The indexed key values of the rejected document, e.g. { tenantId: 't1', 'data.taxId': '123' }. */
    readonly keyValue: Record<string, unknown>,
  ) {
    super(`duplicate key in ${collection} index ${index}: ${JSON.stringify(keyValue)}`);
    this.name = 'DuplicateKeyError';
  }
}

/** Raised when a transaction could not commit because of a conflicting concurrent write; safe to retry. */
export class TransactionConflictError extends Error {
  readonly code = 'transaction_conflict';
  constructor(message = 'transaction conflict') {
    super(message);
    this.name = 'TransactionConflictError';
  }
}

/** A handle whose collections all read and write inside one unit of work (or outside any, for the root). */
export interface StoreSession {
  collection<T extends Doc = Doc>(name: string): Collection<T>;
}

export interface Store extends StoreSession {
  readonly kind: 'embedded' | 'mongo';
  /**
   * Run `work` as one atomic unit: every write through `tx` commits together or not at all.
   * If `work` throws, nothing it wrote is visible and the error propagates.
   * Adapters may retry `work` on TransactionConflictError, so it must not have side effects outside `tx`.
   */
  transaction<R>(work: (tx: StoreSession) => Promise<R>): Promise<R>;
  close(): Promise<void>;
}
