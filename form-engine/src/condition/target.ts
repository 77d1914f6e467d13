import type { FormIndex } from '../definition/form-index.ts';
import type { AnyFieldDefinition } from '../definition/schema.ts';
import type { FieldType } from '../field-types.ts';
import { isSystemFieldId } from '../identifiers.ts';
import { ConditionError } from './errors.ts';
import type { ConditionOp } from './schema.ts';

/** How a field's values compare: decides the allowed operators and the type a literal value must have. */
export type ValueKind = 'text' | 'id' | 'number' | 'date' | 'datetime' | 'any' | 'object';

export type Storage =
  /** A record-level column: `_id`, `createdAt`... */
  | { at: 'system'; path: string }
  /** A field of the data (optionally a part of an object value such as address.city). */
  | { at: 'field'; fieldId: string; part?: string }
  /** A subform column: the clause holds when any row matches. */
  | { at: 'rows'; subformId: string; column: string };

export interface Target {
  ref: string;
  kind: ValueKind;
  /** The value is a list of scalars (checkbox, members...). */
  multi: boolean;
  storage: Storage;
}

const SYSTEM_TARGETS: Record<string, { path: string; kind: ValueKind }> = {
  id: { path: '_id', kind: 'id' },
  createdAt: { path: 'createdAt', kind: 'datetime' },
  updatedAt: { path: 'updatedAt', kind: 'datetime' },
  createdBy: { path: 'createdBy', kind: 'id' },
  updatedBy: { path: 'updatedBy', kind: 'id' },
};

const KINDS: Record<FieldType, { kind: ValueKind; multi: boolean } | null> = {
  text: { kind: 'text', multi: false },
  textarea: { kind: 'text', multi: false },
  number: { kind: 'number', multi: false },
  money: { kind: 'number', multi: false },
  date: { kind: 'date', multi: false },
  datetime: { kind: 'datetime', multi: false },
  radio: { kind: 'text', multi: false },
  select: { kind: 'text', multi: false },
  checkbox: { kind: 'text', multi: true },
  multiselect: { kind: 'text', multi: true },
  member: { kind: 'id', multi: false },
  members: { kind: 'id', multi: true },
  department: { kind: 'id', multi: false },
  departments: { kind: 'id', multi: true },
  phone: { kind: 'text', multi: false },
  email: { kind: 'text', multi: false },
  address: { kind: 'object', multi: false },
  location: { kind: 'object', multi: false },
  image: { kind: 'object', multi: false },
  attachment: { kind: 'object', multi: false },
  signature: { kind: 'object', multi: false },
  serial: { kind: 'text', multi: false },
  subform: { kind: 'object', multi: false },
  relation: { kind: 'id', multi: false },
  query: null,
  formula: { kind: 'any', multi: false },
  divider: null,
  description: null,
};

const PARTS: Partial<Record<FieldType, Record<string, ValueKind>>> = {
  address: { province: 'text', city: 'text', district: 'text', detail: 'text' },
  location: { address: 'text', lng: 'number', lat: 'number' },
};

function kindOf(field: AnyFieldDefinition): { kind: ValueKind; multi: boolean } | null {
  const base = KINDS[field.type as FieldType];
  if (!base) return null;
  if (field.type === 'relation' && field.multiple) return { kind: 'id', multi: true };
  return base;
}

export interface ResolveOptions {
  index?: FormIndex;
  /** Inside a subform column rule: bare column ids of this subform mean the current row's values. */
  rowOf?: string;
}

/** Resolves a clause's `field` against the form (or, without a form, as a plain data path of unknown type). */
export function resolveTarget(ref: string, options: ResolveOptions, path: string): Target {
  const { index, rowOf } = options;
  if (!index) {
    const [head, tail] = ref.split('.');
    if (tail === undefined && isSystemFieldId(ref)) return { ref, kind: 'any', multi: false, storage: { at: 'field', fieldId: ref } };
    return { ref, kind: 'any', multi: false, storage: tail === undefined ? { at: 'field', fieldId: head } : { at: 'field', fieldId: head, part: tail } };
  }
  const [head, tail] = ref.split('.');
  const unknown = () => new ConditionError(ref, `Unknown field "${ref}"`, 'unknown_field', path);
  const unusable = (type: string) => new ConditionError(ref, `Field "${ref}" (${type}) cannot be used in a condition`, 'invalid_field', path);
  if (tail === undefined) {
    if (rowOf) {
      const column = index.columns.get(rowOf)?.get(head);
      if (column) {
        const k = kindOf(column);
        if (!k) throw unusable(column.type);
        return { ref, ...k, storage: { at: 'field', fieldId: head } };
      }
    }
    const field = index.topLevel.get(head);
    if (field) {
      const k = kindOf(field);
      if (!k) throw unusable(field.type);
      return { ref, ...k, storage: { at: 'field', fieldId: head } };
    }
    const system = SYSTEM_TARGETS[head];
    if (system && Object.prototype.hasOwnProperty.call(SYSTEM_TARGETS, head)) {
      return { ref, kind: system.kind, multi: false, storage: { at: 'system', path: system.path } };
    }
    throw unknown();
  }
  const field = index.topLevel.get(head);
  if (!field) throw unknown();
  if (field.type === 'subform') {
    const column = index.columns.get(head)?.get(tail);
    if (!column) throw unknown();
    const k = kindOf(column);
    if (!k) throw unusable(column.type);
    return { ref, ...k, storage: { at: 'rows', subformId: head, column: tail } };
  }
  const parts = PARTS[field.type as FieldType];
  const partKind = parts && Object.prototype.hasOwnProperty.call(parts, tail) ? parts[tail] : undefined;
  if (!partKind) throw unknown();
  return { ref, kind: partKind, multi: false, storage: { at: 'field', fieldId: head, part: tail } };
}

const ALL_OPS: readonly ConditionOp[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'contains', 'startsWith', 'empty', 'notEmpty', 'between'];
const LIST_OPS: readonly ConditionOp[] = ['eq', 'ne', 'in', 'nin', 'contains', 'empty', 'notEmpty'];

export function allowedOps(target: Target): readonly ConditionOp[] {
  if (target.multi) return LIST_OPS;
  switch (target.kind) {
    case 'text':
    case 'any':
      return ALL_OPS;
    case 'id':
      return ['eq', 'ne', 'in', 'nin', 'empty', 'notEmpty'];
    case 'number':
    case 'date':
      return ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'in', 'nin', 'empty', 'notEmpty'];
    case 'datetime':
      return ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'empty', 'notEmpty'];
    case 'object':
      return ['empty', 'notEmpty'];
  }
}
