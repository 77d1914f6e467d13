/** Child process for the embedded tests: inserts the given documents into a store folder, then exits. */
import { createStore } from '../../src/store/index.ts';

const [dataDir, collection, docsJson] = process.argv.slice(2);
const store = await createStore({ dataDir });
await store.collection(collection).insertMany(JSON.parse(docsJson));
await store.close();
