import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InlineQueue, JOBS_COLLECTION, type InlineQueueOptions } from '../../src/queue/index.ts';
import { inlineJobDocId, type JobDoc } from '../../src/queue/inline.ts';
import type { Store } from '../../src/store/port.ts';
import { queueContract } from './contract.ts';
import { waitFor } from './helpers.ts';
import { openTempStore, type TempStore } from './temp-store.ts';

/** Put a job in the state a process leaves behind when it dies while running it (or is still running it). */
async function markRunning(store: Store, name: string, jobId: string, fields: Partial<JobDoc>): Promise<void> {
  const result = await store
    .collection<JobDoc>(JOBS_COLLECTION)
    .updateOne({ _id: inlineJobDocId(name, jobId) }, { $set: { status: 'running', attempt: 1, lockToken: 'other-process/1', ...fields } });
  if (result.matchedCount !== 1) throw new Error(`job ${name}/${jobId} not found`);
}

queueContract('inline', async () => {
  const temp = await openTempStore();
  return {
    store: temp.store,
    open: () => new InlineQueue({ store: temp.store }),
    async simulateKilledRun(name, payload, jobId) {
      const queue = new InlineQueue({ store: temp.store });
      await queue.enqueue(name, payload, { jobId });
      await queue.close();
      await markRunning(temp.store, name, jobId, { lockedUntil: Date.now() - 1 });
    },
    dispose: temp.dispose,
  };
});

describe('inline queue: locks and retention', () => {
  let temp: TempStore;
  let store: Store;
  const queues: InlineQueue[] = [];

  beforeEach(async () => {
    temp = await openTempStore();
    store = temp.store;
  });

  afterEach(async () => {
    await Promise.all(queues.splice(0).map((queue) => queue.close()));
    await temp.dispose();
  });

  function open(options: Partial<InlineQueueOptions> = {}, on: Store = store): InlineQueue {
    const queue = new InlineQueue({ store: on, ...options });
    queues.push(queue);
    return queue;
  }

  it('runs each job once when two processes with their own store connections share the data folder', async () => {
    const counts = new Map<string, number>();
    const handler = async (job: { id: string }) => void counts.set(job.id, (counts.get(job.id) ?? 0) + 1);
    const one = open({ maxSleepMs: 20 });
    const two = open({ maxSleepMs: 20 }, await temp.openAnother());
    one.process('shared', handler, { concurrency: 3 });
    two.process('shared', handler, { concurrency: 3 });
    await Promise.all([one.start(), two.start()]);
    const ids = Array.from({ length: 40 }, (_, i) => `job-${i}`);
    await Promise.all(ids.map((id, i) => (i % 2 ? one : two).enqueue('shared', { id }, { jobId: id })));
    await waitFor('every job ran', () => counts.size === ids.length);
    await Promise.all([one.close(), two.close()]);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
  });

  it('leaves alone a job whose lock is still held by a live process', async () => {
    const producer = open();
    await producer.enqueue('work', {}, { jobId: 'held' });
    await markRunning(store, 'work', 'held', { lockedUntil: Date.now() + 60_000 });
    const ran: string[] = [];
    const queue = open({ maxSleepMs: 50 });
    queue.process('work', async (job) => void ran.push(job.id));
    await queue.start();
    await queue.enqueue('work', {}, { jobId: 'marker' });
    await waitFor('marker ran', () => ran.includes('marker'));
    // A few more scheduler passes, each of which would take the job if it ignored the lock.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(ran).not.toContain('held');
    expect(await queue.status('work', 'held')).toBe('running');
  });

  it('renews the lock of a long job, so another process does not take it over', async () => {
    const counts = new Map<string, number>();
    const handler = async (job: { id: string }) => {
      counts.set(job.id, (counts.get(job.id) ?? 0) + 1);
      // Several lock lifetimes long.
      await new Promise((resolve) => setTimeout(resolve, 700));
    };
    const one = open({ lockMs: 150, maxSleepMs: 30 });
    const two = open({ lockMs: 150, maxSleepMs: 30 });
    one.process('long', handler);
    two.process('long', handler);
    await one.enqueue('long', {}, { jobId: 'long-1' });
    await Promise.all([one.start(), two.start()]);
    await waitFor('long job done', async () => (await one.status('long', 'long-1')) === 'done');
    expect(counts.get('long-1')).toBe(1);
  });

  it('gives a crash its attempt back, but fails a job that keeps killing its process', async () => {
    const producer = open();
    await producer.enqueue('poison', {}, { jobId: 'recovering' });
    await producer.enqueue('poison', {}, { jobId: 'poison' });
    await markRunning(store, 'poison', 'recovering', { lockedUntil: Date.now() - 1, stalls: 0 });
    await markRunning(store, 'poison', 'poison', { lockedUntil: Date.now() - 1, stalls: 2 });
    const attempts = new Map<string, number>();
    const queue = open({ maxStalls: 2 });
    queue.process('poison', async (job) => void attempts.set(job.id, job.attempt));
    await queue.start();
    await waitFor('recovered job done', async () => (await queue.status('poison', 'recovering')) === 'done');
    expect(attempts.get('recovering')).toBe(1);
    expect(await queue.status('poison', 'poison')).toBe('failed');
    expect(attempts.has('poison')).toBe(false);
    const failed = await store.collection<JobDoc>(JOBS_COLLECTION).findOne({ _id: inlineJobDocId('poison', 'poison') });
    expect(failed?.lastError).toMatch(/stalled/);
  });

  it('wakes at once for a new job and at the due time of a delayed one, without waiting for a poll', async () => {
    const ran: string[] = [];
    // A poll interval far beyond the test's deadline: only explicit wake-ups can make these jobs run.
    const queue = open({ maxSleepMs: 60_000 });
    queue.process('prompt', async (job) => void ran.push(job.id));
    await queue.start();
    await queue.enqueue('prompt', {}, { jobId: 'immediate' });
    await waitFor('immediate job ran', () => ran.includes('immediate'));
    await queue.enqueue('prompt', {}, { jobId: 'delayed', delay: 200 });
    await waitFor('delayed job ran', () => ran.includes('delayed'));
    const retried: number[] = [];
    queue.process('prompt-retry', async (job) => {
      retried.push(job.attempt);
      if (job.attempt === 1) throw new Error('retry me');
    });
    await queue.enqueue('prompt-retry', {}, { jobId: 'retry', attempts: 2, backoff: { type: 'fixed', delay: 100 } });
    await waitFor('retry ran', () => retried.length === 2);
  });

  it('records why a job failed, also for non-Error throws', async () => {
    const queue = open();
    queue.process('thrower', async () => {
      throw 'plain string';
    });
    await queue.start();
    await queue.enqueue('thrower', {}, { jobId: 'str' });
    await waitFor('job failed', async () => (await queue.status('thrower', 'str')) === 'failed');
    const job = await store.collection<JobDoc>(JOBS_COLLECTION).findOne({ _id: inlineJobDocId('thrower', 'str') });
    expect(job?.lastError).toBe('plain string');
  });

  it('prunes done jobs after the retention window, which then frees their jobId', async () => {
    const ran: string[] = [];
    const queue = open({ completedRetentionMs: 100, pruneEveryMs: 20, maxSleepMs: 20 });
    queue.process('short-lived', async (job) => void ran.push(job.id));
    await queue.start();
    await queue.enqueue('short-lived', {}, { jobId: 'pruned' });
    await waitFor('job done', async () => (await queue.status('short-lived', 'pruned')) === 'done');
    await waitFor('job pruned', async () => (await queue.status('short-lived', 'pruned')) === null);
    await queue.enqueue('short-lived', {}, { jobId: 'pruned' });
    await waitFor('job ran again', () => ran.filter((id) => id === 'pruned').length === 2);
  });

  it('keeps done jobs, and their jobId, within the default retention window', async () => {
    const ran: string[] = [];
    const queue = open({ pruneEveryMs: 20, maxSleepMs: 20 });
    queue.process('kept', async (job) => void ran.push(job.id));
    await queue.start();
    await queue.enqueue('kept', {}, { jobId: 'kept-1' });
    await waitFor('job done', async () => (await queue.status('kept', 'kept-1')) === 'done');
    // Let several prune passes run.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await queue.status('kept', 'kept-1')).toBe('done');
  });
});
