import { randomBytes } from 'node:crypto';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { BullmqQueue } from '../../src/queue/index.ts';
import { fromBullJobId, toBullJobId, toBullQueueName } from '../../src/queue/bullmq.ts';
import { queueContract } from './contract.ts';
import { openTempStore } from './temp-store.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisAnswers(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

// In CI Redis is part of the machine: an unreachable Redis there must fail the run, not skip it.
const skip = !(await redisAnswers()) && process.env.CI !== 'true';

describe('bullmq job ids', () => {
  it('maps every id to a distinct BullMQ-acceptable id and back', () => {
    const ids = ['plain', 'wf:instance-1:3', '42', '-7', '0', '42%', '%', '%25', '%3A', ':', 'a%3Ab', 'a:b', '007'];
    const mapped = ids.map(toBullJobId);
    expect(new Set(mapped).size).toBe(ids.length);
    for (const bullId of mapped) {
      expect(bullId).not.toContain(':');
      expect(`${Number.parseInt(bullId, 10)}`).not.toBe(bullId);
    }
    expect(mapped.map(fromBullJobId)).toEqual(ids);
    expect(toBullQueueName('workflow:timer')).not.toContain(':');
  });
});

describe.skipIf(skip)('bullmq on Redis', () => {
  queueContract('bullmq', async () => {
    const prefix = `qiao-test-${randomBytes(6).toString('hex')}`;
    const temp = await openTempStore();
    // Short lock and stall check so a killed worker's job is taken back within a second.
    const open = () => new BullmqQueue({ redisUrl: REDIS_URL, prefix, lockDurationMs: 1_000, stalledIntervalMs: 300 });
    return {
      store: temp.store,
      open,
      async simulateKilledRun(name, payload, jobId) {
        const producer = open();
        await producer.enqueue(name, payload, { jobId });
        await producer.close();
        let started!: () => void;
        const running = new Promise<void>((resolve) => (started = resolve));
        const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
        const doomed = new Worker(
          toBullQueueName(name),
          async () => {
            started();
            await new Promise(() => {});
          },
          // Same stall-check interval as the harness: a check by this worker throttles everyone's for that long.
          { connection, prefix, lockDuration: 500, stalledInterval: 300 },
        );
        await running;
        // Force close: no waiting for the job, no more lock renewals, as if the process was killed.
        await doomed.close(true);
        connection.disconnect();
      },
      async dispose() {
        await temp.dispose();
        await deleteKeys(prefix);
      },
    };
  });
});
