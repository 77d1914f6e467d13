/**
 * Queue port run in-process, with every job persisted in the store (collection `_jobs`), so a restart
 * loses nothing: pending, delayed and interrupted jobs are picked up by the next process on that store.
 *
 * Jobs are claimed with one atomic findOneAndUpdate (pending → running plus a lock expiry and token),
 * so several processes on one store never run the same job at once. A running job renews its lock;
 * a lock that expires means its process died, and the job becomes pending again.
 */
import { randomUUID } from 'node:crypto';
import { DuplicateKeyError, type Collection, type Doc, type Store } from '../store/port.ts';
import { assertJobName, backoffDelay, normalizeJobOptions } from './job-options.ts';
import { escapeKeyPart } from './key-escape.ts';
import type { Backoff, EnqueueOptions, JobHandler, ProcessOptions } from './port.ts';
import { Pump } from './pump.ts';
import type { InspectableQueue, JobStatus } from './status.ts';

export const JOBS_COLLECTION = '_jobs';

export interface JobDoc extends Doc {
  /** `<escaped name>:<jobId>`: like BullMQ (one queue per name), a jobId is unique per job name. */
  _id: string;
  jobId: string;
  name: string;
  payload: unknown;
  /** Epoch ms from which the job may run. */
  runAt: number;
  attempts: number;
  /** Attempts started so far; an attempt interrupted by a crash is given back. */
  attempt: number;
  backoff: Backoff | null;
  status: JobStatus;
  lastError: string | null;
  lockedUntil: number | null;
  lockToken: string | null;
  /** Times the job was taken back from a process that died while running it. */
  stalls: number;
  createdAt: number;
  finishedAt: number | null;
}

export interface InlineQueueOptions {
  store: Store;
  /** A running job whose process has not renewed its lock for this long is taken back. */
  lockMs?: number;
  /** Longest sleep of the scheduler: bounds how late it notices jobs enqueued by other processes and expired locks. */
  maxSleepMs?: number;
  /** Done jobs are deleted after this long; until then their jobId keeps de-duplicating enqueues. */
  completedRetentionMs?: number;
  failedRetentionMs?: number;
  /** How often finished jobs past their retention are deleted. */
  pruneEveryMs?: number;
  /** A job that took its process down this many times is marked failed instead of being retried forever. */
  maxStalls?: number;
  onError?: (error: unknown) => void;
}

interface Registration {
  handler: JobHandler<unknown>;
  concurrency: number;
  running: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function inlineJobDocId(name: string, jobId: string): string {
  return `${escapeKeyPart(name)}:${jobId}`;
}

export class InlineQueue implements InspectableQueue {
  readonly kind = 'inline' as const;
  private readonly jobs: Collection<JobDoc>;
  private readonly registrations = new Map<string, Registration>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly pump: Pump;
  private readonly instanceId = randomUUID();
  private readonly lockMs: number;
  private readonly maxSleepMs: number;
  private readonly maxStalls: number;
  private readonly onError: (error: unknown) => void;
  private indexesReady: Promise<void> | undefined;
  private nextRecoveryAt = 0;
  private nextPruneAt = 0;
  private started = false;
  private closed = false;
  private claims = 0;

  constructor(private readonly options: InlineQueueOptions) {
    this.jobs = options.store.collection<JobDoc>(JOBS_COLLECTION);
    this.lockMs = options.lockMs ?? 30_000;
    this.maxSleepMs = options.maxSleepMs ?? 1_000;
    this.maxStalls = options.maxStalls ?? 3;
    this.onError = options.onError ?? ((error) => console.error('[queue:inline]', error));
    this.pump = new Pump(() => this.tick(), this.onError, this.maxSleepMs);
  }

  async enqueue<P>(name: string, payload: P, options?: EnqueueOptions): Promise<string> {
    assertJobName(name);
    this.assertOpen();
    const { jobId, delay, attempts, backoff } = normalizeJobOptions(options);
    const id = jobId ?? randomUUID();
    await this.ensureIndexes();
    const now = Date.now();
    try {
      await this.jobs.insertOne({
        _id: inlineJobDocId(name, id),
        jobId: id,
        name,
        payload: payload === undefined ? null : payload,
        runAt: now + delay,
        attempts,
        attempt: 0,
        backoff,
        status: 'pending',
        lastError: null,
        lockedUntil: null,
        lockToken: null,
        stalls: 0,
        createdAt: now,
        finishedAt: null,
      });
    } catch (error) {
      if (error instanceof DuplicateKeyError) return id;
      throw error;
    }
    // Immediate jobs start now, delayed ones get the scheduler's sleep recomputed.
    if (this.registrations.has(name)) this.pump.wake();
    return id;
  }

  process<P>(name: string, handler: JobHandler<P>, options: ProcessOptions = {}): void {
    assertJobName(name);
    this.assertOpen();
    if (this.registrations.has(name)) throw new Error(`a handler for jobs named "${name}" is already registered`);
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
    this.registrations.set(name, { handler: handler as JobHandler<unknown>, concurrency, running: 0 });
    this.pump.wake();
  }

  async start(): Promise<void> {
    this.assertOpen();
    if (this.started) return;
    this.started = true;
    await this.ensureIndexes();
    // Take back what a crashed process left running before the first claims, so it runs right away.
    await this.recoverStalled(Date.now());
    this.pump.start();
  }

  async status(name: string, jobId: string): Promise<JobStatus | null> {
    const job = await this.jobs.findOne({ _id: inlineJobDocId(name, jobId) }, { projection: { status: 1 } });
    return job ? job.status : null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pump.stop();
    await Promise.all(this.inFlight);
  }

  /** One scheduler pass: claim and start every due job there is capacity for, then say how long to sleep. */
  private async tick(): Promise<number> {
    const now = Date.now();
    if (now >= this.nextRecoveryAt) {
      this.nextRecoveryAt = now + this.maxSleepMs;
      await this.recoverStalled(now);
    }
    if (now >= this.nextPruneAt) {
      this.nextPruneAt = now + (this.options.pruneEveryMs ?? 60_000);
      await this.prune(now);
    }
    for (;;) {
      // close() may arrive mid-pass: claim nothing more, so it only has to wait for what already runs.
      if (this.closed) return this.maxSleepMs;
      const names = this.namesWithCapacity();
      if (names.length === 0) return this.maxSleepMs;
      const job = await this.claim(names);
      if (!job) break;
      this.runClaimed(job);
    }
    const names = this.namesWithCapacity();
    if (names.length === 0) return this.maxSleepMs;
    const next = await this.jobs.findOne(
      { status: 'pending', name: { $in: names } },
      { sort: { runAt: 1 }, projection: { runAt: 1 } },
    );
    if (!next) return this.maxSleepMs;
    return Math.min(Math.max(next.runAt - Date.now(), 1), this.maxSleepMs);
  }

  private namesWithCapacity(): string[] {
    const names: string[] = [];
    for (const [name, registration] of this.registrations) {
      if (registration.running < registration.concurrency) names.push(name);
    }
    return names;
  }

  private claim(names: string[]): Promise<JobDoc | null> {
    const now = Date.now();
    return this.jobs.findOneAndUpdate(
      { status: 'pending', runAt: { $lte: now }, name: { $in: names } },
      {
        $set: { status: 'running', lockedUntil: now + this.lockMs, lockToken: `${this.instanceId}/${++this.claims}` },
        $inc: { attempt: 1 },
      },
      { sort: { runAt: 1 }, returnDocument: 'after' },
    );
  }

  private runClaimed(job: JobDoc): void {
    const registration = this.registrations.get(job.name)!;
    registration.running += 1;
    const run = this.execute(job, registration).finally(() => {
      registration.running -= 1;
      this.inFlight.delete(run);
      this.pump.wake();
    });
    this.inFlight.add(run);
  }

  private async execute(job: JobDoc, registration: Registration): Promise<void> {
    const owned = { _id: job._id, lockToken: job.lockToken };
    const renewal = setInterval(() => {
      this.jobs
        .updateOne(owned, { $set: { lockedUntil: Date.now() + this.lockMs } })
        .catch(this.onError);
    }, Math.max(1, Math.floor(this.lockMs / 3)));
    let failure: unknown = undefined;
    let failed = false;
    try {
      await registration.handler({ id: job.jobId, name: job.name, payload: job.payload, attempt: job.attempt });
    } catch (error) {
      failed = true;
      failure = error;
    } finally {
      clearInterval(renewal);
    }
    const now = Date.now();
    const released = { lockedUntil: null, lockToken: null };
    // Every write is conditioned on the lock token: if the lock was lost (and another process took the
    // job back), this process's outcome is stale and must not overwrite the other run's.
    try {
      if (!failed) {
        await this.jobs.updateOne(owned, { $set: { ...released, status: 'done', finishedAt: now } });
      } else if (job.attempt >= job.attempts) {
        await this.jobs.updateOne(owned, { $set: { ...released, status: 'failed', finishedAt: now, lastError: describe(failure) } });
      } else {
        await this.jobs.updateOne(owned, {
          $set: { ...released, status: 'pending', runAt: now + backoffDelay(job.backoff, job.attempt), lastError: describe(failure) },
        });
      }
    } catch (error) {
      // The job stays locked; once the lock expires it is taken back and runs again.
      this.onError(error);
    }
  }

  private async recoverStalled(now: number): Promise<void> {
    const expired = { status: 'running', lockedUntil: { $lte: now } };
    await this.jobs.updateMany(
      { ...expired, stalls: { $gte: this.maxStalls } },
      { $set: { status: 'failed', finishedAt: now, lockedUntil: null, lockToken: null, lastError: 'stalled: its process stopped while running it, too many times' } },
    );
    // The interrupted attempt is given back: a crash is not the job's failure.
    await this.jobs.updateMany(expired, {
      $set: { status: 'pending', lockedUntil: null, lockToken: null, lastError: 'stalled: its process stopped while running it' },
      $inc: { stalls: 1, attempt: -1 },
    });
  }

  private async prune(now: number): Promise<void> {
    await this.jobs.deleteMany({ status: 'done', finishedAt: { $lte: now - (this.options.completedRetentionMs ?? DAY_MS) } });
    await this.jobs.deleteMany({ status: 'failed', finishedAt: { $lte: now - (this.options.failedRetentionMs ?? 7 * DAY_MS) } });
  }

  private ensureIndexes(): Promise<void> {
    this.indexesReady ??= (async () => {
      await this.jobs.createIndex({ keys: { status: 1, runAt: 1 }, name: 'due' });
      await this.jobs.createIndex({ keys: { status: 1, lockedUntil: 1 }, name: 'locks' });
      await this.jobs.createIndex({ keys: { status: 1, finishedAt: 1 }, name: 'finished' });
    })().catch((error: unknown) => {
      this.indexesReady = undefined;
      throw error;
    });
    return this.indexesReady;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('queue is closed');
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
