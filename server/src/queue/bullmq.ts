/**
 * Queue port on BullMQ + Redis.
 *
 * One BullMQ queue per job name: `process(name, …, { concurrency })` then maps onto one Worker whose
 * concurrency applies to that job kind alone, a slow kind (webhooks) cannot starve another (timers),
 * and a worker process may consume a subset of kinds. Consequence: a jobId is unique per job name,
 * which the inline adapter mirrors.
 */
import { randomUUID } from 'node:crypto';
import { Queue as BullQueue, Worker, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { assertJobName, normalizeJobOptions } from './job-options.ts';
import { escapeKeyPart, unescapeKeyPart } from './key-escape.ts';
import type { EnqueueOptions, JobHandler, ProcessOptions } from './port.ts';
import type { InspectableQueue, JobStatus } from './status.ts';

export interface BullmqQueueOptions {
  redisUrl: string;
  /** Namespace of every Redis key; tests use a random one and delete `<prefix>:*` afterwards. */
  prefix?: string;
  /** How long a completed job id keeps de-duplicating enqueues (BullMQ evicts lazily, so at least this long). */
  completedRetentionMs?: number;
  /** How long a failed job stays (for inspection, and it also keeps de-duplicating). */
  failedRetentionMs?: number;
  /** A running job whose worker stops renewing its lock for this long is taken back (crashed process). */
  lockDurationMs?: number;
  /** How often workers look for such stalled jobs. */
  stalledIntervalMs?: number;
  /** A job taken back this many times is marked failed instead (the inline adapter's default too). */
  maxStalls?: number;
  onError?: (error: unknown) => void;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * BullMQ refuses custom ids containing ':' and ids that read as integers (they would clash with its
 * own counters). Escape ':' and mark integers with a trailing '%', which an escaped id never ends with,
 * so the mapping stays one-to-one and reversible.
 */
export function toBullJobId(jobId: string): string {
  const escaped = escapeKeyPart(jobId);
  return `${Number.parseInt(escaped, 10)}` === escaped ? `${escaped}%` : escaped;
}

export function fromBullJobId(bullId: string): string {
  return unescapeKeyPart(bullId.endsWith('%') ? bullId.slice(0, -1) : bullId);
}

/** BullMQ queue names cannot contain ':'. */
export function toBullQueueName(name: string): string {
  return escapeKeyPart(name);
}

interface Registration {
  handler: JobHandler<unknown>;
  concurrency: number;
}

const STATUS_BY_STATE: Record<string, JobStatus> = {
  waiting: 'pending',
  'waiting-children': 'pending',
  delayed: 'pending',
  prioritized: 'pending',
  active: 'running',
  completed: 'done',
  failed: 'failed',
};

export class BullmqQueue implements InspectableQueue {
  readonly kind = 'bullmq' as const;
  private readonly prefix: string;
  private readonly producerConnection: Redis;
  private workerConnection: Redis | undefined;
  private readonly queues = new Map<string, BullQueue>();
  private readonly registrations = new Map<string, Registration>();
  private readonly workers = new Map<string, Worker>();
  private started = false;
  private closed = false;
  private readonly onError: (error: unknown) => void;

  constructor(private readonly options: BullmqQueueOptions) {
    this.prefix = options.prefix ?? 'qiao';
    this.onError = options.onError ?? ((error) => console.error('[queue:bullmq]', error));
    // Producers fail an enqueue after a few retries instead of hanging while Redis is down, so an
    // outbox relay can keep the entry and try again later.
    this.producerConnection = new Redis(options.redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
    this.producerConnection.on('error', this.onError);
  }

  async enqueue<P>(name: string, payload: P, options?: EnqueueOptions): Promise<string> {
    assertJobName(name);
    this.assertOpen();
    const { jobId, delay, attempts, backoff } = normalizeJobOptions(options);
    const id = jobId ?? randomUUID();
    const jobOptions: JobsOptions = {
      jobId: toBullJobId(id),
      delay,
      attempts,
      removeOnComplete: { age: Math.ceil((this.options.completedRetentionMs ?? DAY_MS) / 1000) },
      removeOnFail: { age: Math.ceil((this.options.failedRetentionMs ?? 7 * DAY_MS) / 1000) },
    };
    if (backoff) jobOptions.backoff = backoff;
    // An existing id (waiting, delayed, active, completed or failed) makes add() return that job untouched.
    await this.queueFor(name).add(name, payload === undefined ? null : payload, jobOptions);
    return id;
  }

  process<P>(name: string, handler: JobHandler<P>, options: ProcessOptions = {}): void {
    assertJobName(name);
    this.assertOpen();
    if (this.registrations.has(name)) throw new Error(`a handler for jobs named "${name}" is already registered`);
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
    this.registrations.set(name, { handler: handler as JobHandler<unknown>, concurrency });
    if (this.started) this.startWorker(name);
  }

  async start(): Promise<void> {
    this.assertOpen();
    if (this.started) return;
    this.started = true;
    for (const name of this.registrations.keys()) this.startWorker(name);
    await Promise.all([...this.workers.values()].map((worker) => worker.waitUntilReady()));
  }

  async status(name: string, jobId: string): Promise<JobStatus | null> {
    const state = await this.queueFor(name).getJobState(toBullJobId(jobId));
    return STATUS_BY_STATE[state] ?? null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Workers first: they wait for running jobs, which may still enqueue follow-up work.
    await Promise.all([...this.workers.values()].map((worker) => worker.close()));
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    await Promise.all([this.producerConnection, this.workerConnection].map((connection) => connection && quit(connection)));
  }

  private startWorker(name: string): void {
    const registration = this.registrations.get(name)!;
    // Workers need a connection that retries forever (BullMQ requires it for its blocking reads).
    this.workerConnection ??= new Redis(this.options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    const worker = new Worker(
      toBullQueueName(name),
      async (job: Job) => {
        await registration.handler({ id: fromBullJobId(job.id!), name, payload: job.data, attempt: job.attemptsMade + 1 });
      },
      {
        connection: this.workerConnection,
        prefix: this.prefix,
        concurrency: registration.concurrency,
        maxStalledCount: this.options.maxStalls ?? 3,
        // Spread only what is set: an explicit `undefined` would override BullMQ's defaults.
        ...(this.options.lockDurationMs !== undefined && { lockDuration: this.options.lockDurationMs }),
        ...(this.options.stalledIntervalMs !== undefined && { stalledInterval: this.options.stalledIntervalMs }),
      },
    );
    // A handler failure is expected (it is retried or marked failed); only infrastructure errors are reported.
    worker.on('error', this.onError);
    this.workers.set(name, worker);
  }

  private queueFor(name: string): BullQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new BullQueue(toBullQueueName(name), { connection: this.producerConnection, prefix: this.prefix });
      queue.on('error', this.onError);
      this.queues.set(name, queue);
    }
    return queue;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('queue is closed');
  }
}

async function quit(connection: Redis): Promise<void> {
  if (connection.status === 'end' || connection.status === 'wait') {
    connection.disconnect();
    return;
  }
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  }
}
