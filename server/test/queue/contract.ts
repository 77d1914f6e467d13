/**
 * The queue port's contract, run against every adapter. A harness gives fresh, isolated backing state
 * (a store, and for BullMQ a Redis key prefix) per test; `open()` is "a new process on that state".
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/port.ts';
import { OutboxRelay, writeOutbox, type InspectableQueue, type JobInfo, type Queue } from '../../src/queue/index.ts';
import { deferred, sleep, waitFor } from './helpers.ts';

export interface QueueHarness {
  /** Holds the outbox (and the inline queue's jobs). */
  store: Store;
  /** A new queue instance on the same backing state, as another or a restarted process would open it. */
  open(): InspectableQueue;
  /** Leave the job exactly as a process killed while running it leaves it: claimed, its lock abandoned. */
  simulateKilledRun(name: string, payload: unknown, jobId: string): Promise<void>;
  dispose(): Promise<void>;
}

/** Longer than setTimeout can wait (2^31 - 1 ms, about 24.8 days): a naive timer would fire at once. */
const BEYOND_SET_TIMEOUT_MS = 2 ** 31 + 60_000;

export function queueContract(name: string, makeHarness: () => Promise<QueueHarness>): void {
  describe(`queue contract: ${name}`, () => {
    let harness: QueueHarness;
    let opened: Queue[];

    beforeEach(async () => {
      harness = await makeHarness();
      opened = [];
    });

    afterEach(async () => {
      await Promise.all(opened.map((queue) => queue.close()));
      await harness.dispose();
    });

    function open(): InspectableQueue {
      const queue = harness.open();
      opened.push(queue);
      return queue;
    }

    /** Records every call of a handler, in order. */
    function recorder(behaviour: (job: JobInfo) => Promise<void> | void = () => {}) {
      const calls: (JobInfo & { at: number })[] = [];
      const handler = async (job: JobInfo) => {
        calls.push({ ...job, at: Date.now() });
        await behaviour(job);
      };
      return { calls, handler, ids: () => calls.map((call) => call.id) };
    }

    /**
     * Enqueue a marker job behind everything already queued under `jobName` (concurrency 1) and wait for it:
     * proves that anything that was going to run before it has had its chance, without a fixed sleep.
     */
    async function drain(queue: Queue, jobName: string, calls: () => string[]): Promise<void> {
      const marker = `drain-${Math.random().toString(36).slice(2)}`;
      await queue.enqueue(jobName, { marker: true }, { jobId: marker });
      await waitFor(`marker ${marker} ran`, () => calls().includes(marker));
    }

    it('delivers a job to the handler registered for its name, payload intact', async () => {
      const queue = open();
      const emails = recorder();
      const other = recorder();
      queue.process('email', emails.handler);
      queue.process('other', other.handler);
      await queue.start();
      const payload = {
        text: 'héllo 桥 🚀',
        n: 1.5,
        negative: -3,
        big: 2 ** 53 - 1,
        yes: true,
        no: false,
        nothing: null,
        empty: '',
        list: [1, 'two', { three: 3 }, []],
        nested: { deep: { deeper: { value: 'x' } } },
      };
      const id = await queue.enqueue('email', payload, { jobId: 'email-1' });
      expect(id).toBe('email-1');
      await waitFor('email job ran', () => emails.calls.length === 1);
      expect(emails.calls[0]).toMatchObject({ id: 'email-1', name: 'email', payload, attempt: 1 });
      await waitFor('job marked done', async () => (await queue.status('email', 'email-1')) === 'done');
      expect(other.calls).toHaveLength(0);
    });

    it('gives distinct ids to jobs enqueued without a jobId, and hands that id to the handler', async () => {
      const queue = open();
      const jobs = recorder();
      queue.process('ping', jobs.handler);
      await queue.start();
      const first = await queue.enqueue('ping', { n: 1 });
      const second = await queue.enqueue('ping', { n: 2 });
      expect(first).not.toBe(second);
      await waitFor('both ran', () => jobs.calls.length === 2);
      expect(jobs.ids().sort()).toEqual([first, second].sort());
    });

    it('keeps ids containing ":" , "%" or digits only distinct and intact', async () => {
      const queue = open();
      const jobs = recorder();
      queue.process('odd-ids', jobs.handler);
      await queue.start();
      const ids = ['wf:instance-1:3', '42', '42%', '%', '%25', '%3A', ':', 'a%3Ab', 'a:b'];
      for (const id of ids) expect(await queue.enqueue('odd-ids', { id }, { jobId: id })).toBe(id);
      await waitFor('every id ran', () => jobs.calls.length >= ids.length);
      await drain(queue, 'odd-ids', jobs.ids);
      expect(jobs.ids().slice(0, ids.length).sort()).toEqual([...ids].sort());
      for (const call of jobs.calls.slice(0, ids.length)) expect(call.payload).toEqual({ id: call.id });
    });

    it('runs up to `concurrency` jobs of a name at once, and no more', async () => {
      const queue = open();
      let inFlight = 0;
      let maxInFlight = 0;
      const gate = deferred();
      const jobs = recorder(async () => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await gate.promise;
        inFlight -= 1;
      });
      queue.process('parallel', jobs.handler, { concurrency: 3 });
      await queue.start();
      for (let i = 0; i < 6; i += 1) await queue.enqueue('parallel', { i });
      try {
        await waitFor('three jobs in flight', () => inFlight === 3);
        // Give a fourth job the chance to start if the limit were not enforced (a negative cannot be polled for).
        await sleep(250);
        expect(maxInFlight).toBe(3);
      } finally {
        gate.resolve();
      }
      await waitFor('all six ran', () => jobs.calls.length === 6);
      expect(maxInFlight).toBe(3);
    });

    it('retries a failing job with fixed backoff: fails twice, succeeds on attempt 3', async () => {
      const queue = open();
      const jobs = recorder((job) => {
        if (job.attempt < 3) throw new Error(`failure ${job.attempt}`);
      });
      queue.process('flaky', jobs.handler);
      await queue.start();
      await queue.enqueue('flaky', { x: 1 }, { jobId: 'flaky-1', attempts: 3, backoff: { type: 'fixed', delay: 100 } });
      await waitFor('job done', async () => (await queue.status('flaky', 'flaky-1')) === 'done');
      expect(jobs.calls.map((call) => call.attempt)).toEqual([1, 2, 3]);
      expect(jobs.calls.every((call) => call.id === 'flaky-1' && (call.payload as { x: number }).x === 1)).toBe(true);
      expect(jobs.calls[1].at - jobs.calls[0].at).toBeGreaterThanOrEqual(100);
      expect(jobs.calls[2].at - jobs.calls[1].at).toBeGreaterThanOrEqual(100);
    });

    it('doubles the wait with exponential backoff, and marks the job failed when attempts run out', async () => {
      const queue = open();
      const jobs = recorder(() => {
        throw new Error('always fails');
      });
      queue.process('doomed', jobs.handler);
      await queue.start();
      await queue.enqueue('doomed', {}, { jobId: 'doomed-1', attempts: 3, backoff: { type: 'exponential', delay: 100 } });
      await waitFor('job failed', async () => (await queue.status('doomed', 'doomed-1')) === 'failed');
      expect(jobs.calls.map((call) => call.attempt)).toEqual([1, 2, 3]);
      expect(jobs.calls[1].at - jobs.calls[0].at).toBeGreaterThanOrEqual(100);
      expect(jobs.calls[2].at - jobs.calls[1].at).toBeGreaterThanOrEqual(200);
    });

    it('runs a job once with the default of one attempt, and a failed jobId stays taken', async () => {
      const queue = open();
      const jobs = recorder((job) => {
        if (job.id === 'once') throw new Error('no retry expected');
      });
      queue.process('single', jobs.handler);
      await queue.start();
      await queue.enqueue('single', {}, { jobId: 'once' });
      await waitFor('job failed', async () => (await queue.status('single', 'once')) === 'failed');
      await queue.enqueue('single', {}, { jobId: 'once' });
      await drain(queue, 'single', jobs.ids);
      expect(jobs.ids().filter((id) => id === 'once')).toHaveLength(1);
    });

    it('does not run a delayed job before its delay, and runs it after', async () => {
      const queue = open();
      const jobs = recorder();
      queue.process('later', jobs.handler);
      await queue.start();
      const enqueuedAt = Date.now();
      await queue.enqueue('later', {}, { jobId: 'later-1', delay: 300 });
      expect(await queue.status('later', 'later-1')).toBe('pending');
      await waitFor('delayed job ran', () => jobs.calls.length === 1);
      expect(jobs.calls[0].at - enqueuedAt).toBeGreaterThanOrEqual(300);
    });

    it('holds a job delayed longer than setTimeout allows instead of running it early', async () => {
      const queue = open();
      const jobs = recorder();
      queue.process('far', jobs.handler);
      await queue.start();
      await queue.enqueue('far', {}, { jobId: 'far-future', delay: BEYOND_SET_TIMEOUT_MS });
      await queue.enqueue('far', {}, { jobId: 'soon', delay: 200 });
      await waitFor('the short delay ran', () => jobs.ids().includes('soon'));
      await drain(queue, 'far', jobs.ids);
      expect(jobs.ids()).not.toContain('far-future');
      expect(await queue.status('far', 'far-future')).toBe('pending');
    });

    it('ignores a second enqueue with the jobId of a pending job', async () => {
      const queue = open();
      const jobs = recorder();
      queue.process('dedupe', jobs.handler);
      expect(await queue.enqueue('dedupe', { v: 1 }, { jobId: 'same' })).toBe('same');
      expect(await queue.enqueue('dedupe', { v: 2 }, { jobId: 'same' })).toBe('same');
      await queue.start();
      await drain(queue, 'dedupe', jobs.ids);
      expect(jobs.calls.filter((call) => call.id === 'same').map((call) => call.payload)).toEqual([{ v: 1 }]);
    });

    it('ignores a redelivered enqueue after the job completed', async () => {
      const queue = open();
      const jobs = recorder();
      queue.process('dedupe', jobs.handler);
      await queue.start();
      await queue.enqueue('dedupe', {}, { jobId: 'done-once' });
      await waitFor('job done', async () => (await queue.status('dedupe', 'done-once')) === 'done');
      await queue.enqueue('dedupe', {}, { jobId: 'done-once' });
      await drain(queue, 'dedupe', jobs.ids);
      expect(jobs.ids().filter((id) => id === 'done-once')).toHaveLength(1);
    });

    it('scopes a jobId to its job name', async () => {
      const queue = open();
      const a = recorder();
      const b = recorder();
      queue.process('kind-a', a.handler);
      queue.process('kind-b', b.handler);
      await queue.start();
      await queue.enqueue('kind-a', {}, { jobId: 'shared' });
      await queue.enqueue('kind-b', {}, { jobId: 'shared' });
      await waitFor('both kinds ran', () => a.calls.length === 1 && b.calls.length === 1);
    });

    it('loses no job across a restart: a delayed job due while down runs once after start', async () => {
      const first = open();
      const before = recorder();
      first.process('timer', before.handler);
      await first.start();
      await first.enqueue('timer', { step: 'remind' }, { jobId: 'timer-1', delay: 300 });
      await first.close();
      // The process is down while the job falls due.
      await sleep(400);
      expect(before.calls).toHaveLength(0);
      const second = open();
      const after = recorder();
      second.process('timer', after.handler);
      await second.start();
      await waitFor('timer fired after restart', () => after.calls.length === 1);
      expect(after.calls[0]).toMatchObject({ id: 'timer-1', payload: { step: 'remind' } });
      await drain(second, 'timer', after.ids);
      expect(after.ids().filter((id) => id === 'timer-1')).toHaveLength(1);
    });

    it('runs again, once, a job whose process was killed while running it', async () => {
      await harness.simulateKilledRun('work', { important: true }, 'killed-1');
      expect(await open().status('work', 'killed-1')).toBe('running');
      const queue = open();
      const jobs = recorder();
      queue.process('work', jobs.handler);
      await queue.start();
      await waitFor('interrupted job ran again', () => jobs.calls.length === 1);
      expect(jobs.calls[0]).toMatchObject({ id: 'killed-1', payload: { important: true } });
      await waitFor('job done', async () => (await queue.status('work', 'killed-1')) === 'done');
      await drain(queue, 'work', jobs.ids);
      expect(jobs.ids().filter((id) => id === 'killed-1')).toHaveLength(1);
    });

    it('never runs one job in two processes consuming the same backing state', async () => {
      const counts = new Map<string, number>();
      const handler = async (job: JobInfo) => {
        counts.set(job.id, (counts.get(job.id) ?? 0) + 1);
        await sleep(5);
      };
      const one = open();
      const two = open();
      one.process('shared-work', handler, { concurrency: 2 });
      two.process('shared-work', handler, { concurrency: 2 });
      await Promise.all([one.start(), two.start()]);
      const ids = Array.from({ length: 30 }, (_, i) => `job-${i}`);
      await Promise.all(ids.map((id, i) => (i % 2 ? one : two).enqueue('shared-work', { id }, { jobId: id })));
      await waitFor('every job ran', () => counts.size === ids.length);
      await Promise.all([one.close(), two.close()]);
      expect([...counts.values()].every((count) => count === 1)).toBe(true);
    });

    it('lets running jobs finish on close', async () => {
      const queue = open();
      const gate = deferred();
      let finished = false;
      queue.process('slow', async () => {
        await gate.promise;
        finished = true;
      });
      await queue.start();
      await queue.enqueue('slow', {}, { jobId: 'slow-1' });
      await waitFor('job running', async () => (await queue.status('slow', 'slow-1')) === 'running');
      const closing = queue.close();
      gate.resolve();
      await closing;
      expect(finished).toBe(true);
      expect(await open().status('slow', 'slow-1')).toBe('done');
    });

    it('refuses invalid options', async () => {
      const queue = open();
      await expect(queue.enqueue('x', {}, { attempts: 0 })).rejects.toThrow(RangeError);
      await expect(queue.enqueue('x', {}, { delay: -1 })).rejects.toThrow(RangeError);
      await expect(queue.enqueue('x', {}, { jobId: '' })).rejects.toThrow(RangeError);
      expect(() => queue.process('x', async () => {}, { concurrency: 0 })).toThrow(RangeError);
    });

    describe('transactional outbox', () => {
      it('never enqueues jobs written in a transaction that rolled back', async () => {
        const queue = open();
        const jobs = recorder();
        queue.process('effect', jobs.handler);
        await queue.start();
        const relay = new OutboxRelay({ store: harness.store, queue });
        await expect(
          harness.store.transaction(async (tx) => {
            await writeOutbox(tx, [{ name: 'effect', payload: { n: 1 }, options: { jobId: 'rolled-back' } }]);
            throw new Error('abort the unit of work');
          }),
        ).rejects.toThrow('abort the unit of work');
        expect(await relay.flush()).toBe(0);
        await drain(queue, 'effect', jobs.ids);
        expect(jobs.ids()).not.toContain('rolled-back');
        expect(await queue.status('effect', 'rolled-back')).toBeNull();
      });

      it('enqueues committed jobs exactly once even when two relays run at the same time', async () => {
        const consumer = open();
        const counts = new Map<string, number>();
        consumer.process('effect', async (job) => {
          counts.set(job.id, (counts.get(job.id) ?? 0) + 1);
        });
        await consumer.start();
        const ids = Array.from({ length: 20 }, (_, i) => `effect-${i}`);
        await harness.store.transaction(async (tx) => {
          await tx.collection('outbox_test_data').insertOne({ _id: 'data-1' });
          await writeOutbox(
            tx,
            ids.map((id, i) => ({ name: 'effect', payload: { i }, options: { jobId: id } })),
          );
        });
        const relayA = new OutboxRelay({ store: harness.store, queue: open() });
        const relayB = new OutboxRelay({ store: harness.store, queue: open() });
        const [a, b] = await Promise.all([relayA.flush(), relayB.flush()]);
        expect(a + b).toBe(ids.length);
        expect(await harness.store.collection('_outbox').countDocuments({})).toBe(0);
        await waitFor('every committed job ran', () => counts.size === ids.length);
        await drain(consumer, 'effect', () => [...counts.keys()]);
        for (const id of ids) expect(counts.get(id)).toBe(1);
      });

      it('assigns a jobId to outbox jobs without one, so relaying an entry twice runs it once', async () => {
        const queue = open();
        const jobs = recorder();
        queue.process('effect', jobs.handler);
        await queue.start();
        await harness.store.transaction((tx) => writeOutbox(tx, [{ name: 'effect', payload: { anonymous: true } }]));
        const [entry] = await harness.store.collection('_outbox').find({});
        // A relay that crashed after enqueueing but before deleting the entry leaves exactly this behind.
        await queue.enqueue('effect', { anonymous: true }, { jobId: entry.jobId as string });
        expect(await new OutboxRelay({ store: harness.store, queue }).flush()).toBe(1);
        await drain(queue, 'effect', jobs.ids);
        expect(jobs.ids().filter((id) => id === entry.jobId)).toHaveLength(1);
      });

      it('relays when notified after a commit, and sweeps up entries nobody announced', async () => {
        const queue = open();
        const jobs = recorder();
        queue.process('effect', jobs.handler);
        await queue.start();
        const relay = new OutboxRelay({ store: harness.store, queue, pollMs: 100 });
        relay.start();
        try {
          await harness.store.transaction((tx) => writeOutbox(tx, [{ name: 'effect', payload: {}, options: { jobId: 'notified' } }]));
          relay.notify();
          await waitFor('notified job ran', () => jobs.ids().includes('notified'));
          // As if the writing process died between commit and notify().
          await harness.store.transaction((tx) => writeOutbox(tx, [{ name: 'effect', payload: {}, options: { jobId: 'orphaned' } }]));
          await waitFor('orphaned job ran', () => jobs.ids().includes('orphaned'));
        } finally {
          await relay.stop();
        }
      });

      it('keeps the delay and retry options of an outbox job', async () => {
        const queue = open();
        const jobs = recorder((job) => {
          if (job.attempt === 1) throw new Error('first try fails');
        });
        queue.process('effect', jobs.handler);
        await queue.start();
        const writtenAt = Date.now();
        await harness.store.transaction((tx) =>
          writeOutbox(tx, [{ name: 'effect', payload: {}, options: { jobId: 'timed', delay: 300, attempts: 2, backoff: { type: 'fixed', delay: 50 } } }]),
        );
        await new OutboxRelay({ store: harness.store, queue }).flush();
        await waitFor('retried job done', async () => (await queue.status('effect', 'timed')) === 'done');
        expect(jobs.calls.map((call) => call.attempt)).toEqual([1, 2]);
        expect(jobs.calls[0].at - writtenAt).toBeGreaterThanOrEqual(300);
      });

      it('rejects an invalid outbox job inside the transaction, so nothing is committed', async () => {
        await expect(
          harness.store.transaction((tx) => writeOutbox(tx, [{ name: 'effect', payload: {}, options: { attempts: -1 } }])),
        ).rejects.toThrow(RangeError);
        expect(await harness.store.collection('_outbox').countDocuments({})).toBe(0);
      });
    });
  });
}
