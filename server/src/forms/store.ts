import type { TenantDb } from '../platform/tenant-db.ts';
import type { Store } from '../store/port.ts';
import { notFound } from '../http/problem.ts';

/** A field as stored; the form engine owns its full shape. */
export type FieldDef = { id: string; type: string; label?: unknown; unique?: boolean; fields?: FieldDef[]; form?: string; [key: string]: unknown };

export interface FormDoc {
  _id: string;
  tenantId?: string;
  appId: string;
  key?: string;
  name: unknown;
  version: number;
  fields: FieldDef[];
  rules?: unknown[];
  settings?: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  [key: string]: unknown;
}

/** Records of each form live in their own collection, so each form gets its own indexes. */
export const recordsCollection = (formId: string) => `rec_${formId}`;

export async function getForm(db: TenantDb, formId: string): Promise<FormDoc> {
  // Every record request needs its form; a form saved in this process drops the cached copy at once.
  const [form] = await db.cachedFind<FormDoc>('forms', { _id: formId });
  if (!form) throw notFound('form');
  return form;
}

/** Field types whose values are scalars worth indexing for filters and sorts. */
const INDEXABLE = new Set(['text', 'number', 'money', 'date', 'datetime', 'radio', 'select', 'member', 'department', 'phone', 'email', 'serial', 'relation', 'formula']);
const MAX_FIELD_INDEXES = 40;

/** Create the indexes a form's record collection needs: system columns, each scalar field, and unique fields. */
export async function ensureRecordIndexes(store: Store, form: FormDoc) {
  const col = store.collection(recordsCollection(form._id));
  await col.createIndex({ keys: { tenantId: 1, createdAt: -1, _id: -1 }, name: 'by_created' });
  await col.createIndex({ keys: { tenantId: 1, updatedAt: -1, _id: -1 }, name: 'by_updated' });
  await col.createIndex({ keys: { tenantId: 1, createdBy: 1 }, name: 'by_creator' });
  let count = 0;
  for (const field of form.fields) {
    if (field.unique) {
      await col.createIndex({
        keys: { tenantId: 1, [`data.${field.id}`]: 1 },
        unique: true,
        partialFilter: { [`data.${field.id}`]: { $exists: true } },
        name: `uniq_${field.id}`,
      });
    } else if (INDEXABLE.has(field.type) && count < MAX_FIELD_INDEXES) {
      count++;
      await col.createIndex({ keys: { tenantId: 1, [`data.${field.id}`]: 1 }, name: `f_${field.id}` });
    }
  }
}
