import type { Store } from '../store/port.ts';
import { BullmqQueue } from './bullmq.ts';
import { InlineQueue } from './inline.ts';
import type { InspectableQueue } from './status.ts';

export * from './port.ts';
export type { InspectableQueue, JobStatus } from './status.ts';
export { BullmqQueue, type BullmqQueueOptions } from './bullmq.ts';
export { InlineQueue, type InlineQueueOptions, JOBS_COLLECTION } from './inline.ts';
export { writeOutbox, OutboxRelay, type OutboxRelayOptions, OUTBOX_COLLECTION } from './outbox.ts';

export interface CreateQueueOptions {
  /** Holds the inline queue's jobs; unused by the bullmq adapter (the outbox still needs it). */
  store: Store;
  /** Selects the bullmq adapter (REDIS_URL). */
  redisUrl?: string;
  /** Redis key prefix for the bullmq adapter. */
  prefix?: string;
}

export function createQueue({ store, redisUrl, prefix }: CreateQueueOptions): InspectableQueue {
  return redisUrl ? new BullmqQueue({ redisUrl, prefix }) : new InlineQueue({ store });
}
