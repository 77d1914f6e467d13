import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['form-engine/test/**/*.test.ts', 'workflow-engine/test/**/*.test.ts', 'server/test/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // 2-core machines: keep worker count low so timing-sensitive concurrency tests are not starved.
    maxWorkers: 2,
  },
});
