import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.QIAO_TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether Redis answers a PING (one quick attempt). */
export async function redisReachable(url = TEST_REDIS_URL): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** In CI Redis is part of the machine: an unreachable Redis there must fail the run, not skip it. */
export const runRedisTests = (reachable: boolean) => reachable || process.env.CI === 'true';

/** Remove the keys a test run left under its own prefix. */
export async function deleteRedisKeys(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url);
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
