/**
 * One better-sqlite3 connection with a prepared-statement cache and knowledge of which collection
 * tables exist. The store has two: the writer (all writes and transactions, serialized by the
 * write lane) and a reader (plain reads: in WAL mode it sees only committed data, so a read issued
 * while a transaction is open never observes that transaction's uncommitted writes).
 */
import type Database from 'better-sqlite3';
import { tableName } from './index-ddl.ts';

const STATEMENT_CACHE_SIZE = 400;

export class Connection {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly plucked = new Map<string, Database.Statement>();
  /** Tables this connection created in the open transaction, to learn about once it ended. */
  private createdInTransaction: string[] = [];

  constructor(
    readonly db: Database.Database,
    /** Collections whose table is committed, shared by both connections. */
    private readonly committedTables: Set<string>,
  ) {}

  statement(sql: string): Database.Statement {
    return cached(this.statements, sql, () => this.db.prepare(sql));
  }

  /** A statement returning the first column's value instead of row objects. */
  pluck(sql: string): Database.Statement {
    return cached(this.plucked, sql, () => this.db.prepare(sql).pluck());
  }

  /** Whether the collection's table is visible to this connection (reads of a missing table find nothing). */
  hasTable(collection: string): boolean {
    if (this.committedTables.has(collection)) return true;
    const found = this.pluck("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(`c_${collection}`) !== undefined;
    // Only committed state may be shared: the writer could be seeing its own open transaction.
    if (found && !this.db.inTransaction) this.committedTables.add(collection);
    return found;
  }

  /** Must run inside a write transaction. */
  ensureTable(collection: string): void {
    if (this.hasTable(collection)) return;
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${tableName(collection)} (_id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL)`);
    this.createdInTransaction.push(collection);
  }

  /** A savepoint rollback may have undone a creation, so the tables are looked up again after commit. */
  transactionEnded(): void {
    const created = this.createdInTransaction;
    this.createdInTransaction = [];
    for (const name of created) this.hasTable(name);
  }
}

function cached(cache: Map<string, Database.Statement>, sql: string, prepare: () => Database.Statement) {
  let statement = cache.get(sql);
  if (!statement) {
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
    statement = prepare();
    cache.set(sql, statement);
  }
  return statement;
}
