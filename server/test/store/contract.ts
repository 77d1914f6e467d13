/**
 * The store contract: every adapter must pass it. Results are compared order-insensitively wherever
 * MongoDB leaves the order unspecified (no sort, or $group output).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuplicateKeyError, type Collection, type Doc, type Store } from '../../src/store/port.ts';

/** One store location: `open()` may be called again after `close()` to reopen the same data. */
export interface StoreFixture {
  open(): Promise<Store>;
  destroy(): Promise<void>;
}

const ids = (docs: Doc[]) => docs.map((d) => d._id);
const sortedIds = (docs: Doc[]) => ids(docs).sort();

export function storeContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`store contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;
    let items: Collection;

    beforeEach(async () => {
      fixture = await makeStore();
      store = await fixture.open();
      items = store.collection('items');
    });

    afterEach(async () => {
      await store.close();
      await fixture.destroy();
    });

    describe('insert and find', () => {
      it('inserts one and many, finds them back, rejects a duplicate _id', async () => {
        await items.insertOne({ _id: 'a', n: 1 });
        await items.insertMany([{ _id: 'b', n: 2 }, { _id: 'c', n: 3 }]);
        expect(await items.findOne({ _id: 'b' })).toEqual({ _id: 'b', n: 2 });
        expect(await items.findOne({ _id: 'zz' })).toBeNull();
        expect(sortedIds(await items.find({}))).toEqual(['a', 'b', 'c']);
        const error = await items.insertOne({ _id: 'a', n: 9 }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DuplicateKeyError);
        expect((error as DuplicateKeyError).keyValue).toEqual({ _id: 'a' });
        expect(await items.findOne({ _id: 'a' })).toEqual({ _id: 'a', n: 1 });
      });

      it('round-trips nested objects, arrays, booleans and null', async () => {
        const doc = { _id: 'x', data: { s: 'text', n: 1.5, b: false, nil: null, list: [1, 'two', { three: 3 }] } };
        await items.insertOne(doc);
        expect(await items.findOne({ _id: 'x' })).toEqual(doc);
      });

      it('applies inclusion, exclusion and _id-less projections, including dotted paths', async () => {
        await items.insertOne({ _id: 'p', a: 1, b: { c: 2, d: 3 }, e: 4 });
        expect(await items.findOne({ _id: 'p' }, { projection: { a: 1, 'b.c': 1 } })).toEqual({ _id: 'p', a: 1, b: { c: 2 } });
        expect(await items.findOne({ _id: 'p' }, { projection: { b: 0, e: 0 } })).toEqual({ _id: 'p', a: 1 });
        expect(await items.findOne({ _id: 'p' }, { projection: { _id: 0, e: 1 } })).toEqual({ e: 4 });
      });

      it('sorts ascending and descending on several keys, with skip and limit', async () => {
        await items.insertMany([
          { _id: '1', g: 'b', n: 2 },
          { _id: '2', g: 'a', n: 5 },
          { _id: '3', g: 'b', n: 9 },
          { _id: '4', g: 'a', n: 1 },
          { _id: '5', g: 'c', n: 3 },
        ]);
        expect(ids(await items.find({}, { sort: { n: 1 } }))).toEqual(['4', '1', '5', '2', '3']);
        expect(ids(await items.find({}, { sort: { n: -1 } }))).toEqual(['3', '2', '5', '1', '4']);
        expect(ids(await items.find({}, { sort: { g: 1, n: -1 } }))).toEqual(['2', '4', '3', '1', '5']);
        expect(ids(await items.find({}, { sort: { g: -1, n: 1 } }))).toEqual(['5', '1', '3', '4', '2']);
        expect(ids(await items.find({}, { sort: { n: 1 }, skip: 1, limit: 2 }))).toEqual(['1', '5']);
        expect(ids(await items.find({}, { sort: { n: 1 }, skip: 4, limit: 10 }))).toEqual(['3']);
        expect(ids(await items.find({ g: 'b' }, { sort: { n: -1 }, limit: 1 }))).toEqual(['3']);
        expect((await items.findOne({}, { sort: { n: -1 } }))?._id).toBe('3');
      });

      it('sorts null and missing before numbers and numbers before strings ascending, reversed descending', async () => {
        await items.insertMany([
          { _id: 's', v: 'abc' },
          { _id: 'n2', v: 10 },
          { _id: 'null', v: null },
          { _id: 'n1', v: -3.5 },
          { _id: 'missing' },
          { _id: 's2', v: 'Abc' },
        ]);
        const ascending = ids(await items.find({}, { sort: { v: 1, _id: 1 } }));
        expect(ascending).toEqual(['missing', 'null', 'n1', 'n2', 's2', 's']);
        const descending = ids(await items.find({}, { sort: { v: -1, _id: 1 } }));
        expect(descending).toEqual(['s', 's2', 'n2', 'n1', 'missing', 'null']);
      });

      it('counts documents', async () => {
        await items.insertMany([{ _id: '1', t: 'x' }, { _id: '2', t: 'x' }, { _id: '3', t: 'y' }]);
        expect(await items.countDocuments({})).toBe(3);
        expect(await items.countDocuments({ t: 'x' })).toBe(2);
        expect(await items.countDocuments({ t: 'z' })).toBe(0);
        expect(await store.collection('never_written').countDocuments({})).toBe(0);
        expect(await store.collection('never_written').find({ a: 1 })).toEqual([]);
      });
    });

    describe('filter semantics', () => {
      beforeEach(async () => {
        await items.insertMany([
          { _id: 'num', a: 5 },
          { _id: 'str', a: '5' },
          { _id: 'null', a: null },
          { _id: 'missing' },
          { _id: 'arr', a: [1, 5, 9] },
          { _id: 'obj', a: { b: 1 } },
          { _id: 'true', a: true },
          { _id: 'one', a: 1 },
        ]);
      });

      it('null matches null and missing; $exists tells them apart', async () => {
        expect(sortedIds(await items.find({ a: null }))).toEqual(['missing', 'null']);
        expect(sortedIds(await items.find({ a: { $exists: false } }))).toEqual(['missing']);
        expect(sortedIds(await items.find({ a: { $exists: true } }))).toEqual(['arr', 'null', 'num', 'obj', 'one', 'str', 'true']);
        expect(sortedIds(await items.find({ a: { $ne: null } }))).toEqual(['arr', 'num', 'obj', 'one', 'str', 'true']);
      });

      it('equality on a scalar also matches arrays containing it, and no other type', async () => {
        expect(sortedIds(await items.find({ a: 5 }))).toEqual(['arr', 'num']);
        expect(sortedIds(await items.find({ a: '5' }))).toEqual(['str']);
        expect(sortedIds(await items.find({ a: 1 }))).toEqual(['arr', 'one']);
        expect(sortedIds(await items.find({ a: true }))).toEqual(['true']);
        expect(sortedIds(await items.find({ a: [1, 5, 9] }))).toEqual(['arr']);
        expect(sortedIds(await items.find({ a: { b: 1 } }))).toEqual(['obj']);
        expect(sortedIds(await items.find({ 'a.b': 1 }))).toEqual(['obj']);
      });

      it('comparisons only match values of the same type (type bracketing)', async () => {
        expect(sortedIds(await items.find({ a: { $gt: 1 } }))).toEqual(['arr', 'num']);
        expect(sortedIds(await items.find({ a: { $gte: 1, $lt: 5 } }))).toEqual(['arr', 'one']);
        expect(sortedIds(await items.find({ a: { $lte: 0 } }))).toEqual([]);
        expect(sortedIds(await items.find({ a: { $gt: '' } }))).toEqual(['str']);
        expect(sortedIds(await items.find({ a: { $lt: 'z' } }))).toEqual(['str']);
      });

      it('$ne and $nin match missing fields and exclude arrays containing the value', async () => {
        expect(sortedIds(await items.find({ a: { $ne: 5 } }))).toEqual(['missing', 'null', 'obj', 'one', 'str', 'true']);
        expect(sortedIds(await items.find({ a: { $nin: [5, null, '5'] } }))).toEqual(['obj', 'one', 'true']);
        expect(sortedIds(await items.find({ a: { $ne: true } }))).not.toContain('true');
        expect(sortedIds(await items.find({ a: { $ne: true } }))).toContain('one');
      });

      it('$in matches any listed value, including inside arrays and null for missing', async () => {
        expect(sortedIds(await items.find({ a: { $in: [9, '5'] } }))).toEqual(['arr', 'str']);
        expect(sortedIds(await items.find({ a: { $in: [null, true] } }))).toEqual(['missing', 'null', 'true']);
        expect(sortedIds(await items.find({ a: { $in: [] } }))).toEqual([]);
        expect(sortedIds(await items.find({ _id: { $in: ['num', 'str', 'nope'] } }))).toEqual(['num', 'str']);
      });

      it('$or, $and and implicit and combine', async () => {
        expect(sortedIds(await items.find({ $or: [{ a: '5' }, { a: true }, { _id: 'missing' }] }))).toEqual(['missing', 'str', 'true']);
        expect(sortedIds(await items.find({ $and: [{ a: { $gte: 1 } }, { a: { $lte: 1 } }] }))).toEqual(['arr', 'one']);
        expect(sortedIds(await items.find({ _id: { $gte: 'o' }, a: { $exists: true } }))).toEqual(['obj', 'one', 'str', 'true']);
        expect(sortedIds(await items.find({ $or: [{ a: 5 }], _id: { $ne: 'arr' } }))).toEqual(['num']);
      });

      it('dotted paths reach into arrays of objects', async () => {
        const orders = store.collection('orders');
        await orders.insertMany([
          { _id: 'o1', data: { items: [{ product: 'P1', qty: 2 }, { product: 'P2', qty: 1 }] } },
          { _id: 'o2', data: { items: [{ product: 'P2', qty: 5 }] } },
          { _id: 'o3', data: { items: [] } },
          { _id: 'o4', data: {} },
        ]);
        expect(sortedIds(await orders.find({ 'data.items.product': 'P1' }))).toEqual(['o1']);
        expect(sortedIds(await orders.find({ 'data.items.product': 'P2' }))).toEqual(['o1', 'o2']);
        expect(sortedIds(await orders.find({ 'data.items.qty': { $gt: 3 } }))).toEqual(['o2']);
        expect(sortedIds(await orders.find({ 'data.items.product': { $in: ['P1', 'P9'] } }))).toEqual(['o1']);
        expect(await orders.countDocuments({ 'data.items.product': 'P2' })).toBe(2);
      });

      it('regular expressions and other operators work through the same filter', async () => {
        const people = store.collection('people');
        await people.insertMany([
          { _id: '1', name: 'Ada', tags: ['x', 'y'] },
          { _id: '2', name: 'Bob', tags: ['y'] },
        ]);
        expect(sortedIds(await people.find({ name: { $regex: '^a', $options: 'i' } }))).toEqual(['1']);
        expect(sortedIds(await people.find({ tags: { $all: ['x', 'y'] } }))).toEqual(['1']);
        expect(sortedIds(await people.find({ tags: { $size: 1 } }))).toEqual(['2']);
        expect(sortedIds(await people.find({ name: { $not: { $eq: 'Ada' } } }))).toEqual(['2']);
      });
    });

    describe('updates and deletes', () => {
      it('updateOne applies $set, $inc, $push and $unset on dotted paths', async () => {
        await items.insertOne({ _id: 'u', data: { amount: 1, old: true }, version: 1 });
        const result = await items.updateOne(
          { _id: 'u' },
          { $set: { 'data.name': 'n', 'data.deep.x': 1 }, $inc: { 'data.amount': 2.5, version: 1 }, $push: { 'data.log': 'a' }, $unset: { 'data.old': '' } },
        );
        expect(result).toEqual({ matchedCount: 1, modifiedCount: 1 });
        await items.updateOne({ _id: 'u' }, { $push: { 'data.log': 'b' } });
        expect(await items.findOne({ _id: 'u' })).toEqual({
          _id: 'u',
          data: { amount: 3.5, name: 'n', deep: { x: 1 }, log: ['a', 'b'] },
          version: 2,
        });
      });

      it('reports matched but not modified for a no-op, and nothing for no match', async () => {
        await items.insertOne({ _id: 'u', a: 1 });
        expect(await items.updateOne({ _id: 'u' }, { $set: { a: 1 } })).toEqual({ matchedCount: 1, modifiedCount: 0 });
        expect(await items.updateOne({ _id: 'nope' }, { $set: { a: 1 } })).toEqual({ matchedCount: 0, modifiedCount: 0 });
      });

      it('updateOne with upsert inserts from the filter equalities and the update', async () => {
        const result = await items.updateOne({ _id: 'up', kind: 'k' }, { $set: { a: 1 }, $inc: { n: 2 } }, { upsert: true });
        expect(result).toEqual({ matchedCount: 0, modifiedCount: 0, upsertedId: 'up' });
        expect(await items.findOne({ _id: 'up' })).toEqual({ _id: 'up', kind: 'k', a: 1, n: 2 });
        const again = await items.updateOne({ _id: 'up', kind: 'k' }, { $set: { a: 2 } }, { upsert: true });
        expect(again).toEqual({ matchedCount: 1, modifiedCount: 1 });
      });

      it('updateMany updates every match', async () => {
        await items.insertMany([{ _id: '1', t: 'x', n: 0 }, { _id: '2', t: 'x', n: 0 }, { _id: '3', t: 'y', n: 0 }]);
        expect(await items.updateMany({ t: 'x' }, { $inc: { n: 1 } })).toEqual({ matchedCount: 2, modifiedCount: 2 });
        expect(ids(await items.find({ n: 1 }, { sort: { _id: 1 } }))).toEqual(['1', '2']);
        expect(await items.updateMany({ t: 'none' }, { $inc: { n: 1 } })).toEqual({ matchedCount: 0, modifiedCount: 0 });
      });

      it('rejects $inc on a non-number and leaves the document unchanged', async () => {
        await items.insertOne({ _id: 'u', a: 'text' });
        await expect(items.updateOne({ _id: 'u' }, { $inc: { a: 1 } })).rejects.toThrow();
        expect(await items.findOne({ _id: 'u' })).toEqual({ _id: 'u', a: 'text' });
      });

      it('findOneAndUpdate returns the document after (default) or before, honours sort, and upserts', async () => {
        await items.insertMany([{ _id: '1', q: 'j', p: 2 }, { _id: '2', q: 'j', p: 1 }]);
        const after = await items.findOneAndUpdate({ q: 'j' }, { $set: { taken: true } }, { sort: { p: 1 } });
        expect(after).toEqual({ _id: '2', q: 'j', p: 1, taken: true });
        const before = await items.findOneAndUpdate({ q: 'j', taken: { $exists: false } }, { $set: { taken: true } }, { returnDocument: 'before' });
        expect(before).toEqual({ _id: '1', q: 'j', p: 2 });
        expect(await items.findOneAndUpdate({ q: 'none' }, { $set: { a: 1 } })).toBeNull();
        const upserted = await items.findOneAndUpdate({ _id: 'new' }, { $set: { a: 1 } }, { upsert: true });
        expect(upserted).toEqual({ _id: 'new', a: 1 });
      });

      it('deleteOne deletes one match, deleteMany all of them', async () => {
        await items.insertMany([{ _id: '1', t: 'x' }, { _id: '2', t: 'x' }, { _id: '3', t: 'y' }, { _id: '4', t: 'y' }]);
        expect(await items.deleteOne({ t: 'x' })).toEqual({ deletedCount: 1 });
        expect(await items.countDocuments({ t: 'x' })).toBe(1);
        expect(await items.deleteMany({ t: 'y' })).toEqual({ deletedCount: 2 });
        expect(await items.deleteMany({ t: 'none' })).toEqual({ deletedCount: 0 });
        expect(await items.countDocuments({})).toBe(1);
      });
    });

    describe('aggregate', () => {
      beforeEach(async () => {
        await items.insertMany([
          { _id: '1', t: 'a', region: 'n', amount: 10, tags: ['x', 'y'] },
          { _id: '2', t: 'a', region: 's', amount: 5, tags: ['y'] },
          { _id: '3', t: 'a', region: 'n', amount: 7, tags: [] },
          { _id: '4', t: 'b', region: 'n', amount: 100, tags: ['x'] },
        ]);
      });

      it('$match, $group, $sort', async () => {
        const rows = await items.aggregate([
          { $match: { t: 'a' } },
          { $group: { _id: '$region', total: { $sum: '$amount' }, count: { $sum: 1 }, max: { $max: '$amount' } } },
          { $sort: { total: -1 } },
        ]);
        expect(rows).toEqual([
          { _id: 'n', total: 17, count: 2, max: 10 },
          { _id: 's', total: 5, count: 1, max: 5 },
        ]);
      });

      it('$sort, $skip, $limit, $project', async () => {
        const rows = await items.aggregate([
          { $match: { amount: { $gte: 5 } } },
          { $sort: { amount: -1 } },
          { $skip: 1 },
          { $limit: 2 },
          { $project: { _id: 0, amount: 1, double: { $multiply: ['$amount', 2] } } },
        ]);
        expect(rows).toEqual([{ amount: 10, double: 20 }, { amount: 7, double: 14 }]);
      });

      it('$unwind then $group counts array elements', async () => {
        const rows = await items.aggregate<{ _id: string; n: number }>([{ $unwind: '$tags' }, { $group: { _id: '$tags', n: { $sum: 1 } } }, { $sort: { _id: 1 } }]);
        expect(rows).toEqual([{ _id: 'x', n: 2 }, { _id: 'y', n: 2 }]);
      });

      it('$count counts matches and yields nothing for no match', async () => {
        expect(await items.aggregate([{ $match: { t: 'a' } }, { $count: 'n' }])).toEqual([{ n: 3 }]);
        expect(await items.aggregate([{ $match: { t: 'zzz' } }, { $count: 'n' }])).toEqual([]);
        expect(await items.aggregate([{ $match: { tags: 'x' } }, { $count: 'n' }])).toEqual([{ n: 2 }]);
      });
    });

    describe('indexes', () => {
      it('createIndex is idempotent and a unique index rejects duplicates with keyValue', async () => {
        const users = store.collection('users');
        await users.createIndex({ keys: { email: 1 }, unique: true });
        await users.createIndex({ keys: { email: 1 }, unique: true });
        await users.insertOne({ _id: 'u1', email: 'a@x' });
        const error = await users.insertOne({ _id: 'u2', email: 'a@x' }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DuplicateKeyError);
        expect((error as DuplicateKeyError).keyValue).toEqual({ email: 'a@x' });
        expect((error as DuplicateKeyError).code).toBe('duplicate_key');
        await users.insertOne({ _id: 'u3', email: 'b@x' });
        expect(await users.countDocuments({})).toBe(2);
      });

      it('a unique index treats a missing field as null: only one document may lack it', async () => {
        const users = store.collection('users');
        await users.createIndex({ keys: { email: 1 }, unique: true, name: 'email_unique' });
        await users.insertOne({ _id: 'u1' });
        const error = await users.insertOne({ _id: 'u2', email: null }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DuplicateKeyError);
        expect((error as DuplicateKeyError).index).toBe('email_unique');
        await users.insertOne({ _id: 'u3', email: 1 });
        await users.insertOne({ _id: 'u4', email: '1' });
        await users.insertOne({ _id: 'u5', email: true });
      });

      it('a compound unique index only rejects the full key', async () => {
        const records = store.collection('records');
        await records.createIndex({ keys: { tenantId: 1, 'data.code': 1 }, unique: true });
        await records.insertOne({ _id: 'r1', tenantId: 't1', data: { code: 'A' } });
        await records.insertOne({ _id: 'r2', tenantId: 't2', data: { code: 'A' } });
        await records.insertOne({ _id: 'r3', tenantId: 't1', data: { code: 'B' } });
        const error = await records.insertOne({ _id: 'r4', tenantId: 't1', data: { code: 'A' } }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DuplicateKeyError);
        expect((error as DuplicateKeyError).keyValue).toEqual({ tenantId: 't1', 'data.code': 'A' });
      });

      it('a partial unique index ignores documents outside its filter', async () => {
        const records = store.collection('records');
        await records.createIndex({
          keys: { tenantId: 1, 'data.taxId': 1 },
          unique: true,
          partialFilter: { 'data.taxId': { $exists: true } },
        });
        await records.insertMany([
          { _id: 'r1', tenantId: 't1', data: {} },
          { _id: 'r2', tenantId: 't1', data: {} },
          { _id: 'r3', tenantId: 't1', data: { taxId: '123' } },
        ]);
        const error = await records.insertOne({ _id: 'r4', tenantId: 't1', data: { taxId: '123' } }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DuplicateKeyError);
        expect((error as DuplicateKeyError).keyValue).toEqual({ tenantId: 't1', 'data.taxId': '123' });
        await records.insertOne({ _id: 'r5', tenantId: 't2', data: { taxId: '123' } });
      });

      it('an update that would break a unique index fails and changes nothing', async () => {
        const users = store.collection('users');
        await users.createIndex({ keys: { email: 1 }, unique: true });
        await users.insertMany([{ _id: 'u1', email: 'a' }, { _id: 'u2', email: 'b' }]);
        const error = await users.updateOne({ _id: 'u2' }, { $set: { email: 'a' } }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DuplicateKeyError);
        expect((error as DuplicateKeyError).keyValue).toEqual({ email: 'a' });
        expect(await users.findOne({ _id: 'u2' })).toEqual({ _id: 'u2', email: 'b' });
      });

      it('indexed queries return the same results as unindexed ones', async () => {
        const records = store.collection('records');
        await records.createIndex({ keys: { tenantId: 1, formId: 1, 'data.status': 1, 'data.amount': -1 } });
        const docs = Array.from({ length: 40 }, (_, i) => ({
          _id: `r${String(i).padStart(2, '0')}`,
          tenantId: i % 2 ? 't1' : 't2',
          formId: 'f',
          data: { status: ['open', 'done'][i % 3 === 0 ? 1 : 0], amount: (i * 7) % 13 },
        }));
        await records.insertMany(docs);
        const found = await records.find({ tenantId: 't1', formId: 'f', 'data.status': 'open' }, { sort: { 'data.amount': -1, _id: 1 }, limit: 5 });
        const expected = docs
          .filter((d) => d.tenantId === 't1' && d.data.status === 'open')
          .sort((x, y) => y.data.amount - x.data.amount || x._id.localeCompare(y._id))
          .slice(0, 5);
        expect(found).toEqual(expected);
        expect(await records.countDocuments({ tenantId: 't1', formId: 'f', 'data.status': 'open' })).toBe(
          docs.filter((d) => d.tenantId === 't1' && d.data.status === 'open').length,
        );
      });
    });

    describe('transactions', () => {
      it('commits every write of the unit of work together and returns its result', async () => {
        const result = await store.transaction(async (tx) => {
          await tx.collection('items').insertOne({ _id: 'a', n: 1 });
          await tx.collection('ledger').insertOne({ _id: 'l1', amount: 5 });
          await tx.collection('items').updateOne({ _id: 'a' }, { $inc: { n: 1 } });
          expect(await tx.collection('items').findOne({ _id: 'a' })).toEqual({ _id: 'a', n: 2 });
          return 'done';
        });
        expect(result).toBe('done');
        expect(await items.findOne({ _id: 'a' })).toEqual({ _id: 'a', n: 2 });
        expect(await store.collection('ledger').countDocuments({})).toBe(1);
      });

      it('rolls back everything when work throws', async () => {
        await items.insertOne({ _id: 'keep', n: 1 });
        const failure = store.transaction(async (tx) => {
          await tx.collection('items').insertOne({ _id: 'gone', n: 1 });
          await tx.collection('items').updateOne({ _id: 'keep' }, { $set: { n: 99 } });
          await tx.collection('items').deleteOne({ _id: 'keep' });
          throw new Error('boom');
        });
        await expect(failure).rejects.toThrow('boom');
        expect(await items.findOne({ _id: 'gone' })).toBeNull();
        expect(await items.findOne({ _id: 'keep' })).toEqual({ _id: 'keep', n: 1 });
      });

      it('a duplicate key inside the transaction rolls back its earlier writes', async () => {
        const users = store.collection('users');
        await users.createIndex({ keys: { email: 1 }, unique: true });
        await users.insertOne({ _id: 'u1', email: 'taken' });
        const failure = store.transaction(async (tx) => {
          await tx.collection('items').insertOne({ _id: 'side-effect' });
          await tx.collection('users').insertOne({ _id: 'u2', email: 'taken' });
        });
        await expect(failure).rejects.toBeInstanceOf(DuplicateKeyError);
        expect(await items.findOne({ _id: 'side-effect' })).toBeNull();
        expect(await users.countDocuments({})).toBe(1);
      });

      it('writes of an open transaction are invisible outside it until commit', async () => {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let inserted!: () => void;
        const insertedSignal = new Promise<void>((resolve) => (inserted = resolve));
        const running = store.transaction(async (tx) => {
          await tx.collection('items').insertOne({ _id: 'pending' });
          inserted();
          await gate;
        });
        await insertedSignal;
        expect(await items.findOne({ _id: 'pending' })).toBeNull();
        release();
        await running;
        expect(await items.findOne({ _id: 'pending' })).toEqual({ _id: 'pending' });
      });

      it('of two racing version-checked updates exactly one wins', async () => {
        await items.insertOne({ _id: 'v', version: 3, value: 'initial' });
        const attempt = (value: string) => items.updateOne({ _id: 'v', version: 3 }, { $set: { value }, $inc: { version: 1 } });
        const results = await Promise.all([attempt('first'), attempt('second')]);
        expect(results.map((r) => r.matchedCount).sort()).toEqual([0, 1]);
        const doc = await items.findOne({ _id: 'v' });
        expect(doc?.version).toBe(4);
        expect(doc?.value).toBe(results[0].matchedCount === 1 ? 'first' : 'second');
      });

      it('of two racing transactions doing a read-check-write, exactly one applies its change', async () => {
        await items.insertOne({ _id: 'v', version: 3, balance: 10 });
        const withdraw = (amount: number) =>
          store.transaction(async (tx) => {
            const account = await tx.collection('items').findOne({ _id: 'v' });
            if (!account || (account.balance as number) < amount) return 0;
            const result = await tx.collection('items').updateOne(
              { _id: 'v', version: account.version },
              { $inc: { balance: -amount, version: 1 } },
            );
            return result.matchedCount;
          });
        const outcomes = await Promise.all([withdraw(8), withdraw(8)]);
        expect(outcomes.sort()).toEqual([0, 1]);
        expect(await items.findOne({ _id: 'v' })).toEqual({ _id: 'v', version: 4, balance: 2 });
      });
    });

    it('keeps data, indexes and kinds of values across close and reopen', async () => {
      const users = store.collection('users');
      await users.createIndex({ keys: { email: 1 }, unique: true });
      await users.insertMany([{ _id: 'u1', email: 'a', tags: ['x'] }, { _id: 'u2', email: 'b', tags: ['y'] }]);
      await store.close();
      store = await fixture.open();
      const reopened = store.collection('users');
      expect(sortedIds(await reopened.find({}))).toEqual(['u1', 'u2']);
      expect(sortedIds(await reopened.find({ tags: 'x' }))).toEqual(['u1']);
      await expect(reopened.insertOne({ _id: 'u3', email: 'a' })).rejects.toBeInstanceOf(DuplicateKeyError);
    });
  });
}
