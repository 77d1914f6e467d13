import type { FromSchema } from 'json-schema-to-ts';
import { shareSubschemas } from '../share-subschemas.ts';

export const CONDITION_OPS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'nin',
  'contains',
  'startsWith',
  'empty',
  'notEmpty',
  'between',
] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export const DYNAMIC_VALUES = ['currentUser', 'currentDepartment', 'today', 'now'] as const;
export type DynamicValueName = (typeof DYNAMIC_VALUES)[number];

/** Groups may nest this deep; deeper filters are refused, which also bounds the work a filter can cause. */
export const MAX_CONDITION_DEPTH = 3;
export const MAX_CONDITION_CLAUSES = 200;
export const MAX_CONDITION_LIST = 1000;
export const MAX_CONDITION_TEXT = 1000;
const MAX_GROUP_ITEMS = 100;

const FIELD_REF_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?$';

const dynamicValueSchema = {
  type: 'object',
  properties: { dynamic: { enum: DYNAMIC_VALUES } },
  required: ['dynamic'],
  additionalProperties: false,
} as const;

/** A value taken from a field of the current record, e.g. a related query's `customer = this.customer`. */
const refValueSchema = {
  type: 'object',
  properties: { ref: { type: 'string', pattern: FIELD_REF_PATTERN } },
  required: ['ref'],
  additionalProperties: false,
} as const;

const conditionValueSchema = {
  anyOf: [
    { type: 'string', maxLength: MAX_CONDITION_TEXT },
    { type: 'number' },
    { type: 'boolean' },
    dynamicValueSchema,
    refValueSchema,
    {
      type: 'array',
      maxItems: MAX_CONDITION_LIST,
      items: {
        anyOf: [
          { type: 'string', maxLength: MAX_CONDITION_TEXT },
          { type: 'number' },
          { type: 'boolean' },
          { type: 'null' },
          dynamicValueSchema,
          refValueSchema,
        ],
      },
    },
  ],
} as const;

export const conditionLeafSchema = {
  type: 'object',
  properties: {
    field: { type: 'string', pattern: FIELD_REF_PATTERN },
    op: { enum: CONDITION_OPS },
    value: conditionValueSchema,
  },
  required: ['field', 'op'],
  additionalProperties: false,
} as const;

function conditionGroup<const Lower>(lower: Lower) {
  return {
    anyOf: [
      conditionLeafSchema,
      { type: 'object', properties: { and: { type: 'array', maxItems: MAX_GROUP_ITEMS, items: lower } }, required: ['and'], additionalProperties: false },
      { type: 'object', properties: { or: { type: 'array', maxItems: MAX_GROUP_ITEMS, items: lower } }, required: ['or'], additionalProperties: false },
    ],
  } as const;
}

/*
 * The nesting is spelled out level by level instead of with a recursive $ref because json-schema-to-ts
 * cannot type recursive (or deeply $ref-chained) schemas. Three group levels cover "(A and B) or (C and D)" and more.
 */
const conditionLevel1 = conditionGroup(conditionLeafSchema);
const conditionLevel2 = conditionGroup(conditionLevel1);
const conditionLevel3 = conditionGroup(conditionLevel2);

/** The filter / condition format: `{ and: [...] } | { or: [...] } | { field, op, value }`, groups nested up to 3 deep. */
export const conditionSchema = { title: 'Condition', ...conditionLevel3 } as const;

/** The condition schema with reused parts under `definitions`: compile or publish this one. */
export const compactConditionSchema: Record<string, unknown> = shareSubschemas(conditionSchema as unknown as Record<string, unknown>);

/** The schema-derived (depth-bounded) condition type; it is assignable to the recursive `Condition`. */
export type ConditionFromSchema = FromSchema<typeof conditionSchema>;

export type DynamicValue = { dynamic: DynamicValueName };
export type RefValue = { ref: string };
export type ConditionScalar = string | number | boolean;
export type ConditionValue =
  | ConditionScalar
  | DynamicValue
  | RefValue
  | readonly (ConditionScalar | null | DynamicValue | RefValue)[];
export type ConditionLeaf = { field: string; op: ConditionOp; value?: ConditionValue };
export type Condition = ConditionLeaf | { and: readonly Condition[] } | { or: readonly Condition[] };
