/**
 * Serializes every write on the one writer connection, as an async mutex would, and adds group commit.
 *
 * better-sqlite3 is synchronous but transactions run async `work`, so without this two transactions
 * (or a transaction and a plain write) would interleave on the same connection. Jobs run in arrival
 * order. Consecutive plain writes are batched into one SQLite transaction, each inside its own
 * SAVEPOINT so one failing write (say a duplicate key) does not undo the others; every caller is
 * answered only after COMMIT returned, so an acknowledged write is on disk.
 */
import type { Connection } from './connection.ts';
import { mapSqliteError } from './errors.ts';

type Settle = { resolve: (value: unknown) => void; reject: (error: unknown) => void };
type Job =
  | ({ kind: 'write'; run: () => unknown } & Settle)
  | ({ kind: 'exclusive'; run: () => Promise<unknown> } & Settle);

const MAX_BATCH = 500;
const MAX_BATCH_MS = 15;

export class WriteLane {
  private readonly jobs: Job[] = [];
  private draining = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly writer: Connection) {}

  /** Run a synchronous write in a write transaction (possibly shared with other writes). */
  write<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.jobs.push({ kind: 'write', run, resolve: resolve as (v: unknown) => void, reject });
      this.kick();
    });
  }

  /** Run `run` atomically: its writes commit together (possibly with other jobs' in one group commit) or not at all. */
  exclusive<T>(run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.jobs.push({ kind: 'exclusive', run, resolve: resolve as (v: unknown) => void, reject });
      this.kick();
    });
  }

  whenIdle(): Promise<void> {
    if (!this.draining && this.jobs.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    // setImmediate (not a microtask) lets writes from every request handled in this event-loop turn join one batch.
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    while (this.jobs.length > 0) await this.runBatch();
    this.draining = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Group commit: consecutive jobs, plain writes and transactions alike, share one SQLite transaction, each in its
   * own SAVEPOINT so a failing job (a duplicate key, a transaction whose work threw) is undone alone. Transactions
   * run one after another, so each sees exactly the writes of the jobs before it, as if they had committed.
   * Nobody is answered before COMMIT returns (synchronous=FULL), so an acknowledged write is on disk; a batch is
   * closed after MAX_BATCH jobs or MAX_BATCH_MS so acknowledgements are never held back long.
   */
  private async runBatch(): Promise<void> {
    const db = this.writer.db;
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      const job = this.jobs.shift()!;
      job.reject(mapSqliteError(error));
      return;
    }
    const outcomes: { job: Job; ok: boolean; value: unknown }[] = [];
    let aborted: unknown = null;
    const started = performance.now();
    while (this.jobs.length > 0 && outcomes.length < MAX_BATCH && performance.now() - started < MAX_BATCH_MS) {
      const job = this.jobs.shift()!;
      db.exec('SAVEPOINT lane_job');
      try {
        const value = job.kind === 'write' ? job.run() : await job.run();
        db.exec('RELEASE lane_job');
        outcomes.push({ job, ok: true, value });
      } catch (error) {
        if (!db.inTransaction) {
          // SQLite rolled the whole transaction back (I/O error, disk full): nothing in the batch committed.
          aborted = error;
          outcomes.push({ job, ok: false, value: mapSqliteError(error) });
          break;
        }
        db.exec('ROLLBACK TO lane_job');
        db.exec('RELEASE lane_job');
        outcomes.push({ job, ok: false, value: job.kind === 'write' ? error : mapSqliteError(error) });
      }
    }
    if (!aborted) {
      try {
        db.exec('COMMIT');
      } catch (error) {
        aborted = error;
        if (db.inTransaction) db.exec('ROLLBACK');
      }
    }
    this.writer.transactionEnded();
    for (const { job, ok, value } of outcomes) {
      if (aborted) job.reject(ok ? mapSqliteError(aborted) : value);
      else if (ok) job.resolve(value);
      else job.reject(value);
    }
  }
}
