import { Ajv } from 'ajv';
import { isDateTimeString } from '../time.ts';
import { FORMATS } from './formats.ts';

/** At most `digits` decimal places; the toFixed round trip avoids binary noise such as 0.1 + 0.2. */
export function hasPrecision(value: number, digits: number): boolean {
  if (!Number.isFinite(value)) return false;
  if (Number.isInteger(value)) return true;
  if (Math.abs(value) >= 1e15) return digits > 0 || Number.isInteger(value);
  return Number(value.toFixed(digits)) === value;
}

function instant(value: string): number {
  return Date.parse(value);
}

/** Compares date / date-time bounds: dates as calendar days, date-times as instants. */
function withinBound(value: unknown, bound: string, side: 'min' | 'max'): boolean {
  if (typeof value !== 'string' || value === '') return true;
  const a = isDateTimeString(value) || isDateTimeString(bound) ? instant(value) : value;
  const b = isDateTimeString(value) || isDateTimeString(bound) ? instant(bound) : bound;
  if (typeof a === 'number' && (Number.isNaN(a) || Number.isNaN(b as number))) return true;
  return side === 'min' ? a >= b : a <= b;
}

function fileRef(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return true;
  const file = value as Record<string, unknown>;
  const present = (k: string) => Object.prototype.hasOwnProperty.call(file, k) && typeof file[k] === 'string' && file[k] !== '';
  return present('id') || present('url');
}

/** The one ajv instance for record data: all errors at once, our own formats and keywords (prefixed x- for OpenAPI). */
export function createRecordAjv(): Ajv {
  // messages: false and no code optimisation make compiling a large form markedly faster; messages are our own anyway.
  const ajv = new Ajv({ allErrors: true, strict: false, messages: false, inlineRefs: false, validateSchema: false, addUsedSchema: false, code: { optimize: false } });
  for (const [name, check] of Object.entries(FORMATS)) ajv.addFormat(name, { type: 'string', validate: check });
  ajv.addKeyword({ keyword: 'x-precision', type: 'number', schemaType: 'number', errors: false, validate: (digits: number, value: number) => hasPrecision(value, digits) });
  ajv.addKeyword({ keyword: 'x-date-min', type: 'string', schemaType: 'string', errors: false, validate: (bound: string, value: string) => withinBound(value, bound, 'min') });
  ajv.addKeyword({ keyword: 'x-date-max', type: 'string', schemaType: 'string', errors: false, validate: (bound: string, value: string) => withinBound(value, bound, 'max') });
  ajv.addKeyword({ keyword: 'x-file-ref', type: 'object', schemaType: 'boolean', errors: false, validate: (on: boolean, value: unknown) => !on || fileRef(value) });
  return ajv;
}

let shared: Ajv | undefined;
export function recordAjv(): Ajv {
  return (shared ??= createRecordAjv());
}
