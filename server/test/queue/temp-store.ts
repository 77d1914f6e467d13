import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore } from '../../src/store/index.ts';
import type { Store } from '../../src/store/port.ts';

export interface TempStore {
  store: Store;
  /** Another handle on the same data folder, as a second process would open it. */
  openAnother(): Promise<Store>;
  dispose(): Promise<void>;
}

/** An embedded store in a fresh folder, removed (with every handle opened on it) on dispose. */
export async function openTempStore(): Promise<TempStore> {
  const dataDir = await mkdtemp(join(tmpdir(), 'qiao-queue-test-'));
  const store = await createStore({ dataDir });
  const others: Store[] = [];
  return {
    store,
    async openAnother() {
      const other = await createStore({ dataDir });
      others.push(other);
      return other;
    },
    async dispose() {
      await Promise.all([store, ...others].map((handle) => handle.close()));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
