import type { ErrorObject, ValidateFunction } from 'ajv';
import { indexForm, type FormIndex, type FormLike } from '../definition/form-index.ts';
import type { AnyFieldDefinition } from '../definition/schema.ts';
import { perFormCache } from '../form-cache.ts';
import { labelOf } from '../i18n.ts';
import { getOwn, hasOwn, isEmptyValue, isPlainObject } from '../own.ts';
import { evaluateRules } from '../rules.ts';
import type { ConditionContext } from '../condition/prepare.ts';
import { recordAjv } from './ajv.ts';
import { hoistPropertySchemas } from './hoist.ts';
import { buildRecordSchema, type RecordSchemaMode } from './build-schema.ts';
import { MONEY_PRECISION } from './value-schema.ts';

export type ValidationCode =
  | 'required'
  | 'type'
  | 'format'
  | 'min'
  | 'max'
  | 'option'
  | 'pattern'
  | 'precision'
  | 'minRows'
  | 'maxRows'
  | 'minLength'
  | 'maxLength'
  | 'duplicate_item'
  | 'unknown_field'
  | 'invalid';

export interface ValidationError {
  /** Top-level field id ('' when `data` itself is not an object). */
  field: string;
  /** 0-based subform row. */
  row?: number;
  /** Subform column id. */
  column?: string;
  message: string;
  code: ValidationCode;
}

export interface ValidateContext extends ConditionContext {
  /** 'create' (default) requires required fields; 'patch' checks only the fields present. */
  mode?: RecordSchemaMode;
  /** Language of the labels quoted in messages (messages themselves are English). Default 'en'. */
  lang?: string;
}

const compiled = perFormCache((form, mode): ValidateFunction => {
  const ajv = recordAjv();
  const schema = hoistPropertySchemas(buildRecordSchema(form, { mode: mode as RecordSchemaMode }));
  const validate = ajv.compile(schema);
  // Ajv would keep every schema it ever compiled; the per-version cache above decides what stays alive.
  ajv.removeSchema(schema);
  return validate;
});

/** The compiled validator of a form version and mode (compiled on first use, then cached). */
export function recordValidator(form: FormLike, mode: RecordSchemaMode = 'create'): ValidateFunction {
  return compiled(form, mode);
}

const EXPECTED: Record<string, string> = {
  text: 'text',
  textarea: 'text',
  number: 'a number',
  money: 'a number',
  date: "a date 'YYYY-MM-DD'",
  datetime: 'an ISO 8601 date-time',
  radio: 'one of the options',
  select: 'one of the options',
  checkbox: 'a list of options',
  multiselect: 'a list of options',
  member: 'a user id',
  members: 'a list of user ids',
  department: 'a department id',
  departments: 'a list of department ids',
  phone: 'a phone number',
  email: 'an email address',
  address: 'an address { province, city, district, detail }',
  location: 'a location { lng, lat, address }',
  image: 'a list of files { id or url, name, size, type }',
  attachment: 'a list of files { id or url, name, size, type }',
  signature: 'a signature image (data URL) or file',
  subform: 'a list of rows',
  relation: 'a record id',
  serial: 'text',
  formula: 'a computed value',
};

const FORMAT_TEXT: Record<string, string> = {
  date: "a real date in the form 'YYYY-MM-DD'",
  'date-time': 'an ISO 8601 date-time with a time zone (e.g. 2024-05-01T09:30:00Z)',
  email: 'a valid email address',
  'phone-mobile': 'a mainland mobile number such as 13800000001',
  'phone-landline': 'a landline number such as 010-12345678',
  'phone-any': 'a mobile, landline (010-12345678) or international (+<digits>) phone number',
  'file-url': 'an http(s) or site-relative file link',
};

interface Located {
  field: string;
  row?: number;
  column?: string;
  def?: AnyFieldDefinition;
  owner?: AnyFieldDefinition;
  /** Remaining path below the field/column value, e.g. ['0', 'name'] inside a file list. */
  rest: string[];
}

function decode(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function locate(index: FormIndex, error: ErrorObject): Located {
  const segments = error.instancePath === '' ? [] : error.instancePath.slice(1).split('/').map(decode);
  const params = error.params as Record<string, string>;
  if (segments.length === 0) {
    const key = params.missingProperty ?? params.additionalProperty ?? '';
    return { field: key, def: index.topLevel.get(key), rest: [] };
  }
  const [fieldId, ...rest] = segments;
  const def = index.topLevel.get(fieldId);
  if (def?.type === 'subform' && rest.length >= 1 && /^\d+$/.test(rest[0])) {
    const row = Number(rest[0]);
    const column = rest[1] ?? params.missingProperty ?? params.additionalProperty;
    const columnDef = column === undefined ? undefined : index.columns.get(fieldId)?.get(column);
    const inner = rest.length >= 2 ? (params.missingProperty ?? params.additionalProperty) : undefined;
    return { field: fieldId, row, column, def: columnDef, owner: def, rest: inner === undefined ? rest.slice(2) : [...rest.slice(2), inner] };
  }
  // A property missing from (or unknown in) the value itself, e.g. a location without lng.
  const inner = params.missingProperty ?? params.additionalProperty;
  return { field: fieldId, def, rest: inner === undefined ? rest : [...rest, inner] };
}

function codeFor(error: ErrorObject, where: Located): ValidationCode {
  const type = where.def?.type;
  const atValue = where.rest.length === 0;
  switch (error.keyword) {
    case 'required':
      return 'required';
    case 'additionalProperties':
      return 'unknown_field';
    case 'type':
      return 'type';
    case 'format':
    case 'x-file-ref':
      return 'format';
    case 'pattern':
      return (type === 'text' || type === 'textarea') && atValue ? 'pattern' : 'format';
    case 'minimum':
    case 'exclusiveMinimum':
    case 'x-date-min':
      return 'min';
    case 'maximum':
    case 'exclusiveMaximum':
    case 'x-date-max':
      return 'max';
    case 'enum':
      return 'option';
    case 'x-precision':
      return 'precision';
    case 'minLength':
      return 'minLength';
    case 'maxLength':
      return 'maxLength';
    case 'minItems':
      return type === 'subform' && atValue ? 'minRows' : 'min';
    case 'maxItems':
      return type === 'subform' && atValue ? 'maxRows' : 'max';
    case 'uniqueItems':
      return 'duplicate_item';
    default:
      return 'invalid';
  }
}

function describe(code: ValidationCode, error: ErrorObject, where: Located): string {
  const def = where.def;
  const params = error.params as Record<string, unknown>;
  const schema = (error.parentSchema ?? {}) as Record<string, unknown>;
  const part = where.rest.filter((s) => !/^\d+$/.test(s)).join('.');
  const subject = part ? `${part}` : 'value';
  switch (code) {
    case 'required':
      return part ? `needs "${part}"` : 'is required';
    case 'unknown_field':
      return where.rest.length ? `has an unknown property "${String(params.additionalProperty)}"` : 'is not a field of this form';
    case 'type':
      if (where.row !== undefined && where.column === undefined) return 'must be a row object';
      return where.rest.length === 0 && def ? `must be ${EXPECTED[def.type] ?? 'a valid value'}` : `${subject} must be of type ${String(params.type)}`;
    case 'format':
      if (error.keyword === 'x-file-ref') return 'files need an "id" or a "url"';
      if (error.keyword === 'pattern') return part ? `has an invalid ${part}` : `must be ${EXPECTED[def?.type ?? ''] ?? 'a valid value'}`;
      return `must be ${FORMAT_TEXT[String(params.format)] ?? `a valid ${EXPECTED[def?.type ?? ''] ?? 'value'}`}`;
    case 'pattern':
      return 'does not match the required pattern';
    case 'min':
      if (error.keyword === 'minItems') return `must have at least ${String(params.limit)} item(s)`;
      if (error.keyword === 'x-date-min') return `must be on or after ${String(schema['x-date-min'] ?? def?.min)}`;
      return `must be at least ${String(params.limit)}`;
    case 'max':
      if (error.keyword === 'maxItems') return `must have at most ${String(params.limit)} item(s)`;
      if (error.keyword === 'x-date-max') return `must be on or before ${String(schema['x-date-max'] ?? def?.max)}`;
      return part ? `${part} must be at most ${String(params.limit)}` : `must be at most ${String(params.limit)}`;
    case 'option': {
      const values = ((params.allowedValues as unknown[]) ?? []).filter((v) => v !== '' && v !== null);
      const shown = values.slice(0, 10).map(String).join(', ');
      return `must be one of: ${shown}${values.length > 10 ? ', …' : ''}`;
    }
    case 'precision': {
      const digits = def?.precision ?? (def?.type === 'money' ? MONEY_PRECISION : 0);
      return digits === 0 ? 'must be a whole number' : `allows at most ${digits} decimal place(s)`;
    }
    case 'minRows':
      return `needs at least ${String(params.limit)} row(s)`;
    case 'maxRows':
      return `allows at most ${String(params.limit)} row(s)`;
    case 'minLength':
      return part ? `${part} is too short` : `must be at least ${String(params.limit)} characters`;
    case 'maxLength':
      return part ? `${part} must be at most ${String(params.limit)} characters` : `must be at most ${String(params.limit)} characters`;
    case 'duplicate_item':
      return 'must not contain the same item twice';
    default:
      return `is invalid (${error.keyword})`;
  }
}

function subjectLabel(where: Pick<Located, 'field' | 'row' | 'column' | 'def' | 'owner'>, lang: string): string {
  const label = where.def ? `"${labelOf(where.def, lang)}"` : `"${where.column ?? where.field}"`;
  if (where.row === undefined) return label;
  const owner = where.owner ? labelOf(where.owner, lang) : where.field;
  return where.column === undefined ? `"${owner}" row ${where.row + 1}` : `"${owner}" row ${where.row + 1}: ${label}`;
}

/** The fields ajv reports before the rules run; `if` wrappers only repeat what their `then` said. */
const NOISE = new Set(['if', 'else', 'then', 'anyOf', 'oneOf']);

/**
 * Validates record data against the form and lists every problem at once: value formats (ajv, compiled once per form
 * version and mode), unknown fields, then the rules ajv cannot express: requiredWhen, rule-driven requirements, and
 * waiving `required` for fields hidden by visibility rules. Rows are 0-based.
 */
export function validateRecord(form: FormLike, data: unknown, ctx: ValidateContext = {}): { errors: ValidationError[] } {
  const lang = ctx.lang ?? 'en';
  if (!isPlainObject(data)) return { errors: [{ field: '', message: 'Record data must be an object', code: 'type' }] };
  const mode = ctx.mode ?? 'create';
  const index = indexForm(form);
  const validate = recordValidator(form, mode);
  const rules = evaluateRules(form, data, ctx);
  const errors: ValidationError[] = [];
  const seen = new Set<string>();
  const push = (where: Pick<Located, 'field' | 'row' | 'column' | 'def' | 'owner'>, code: ValidationCode, text: string) => {
    const key = `${where.field}|${where.row ?? ''}|${where.column ?? ''}|${code}`;
    if (seen.has(key)) return;
    seen.add(key);
    const error: ValidationError = { field: where.field, message: `${subjectLabel(where, lang)} ${text}`, code };
    if (where.row !== undefined) error.row = where.row;
    if (where.column !== undefined) error.column = where.column;
    errors.push(error);
  };
  if (!validate(data)) {
    for (const error of validate.errors ?? []) {
      if (NOISE.has(error.keyword)) continue;
      const where = locate(index, error);
      const code = codeFor(error, where);
      if (code === 'required' && where.rest.length === 0) {
        // Waived by a visibility rule?
        const needed = where.row === undefined ? rules.required[where.field] : rules.rows[where.field]?.[where.row]?.required[where.column ?? ''];
        if (needed === false) continue;
      }
      if (code === 'unknown_field' && where.row === undefined && where.rest.length === 0) {
        // A query, divider or description holds no data; anything else is not in the form at all.
        push({ field: where.field, def: where.def }, code, where.def ? 'holds no data and cannot be written' : 'is not a field of this form');
        continue;
      }
      push(where, code, describe(code, error, where));
    }
  }
  for (const [fieldId, needed] of Object.entries(rules.required)) {
    if (!needed) continue;
    const present = hasOwn(data, fieldId);
    if ((mode === 'create' || present) && isEmptyValue(getOwn(data, fieldId))) {
      push({ field: fieldId, def: index.topLevel.get(fieldId) }, 'required', 'is required');
    }
  }
  for (const [subformId, rowRules] of Object.entries(rules.rows)) {
    const rows = getOwn(data, subformId);
    if (!Array.isArray(rows)) continue;
    const owner = index.topLevel.get(subformId);
    rowRules.forEach((entry, row) => {
      const value = rows[row];
      if (!isPlainObject(value)) return;
      for (const [column, needed] of Object.entries(entry.required)) {
        if (needed && isEmptyValue(getOwn(value, column))) {
          push({ field: subformId, row, column, def: index.columns.get(subformId)?.get(column), owner }, 'required', 'is required');
        }
      }
    });
  }
  return { errors };
}
