import { applyDefaults, computeFormulas, formatSerial, normalizeRecord, serialPeriodKey, stripComputed, validateRecord } from '@qiao/form-engine';
import type { Caller, RecordChange, Services } from '../platform/context.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import { newId } from '../platform/ids.ts';
import { ApiError, conflict, notFound, validationFailed, type FieldError } from '../http/problem.ts';
import { DuplicateKeyError, type Filter } from '../store/port.ts';
import { departmentsOfMember, ownership } from '../org/model.ts';
import { recordsCollection, type FieldDef, type FormDoc } from '../forms/store.ts';
import { resolveLinkage } from '../forms/linkage.ts';
import { checkFileRefs } from '../files/refs.ts';
import { setAsideRetired } from './retired-fields.ts';
import { checkOrgRefs } from './org-refs.ts';

export interface RecordDoc {
  _id: string;
  tenantId?: string;
  formId: string;
  formVersion: number;
  version: number;
  data: Record<string, unknown>;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  instance?: { id: string; status: string };
  /** Who the record belongs to for data scopes (the creator unless transferred), and their departments then. */
  ownerId?: string;
  ownerDepartmentIds?: string[];
  ownerDepartments?: Record<string, true>;
  [key: string]: unknown;
}

export interface HistoryDoc {
  _id: string;
  formId: string;
  recordId: string;
  at: string;
  actorId: string;
  action: 'create' | 'update' | 'delete' | 'restore';
  source: string;
  version: number;
  changes: { field: string; before?: unknown; after?: unknown }[];
  [key: string]: unknown;
}

export interface WriteOptions {
  source?: RecordChange['source'];
  silent?: boolean;
  depth?: number;
  now?: Date;
  /** Passed to record hooks as `change.meta`. */
  meta?: Record<string, unknown>;
  /** Create: the owner (default: the caller) and their departments (default: read from their membership). */
  ownerId?: string;
  ownerDepartmentIds?: string[];
  /** Update/remove: the rows the writer may touch (their data scope); a record outside it is not found. */
  scope?: Filter;
}

export const publicRecord = (r: RecordDoc) => ({
  id: r._id,
  formId: r.formId,
  version: r.version,
  data: r.data,
  createdAt: r.createdAt,
  createdBy: r.createdBy,
  updatedAt: r.updatedAt,
  updatedBy: r.updatedBy,
  ...(r.ownerId ? { ownerId: r.ownerId } : {}),
  ...(r.instance ? { instance: r.instance } : {}),
});

const DEFAULT_TZ = 'Asia/Shanghai';

/** Empty values are not stored, so `empty` filters and unique indexes see one representation of "no value". */
function dropEmpty(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) if (v !== null && v !== undefined && v !== '') out[k] = v;
  return out;
}

function sameValue(a: unknown, b: unknown) {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function diffData(before: Record<string, unknown>, after: Record<string, unknown>) {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const changes: HistoryDoc['changes'] = [];
  for (const field of keys) if (!sameValue(before[field], after[field])) changes.push({ field, before: before[field], after: after[field] });
  return changes;
}

export class RecordService {
  constructor(private readonly services: Services) {}

  private ctx(caller: Pick<Caller, 'userId'>, recordId: string, now: Date) {
    return { now, timeZone: DEFAULT_TZ, userId: caller.userId, recordId };
  }

  /** Recompute and validate `data` as the server's single source of truth; throws 422 with every problem. */
  async prepare(db: TenantDb, form: FormDoc, input: Record<string, unknown>, caller: Pick<Caller, 'userId'>, recordId: string, now: Date, mode: 'create' | 'update') {
    const ctx = this.ctx(caller, recordId, now);
    // Date-times are stored in canonical UTC so that string order is time order for filters and sorts.
    let data = normalizeRecord(form as never, stripComputed(form as never, input)) as Record<string, unknown>;
    if (mode === 'create') data = applyDefaults(form as never, data, { ...ctx, linked: await resolveLinkage(db, form, data, ctx) }) as Record<string, unknown>;
    data = computeFormulas(form as never, data, ctx) as Record<string, unknown>;
    data = dropEmpty(data);
    const result = validateRecord(form as never, data, ctx);
    const errors: FieldError[] = [...result.errors];
    errors.push(...(await this.checkRelations(db, form, data)));
    errors.push(...(await checkFileRefs(db, form, data)));
    errors.push(...(await checkOrgRefs(db, form, data)));
    if (errors.length) throw validationFailed(errors);
    return data;
  }

  /** A related record must exist in the target form and tenant. */
  private async checkRelations(db: TenantDb, form: FormDoc, data: Record<string, unknown>): Promise<FieldError[]> {
    const wanted = new Map<string, { ids: Set<string>; refs: { field: string; row?: number; column?: string; id: string }[] }>();
    const note = (field: FieldDef, id: unknown, ref: { field: string; row?: number; column?: string }) => {
      if (typeof id !== 'string' || !field.form) return;
      const entry = wanted.get(field.form) ?? { ids: new Set(), refs: [] };
      entry.ids.add(id);
      entry.refs.push({ ...ref, id });
      wanted.set(field.form, entry);
    };
    for (const field of form.fields) {
      if (field.type === 'relation') note(field, data[field.id], { field: field.id });
      if (field.type === 'subform' && Array.isArray(data[field.id])) {
        (data[field.id] as Record<string, unknown>[]).forEach((row, index) => {
          for (const column of field.fields ?? []) if (column.type === 'relation') note(column, row?.[column.id], { field: field.id, row: index, column: column.id });
        });
      }
    }
    const errors: FieldError[] = [];
    for (const [targetFormId, { ids, refs }] of wanted) {
      const targetForm = await db.collection('forms').findOne({ _id: targetFormId }, { projection: { _id: 1 } });
      const found = targetForm
        ? new Set((await db.collection(recordsCollection(targetFormId)).find({ _id: { $in: [...ids] } }, { projection: { _id: 1 } })).map((r) => r._id))
        : new Set<string>();
      for (const ref of refs) {
        if (!found.has(ref.id)) {
          errors.push({ field: ref.field, row: ref.row, column: ref.column, code: 'relation_missing', message: `related record ${ref.id} does not exist` });
        }
      }
    }
    return errors;
  }

  private async assignSerials(tx: TenantDb, form: FormDoc, data: Record<string, unknown>, now: Date) {
    for (const field of form.fields) {
      if (field.type !== 'serial' || typeof field.pattern !== 'string') continue;
      const period = serialPeriodKey(field.pattern, now, DEFAULT_TZ);
      const counter = await tx.collection('counters').findOneAndUpdate(
        { _id: `${tx.tenantId}:${form._id}:${field.id}:${period}` },
        { $inc: { seq: 1 } },
        { upsert: true, returnDocument: 'after' },
      );
      data[field.id] = formatSerial(field.pattern, Number(counter?.seq ?? 1), now, DEFAULT_TZ);
    }
  }

  /** Map a unique-index violation to 409 with the field and the record that already holds the value. */
  private async duplicateError(db: TenantDb, form: FormDoc, err: DuplicateKeyError): Promise<ApiError> {
    const dataKey = Object.keys(err.keyValue).find((k) => k.startsWith('data.'));
    if (!dataKey) return conflict('duplicate', 'duplicate value');
    const field = dataKey.slice(5);
    const existing = await db.collection(recordsCollection(form._id)).findOne({ [dataKey]: err.keyValue[dataKey] }, { projection: { _id: 1 } });
    return conflict('duplicate', `another record already has this ${field}`, { field, existingId: existing?._id, errors: [{ field, message: 'value must be unique', code: 'duplicate' }] });
  }

  async runHooks(tx: TenantDb, change: RecordChange) {
    for (const hook of this.services.recordHooks) await hook(tx, change);
  }

  async create(db: TenantDb, form: FormDoc, input: Record<string, unknown>, caller: Pick<Caller, 'userId'>, options: WriteOptions = {}): Promise<RecordDoc> {
    const now = options.now ?? new Date();
    const id = newId();
    const data = await this.prepare(db, form, input, caller, id, now, 'create');
    return this.insertPrepared(db, form, id, data, caller, { ...options, now });
  }

  /** Write a new record whose data `prepare` produced (create and import share it); joins an outer transaction. */
  async insertPrepared(db: TenantDb, form: FormDoc, id: string, data: Record<string, unknown>, caller: Pick<Caller, 'userId'>, options: WriteOptions = {}): Promise<RecordDoc> {
    const now = options.now ?? new Date();
    const iso = now.toISOString();
    const ownerId = options.ownerId ?? caller.userId;
    const ownerDepartmentIds = options.ownerDepartmentIds ?? (await departmentsOfMember(db, ownerId));
    const record: RecordDoc = { _id: id, formId: form._id, formVersion: form.version, version: 1, data, createdAt: iso, createdBy: caller.userId, updatedAt: iso, updatedBy: caller.userId, ...ownership(ownerId, ownerDepartmentIds) };
    try {
      await db.transaction(async (tx) => {
        await this.assignSerials(tx, form, record.data, now);
        await tx.collection<RecordDoc>(recordsCollection(form._id)).insertOne(record);
        await this.writeHistory(tx, form, record, caller.userId, 'create', options.source ?? 'api', diffData({}, record.data), iso);
        await this.runHooks(tx, { kind: 'created', formId: form._id, appId: form.appId, recordId: id, after: record as never, actorId: caller.userId, source: options.source ?? 'api', silent: options.silent, depth: options.depth, meta: options.meta });
      });
    } catch (err) {
      if (err instanceof DuplicateKeyError) throw await this.duplicateError(db, form, err);
      throw err;
    }
    this.services.notifyOutbox();
    return record;
  }

  /** The record, or 404 when it does not exist or lies outside `scope` (the caller's data scope). */
  async get(db: TenantDb, form: FormDoc, recordId: string, scope?: Filter): Promise<RecordDoc> {
    const filter = scope && Object.keys(scope).length ? { $and: [{ _id: recordId }, scope] } : { _id: recordId };
    const record = await db.collection<RecordDoc>(recordsCollection(form._id)).findOne(filter);
    if (!record) throw notFound('record');
    return record;
  }

  /** Merge `patch` into the record; `expectedVersion` guards against lost updates (409 when stale). */
  async update(db: TenantDb, form: FormDoc, recordId: string, patch: Record<string, unknown>, expectedVersion: number | undefined, caller: Pick<Caller, 'userId'>, options: WriteOptions = {}): Promise<RecordDoc> {
    const now = options.now ?? new Date();
    const current = await this.get(db, form, recordId, options.scope);
    if (expectedVersion !== undefined && current.version !== expectedVersion) {
      throw conflict('version_conflict', 'the record was changed by someone else', { currentVersion: current.version });
    }
    // Data of fields removed from the form is kept, never destroyed (and not validated against the new version).
    const retired = setAsideRetired(form, current.data, patch);
    const merged = { ...retired.stored, ...retired.patch };
    const data = retired.restore(await this.prepare(db, form, merged, caller, recordId, now, 'update'));
    // Computed fields that `prepare` stripped (serials) keep their stored values.
    for (const field of form.fields) if (field.type === 'serial' && current.data[field.id] !== undefined) data[field.id] = current.data[field.id];
    const changes = diffData(current.data, data);
    const iso = now.toISOString();
    const next: RecordDoc = { ...current, data, version: current.version + 1, formVersion: form.version, updatedAt: iso, updatedBy: caller.userId };
    try {
      await db.transaction(async (tx) => {
        const res = await tx.collection<RecordDoc>(recordsCollection(form._id)).updateOne(
          { _id: recordId, version: current.version },
          { $set: { data, version: next.version, formVersion: form.version, updatedAt: iso, updatedBy: caller.userId } },
        );
        if (res.matchedCount === 0) throw conflict('version_conflict', 'the record was changed by someone else');
        if (changes.length) await this.writeHistory(tx, form, next, caller.userId, 'update', options.source ?? 'api', changes, iso);
        await this.runHooks(tx, { kind: 'updated', formId: form._id, appId: form.appId, recordId, before: current as never, after: next as never, actorId: caller.userId, source: options.source ?? 'api', silent: options.silent, depth: options.depth, meta: options.meta });
      });
    } catch (err) {
      if (err instanceof DuplicateKeyError) throw await this.duplicateError(db, form, err);
      throw err;
    }
    this.services.notifyOutbox();
    return next;
  }

  /** Records of other forms that point at `recordId` through a relation field (top level or subform column). */
  async referencesTo(db: TenantDb, form: FormDoc, recordId: string) {
    const forms = await db.collection<FormDoc>('forms').find({});
    const refs: { formId: string; recordId: string; field: string }[] = [];
    for (const other of forms) {
      const paths: string[] = [];
      for (const f of other.fields) {
        if (f.type === 'relation' && f.form === form._id) paths.push(`data.${f.id}`);
        if (f.type === 'subform') for (const c of f.fields ?? []) if (c.type === 'relation' && c.form === form._id) paths.push(`data.${f.id}.${c.id}`);
      }
      for (const path of paths) {
        const hits = await db.collection(recordsCollection(other._id)).find({ [path]: recordId }, { projection: { _id: 1 }, limit: 20 });
        for (const h of hits) refs.push({ formId: other._id, recordId: h._id, field: path.slice(5) });
      }
    }
    return refs;
  }

  /** Move the record to the recycle bin (restorable with its history). */
  async remove(db: TenantDb, form: FormDoc, recordId: string, caller: Pick<Caller, 'userId'>, options: WriteOptions = {}) {
    const current = await this.get(db, form, recordId, options.scope);
    if (!(form.settings as Record<string, unknown> | undefined)?.allowDeleteReferenced) {
      const refs = await this.referencesTo(db, form, recordId);
      if (refs.length) throw conflict('referenced', 'other records refer to this record', { references: refs });
    }
    const iso = (options.now ?? new Date()).toISOString();
    await db.transaction(async (tx) => {
      const res = await tx.collection(recordsCollection(form._id)).deleteOne({ _id: recordId, version: current.version });
      if (res.deletedCount === 0) throw conflict('version_conflict', 'the record was changed by someone else');
      await tx.collection('recycle_bin').insertOne({ _id: recordId, formId: form._id, record: current, deletedAt: iso, deletedBy: caller.userId });
      await this.writeHistory(tx, form, current, caller.userId, 'delete', options.source ?? 'api', [], iso);
      await this.runHooks(tx, { kind: 'deleted', formId: form._id, appId: form.appId, recordId, before: current as never, actorId: caller.userId, source: options.source ?? 'api', silent: options.silent, depth: options.depth, meta: options.meta });
    });
    this.services.notifyOutbox();
  }

  async restore(db: TenantDb, form: FormDoc, recordId: string, caller: Pick<Caller, 'userId'>) {
    const binned = await db.collection('recycle_bin').findOne({ _id: recordId, formId: form._id });
    if (!binned) throw notFound('deleted record');
    const iso = new Date().toISOString();
    const old = binned.record as RecordDoc;
    const record: RecordDoc = { ...old, version: old.version + 1, updatedAt: iso, updatedBy: caller.userId };
    try {
      await db.transaction(async (tx) => {
        await tx.collection('recycle_bin').deleteOne({ _id: recordId });
        await tx.collection<RecordDoc>(recordsCollection(form._id)).insertOne(record);
        await this.writeHistory(tx, form, record, caller.userId, 'restore', 'api', [], iso);
        await this.runHooks(tx, { kind: 'restored', formId: form._id, appId: form.appId, recordId, after: record as never, actorId: caller.userId, source: 'api' });
      });
    } catch (err) {
      if (err instanceof DuplicateKeyError) throw await this.duplicateError(db, form, err);
      throw err;
    }
    this.services.notifyOutbox();
    return record;
  }

  async purge(db: TenantDb, form: FormDoc, recordId: string) {
    const res = await db.collection('recycle_bin').deleteOne({ _id: recordId, formId: form._id });
    if (res.deletedCount === 0) throw notFound('deleted record');
  }

  private async writeHistory(tx: TenantDb, form: FormDoc, record: RecordDoc, actorId: string, action: HistoryDoc['action'], source: string, changes: HistoryDoc['changes'], at: string) {
    await tx.collection<HistoryDoc>('record_history').insertOne({ _id: newId(), formId: form._id, recordId: record._id, at, actorId, action, source, version: record.version, changes });
  }
}

export async function ensureRecordServiceIndexes(services: Services) {
  await services.store.collection('record_history').createIndex({ keys: { tenantId: 1, recordId: 1, at: 1 }, name: 'history_by_record' });
  await services.store.collection('recycle_bin').createIndex({ keys: { tenantId: 1, formId: 1, deletedAt: -1 }, name: 'bin_by_form' });
}
