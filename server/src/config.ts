import { resolve } from 'node:path';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  mongodbUrl?: string;
  redisUrl?: string;
  /** Key prefix for BullMQ so several deployments (or test runs) can share one Redis. */
  queuePrefix: string;
  /** Session token lifetime. */
  tokenTtlMs: number;
  /** Run queue consumers in this process (the API process does unless QIAO_WORKER=off). */
  runWorkers: boolean;
  webDist: string;
  /** How often workers look for stuck workflow instances. */
  sweepIntervalMs: number;
  logLevel: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: Number(env.PORT ?? 3000),
    host: env.HOST ?? '0.0.0.0',
    dataDir: resolve(env.QIAO_DATA_DIR ?? './data'),
    mongodbUrl: env.MONGODB_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    queuePrefix: env.QIAO_QUEUE_PREFIX ?? 'qiao',
    tokenTtlMs: Number(env.QIAO_TOKEN_TTL_HOURS ?? 24 * 7) * 3600_000,
    runWorkers: env.QIAO_WORKER !== 'off',
    webDist: resolve(env.QIAO_WEB_DIST ?? new URL('../../web/dist', import.meta.url).pathname),
    sweepIntervalMs: Number(env.QIAO_SWEEP_INTERVAL_MS ?? 30_000),
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
  };
}
