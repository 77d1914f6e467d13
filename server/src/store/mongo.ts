/**
 * The store port over the official MongoDB driver, selected by MONGODB_URL.
 * Transactions use `session.withTransaction`, which needs a replica set (a single-node replica set
 * is enough, e.g. `mongod --replSet rs0` then `rs.initiate()`); a standalone server rejects them.
 */
import { MongoClient, MongoServerError, type ClientSession, type Collection as DriverCollection, type Db } from 'mongodb';
import {
  DuplicateKeyError,
  TransactionConflictError,
  type Collection,
  type Doc,
  type Filter,
  type FindOptions,
  type IndexSpec,
  type Pipeline,
  type Sort,
  type Store,
  type StoreSession,
  type Update,
  type UpdateOptions,
  type UpdateResult,
} from './port.ts';

// The port's types are MongoDB's own shapes; the driver's generics only need to be told so.
type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

class MongoCollection<T extends Doc> implements Collection<T> {
  constructor(
    private readonly driver: DriverCollection<Any>,
    private readonly session: ClientSession | undefined,
  ) {}

  get name(): string {
    return this.driver.collectionName;
  }

  async insertOne(doc: T): Promise<void> {
    await this.call(() => this.driver.insertOne(doc as Any, { session: this.session }));
  }

  async insertMany(docs: T[]): Promise<void> {
    if (docs.length === 0) return;
    await this.call(() => this.driver.insertMany(docs as Any[], { session: this.session }));
  }

  async findOne(filter: Filter, options: FindOptions = {}): Promise<T | null> {
    const [doc] = await this.find(filter, { ...options, limit: 1 });
    return doc ?? null;
  }

  find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    return this.call(() =>
      this.driver
        .find(filter, {
          session: this.session,
          sort: options.sort,
          skip: options.skip,
          limit: options.limit,
          projection: options.projection,
        })
        .toArray() as Promise<T[]>,
    );
  }

  countDocuments(filter: Filter): Promise<number> {
    return this.call(() => this.driver.countDocuments(filter, { session: this.session }));
  }

  async updateOne(filter: Filter, update: Update, options: UpdateOptions = {}): Promise<UpdateResult> {
    const result = await this.call(() => this.driver.updateOne(filter, update as Any, { session: this.session, upsert: options.upsert }));
    return updateResult(result);
  }

  async updateMany(filter: Filter, update: Update): Promise<UpdateResult> {
    return updateResult(await this.call(() => this.driver.updateMany(filter, update as Any, { session: this.session })));
  }

  findOneAndUpdate(
    filter: Filter,
    update: Update,
    options: UpdateOptions & { returnDocument?: 'before' | 'after'; sort?: Sort } = {},
  ): Promise<T | null> {
    return this.call(
      () =>
        this.driver.findOneAndUpdate(filter, update as Any, {
          session: this.session,
          upsert: options.upsert,
          sort: options.sort,
          // The port returns the updated document unless told otherwise; the driver's default is 'before'.
          returnDocument: options.returnDocument ?? 'after',
        }) as Promise<T | null>,
    );
  }

  async deleteOne(filter: Filter): Promise<{ deletedCount: number }> {
    const result = await this.call(() => this.driver.deleteOne(filter, { session: this.session }));
    return { deletedCount: result.deletedCount };
  }

  async deleteMany(filter: Filter): Promise<{ deletedCount: number }> {
    const result = await this.call(() => this.driver.deleteMany(filter, { session: this.session }));
    return { deletedCount: result.deletedCount };
  }

  aggregate<R = Record<string, unknown>>(pipeline: Pipeline): Promise<R[]> {
    return this.call(() => this.driver.aggregate(pipeline, { session: this.session }).toArray() as Promise<R[]>);
  }

  async createIndex(spec: IndexSpec): Promise<void> {
    await this.call(() =>
      this.driver.createIndex(spec.keys, {
        session: this.session,
        unique: spec.unique,
        partialFilterExpression: spec.partialFilter,
        name: spec.name,
      }),
    );
  }

  private async call<R>(operation: () => Promise<R>): Promise<R> {
    try {
      return await operation();
    } catch (error) {
      throw mapMongoError(this.name, error);
    }
  }
}

function updateResult(result: { matchedCount: number; modifiedCount: number; upsertedId: unknown }): UpdateResult {
  const mapped: UpdateResult = { matchedCount: result.matchedCount, modifiedCount: result.modifiedCount };
  if (result.upsertedId !== null && result.upsertedId !== undefined) mapped.upsertedId = String(result.upsertedId);
  return mapped;
}

function mapMongoError(collection: string, error: unknown): unknown {
  if (error instanceof DuplicateKeyError || error instanceof TransactionConflictError) return error;
  if (error instanceof MongoServerError && error.code === 11000) {
    // insertMany reports through a bulk write error whose details sit on its first write error.
    const first = (error as { writeErrors?: { errmsg?: string; err?: { keyValue?: Record<string, unknown> } }[] }).writeErrors?.[0];
    const index = /index: (\S+)/.exec(first?.errmsg ?? error.message)?.[1] ?? 'unknown';
    const keyValue = (error.keyValue as Record<string, unknown> | undefined) ?? first?.err?.keyValue ?? {};
    return new DuplicateKeyError(collection, index, keyValue);
  }
  return error;
}

/** Inside withTransaction the driver retries transient errors itself; one that escapes is a conflict. */
function isTransient(error: unknown): boolean {
  const labelled = error as { hasErrorLabel?: (label: string) => boolean; code?: number };
  return (
    labelled?.hasErrorLabel?.('TransientTransactionError') === true ||
    labelled?.hasErrorLabel?.('UnknownTransactionCommitResult') === true ||
    labelled?.code === 112 // WriteConflict
  );
}

export class MongoStore implements Store {
  readonly kind = 'mongo' as const;

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
  ) {}

  /** The database is the one named in the URL path (driver default 'test' when absent). */
  static async connect(url: string): Promise<MongoStore> {
    const client = new MongoClient(url);
    await client.connect();
    return new MongoStore(client, client.db());
  }

  collection<T extends Doc = Doc>(name: string): Collection<T> {
    return new MongoCollection<T>(this.db.collection(name), undefined);
  }

  async transaction<R>(work: (tx: StoreSession) => Promise<R>): Promise<R> {
    const session = this.client.startSession();
    try {
      let result: R | undefined;
      await session.withTransaction(async () => {
        result = await work({
          collection: <T extends Doc = Doc>(name: string) => new MongoCollection<T>(this.db.collection(name), session),
        });
      });
      return result as R;
    } catch (error) {
      if (isTransient(error)) throw new TransactionConflictError((error as Error).message);
      throw error;
    } finally {
      await session.endSession();
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** For tests: drop the whole database. */
  async dropDatabase(): Promise<void> {
    await this.db.dropDatabase();
  }
}
