/**
 * The queue port: background work (workflow timers and steps, automations, webhooks).
 * `inline` runs jobs in-process but persists them in the store; `bullmq` runs them on Redis.
 */
import type { StoreSession } from '../store/port.ts';

export interface Backoff {
  type: 'fixed' | 'exponential';
  /** Base delay in milliseconds. */
  delay: number;
}

export interface EnqueueOptions {
  /** Idempotency key: a second enqueue with the same jobId (while the first is pending, running or completed) is a no-op. */
  jobId?: string;
  /** Milliseconds before the job may run; any size (longer than setTimeout allows is fine). */
  delay?: number;
  /** Total attempts including the first (default 1). */
  attempts?: number;
  backoff?: Backoff;
}

export interface JobInfo<P = unknown> {
  id: string;
  name: string;
  payload: P;
  /** 1 for the first try. */
  attempt: number;
}

export type JobHandler<P = unknown> = (job: JobInfo<P>) => Promise<void>;

export interface ProcessOptions {
  concurrency?: number;
}

export interface Queue {
  readonly kind: 'inline' | 'bullmq';
  enqueue<P>(name: string, payload: P, options?: EnqueueOptions): Promise<string>;
  /** Register the handler for jobs named `name`. A process registers handlers, then calls start(). */
  process<P>(name: string, handler: JobHandler<P>, options?: ProcessOptions): void;
  /** Begin consuming (workers) ; API-only processes may enqueue without starting. */
  start(): Promise<void>;
  /** Stop consuming and release connections; running jobs finish first. */
  close(): Promise<void>;
}

/** A job recorded in the transactional outbox, in the same unit of work as the data that needs it. */
export interface OutboxJob<P = unknown> {
  name: string;
  payload: P;
  options?: EnqueueOptions;
}

/** Write jobs to the outbox inside a transaction; the relay moves them onto the queue after commit. */
export type OutboxWriter = (tx: StoreSession, jobs: OutboxJob[]) => Promise<void>;
