/**
 * The SQLite side of an embedded store: the writer and reader connections, the write lane and the
 * path kinds of one database file. Stores opened on the same folder in one process share one engine,
 * so their writes queue in one lane instead of two connections of the same process fighting over
 * SQLite's write lock (which busy-waits and would block the event loop the lock holder needs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import { Connection } from './connection.ts';
import { PathKinds } from './path-kinds.ts';
import { registerSqlFunctions } from './sql-functions.ts';
import { WriteLane } from './write-lane.ts';

/** How long a write waits for another process holding the write lock before failing with a conflict. */
const BUSY_TIMEOUT_MS = 5000;

/** Page cache per connection, in KiB when negative (SQLite's default is 2 MiB). */
const CACHE_SIZE = -32768;

const engines = new Map<string, Engine>();

export class Engine {
  readonly kinds = new PathKinds();
  readonly lane: WriteLane;
  /** Marks async work running inside one of this engine's transactions. */
  readonly activeTransaction = new AsyncLocalStorage<{ open: boolean }>();
  private lastDataVersion: unknown = undefined;
  private references = 0;

  private constructor(
    private readonly file: string,
    readonly writer: Connection,
    readonly reader: Connection,
  ) {
    this.lane = new WriteLane(writer);
  }

  static acquire(dataDir: string): Engine {
    fs.mkdirSync(dataDir, { recursive: true });
    const file = path.join(fs.realpathSync(dataDir), 'qiao.db');
    let engine = engines.get(file);
    if (!engine) {
      engine = Engine.open(file);
      engines.set(file, engine);
    }
    engine.references++;
    return engine;
  }

  /**
   * journal_mode=WAL with synchronous=FULL: each commit fsyncs the WAL before the write is
   * acknowledged, so an acknowledged write survives kill -9 and also an OS crash or power loss.
   * (NORMAL would survive kill -9 too, the committed WAL frame being in the OS page cache, but could
   * lose the last commits on an OS crash.) Group commit in the write lane shares the fsync.
   */
  private static open(file: string): Engine {
    const writerDb = new Database(file);
    writerDb.pragma('journal_mode = WAL');
    writerDb.pragma('synchronous = FULL');
    writerDb.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    writerDb.pragma(`cache_size = ${CACHE_SIZE}`);
    registerSqlFunctions(writerDb);
    writerDb.exec(`
      CREATE TABLE IF NOT EXISTS _qiao_paths (coll TEXT NOT NULL, path TEXT NOT NULL, kinds INTEGER NOT NULL, PRIMARY KEY (coll, path)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS _qiao_indexes (coll TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL, PRIMARY KEY (coll, name)) WITHOUT ROWID;
    `);
    const readerDb = new Database(file, { readonly: true, fileMustExist: true });
    readerDb.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    readerDb.pragma(`cache_size = ${CACHE_SIZE}`);
    registerSqlFunctions(readerDb);
    const tables = new Set<string>();
    const engine = new Engine(file, new Connection(writerDb, tables), new Connection(readerDb, tables));
    engine.syncForeignWrites();
    return engine;
  }

  /** Another process may share the file: merge the path kinds it recorded whenever it committed. */
  syncForeignWrites(): void {
    const version = this.writer.pluck('PRAGMA data_version').get();
    if (version === this.lastDataVersion) return;
    this.lastDataVersion = version;
    const rows = this.writer.statement('SELECT coll, path, kinds FROM _qiao_paths').all() as { coll: string; path: string; kinds: number }[];
    for (const row of rows) this.kinds.merge(row.coll, row.path, row.kinds);
  }

  async release(): Promise<void> {
    if (--this.references > 0) return;
    engines.delete(this.file);
    await this.lane.whenIdle();
    this.reader.db.close();
    this.writer.db.close();
  }
}
