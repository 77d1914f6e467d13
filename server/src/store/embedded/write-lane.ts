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

  /** Run `run` alone inside BEGIN IMMEDIATE ... COMMIT (ROLLBACK when it throws). */
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
    while (this.jobs.length > 0) {
      const head = this.jobs[0];
      if (head.kind === 'exclusive') {
        this.jobs.shift();
        await this.runExclusive(head);
      } else {
        const batch: Job[] = [];
        while (batch.length < MAX_BATCH && this.jobs[0]?.kind === 'write') batch.push(this.jobs.shift()!);
        try {
          this.runBatch(batch);
        } catch (error) {
          // Only reachable if SQLite refuses SAVEPOINT/ROLLBACK itself; settle everyone rather than hang.
          if (this.writer.db.inTransaction) this.writer.db.exec('ROLLBACK');
          this.writer.transactionEnded();
          for (const job of batch) job.reject(error);
        }
      }
    }
    this.draining = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  private runBatch(batch: Job[]): void {
    const db = this.writer.db;
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      for (const job of batch) job.reject(mapSqliteError(error));
      return;
    }
    const outcomes: { ok: boolean; value: unknown }[] = [];
    let aborted: unknown = null;
    for (const job of batch) {
      db.exec('SAVEPOINT write');
      try {
        outcomes.push({ ok: true, value: job.run() });
        db.exec('RELEASE write');
      } catch (error) {
        outcomes.push({ ok: false, value: error });
        if (!db.inTransaction) {
          // SQLite rolled the whole transaction back (I/O error, disk full): nothing in the batch committed.
          aborted = error;
          break;
        }
        db.exec('ROLLBACK TO write');
        db.exec('RELEASE write');
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
    batch.forEach((job, i) => {
      const outcome = outcomes[i];
      if (aborted) job.reject(outcome && !outcome.ok ? outcome.value : mapSqliteError(aborted));
      else if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.value);
    });
  }

  private async runExclusive(job: Job): Promise<void> {
    const db = this.writer.db;
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      job.reject(mapSqliteError(error));
      return;
    }
    try {
      const value = await job.run();
      db.exec('COMMIT');
      this.writer.transactionEnded();
      job.resolve(value);
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      this.writer.transactionEnded();
      job.reject(mapSqliteError(error));
    }
  }
}
