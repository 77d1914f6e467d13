/**
 * Transactional outbox: work that must follow a write is recorded in the same unit of work
 * (collection `_outbox`), and a relay moves committed entries onto the queue afterwards.
 *
 * Every entry carries a jobId (the caller's, or the entry's own id), so enqueueing it twice is a
 * no-op: a crash after the enqueue but before the entry is deleted only causes a harmless re-relay.
 * The same relay serves both adapters, so there is one path to test; for the inline queue it costs
 * one extra write per job, in exchange for writers never needing to know which queue is configured.
 */
import { randomUUID } from 'node:crypto';
import type { Backoff, OutboxJob, OutboxWriter, Queue } from './port.ts';
import type { Doc, Store, StoreSession } from '../store/port.ts';
import { assertJobName, normalizeJobOptions } from './job-options.ts';
import { Pump } from './pump.ts';

export const OUTBOX_COLLECTION = '_outbox';

export interface OutboxDoc extends Doc {
  name: string;
  payload: unknown;
  jobId: string;
  /** Absolute due time, so time spent waiting for the relay counts toward a delay instead of adding to it. */
  runAt: number;
  attempts: number;
  backoff: Backoff | null;
  createdAt: number;
  /** A relay holds the entry until then; 0 when free. */
  claimedUntil: number;
  claimToken: string | null;
}

/** Counts outbox writes in this process, so a relay is woken only after commits that may have written jobs. */
let outboxWrites = 0;

export const writeOutbox: OutboxWriter = async (tx: StoreSession, jobs: OutboxJob[]) => {
  if (jobs.length === 0) return;
  outboxWrites++;
  const now = Date.now();
  const docs = jobs.map((job): OutboxDoc => {
    // Validate now, so a bad job fails the caller's transaction instead of sticking in the outbox.
    assertJobName(job.name);
    const { jobId, delay, attempts, backoff } = normalizeJobOptions(job.options);
    const id = randomUUID();
    return {
      _id: id,
      name: job.name,
      payload: job.payload === undefined ? null : job.payload,
      jobId: jobId ?? id,
      runAt: now + delay,
      attempts,
      backoff,
      createdAt: now,
      claimedUntil: 0,
      claimToken: null,
    };
  });
  await tx.collection<OutboxDoc>(OUTBOX_COLLECTION).insertMany(docs);
};

export interface OutboxRelayOptions {
  store: Store;
  queue: Queue;
  /** Sweep for entries nobody announced (a process died between commit and notify()). */
  pollMs?: number;
  /** How long a claimed entry is reserved for the relay that claimed it (then another may take it). */
  leaseMs?: number;
  /** After a failed enqueue, the entry waits this long before any relay tries again. */
  retryMs?: number;
  /** Entries relayed at the same time. */
  parallelism?: number;
  onError?: (error: unknown) => void;
}

export class OutboxRelay {
  private readonly pump: Pump;
  private readonly instanceId = randomUUID();
  private claims = 0;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly retryMs: number;
  private readonly parallelism: number;
  private indexReady: Promise<void> | undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    this.pollMs = options.pollMs ?? 1_000;
    // Short: a relay that died holding an entry delays it only this long, and a second relay enqueueing the same
    // entry after the lease is harmless because every entry carries its jobId.
    this.leaseMs = options.leaseMs ?? 3_000;
    this.retryMs = options.retryMs ?? 1_000;
    this.parallelism = options.parallelism ?? 8;
    const onError = options.onError ?? ((error: unknown) => console.error('[queue:outbox]', error));
    this.pump = new Pump(
      async () => {
        await this.flush();
        return this.pollMs;
      },
      onError,
      this.pollMs,
    );
  }

  start(): void {
    this.pump.start();
  }

  /** Call right after committing a transaction that wrote to the outbox. */
  notify(): void {
    // Entries written by other processes are found by the poll; here only our own writes matter.
    if (outboxWrites === this.seenWrites) return;
    this.seenWrites = outboxWrites;
    this.pump.wake();
  }
  private seenWrites = -1;

  async stop(): Promise<void> {
    await this.pump.stop();
  }

  /** Relay every committed entry not held by another relay; resolves to how many this call relayed. */
  async flush(): Promise<number> {
    await this.ensureIndex();
    // A read first: most wake-ups follow commits that wrote no jobs, and a read never takes the write lock.
    const due = await this.options.store.collection<OutboxDoc>(OUTBOX_COLLECTION).findOne({ claimedUntil: { $lte: Date.now() } }, { projection: { _id: 1 } });
    if (!due) return 0;
    // Several claim loops at once: each entry costs three sequential writes, and concurrent writes
    // share one commit in the store (group commit), so this multiplies throughput.
    const loops = await Promise.allSettled(Array.from({ length: this.parallelism }, () => this.relayUntilEmpty()));
    const failure = loops.find((loop) => loop.status === 'rejected');
    if (failure) throw failure.reason;
    return loops.reduce((sum, loop) => sum + (loop.status === 'fulfilled' ? loop.value : 0), 0);
  }

  private async relayUntilEmpty(): Promise<number> {
    const outbox = this.options.store.collection<OutboxDoc>(OUTBOX_COLLECTION);
    let relayed = 0;
    for (;;) {
      const now = Date.now();
      const claimToken = `${this.instanceId}/${++this.claims}`;
      const entry = await outbox.findOneAndUpdate(
        { claimedUntil: { $lte: now } },
        { $set: { claimedUntil: now + this.leaseMs, claimToken } },
        { sort: { createdAt: 1 }, returnDocument: 'after' },
      );
      if (!entry) return relayed;
      const owned = { _id: entry._id, claimToken };
      try {
        await this.options.queue.enqueue(entry.name, entry.payload, {
          jobId: entry.jobId,
          delay: Math.max(0, entry.runAt - Date.now()),
          attempts: entry.attempts,
          ...(entry.backoff && { backoff: entry.backoff }),
        });
      } catch (error) {
        await outbox.updateOne(owned, { $set: { claimedUntil: Date.now() + this.retryMs, claimToken: null } });
        throw error;
      }
      await outbox.deleteOne(owned);
      relayed += 1;
    }
  }

  private ensureIndex(): Promise<void> {
    this.indexReady ??= this.options.store
      .collection(OUTBOX_COLLECTION)
      .createIndex({ keys: { claimedUntil: 1, createdAt: 1 }, name: 'claimable' })
      .catch((error: unknown) => {
        this.indexReady = undefined;
        throw error;
      });
    return this.indexReady;
  }
}
