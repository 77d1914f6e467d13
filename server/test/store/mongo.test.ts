/** The store contract on MongoDB; runs only when MONGODB_URL points at a replica set (transactions need one). */
import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import { MongoStore } from '../../src/store/mongo.ts';
import { storeContract } from './contract.ts';

const baseUrl = process.env.MONGODB_URL;

if (baseUrl) {
  storeContract('mongo', async () => {
    // A database per test keeps tests independent; it is dropped afterwards.
    const url = new URL(baseUrl);
    url.pathname = `/qiao_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    return {
      open: () => MongoStore.connect(url.toString()),
      async destroy() {
        const store = await MongoStore.connect(url.toString());
        await store.dropDatabase();
        await store.close();
      },
    };
  });
} else {
  // Skipped on purpose: no MongoDB server can be installed on these machines, so the suite runs only where
  // MONGODB_URL points at one (a replica set, for transactions); the embedded run of the same suite always runs.
  describe.skip('store contract: mongo (set MONGODB_URL to run)', () => {
    it('needs MONGODB_URL', () => {});
  });
}
