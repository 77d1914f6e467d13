import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Query } from 'mingo';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/embedded/store.ts';
import { createStore } from '../../src/store/index.ts';
import { DuplicateKeyError, type Doc, type Filter, type Sort } from '../../src/store/port.ts';
import { storeContract } from './contract.ts';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'qiao-store-test-'));
}

storeContract('embedded', async () => {
  const dataDir = await tempDir();
  return {
    open: () => createStore({ dataDir }),
    destroy: () => rm(dataDir, { recursive: true, force: true }),
  };
});

describe('embedded store', () => {
  let dataDir: string;
  let store: EmbeddedStore;

  beforeEach(async () => {
    dataDir = await tempDir();
    store = EmbeddedStore.open({ dataDir });
  });

  afterEach(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  describe('query plans', () => {
    const listFilter = { tenantId: 't1', formId: 'f1', 'data.status': 'open' };

    beforeEach(async () => {
      const records = store.collection('records');
      await records.createIndex({ keys: { tenantId: 1, formId: 1, 'data.status': 1, 'data.amount': -1 } });
      await records.insertMany(
        Array.from({ length: 50 }, (_, i) => ({ _id: `r${i}`, tenantId: 't1', formId: 'f1', data: { status: i % 2 ? 'open' : 'done', amount: i, tags: ['a'] } })),
      );
    });

    it('serves the list query (equality filters, sort, limit) from the index, without a sort step', () => {
      const plan = store.explainFind('records', listFilter, { sort: { 'data.amount': -1 }, limit: 20 });
      expect(plan.filterExact).toBe(true);
      expect(plan.sortExact).toBe(true);
      expect(plan.sql).toContain('LIMIT');
      expect(plan.queryPlan.join('\n')).toMatch(/SEARCH c_records USING INDEX q_records__tenantId_1_formId_1_data\.status_1_data\.amount_-1/);
      expect(plan.queryPlan.join('\n')).not.toMatch(/TEMP B-TREE|SCAN/);
    });

    it('counts the list query from the index alone', () => {
      const plan = store.explainFind('records', listFilter);
      expect(plan.queryPlan.join('\n')).toMatch(/USING INDEX q_records__/);
      const countPlan = (store as unknown as { engine: { reader: { db: import('better-sqlite3').Database } } }).engine.reader.db
        .prepare(`EXPLAIN QUERY PLAN ${plan.sql.replace('SELECT doc', 'SELECT COUNT(*)')}`)
        .all(...plan.params) as { detail: string }[];
      expect(countPlan.map((r) => r.detail).join('\n')).toMatch(/USING COVERING INDEX q_records__/);
    });

    it('uses the index for a range filter and lets SQL narrow what mingo checks on array paths', () => {
      const range = store.explainFind('records', { tenantId: 't1', formId: 'f1', 'data.status': 'open', 'data.amount': { $gte: 10, $lt: 20 } });
      expect(range.filterExact).toBe(true);
      expect(range.queryPlan.join('\n')).toMatch(/USING INDEX q_records__.*<expr>>\? AND <expr><\?/);
      const arrayPath = store.explainFind('records', { tenantId: 't1', 'data.tags': 'a' });
      expect(arrayPath.filterExact).toBe(false);
      expect(arrayPath.sql).toContain(`json_each(doc, '$.data.tags')`);
      expect(arrayPath.queryPlan.join('\n')).toMatch(/USING INDEX q_records__/);
    });
  });

  // Flavours: with arrays most conditions fall back to mingo; without, SQL is exact and its type guards matter.
  it.each([
    { flavour: 'arrays, objects and mixed scalars', arrays: true, objects: true },
    { flavour: 'objects and mixed scalars, no arrays', arrays: false, objects: true },
    { flavour: 'mixed scalars only', arrays: false, objects: false },
  ])('agrees with mingo on random filters and sorts: $flavour', async ({ arrays, objects }) => {
    const random = seeded(42);
    const pick = <T,>(values: T[]): T => values[Math.floor(random() * values.length)];
    const scalars = [null, 0, 1, 2, 5, -1, 2.5, '', 'a', 'b', 'B', '5', '1', '{"x":1}', true, false];
    const value = (): unknown => {
      const roll = random();
      if (arrays && roll < 0.08) return [pick(scalars), pick(scalars)];
      if (objects && roll < 0.16) return { x: pick([1, 'a']) };
      return pick(scalars);
    };
    const docs: Doc[] = Array.from({ length: 300 }, (_, i) => {
      const doc: Doc = { _id: `d${String(i).padStart(3, '0')}` };
      for (const key of ['a', 'b', 'c']) if (random() < 0.85) doc[key] = value();
      if (random() < 0.7) doc.n = { x: pick(scalars), y: pick([1, 2, 3]) };
      if (random() < 0.5) doc.s = pick(['p', 'q', 'r', 10, 20]);
      return doc;
    });
    const coll = store.collection('mixed');
    await coll.createIndex({ keys: { a: 1, b: -1 } });
    await coll.createIndex({ keys: { 'n.x': 1 } });
    await coll.insertMany(docs);

    const paths = ['a', 'b', 'c', 'n.x', 'n.y', 's', '_id'];
    const condition = (): unknown => {
      const operand = () => (random() < 0.8 ? pick(scalars) : pick(['d010', 'd150', 'd299']));
      switch (pick(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'exists', 'range', 'regex'])) {
        case 'regex':
          return pick([/^a/i, /b/, { $regex: '^1' }, { $regex: 'X', $options: 'i' }, { $regex: /^d0[01]/ }, { $not: /a/ }]);
        case 'eq':
          return random() < 0.5 ? operand() : { $eq: operand() };
        case 'ne':
          return { $ne: operand() };
        case 'in':
          return { $in: [operand(), operand(), operand()] };
        case 'nin':
          return { $nin: [operand(), operand()] };
        case 'exists':
          return { $exists: random() < 0.5 };
        case 'range':
          return { $gt: pick([0, 'a', 'd100']), $lte: pick([5, 'b', 'd200']) };
        default:
          return { [`$${pick(['gt', 'gte', 'lt', 'lte'])}`]: operand() };
      }
    };
    const filter = (depth = 0): Filter => {
      const f: Filter = {};
      for (let k = 0; k < 1 + Math.floor(random() * 2); k++) f[pick(paths)] = condition();
      if (depth === 0 && random() < 0.3) f[pick(['$or', '$and'])] = [filter(1), filter(1)];
      return f;
    };
    const sortPaths = ['a', 'b', 's', 'n.y', 'c'];
    let exactRounds = 0;
    for (let round = 0; round < 250; round++) {
      const f = filter();
      // _id last keeps the order total, so both sides must agree on every position.
      const sort: Sort = { [pick(sortPaths)]: pick([1, -1] as const), _id: 1 };
      const limit = pick([undefined, 5]);
      const expected = new Query(f).find(docs).sort(sort).limit(limit ?? 1e9).all();
      const found = await coll.find(f, { sort, limit });
      expect({ f, sort, ids: found.map((d) => d._id) }).toEqual({ f, sort, ids: expected.map((d) => (d as Doc)._id) });
      expect(await coll.countDocuments(f)).toBe(new Query(f).find(docs).all().length);
      if (store.explainFind('mixed', f).filterExact) exactRounds++;
    }
    // Without arrays most random filters must be answered by SQL alone, or this test proves little.
    expect(exactRounds).toBeGreaterThan(arrays ? 0 : 150);
  });

  it('batches concurrent writes without letting one failure affect the others', async () => {
    const coll = store.collection('batch');
    await coll.insertOne({ _id: 'taken' });
    const writes = Array.from({ length: 200 }, (_, i) => coll.insertOne({ _id: i === 100 ? 'taken' : `id${i}`, i }));
    const outcomes = await Promise.allSettled(writes);
    const rejected = outcomes.filter((o) => o.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateKeyError);
    expect(await coll.countDocuments({})).toBe(200);
  });

  it('runs plain writes issued during a transaction after it, not inside it', async () => {
    const coll = store.collection('order');
    let outside!: Promise<void>;
    await expect(
      store.transaction(async (tx) => {
        await tx.collection('order').insertOne({ _id: 'in-tx' });
        outside = coll.insertOne({ _id: 'outside' });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    await outside;
    expect((await coll.find({})).map((d) => d._id)).toEqual(['outside']);
  });

  it('recovers when the first write to a new collection fails and its table creation is undone', async () => {
    const fresh = store.collection('fresh');
    await expect(fresh.insertOne({ _id: '' })).rejects.toThrow(/_id/);
    expect(await fresh.find({})).toEqual([]);
    await store.transaction(async (tx) => {
      await expect(tx.collection('fresh-in-tx').insertOne({ _id: '' })).rejects.toThrow(/_id/);
      await tx.collection('fresh-in-tx').insertOne({ _id: 'ok' });
    });
    expect(await store.collection('fresh-in-tx').find({})).toEqual([{ _id: 'ok' }]);
  });

  it('refuses a nested transaction instead of deadlocking', async () => {
    await expect(store.transaction(() => store.transaction(async () => 1))).rejects.toThrow(/nested transaction/);
  });

  it('rejects the tx session after its transaction ended', async () => {
    let leaked!: import('../../src/store/port.ts').StoreSession;
    await store.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked.collection('x').insertOne({ _id: 'late' })).rejects.toThrow(/finished/);
  });

  it('loses no acknowledged write when the writing process is killed with SIGKILL', async () => {
    const killDir = await tempDir();
    try {
      const script = fileURLToPath(new URL('./durability-writer.ts', import.meta.url));
      const child = spawn(process.execPath, ['--import', 'tsx', script, killDir], {
        cwd: fileURLToPath(new URL('../../..', import.meta.url)),
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const acknowledged: string[] = [];
      let buffered = '';
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      await new Promise<void>((resolve, reject) => {
        child.on('error', reject);
        child.on('exit', () => reject(new Error(`writer exited early after ${acknowledged.length} acks`)));
        child.stdout!.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          for (const line of lines) if (line && line !== 'ready') acknowledged.push(line);
          if (acknowledged.length >= 300 && child.exitCode === null && !child.killed) {
            child.kill('SIGKILL');
            resolve();
          }
        });
      });
      expect(await exited).toBe('SIGKILL');
      // Lines that were already in the pipe when the kill landed are acknowledged writes too.
      for (const line of buffered.split('\n')) if (line && line !== 'ready') acknowledged.push(line);

      const reopened = EmbeddedStore.open({ dataDir: killDir });
      try {
        const stored = new Set((await reopened.collection('events').find({}, { projection: { _id: 1 } })).map((d) => d._id));
        const lost = acknowledged.filter((id) => !stored.has(id));
        expect(acknowledged.length).toBeGreaterThanOrEqual(300);
        expect(lost).toEqual([]);
      } finally {
        await reopened.close();
      }
    } finally {
      await rm(killDir, { recursive: true, force: true });
    }
  });

  it('sees documents another process wrote, including values of new kinds at known paths', async () => {
    const coll = store.collection('shared');
    await coll.insertOne({ _id: 'here', tags: 'x' });
    expect((await coll.find({ tags: 'x' })).map((d) => d._id)).toEqual(['here']);
    await runChild('insert-child.ts', [dataDir, 'shared', JSON.stringify([{ _id: 'there', tags: ['y', 'x'] }])]);
    // This process never saw an array at `tags`; plain SQL equality would miss the other process's document.
    expect((await coll.find({ tags: 'x' }, { sort: { _id: 1 } })).map((d) => d._id)).toEqual(['here', 'there']);
    expect(await coll.countDocuments({ tags: 'y' })).toBe(1);
  });

  it('serializes two stores opened on the same folder in one process instead of deadlocking', async () => {
    const second = EmbeddedStore.open({ dataDir });
    try {
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const slow = store.transaction(async (tx) => {
        await tx.collection('pair').insertOne({ _id: 'from-first' });
        entered();
        await new Promise((resolve) => setTimeout(resolve, 50));
      });
      await inside;
      await second.collection('pair').insertOne({ _id: 'from-second' });
      await slow;
      expect((await store.collection('pair').find({}, { sort: { _id: 1 } })).map((d) => d._id)).toEqual(['from-first', 'from-second']);
    } finally {
      await second.close();
    }
    // The first store still works after the second closed.
    expect(await store.collection('pair').countDocuments({})).toBe(2);
  });

  it('stores the database as qiao.db in the data folder', async () => {
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(dataDir, 'qiao.db'))).toBe(true);
  });
});

async function runChild(script: string, args: string[]): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(`./${script}`, import.meta.url)), ...args], {
    cwd: fileURLToPath(new URL('../../..', import.meta.url)),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
