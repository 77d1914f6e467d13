/**
 * The embedded store: SQLite (better-sqlite3) in WAL mode in `<dataDir>/qiao.db`, mingo for query
 * semantics. Durability and write serialization are explained in engine.ts and write-lane.ts.
 */
import type { Doc, Filter, Sort, Store, StoreSession } from '../port.ts';
import { EmbeddedCollection, type CollectionContext, type Executor } from './collection.ts';
import type { Connection } from './connection.ts';
import { Engine } from './engine.ts';

export interface EmbeddedStoreOptions {
  dataDir: string;
}

export class EmbeddedStore implements Store {
  readonly kind = 'embedded' as const;
  private readonly root: CollectionContext;
  private readonly collections = new Map<string, EmbeddedCollection>();
  private closed = false;
  private warnedRootWriteInTransaction = false;

  private constructor(private readonly engine: Engine) {
    this.root = {
      kinds: engine.kinds,
      executor: {
        read: async (work) => {
          this.checkOpen();
          engine.syncForeignWrites();
          return work(engine.reader);
        },
        write: async (work) => {
          this.checkOpen();
          this.warnIfInsideTransaction();
          return engine.lane.write(() => {
            engine.syncForeignWrites();
            return work(engine.writer);
          });
        },
      },
    };
  }

  static open(options: EmbeddedStoreOptions): EmbeddedStore {
    return new EmbeddedStore(Engine.acquire(options.dataDir));
  }

  collection<T extends Doc = Doc>(name: string): EmbeddedCollection<T> {
    let collection = this.collections.get(name);
    if (!collection) this.collections.set(name, (collection = new EmbeddedCollection(name, this.root)));
    return collection as unknown as EmbeddedCollection<T>;
  }

  /**
   * Inside `work`, use `tx.collection(...)`: a write through the store itself (or a nested
   * transaction) waits for this transaction to end, so awaiting it inside `work` would never return.
   */
  async transaction<R>(work: (tx: StoreSession) => Promise<R>): Promise<R> {
    this.checkOpen();
    const { engine } = this;
    if (engine.activeTransaction.getStore()?.open) throw new Error('nested transaction: use the tx session you were given');
    return engine.lane.exclusive(async () => {
      engine.syncForeignWrites();
      const state = { open: true };
      const executor = transactionExecutor(engine.writer, state);
      const session: StoreSession = {
        collection: <T extends Doc = Doc>(name: string) => new EmbeddedCollection<T>(name, { kinds: engine.kinds, executor }),
      };
      try {
        return await engine.activeTransaction.run(state, () => work(session));
      } finally {
        state.open = false;
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.engine.release();
  }

  /** The SQL of a find and SQLite's EXPLAIN QUERY PLAN for it, to check that indexes serve a query. */
  explainFind(collection: string, filter: Filter, options: { sort?: Sort; skip?: number; limit?: number } = {}) {
    const plan = this.collection(collection).planFind(filter, options);
    const rows = this.engine.reader.db.prepare(`EXPLAIN QUERY PLAN ${plan.sql}`).all(...plan.params) as { detail: string }[];
    return { ...plan, queryPlan: rows.map((row) => row.detail) };
  }

  private warnIfInsideTransaction(): void {
    if (this.warnedRootWriteInTransaction || !this.engine.activeTransaction.getStore()?.open) return;
    this.warnedRootWriteInTransaction = true;
    process.emitWarning(
      'a write went through the store, not the tx session, while a transaction is open: it runs after the transaction ends, so awaiting it inside the transaction never returns',
      'QiaoStoreWarning',
    );
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }
}

function transactionExecutor(writer: Connection, state: { open: boolean }): Executor {
  const run = <T>(work: (conn: Connection) => T, savepoint: boolean): Promise<T> =>
    new Promise<T>((resolve) => {
      if (!state.open) throw new Error('transaction already finished');
      if (!savepoint) return resolve(work(writer));
      // A failed operation must not leave half its writes in a transaction the caller may still commit.
      writer.db.exec('SAVEPOINT op');
      try {
        const value = work(writer);
        writer.db.exec('RELEASE op');
        resolve(value);
      } catch (error) {
        if (writer.db.inTransaction) {
          writer.db.exec('ROLLBACK TO op');
          writer.db.exec('RELEASE op');
        }
        throw error;
      }
    });
  return { read: (work) => run(work, false), write: (work) => run(work, true) };
}
