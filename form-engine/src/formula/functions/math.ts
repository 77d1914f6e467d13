import { COUNTIF, SUMIF } from '@formulajs/formulajs';
import { FormulaError } from '../errors.ts';
import { cleanNumber, flatten, isBlank, numericValues, parseNumericText, roundHalfAway, toNumber } from '../values.ts';
import type { FunctionTable } from './spec.ts';

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return cleanNumber(total);
}

function integerDigits(value: unknown): number {
  const digits = Math.trunc(toNumber(value));
  if (Math.abs(digits) > 15) throw new FormulaError('#NUM!', 'Too many digits');
  return digits;
}

/** Non-numeric entries count as 0 in SUMPRODUCT, as in Excel. */
function productTerm(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return parseNumericText(value) ?? 0;
  return 0;
}

/** formulajs returns Error objects instead of throwing; turn them into our error values. */
function viaFormulajs(result: unknown): unknown {
  if (result instanceof Error) throw new FormulaError('#VALUE!', result.message);
  return result;
}

function blanksAsNull(values: unknown): unknown {
  return Array.isArray(values) ? values.map((v) => (isBlank(v) ? null : v)) : [isBlank(values) ? null : values];
}

function multiple(value: number, significance: number, direction: 'ceil' | 'floor'): number {
  if (significance === 0) return 0;
  if (value > 0 && significance < 0) throw new FormulaError('#NUM!', 'Significance must have the sign of the number');
  const steps = cleanNumber(value / significance);
  return cleanNumber((direction === 'ceil' ? Math.ceil(steps) : Math.floor(steps)) * significance);
}

export const mathFunctions: FunctionTable = {
  SUM: { min: 1, max: 255, call: (args) => sum(numericValues(args)) },
  AVERAGE: {
    min: 1,
    max: 255,
    call: (args) => {
      const values = numericValues(args);
      if (values.length === 0) throw new FormulaError('#DIV/0!', 'AVERAGE of no numbers');
      return cleanNumber(sum(values) / values.length);
    },
  },
  MIN: { min: 1, max: 255, call: (args) => (numericValues(args).length ? Math.min(...numericValues(args)) : 0) },
  MAX: { min: 1, max: 255, call: (args) => (numericValues(args).length ? Math.max(...numericValues(args)) : 0) },
  /** Counts non-empty values (Jiandaoyun semantics): COUNT(items) is the number of rows. */
  COUNT: { min: 1, max: 255, call: (args) => flatten(args).filter((v) => !isBlank(v)).length },
  COUNTA: { min: 1, max: 255, call: (args) => flatten(args).filter((v) => !isBlank(v)).length },
  SUMPRODUCT: {
    min: 1,
    max: 255,
    call: (args) => {
      const lists = args.map((a) => (Array.isArray(a) ? flatten(a) : [a]));
      const length = lists[0].length;
      if (lists.some((l) => l.length !== length)) throw new FormulaError('#VALUE!', 'SUMPRODUCT lists must have the same length');
      let total = 0;
      for (let i = 0; i < length; i++) total += lists.reduce((product, list) => product * productTerm(list[i]), 1);
      return cleanNumber(total);
    },
  },
  SUMIF: {
    min: 2,
    max: 3,
    call: ([range, criteria, sumRange]) =>
      viaFormulajs(SUMIF(blanksAsNull(range) as never, criteria as never, sumRange === undefined ? undefined : (blanksAsNull(sumRange) as never))),
  },
  COUNTIF: { min: 2, max: 2, call: ([range, criteria]) => viaFormulajs(COUNTIF(blanksAsNull(range) as never, criteria as never)) },
  ROUND: { min: 1, max: 2, elementwise: true, call: ([value, digits]) => roundHalfAway(toNumber(value), digits === undefined ? 0 : integerDigits(digits)) },
  ROUNDUP: { min: 1, max: 2, elementwise: true, call: ([value, digits]) => roundHalfAway(toNumber(value), digits === undefined ? 0 : integerDigits(digits), 'up') },
  ROUNDDOWN: { min: 1, max: 2, elementwise: true, call: ([value, digits]) => roundHalfAway(toNumber(value), digits === undefined ? 0 : integerDigits(digits), 'down') },
  ABS: { min: 1, max: 1, elementwise: true, call: ([value]) => Math.abs(toNumber(value)) },
  INT: { min: 1, max: 1, elementwise: true, call: ([value]) => Math.floor(toNumber(value)) },
  MOD: {
    min: 2,
    max: 2,
    elementwise: true,
    call: ([n, d]) => {
      const divisor = toNumber(d);
      if (divisor === 0) throw new FormulaError('#DIV/0!', 'MOD by zero');
      const number = toNumber(n);
      // Excel: the result has the sign of the divisor.
      return cleanNumber(number - divisor * Math.floor(number / divisor));
    },
  },
  POWER: { min: 2, max: 2, elementwise: true, call: ([b, e]) => cleanNumber(Math.pow(toNumber(b), toNumber(e))) },
  SQRT: {
    min: 1,
    max: 1,
    elementwise: true,
    call: ([value]) => {
      const n = toNumber(value);
      if (n < 0) throw new FormulaError('#NUM!', 'SQRT of a negative number');
      return cleanNumber(Math.sqrt(n));
    },
  },
  CEILING: { min: 1, max: 2, elementwise: true, call: ([value, sig]) => multiple(toNumber(value), sig === undefined ? 1 : toNumber(sig), 'ceil') },
  FLOOR: { min: 1, max: 2, elementwise: true, call: ([value, sig]) => multiple(toNumber(value), sig === undefined ? 1 : toNumber(sig), 'floor') },
  VALUE: { min: 1, max: 1, elementwise: true, call: ([value]) => toNumber(value) },
};
