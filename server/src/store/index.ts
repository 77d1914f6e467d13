/** Chooses the store adapter: MongoDB when a URL is given, otherwise the embedded SQLite store. */
import type { Store } from './port.ts';

export * from './port.ts';

export interface CreateStoreOptions {
  /** Folder of the embedded store (default: QIAO_DATA_DIR, else ./data). */
  dataDir?: string;
  /** Use MongoDB (a replica set, for transactions) instead of the embedded store. */
  mongodbUrl?: string;
}

export async function createStore(options: CreateStoreOptions = {}): Promise<Store> {
  if (options.mongodbUrl) {
    const { MongoStore } = await import('./mongo.ts');
    return MongoStore.connect(options.mongodbUrl);
  }
  const { EmbeddedStore } = await import('./embedded/store.ts');
  return EmbeddedStore.open({ dataDir: options.dataDir ?? process.env.QIAO_DATA_DIR ?? './data' });
}
