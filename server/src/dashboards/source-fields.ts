import type { FieldDef, FormDoc } from '../forms/store.ts';

/** How an aggregate may use a field's values. */
export type ValueKind = 'text' | 'number' | 'date' | 'datetime' | 'id' | 'any';

/** A field reference resolved against a source (a form or a ledger). */
export interface SourceField {
  /** As the client wrote it: `amount`, `items.qty`, `createdAt`. */
  ref: string;
  kind: ValueKind;
  /** Stored path once any subform is unwound: `data.amount`, `data.items.qty`, `createdAt`. */
  path: string;
  /** Several values per record (checkbox, members...): grouping unwinds them, one group per value. */
  multi: boolean;
  /** The subform whose rows the field lives in (`data.items`): the query then runs over rows, not records. */
  subformPath?: string;
  /** The top-level field id, for field permissions (system fields have none). */
  permissionId?: string;
}

export type FieldLookup = { ok: true; field: SourceField } | { ok: false; code: 'unknown_field' | 'unusable_field'; message: string };

/** A place aggregates read from: which fields it has and where they are stored. */
export interface AggregateSource {
  /** The collection the pipeline runs on (through the tenant-scoped handle). */
  collection: string;
  lookup(ref: string): FieldLookup;
}

const SYSTEM: Record<string, { path: string; kind: ValueKind }> = {
  id: { path: '_id', kind: 'id' },
  createdAt: { path: 'createdAt', kind: 'datetime' },
  updatedAt: { path: 'updatedAt', kind: 'datetime' },
  createdBy: { path: 'createdBy', kind: 'id' },
  updatedBy: { path: 'updatedBy', kind: 'id' },
};

const KINDS: Record<string, { kind: ValueKind; multi: boolean }> = {
  text: { kind: 'text', multi: false },
  textarea: { kind: 'text', multi: false },
  phone: { kind: 'text', multi: false },
  email: { kind: 'text', multi: false },
  serial: { kind: 'text', multi: false },
  radio: { kind: 'text', multi: false },
  select: { kind: 'text', multi: false },
  checkbox: { kind: 'text', multi: true },
  multiselect: { kind: 'text', multi: true },
  number: { kind: 'number', multi: false },
  money: { kind: 'number', multi: false },
  date: { kind: 'date', multi: false },
  datetime: { kind: 'datetime', multi: false },
  member: { kind: 'id', multi: false },
  members: { kind: 'id', multi: true },
  department: { kind: 'id', multi: false },
  departments: { kind: 'id', multi: true },
  relation: { kind: 'id', multi: false },
  formula: { kind: 'any', multi: false },
};

/** Parts of object-valued fields that are plain text worth grouping by (sales per province). */
const PARTS: Record<string, readonly string[]> = { address: ['province', 'city', 'district'] };

function kindOf(field: FieldDef): { kind: ValueKind; multi: boolean } | null {
  const base = KINDS[field.type];
  if (!base) return null;
  return field.type === 'relation' && field.multiple ? { kind: 'id', multi: true } : base;
}

const unknown = (ref: string): FieldLookup => ({ ok: false, code: 'unknown_field', message: `the source has no field ${ref}` });
const unusable = (ref: string, type: string): FieldLookup => ({ ok: false, code: 'unusable_field', message: `${ref} (${type}) cannot be grouped or aggregated` });

/** Fields of a form's records: its fields, subform columns (`items.qty`), address parts and the system columns. */
export function formSource(form: FormDoc, collection: string): AggregateSource {
  const byId = new Map(form.fields.map((f) => [f.id, f]));
  return {
    collection,
    lookup(ref) {
      const [head, tail, extra] = ref.split('.');
      if (extra !== undefined) return unknown(ref);
      const field = byId.get(head);
      if (tail === undefined) {
        if (!field) {
          const system = Object.prototype.hasOwnProperty.call(SYSTEM, head) ? SYSTEM[head] : undefined;
          return system ? { ok: true, field: { ref, kind: system.kind, path: system.path, multi: false } } : unknown(ref);
        }
        const k = kindOf(field);
        if (!k) return unusable(ref, field.type);
        return { ok: true, field: { ref, ...k, path: `data.${head}`, permissionId: head } };
      }
      if (!field) return unknown(ref);
      if (field.type === 'subform') {
        const column = (field.fields ?? []).find((c) => c.id === tail);
        if (!column) return unknown(ref);
        const k = kindOf(column);
        if (!k) return unusable(ref, column.type);
        return { ok: true, field: { ref, ...k, path: `data.${head}.${tail}`, subformPath: `data.${head}`, permissionId: head } };
      }
      if (PARTS[field.type]?.includes(tail)) return { ok: true, field: { ref, kind: 'text', multi: false, path: `data.${head}.${tail}`, permissionId: head } };
      return unknown(ref);
    },
  };
}
