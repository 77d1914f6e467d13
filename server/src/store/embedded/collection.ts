/**
 * A Collection of the embedded store: one SQLite table `c_<name>` (_id TEXT PRIMARY KEY, doc TEXT JSON).
 *
 * Reads translate what they can of the filter and sort to SQL (see filter-sql.ts). When both are
 * exact, SQLite does everything including LIMIT/OFFSET and COUNT(*). When the filter is not exact,
 * rows stream in SQL order and mingo filters them until skip + limit are satisfied. When the sort is
 * not exact, mingo sorts the candidates.
 */
import { Aggregator, Query } from 'mingo';
import type { Collection, Doc, Filter, FindOptions, IndexSpec, Pipeline, Sort, Update, UpdateOptions, UpdateResult } from '../port.ts';
import { DuplicateKeyError } from '../port.ts';
import type { Connection } from './connection.ts';
import { FilterTranslator, isPlainObject } from './filter-sql.ts';
import { createIndexStatements, defaultIndexName, keyValueOf, tableName, violatedIndex } from './index-ddl.ts';
import type { PathKinds } from './path-kinds.ts';
import { applyUpdate, upsertDocument, validateUpdate } from './updates.ts';

/** Where a collection's operations run: the root store (reader + write lane) or an open transaction. */
export interface Executor {
  read<T>(work: (conn: Connection) => T): Promise<T>;
  write<T>(work: (conn: Connection) => T): Promise<T>;
}

export interface CollectionContext {
  kinds: PathKinds;
  executor: Executor;
}

interface ReadPlan {
  sql: string;
  params: unknown[];
  filterExact: boolean;
  sortExact: boolean;
}

type ReadOptions = { sort?: Sort; skip?: number; limit?: number };

export class EmbeddedCollection<T extends Doc = Doc> implements Collection<T> {
  private readonly table: string;
  private readonly translator: FilterTranslator;

  constructor(
    readonly name: string,
    private readonly context: CollectionContext,
  ) {
    if (!name) throw new Error('collection name must not be empty');
    this.table = tableName(name);
    this.translator = new FilterTranslator(context.kinds, name);
  }

  async insertOne(doc: T): Promise<void> {
    return this.context.executor.write((conn) => this.insertAll(conn, [doc]));
  }

  /** All or nothing: a duplicate anywhere in `docs` inserts none of them. */
  async insertMany(docs: T[]): Promise<void> {
    if (docs.length === 0) return;
    return this.context.executor.write((conn) => this.insertAll(conn, docs));
  }

  async findOne(filter: Filter, options: FindOptions = {}): Promise<T | null> {
    const [doc] = await this.find(filter, { ...options, limit: 1 });
    return doc ?? null;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    return this.context.executor.read((conn) => {
      const docs = this.select(conn, filter, options);
      return (options.projection && Object.keys(options.projection).length > 0
        ? (new Query({}).find(docs, options.projection).all() as T[])
        : docs);
    });
  }

  async countDocuments(filter: Filter): Promise<number> {
    return this.context.executor.read((conn) => this.count(conn, filter));
  }

  async updateOne(filter: Filter, update: Update, options: UpdateOptions = {}): Promise<UpdateResult> {
    validateUpdate(update);
    return this.context.executor.write((conn) => {
      const outcome = this.updateMatching(conn, filter, update, { limit: 1, upsert: options.upsert });
      return resultOf(outcome);
    });
  }

  async updateMany(filter: Filter, update: Update): Promise<UpdateResult> {
    validateUpdate(update);
    return this.context.executor.write((conn) => resultOf(this.updateMatching(conn, filter, update, {})));
  }

  async findOneAndUpdate(
    filter: Filter,
    update: Update,
    options: UpdateOptions & { returnDocument?: 'before' | 'after'; sort?: Sort } = {},
  ): Promise<T | null> {
    validateUpdate(update);
    return this.context.executor.write((conn) => {
      const outcome = this.updateMatching(conn, filter, update, { limit: 1, sort: options.sort, upsert: options.upsert });
      return (options.returnDocument === 'before' ? outcome.before : outcome.after) ?? null;
    });
  }

  async deleteOne(filter: Filter): Promise<{ deletedCount: number }> {
    return this.context.executor.write((conn) => ({ deletedCount: this.deleteMatching(conn, filter, 1) }));
  }

  async deleteMany(filter: Filter): Promise<{ deletedCount: number }> {
    return this.context.executor.write((conn) => ({ deletedCount: this.deleteMatching(conn, filter) }));
  }

  async aggregate<R = Record<string, unknown>>(pipeline: Pipeline): Promise<R[]> {
    return this.context.executor.read((conn) => this.runPipeline(conn, pipeline) as R[]);
  }

  async createIndex(spec: IndexSpec): Promise<void> {
    const name = spec.name ?? defaultIndexName(spec.keys);
    const statements = createIndexStatements(this.name, name, spec);
    const specJson = canonicalSpec(spec);
    return this.context.executor.write((conn) => {
      const existing = conn
        .statement('SELECT name, spec FROM _qiao_indexes WHERE coll = ?')
        .all(this.name) as { name: string; spec: string }[];
      const sameKeys = existing.find((row) => JSON.stringify(Object.entries((JSON.parse(row.spec) as IndexSpec).keys)) === JSON.stringify(Object.entries(spec.keys)));
      if (sameKeys && sameKeys.spec === specJson) return;
      if (sameKeys) throw new Error(`index ${sameKeys.name} on ${this.name} already exists with these keys but other options`);
      if (existing.some((row) => row.name === name)) throw new Error(`index ${name} on ${this.name} already exists with other keys`);
      conn.ensureTable(this.name);
      try {
        for (const sql of statements) conn.db.exec(sql);
      } catch (error) {
        throw this.duplicateKeyError(conn, error, null) ?? error;
      }
      conn.statement('INSERT INTO _qiao_indexes (coll, name, spec) VALUES (?, ?, ?)').run(this.name, name, specJson);
    });
  }

  /** The SQL a find would run and whether mingo must re-check it (for tests and diagnostics). */
  /**
   * Fast path for the commonest read, a primary-key lookup with top-level equalities ({ _id, tenantId }):
   * no SQL translation, one indexed row, and the other equalities checked in JS with MongoDB's rule that a
   * scalar also matches an array containing it.
   */
  private selectById(conn: Connection, filter: Filter, options: ReadOptions): T[] | null {
    const id = filter._id;
    if (typeof id !== 'string' || options.skip) return null;
    const checks: [string, string | number | boolean][] = [];
    for (const key in filter) {
      if (key === '_id') continue;
      const value = filter[key];
      if (key.startsWith('$') || key.includes('.') || (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')) return null;
      checks.push([key, value]);
    }
    const json = conn.pluck(`SELECT doc FROM ${this.table} WHERE _id = ?`).get(id) as string | undefined;
    if (json === undefined) return [];
    const doc = JSON.parse(json) as T;
    for (const [key, value] of checks) {
      const actual = (doc as Record<string, unknown>)[key];
      if (actual !== value && !(Array.isArray(actual) && actual.includes(value))) return [];
    }
    return [doc];
  }

  planFind(filter: Filter, options: ReadOptions = {}): ReadPlan {
    return this.plan(filter, options);
  }

  private plan(filter: Filter, options: ReadOptions, select = 'doc'): ReadPlan {
    const where = this.translator.filter(filter);
    const order = this.translator.sort(options.sort);
    let sql = `SELECT ${select} FROM ${this.table}${where.sql === '1' ? '' : ` WHERE ${where.sql}`}`;
    if (order.exact && order.sql) sql += ` ORDER BY ${order.sql}`;
    const params = [...where.params];
    const limit = positive(options.limit);
    const skip = positive(options.skip);
    if (where.exact && order.exact && (limit || skip)) {
      sql += ' LIMIT ? OFFSET ?';
      params.push(limit ?? -1, skip ?? 0);
    }
    return { sql, params, filterExact: where.exact, sortExact: order.exact };
  }

  private select(conn: Connection, filter: Filter, options: ReadOptions): T[] {
    if (!conn.hasTable(this.name)) return [];
    const byId = this.selectById(conn, filter, options);
    if (byId) return byId;
    const plan = this.plan(filter, options);
    const statement = conn.pluck(plan.sql);
    if (plan.filterExact && plan.sortExact) {
      return (statement.all(...plan.params) as string[]).map((json) => JSON.parse(json) as T);
    }
    const skip = positive(options.skip) ?? 0;
    const limit = positive(options.limit);
    if (plan.sortExact) {
      const query = new Query(filter);
      const found: T[] = [];
      let skipped = 0;
      for (const json of statement.iterate(...plan.params) as IterableIterator<string>) {
        const doc = JSON.parse(json) as T;
        if (!query.test(doc)) continue;
        if (skipped < skip) skipped++;
        else found.push(doc);
        // Leaving the loop early ends the iterator, which resets the statement.
        if (limit !== undefined && found.length >= limit) break;
      }
      return found;
    }
    const candidates = (statement.all(...plan.params) as string[]).map((json) => JSON.parse(json) as T);
    let cursor = new Query(plan.filterExact ? {} : filter).find<T>(candidates).sort(options.sort ?? {});
    if (skip) cursor = cursor.skip(skip);
    if (limit !== undefined) cursor = cursor.limit(limit);
    return cursor.all();
  }

  private count(conn: Connection, filter: Filter): number {
    if (!conn.hasTable(this.name)) return 0;
    const where = this.translator.filter(filter);
    const whereSql = where.sql === '1' ? '' : ` WHERE ${where.sql}`;
    if (where.exact) return conn.pluck(`SELECT COUNT(*) FROM ${this.table}${whereSql}`).get(...where.params) as number;
    const query = new Query(filter);
    let count = 0;
    for (const json of conn.pluck(`SELECT doc FROM ${this.table}${whereSql}`).iterate(...where.params) as IterableIterator<string>) {
      if (query.test(JSON.parse(json))) count++;
    }
    return count;
  }

  private insertAll(conn: Connection, docs: T[]): void {
    conn.ensureTable(this.name);
    const insert = conn.statement(`INSERT INTO ${this.table} (_id, doc) VALUES (?, ?)`);
    for (const doc of docs) {
      if (typeof doc._id !== 'string' || doc._id === '') throw new Error('a document needs a non-empty string _id');
      try {
        insert.run(doc._id, JSON.stringify(doc));
      } catch (error) {
        throw this.duplicateKeyError(conn, error, doc) ?? error;
      }
      this.recordKinds(conn, doc);
    }
  }

  private updateMatching(
    conn: Connection,
    filter: Filter,
    update: Update,
    options: { limit?: number; sort?: Sort; upsert?: boolean },
  ): { matched: number; modified: number; upsertedId?: string; before?: T; after?: T } {
    const docs = this.select(conn, filter, { limit: options.limit, sort: options.sort });
    if (docs.length === 0) {
      if (!options.upsert) return { matched: 0, modified: 0 };
      const doc = upsertDocument(filter, update) as T;
      this.insertAll(conn, [doc]);
      return { matched: 0, modified: 0, upsertedId: doc._id, after: doc };
    }
    const write = conn.statement(`UPDATE ${this.table} SET doc = ? WHERE _id = ?`);
    let modified = 0;
    let before: T | undefined;
    for (const doc of docs) {
      before ??= structuredClone(doc);
      if (!applyUpdate(doc, update)) continue;
      try {
        write.run(JSON.stringify(doc), doc._id);
      } catch (error) {
        throw this.duplicateKeyError(conn, error, doc) ?? error;
      }
      this.recordKinds(conn, doc);
      modified++;
    }
    return { matched: docs.length, modified, before, after: docs[0] };
  }

  private deleteMatching(conn: Connection, filter: Filter, limit?: number): number {
    if (!conn.hasTable(this.name)) return 0;
    const where = this.translator.filter(filter);
    if (where.exact && limit === undefined) {
      return conn.statement(`DELETE FROM ${this.table}${where.sql === '1' ? '' : ` WHERE ${where.sql}`}`).run(...where.params).changes;
    }
    const remove = conn.statement(`DELETE FROM ${this.table} WHERE _id = ?`);
    let deleted = 0;
    for (const doc of this.select(conn, filter, { limit })) deleted += remove.run(doc._id).changes;
    return deleted;
  }

  /** Leading $match / $sort / $skip / $limit run as a find (indexes apply); mingo runs the rest. */
  private runPipeline(conn: Connection, pipeline: Pipeline): unknown[] {
    let i = 0;
    const matches: Filter[] = [];
    while (i < pipeline.length && isPlainObject(pipeline[i].$match)) matches.push(pipeline[i++].$match as Filter);
    const filter: Filter = matches.length === 1 ? matches[0] : matches.length > 1 ? { $and: matches } : {};
    if (pipeline[i] && '$count' in pipeline[i] && i === pipeline.length - 1 && typeof pipeline[i].$count === 'string') {
      return [{ [pipeline[i].$count as string]: this.count(conn, filter) }].filter((row) => Object.values(row)[0] !== 0);
    }
    const options: ReadOptions = {};
    if (pipeline[i] && isPlainObject(pipeline[i].$sort)) options.sort = pipeline[i++].$sort as Sort;
    if (pipeline[i] && typeof pipeline[i].$skip === 'number') options.skip = pipeline[i++].$skip as number;
    if (pipeline[i] && typeof pipeline[i].$limit === 'number') options.limit = pipeline[i++].$limit as number;
    const docs = this.select(conn, filter, options);
    const rest = pipeline.slice(i);
    return rest.length === 0 ? docs : new Aggregator(rest).run(docs);
  }

  private recordKinds(conn: Connection, doc: T): void {
    const changes = this.context.kinds.record(this.name, doc);
    if (changes.length === 0) return;
    const upsert = conn.statement(
      'INSERT INTO _qiao_paths (coll, path, kinds) VALUES (?, ?, ?) ON CONFLICT (coll, path) DO UPDATE SET kinds = kinds | excluded.kinds',
    );
    for (const change of changes) upsert.run(change.collection, change.path, change.kinds);
  }

  private duplicateKeyError(conn: Connection, error: unknown, doc: T | null): DuplicateKeyError | null {
    const { code, message } = error as { code?: string; message?: string };
    if (code !== 'SQLITE_CONSTRAINT_UNIQUE' && code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return null;
    const index = violatedIndex(this.name, message ?? '');
    if (!index) return null;
    if (index === '_id_') return new DuplicateKeyError(this.name, index, { _id: doc?._id ?? null });
    const row = conn.pluck('SELECT spec FROM _qiao_indexes WHERE coll = ? AND name = ?').get(this.name, index) as string | undefined;
    const keys = row ? (JSON.parse(row) as IndexSpec).keys : {};
    return new DuplicateKeyError(this.name, index, doc ? keyValueOf(doc, keys) : {});
  }
}

function resultOf(outcome: { matched: number; modified: number; upsertedId?: string }): UpdateResult {
  const result: UpdateResult = { matchedCount: outcome.matched, modifiedCount: outcome.modified };
  if (outcome.upsertedId !== undefined) result.upsertedId = outcome.upsertedId;
  return result;
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && value > 0 ? Math.floor(value) : undefined;
}

function canonicalSpec(spec: IndexSpec): string {
  return JSON.stringify({ keys: spec.keys, unique: spec.unique === true, partialFilter: spec.partialFilter ?? null });
}
