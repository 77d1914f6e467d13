/**
 * Child process of the durability test: writes documents as fast as it can from several concurrent
 * loops and prints each _id only after its insert was acknowledged. The parent kills it with SIGKILL.
 */
import { createStore } from '../../src/store/index.ts';

const [dataDir] = process.argv.slice(2);
const store = await createStore({ dataDir });
const events = store.collection('events');
const LOOPS = 4;

async function loop(worker: number): Promise<never> {
  for (let i = 0; ; i++) {
    const _id = `w${worker}-${i}`;
    await events.insertOne({ _id, worker, i, payload: 'x'.repeat(200) });
    process.stdout.write(`${_id}\n`);
  }
}

process.stdout.write('ready\n');
await Promise.all(Array.from({ length: LOOPS }, (_, worker) => loop(worker)));
