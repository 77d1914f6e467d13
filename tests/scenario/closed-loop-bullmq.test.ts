import { Redis } from 'ioredis';
import { TestApi } from '../support/api.ts';
import { closedLoop } from './closed-loop.ts';

const REDIS_URL = process.env.QIAO_TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `qiao-test-loop-${process.pid}-${Date.now()}`;

/** Null (the steps skip) only when Redis is down outside CI; in CI a missing Redis fails the run. */
async function startOnRedis(): Promise<TestApi | null> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let up = true;
  try {
    await probe.connect();
    await probe.ping();
  } catch {
    up = false;
  } finally {
    probe.disconnect();
  }
  if (!up && process.env.CI !== 'true') return null;
  const api = await TestApi.start({ redisUrl: REDIS_URL, queuePrefix: prefix });
  if (api.server.services.queue.kind !== 'bullmq') throw new Error('expected the BullMQ queue');
  return api;
}

closedLoop('the template suite closed loop on BullMQ', startOnRedis, async (api) => {
  await api?.close();
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
});
