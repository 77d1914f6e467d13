import type { Queue } from './port.ts';

/** Where a job is in its life; `null` when the queue does not know the job (never enqueued, or pruned). */
export type JobStatus = 'pending' | 'running' | 'done' | 'failed';

/**
 * Both adapters can say where a job is: sweepers ("does this instance still have a pending timer?")
 * and tests need it, and the port has no read side yet.
 */
export interface InspectableQueue extends Queue {
  status(name: string, jobId: string): Promise<JobStatus | null>;
}
