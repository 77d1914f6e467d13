import type { Backoff, EnqueueOptions } from './port.ts';

/** EnqueueOptions with defaults applied and values checked, shared by both adapters so they refuse the same input. */
export interface NormalizedJobOptions {
  jobId: string | undefined;
  delay: number;
  attempts: number;
  backoff: Backoff | null;
}

export function normalizeJobOptions(options: EnqueueOptions = {}): NormalizedJobOptions {
  const { jobId, delay = 0, attempts = 1, backoff } = options;
  if (jobId !== undefined && (typeof jobId !== 'string' || jobId.length === 0)) {
    throw new RangeError('jobId must be a non-empty string');
  }
  if (!Number.isFinite(delay) || delay < 0) throw new RangeError(`delay must be a finite number >= 0, got ${delay}`);
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be an integer >= 1, got ${attempts}`);
  if (backoff !== undefined) {
    if (backoff.type !== 'fixed' && backoff.type !== 'exponential') throw new RangeError(`unknown backoff type ${String(backoff.type)}`);
    if (!Number.isFinite(backoff.delay) || backoff.delay < 0) throw new RangeError(`backoff.delay must be >= 0, got ${backoff.delay}`);
  }
  return { jobId, delay: Math.round(delay), attempts, backoff: backoff ? { type: backoff.type, delay: backoff.delay } : null };
}

/** Wait before the retry that follows failed attempt number `failedAttempt` (1-based); the same formula BullMQ uses. */
export function backoffDelay(backoff: Backoff | null, failedAttempt: number): number {
  if (!backoff) return 0;
  if (backoff.type === 'fixed') return backoff.delay;
  return Math.round(2 ** (failedAttempt - 1) * backoff.delay);
}

export function assertJobName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new RangeError('job name must be a non-empty string');
}
