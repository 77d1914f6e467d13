import type { AnyFieldDefinition } from '../definition/schema.ts';
import { isPlainObject } from '../own.ts';
import { canonicalDateTime, inZone, isDateString, isDateTimeString, startOfDayIso } from '../time.ts';
import { isBlank, parseNumericText, roundHalfAway, toText } from './values.ts';

/** Formula results are kept to 10 decimals (then the field's precision), so stored totals carry no float noise. */
export const RESULT_DECIMALS = 10;

export function roundResult(value: number, precision: number | undefined): number {
  const rounded = roundHalfAway(value, RESULT_DECIMALS);
  return precision === undefined ? rounded : roundHalfAway(rounded, precision);
}

/** A formula field stores scalars only; a list or object result (e.g. `items.amount`) is not a value. */
export function formulaFieldValue(value: unknown, field: AnyFieldDefinition): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? roundResult(value, field.precision) : null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  return null;
}

/**
 * Converts a formula default to the field's value format, or undefined when it cannot be one
 * (the field then stays empty rather than holding a value its validator would refuse).
 */
export function defaultValueFor(value: unknown, field: AnyFieldDefinition, timeZone: string): unknown {
  if (isBlank(value)) return undefined;
  switch (field.type) {
    case 'number':
    case 'money': {
      const n = typeof value === 'number' ? value : typeof value === 'string' ? parseNumericText(value) : undefined;
      return n === undefined || !Number.isFinite(n) ? undefined : roundResult(n, field.precision ?? (field.type === 'money' ? 2 : undefined));
    }
    case 'date':
      if (isDateString(value)) return value;
      if (isDateTimeString(value)) return inZone(value, timeZone).format('YYYY-MM-DD');
      return undefined;
    case 'datetime':
      if (isDateTimeString(value)) return canonicalDateTime(value);
      if (isDateString(value)) return startOfDayIso(value, timeZone);
      return undefined;
    case 'checkbox':
    case 'multiselect':
    case 'members':
    case 'departments':
      if (Array.isArray(value)) return value.filter((v) => !isBlank(v)).map((v) => toText(v));
      return [toText(value)];
    case 'address':
    case 'location':
    case 'image':
    case 'attachment':
    case 'subform':
      return Array.isArray(value) || isPlainObject(value) ? value : undefined;
    default:
      return Array.isArray(value) || isPlainObject(value) ? undefined : toText(value);
  }
}
