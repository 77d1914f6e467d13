import type { FromSchema } from 'json-schema-to-ts';
import { FIELD_TYPES } from '../field-types.ts';
import { conditionSchema } from '../condition/schema.ts';
import { shareSubschemas } from '../share-subschemas.ts';

export const MAX_FIELDS = 500;
export const MAX_COLUMNS = 100;
export const MAX_FORMULA_LENGTH = 2000;

const IDENTIFIER = '^[A-Za-z_][A-Za-z0-9_]*$';

export const labelSchema = {
  anyOf: [
    { type: 'string', minLength: 1, maxLength: 200 },
    {
      type: 'object',
      properties: { 'zh-CN': { type: 'string', maxLength: 200 }, en: { type: 'string', maxLength: 200 } },
      additionalProperties: false,
      minProperties: 1,
    },
  ],
} as const;

const longTextSchema = {
  anyOf: [
    { type: 'string', maxLength: 10000 },
    {
      type: 'object',
      properties: { 'zh-CN': { type: 'string', maxLength: 10000 }, en: { type: 'string', maxLength: 10000 } },
      additionalProperties: false,
    },
  ],
} as const;

const optionSchema = {
  type: 'object',
  properties: {
    value: { type: 'string', minLength: 1, maxLength: 200 },
    label: labelSchema,
    color: { type: 'string', maxLength: 32 },
  },
  required: ['value', 'label'],
  additionalProperties: false,
} as const;

/** Data linkage (数据联动): take `take` from the record of `form` whose fields equal the `match` formulas. */
const linkageSchema = {
  type: 'object',
  properties: {
    form: { type: 'string', minLength: 1, maxLength: 128 },
    match: {
      type: 'array',
      minItems: 1,
      maxItems: 10,
      items: {
        type: 'object',
        properties: {
          field: { type: 'string', pattern: IDENTIFIER },
          value: { type: 'string', minLength: 1, maxLength: MAX_FORMULA_LENGTH },
        },
        required: ['field', 'value'],
        additionalProperties: false,
      },
    },
    take: { type: 'string', pattern: IDENTIFIER },
  },
  required: ['form', 'match', 'take'],
  additionalProperties: false,
} as const;

const boundSchema = { anyOf: [{ type: 'number' }, { type: 'string', maxLength: 40 }] } as const;

/** Properties shared by top-level fields and subform columns. */
const fieldProperties = {
  id: { type: 'string', maxLength: 64 },
  type: { enum: FIELD_TYPES },
  label: labelSchema,
  required: { type: 'boolean' },
  unique: { type: 'boolean' },
  /** A fixed default value; checked against the field's value format. */
  default: {},
  options: { type: 'array', maxItems: 500, items: optionSchema },
  /** The formula of a `formula` field, or a formula default for any other field. */
  formula: { type: 'string', maxLength: MAX_FORMULA_LENGTH },
  /** Target form id of a `relation` or `query` field. */
  form: { type: 'string', minLength: 1, maxLength: 128 },
  displayFields: { type: 'array', maxItems: 20, items: { type: 'string', pattern: IDENTIFIER } },
  /** For `relation` (which records may be picked) and `query` (which records are listed); fields of the target form. */
  filter: conditionSchema,
  /** Serial number pattern such as `QT-{YYYYMMDD}-{0000}`. */
  pattern: { type: 'string', minLength: 1, maxLength: 100 },
  /** Numbers: value range. Dates: 'YYYY-MM-DD' / ISO bounds. Multi-value fields: item count. */
  min: boundSchema,
  max: boundSchema,
  precision: { type: 'integer', minimum: 0, maximum: 10 },
  minRows: { type: 'integer', minimum: 0, maximum: 1000 },
  maxRows: { type: 'integer', minimum: 0, maximum: 1000 },
  minLength: { type: 'integer', minimum: 0, maximum: 1000000 },
  maxLength: { type: 'integer', minimum: 0, maximum: 1000000 },
  regex: { type: 'string', minLength: 1, maxLength: 500 },
  format: { enum: ['mobile', 'landline', 'any'] },
  multiple: { type: 'boolean' },
  currency: { type: 'string', pattern: '^[A-Z]{3}$' },
  percent: { type: 'boolean' },
  thousands: { type: 'boolean' },
  readOnly: { type: 'boolean' },
  help: longTextSchema,
  /** The text shown by a `description` field. */
  content: longTextSchema,
  visibleWhen: conditionSchema,
  requiredWhen: conditionSchema,
  linkage: linkageSchema,
  /** Free-form presentation hints for the web designer (width, placeholder...); never interpreted by the engine. */
  ui: { type: 'object' },
} as const;

const columnSchema = {
  type: 'object',
  properties: fieldProperties,
  required: ['id', 'type', 'label'],
  additionalProperties: false,
} as const;

export const fieldSchema = {
  type: 'object',
  properties: {
    ...fieldProperties,
    /** The columns of a `subform`. */
    fields: { type: 'array', maxItems: MAX_COLUMNS, items: columnSchema },
  },
  required: ['id', 'type', 'label'],
  additionalProperties: false,
} as const;

const idList = { type: 'array', maxItems: MAX_FIELDS, items: { type: 'string', pattern: IDENTIFIER } } as const;

const ruleSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 64 },
    when: conditionSchema,
    show: idList,
    hide: idList,
    require: idList,
  },
  required: ['when'],
  additionalProperties: false,
} as const;

export const formDefinitionSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'FormDefinition',
  type: 'object',
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 128 },
    name: labelSchema,
    version: { type: ['integer', 'string'] },
    description: longTextSchema,
    fields: { type: 'array', maxItems: MAX_FIELDS, items: fieldSchema },
    rules: { type: 'array', maxItems: 200, items: ruleSchema },
    settings: { type: 'object' },
  },
  required: ['name', 'fields'],
  additionalProperties: false,
} as const;

/**
 * The same schema with each reused part defined once under `definitions` (8 KB instead of 140 KB): use this one to
 * compile a validator or publish in OpenAPI; `formDefinitionSchema` exists for the derived TypeScript types.
 */
export const compactFormDefinitionSchema: Record<string, unknown> = shareSubschemas(formDefinitionSchema as unknown as Record<string, unknown>);

export type FormDefinition = FromSchema<typeof formDefinitionSchema>;
export type FieldDefinition = FormDefinition['fields'][number];
/** A subform column: a field without columns of its own. */
export type ColumnDefinition = NonNullable<FieldDefinition['fields']>[number];
/** Either a top-level field or a column. */
export type AnyFieldDefinition = FieldDefinition | ColumnDefinition;
export type FormRule = NonNullable<FormDefinition['rules']>[number];
export type FieldOption = NonNullable<FieldDefinition['options']>[number];
export type FieldLinkage = NonNullable<FieldDefinition['linkage']>;
