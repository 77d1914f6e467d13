import { isDateString, isDateTimeString, type Instant } from '../time.ts';
import { isPlainObject } from '../own.ts';
import { FormulaError } from './errors.ts';

/** Clock, zone and record id a formula sees; explicit so results are deterministic. */
export interface FormulaContext {
  now?: Instant;
  timeZone?: string;
  /** The record's id, referenced as `id` in formulas. */
  recordId?: string;
}

export interface EvalEnv {
  now: Date;
  timeZone: string;
  recordId?: string;
  lookup(name: string): unknown;
}

/** Results longer than this are refused: SUBSTITUTE or & over hostile input must not exhaust memory. */
export const MAX_TEXT_RESULT = 1_000_000;

export function isBlank(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

/** ISEMPTY: blank, an empty list, a list of blanks (e.g. an empty subform column) or an object of blanks (an address). */
export function isEmptyFormulaValue(value: unknown): boolean {
  if (isBlank(value)) return true;
  if (Array.isArray(value)) return value.every(isEmptyFormulaValue);
  if (isPlainObject(value)) return Object.keys(value).every((k) => isEmptyFormulaValue(value[k]));
  return false;
}

const NUMERIC_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export function parseNumericText(text: string): number | undefined {
  const trimmed = text.trim();
  return NUMERIC_TEXT.test(trimmed) ? Number(trimmed) : undefined;
}

export function finite(value: number): number {
  if (!Number.isFinite(value)) throw new FormulaError('#NUM!', 'The result is not a finite number');
  return value;
}

/** Excel keeps 15 significant digits, which is what makes 0.1 + 0.2 equal 0.3. */
export function cleanNumber(value: number): number {
  if (!Number.isFinite(value)) throw new FormulaError('#NUM!', 'The result is not a finite number');
  if (Number.isInteger(value)) return value === 0 ? 0 : value;
  const cleaned = Number(value.toPrecision(15));
  return cleaned === 0 ? 0 : cleaned;
}

/** Rounds half away from zero at `digits` decimals (negative digits round to tens, hundreds...), without binary drift. */
export function roundHalfAway(value: number, digits: number, mode: 'nearest' | 'up' | 'down' = 'nearest'): number {
  if (!Number.isFinite(value) || (Number.isInteger(value) && digits >= 0)) return value;
  const d = Math.trunc(digits);
  const step = (n: number) => (mode === 'up' ? Math.ceil(n) : mode === 'down' ? Math.floor(n) : Math.round(n));
  if (d >= 0 && d <= 15) {
    const factor = 10 ** d;
    const scaled = Math.abs(value) * factor;
    if (scaled < Number.MAX_SAFE_INTEGER) {
      // toPrecision(15) removes representation noise such as 1.005 * 100 = 100.49999999999999;
      // dividing an exact integer by an exact power of ten gives the double nearest the decimal result.
      const result = (Math.sign(value) * step(Number(scaled.toPrecision(15)))) / factor;
      return result === 0 ? 0 : result;
    }
  }
  const shift = (n: number, by: number) => {
    const [mantissa, exponent] = n.toExponential().split('e');
    return Number(`${mantissa}e${Number(exponent) + by}`);
  };
  const magnitude = Number(shift(Math.abs(value), d).toPrecision(15));
  const result = Math.sign(value) * shift(step(magnitude), -d);
  return result === 0 ? 0 : result;
}

export function toNumber(value: unknown): number {
  if (isBlank(value)) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const parsed = parseNumericText(value);
    if (parsed !== undefined) return parsed;
    throw new FormulaError('#VALUE!', `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}" is not a number`);
  }
  throw new FormulaError('#VALUE!', 'A list or object cannot be used as a number');
}

/** Numbers as Excel shows them in text: without float noise (0.1 + 0.2 reads "0.3"). */
export function formatNumber(value: number): string {
  return String(cleanNumber(value));
}

export function checkTextLength(text: string): string {
  if (text.length > MAX_TEXT_RESULT) throw new FormulaError('#VALUE!', 'The text result is too long');
  return text;
}

export function toText(value: unknown): string {
  if (isBlank(value)) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (Array.isArray(value)) return checkTextLength(value.map(toText).join(','));
  if (isPlainObject(value)) {
    // An address reads as one line, Chinese style; a location as its address; a file as its name.
    if ('province' in value || 'city' in value || 'district' in value || 'detail' in value) {
      return ['province', 'city', 'district', 'detail'].map((k) => (typeof value[k] === 'string' ? value[k] : '')).join('');
    }
    if (typeof value.address === 'string') return value.address;
    if (typeof value.name === 'string') return value.name;
  }
  throw new FormulaError('#VALUE!', 'This value cannot be used as text');
}

export function toBoolean(value: unknown): boolean {
  if (isBlank(value)) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    return true;
  }
  if (Array.isArray(value)) throw new FormulaError('#VALUE!', 'A list cannot be used as a condition');
  return true;
}

export function isDateLike(value: unknown): value is string {
  return typeof value === 'string' && (isDateString(value) || isDateTimeString(value));
}

/** All arguments as one flat list: subform columns (arrays) spread into their values. */
export function flatten(values: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else out.push(value);
  };
  values.forEach(visit);
  return out;
}

/** The numeric values among `values`: numbers and numeric text count, blanks and other text are skipped. */
export function numericValues(values: readonly unknown[]): number[] {
  const out: number[] = [];
  for (const value of flatten(values)) {
    if (typeof value === 'number') out.push(value);
    else if (typeof value === 'string') {
      const parsed = parseNumericText(value);
      if (parsed !== undefined) out.push(parsed);
    }
  }
  return out;
}
