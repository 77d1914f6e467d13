import type { AnyFieldDefinition } from '../definition/schema.ts';
import { SIGNATURE_DATA_URL } from './formats.ts';

export type JsonSchema = Record<string, unknown>;

export const DEFAULT_TEXT_MAX = 10_000;
export const DEFAULT_TEXTAREA_MAX = 100_000;
export const DEFAULT_MAX_ROWS = 1000;
export const DEFAULT_MAX_FILES = 50;
export const DEFAULT_MAX_PEOPLE = 500;
export const MONEY_PRECISION = 2;
const ID_PATTERN = '^[A-Za-z0-9_-]+$';
const EMPTY_OR_ID_PATTERN = '^[A-Za-z0-9_-]*$';

/** Constraints that only apply to a value that was entered: "" and null mean "empty" and are left to `required`. */
function whenPresent(base: JsonSchema, constraints: JsonSchema, presentType: 'string' | 'array'): JsonSchema {
  if (Object.keys(constraints).length === 0) return base;
  const present = presentType === 'string' ? { type: 'string', minLength: 1 } : { type: 'array', minItems: 1 };
  return { ...base, if: present, then: constraints };
}

function nullable(type: string): string[] {
  return [type, 'null'];
}

function bound(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function dateBound(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

const fileSchema = (imagesOnly: boolean): JsonSchema => ({
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 128 },
    url: { type: 'string', maxLength: 2048, format: 'file-url' },
    name: { type: 'string', minLength: 1, maxLength: 255 },
    size: { type: 'integer', minimum: 0 },
    type: imagesOnly ? { type: 'string', maxLength: 127, pattern: '^image/' } : { type: 'string', maxLength: 127 },
  },
  required: ['name'],
  additionalProperties: false,
  'x-file-ref': true,
});

function countLimits(field: AnyFieldDefinition, defaultMax: number): { max: number; constraints: JsonSchema } {
  const min = bound(field.min);
  const max = bound(field.max) ?? defaultMax;
  return { max, constraints: min !== undefined && min > 0 ? { minItems: min } : {} };
}

function optionValues(field: AnyFieldDefinition): string[] {
  return (field.options ?? []).map((o) => o.value);
}

/**
 * The JSON Schema of one field's value, or undefined for types that hold no data (query, divider, description).
 * Every stored type also accepts null (and text types "") as "no value"; `required` is enforced separately so that
 * visibility rules can waive it.
 */
export function valueSchema(field: AnyFieldDefinition, columnSchemas?: (subform: AnyFieldDefinition) => JsonSchema): JsonSchema | undefined {
  switch (field.type) {
    case 'text':
    case 'textarea': {
      const max = field.maxLength ?? (field.type === 'text' ? DEFAULT_TEXT_MAX : DEFAULT_TEXTAREA_MAX);
      const schema: JsonSchema = { type: nullable('string'), maxLength: max };
      // "" is the empty value: the pattern lets it through, `required` decides whether it is allowed.
      if (field.regex) schema.pattern = `^$|(?:${field.regex})`;
      return field.minLength ? whenPresent(schema, { minLength: field.minLength }, 'string') : schema;
    }
    case 'number':
    case 'money': {
      const schema: JsonSchema = { type: nullable('number') };
      if (bound(field.min) !== undefined) schema.minimum = field.min;
      if (bound(field.max) !== undefined) schema.maximum = field.max;
      const precision = field.precision ?? (field.type === 'money' ? MONEY_PRECISION : undefined);
      if (precision !== undefined) schema['x-precision'] = precision;
      return schema;
    }
    case 'date':
    case 'datetime': {
      // The engine's date formats and x-date bounds accept "", the empty value.
      const schema: JsonSchema = { type: nullable('string'), maxLength: 40, format: field.type === 'date' ? 'date' : 'date-time' };
      if (dateBound(field.min)) schema['x-date-min'] = field.min;
      if (dateBound(field.max)) schema['x-date-max'] = field.max;
      return schema;
    }
    case 'radio':
    case 'select':
      return { type: nullable('string'), maxLength: 200, enum: [...optionValues(field), '', null] };
    case 'checkbox':
    case 'multiselect': {
      const values = optionValues(field);
      const { max, constraints } = countLimits(field, values.length);
      return whenPresent({ type: nullable('array'), items: { type: 'string', enum: values }, uniqueItems: true, maxItems: max }, constraints, 'array');
    }
    case 'member':
    case 'department':
      return { type: nullable('string'), maxLength: 128 };
    case 'members':
    case 'departments': {
      const { max, constraints } = countLimits(field, DEFAULT_MAX_PEOPLE);
      return whenPresent({ type: nullable('array'), items: { type: 'string', minLength: 1, maxLength: 128 }, uniqueItems: true, maxItems: max }, constraints, 'array');
    }
    case 'relation': {
      const id = { type: 'string', minLength: 1, maxLength: 128, pattern: ID_PATTERN };
      if (field.multiple) {
        const { max, constraints } = countLimits(field, 100);
        return whenPresent({ type: nullable('array'), items: id, uniqueItems: true, maxItems: max }, constraints, 'array');
      }
      return { type: nullable('string'), maxLength: 128, pattern: EMPTY_OR_ID_PATTERN };
    }
    case 'phone':
      return { type: nullable('string'), maxLength: 32, format: `phone-${field.format ?? 'any'}` };
    case 'email':
      return { type: nullable('string'), maxLength: 254, format: 'email' };
    case 'address':
      return {
        type: nullable('object'),
        properties: {
          province: { type: 'string', maxLength: 100 },
          city: { type: 'string', maxLength: 100 },
          district: { type: 'string', maxLength: 100 },
          detail: { type: 'string', maxLength: 500 },
        },
        additionalProperties: false,
      };
    case 'location':
      return {
        type: nullable('object'),
        properties: {
          lng: { type: 'number', minimum: -180, maximum: 180 },
          lat: { type: 'number', minimum: -90, maximum: 90 },
          address: { type: 'string', maxLength: 500 },
        },
        required: ['lng', 'lat'],
        additionalProperties: false,
      };
    case 'image':
    case 'attachment': {
      const single = field.multiple === false;
      const { max, constraints } = countLimits(field, DEFAULT_MAX_FILES);
      return whenPresent({ type: nullable('array'), items: fileSchema(field.type === 'image'), maxItems: single ? 1 : max }, constraints, 'array');
    }
    case 'signature':
      // A PNG/JPEG/WebP data URL drawn in the browser, or a reference to an uploaded file.
      return {
        type: ['string', 'object', 'null'],
        if: { type: 'string', minLength: 1 },
        then: { maxLength: 1_000_000, pattern: SIGNATURE_DATA_URL },
        else: { if: { type: 'object' }, then: fileSchema(true) },
      };
    case 'subform': {
      const rows = columnSchemas?.(field) ?? { type: 'object' };
      const constraints: JsonSchema = field.minRows ? { minItems: field.minRows } : {};
      return whenPresent({ type: nullable('array'), items: rows, maxItems: field.maxRows ?? DEFAULT_MAX_ROWS }, constraints, 'array');
    }
    case 'serial':
      return { type: nullable('string'), maxLength: 200, readOnly: true };
    case 'formula':
      return { type: ['number', 'string', 'boolean', 'null'], readOnly: true };
    default:
      return undefined;
  }
}
