import { FormulaError } from '../errors.ts';
import { checkTextLength, flatten, isBlank, isDateLike, toBoolean, toNumber, toText } from '../values.ts';
import { formatDateText } from './date-format.ts';
import { formatNumberPattern } from './number-format.ts';
import type { FunctionTable } from './spec.ts';

/** Code points, so an emoji or a rare CJK character counts as one character. */
const chars = (text: string) => Array.from(text);

function count(value: unknown, name: string): number {
  const n = Math.trunc(toNumber(value));
  if (n < 0) throw new FormulaError('#VALUE!', `${name} cannot be negative`);
  return n;
}

function position(value: unknown): number {
  const n = Math.trunc(toNumber(value));
  if (n < 1) throw new FormulaError('#VALUE!', 'Positions start at 1');
  return n;
}

function find(needle: string, haystack: string, start: number, caseSensitive: boolean): number {
  const h = chars(caseSensitive ? haystack : haystack.toLowerCase());
  const n = caseSensitive ? needle : needle.toLowerCase();
  if (start > h.length + 1) throw new FormulaError('#VALUE!', 'Start is past the end of the text');
  const index = h.slice(start - 1).join('').indexOf(n);
  if (index === -1) throw new FormulaError('#VALUE!', `"${needle}" not found`);
  return start + chars(h.slice(start - 1).join('').slice(0, index)).length;
}

export const textFunctions: FunctionTable = {
  CONCATENATE: { min: 1, max: 255, call: (args) => checkTextLength(flatten(args).map(toText).join('')) },
  TEXTJOIN: {
    min: 3,
    max: 255,
    call: ([delimiter, ignoreEmpty, ...rest]) => {
      const skip = toBoolean(ignoreEmpty);
      const parts = flatten(rest).filter((v) => !(skip && isBlank(v)));
      return checkTextLength(parts.map(toText).join(toText(delimiter)));
    },
  },
  TEXT: {
    min: 2,
    max: 2,
    elementwise: true,
    call: ([value, format], env) => {
      const pattern = toText(format);
      if (isBlank(value)) return '';
      if (isDateLike(value)) return formatDateText(value, pattern, env);
      if (typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))) {
        return formatNumberPattern(toNumber(value), pattern) ?? toText(value);
      }
      return toText(value);
    },
  },
  LEFT: { min: 1, max: 2, elementwise: true, call: ([text, n]) => chars(toText(text)).slice(0, n === undefined ? 1 : count(n, 'LEFT length')).join('') },
  RIGHT: {
    min: 1,
    max: 2,
    elementwise: true,
    call: ([text, n]) => {
      const k = n === undefined ? 1 : count(n, 'RIGHT length');
      const list = chars(toText(text));
      return k === 0 ? '' : list.slice(Math.max(0, list.length - k)).join('');
    },
  },
  MID: {
    min: 3,
    max: 3,
    elementwise: true,
    call: ([text, start, n]) => {
      const from = position(start) - 1;
      return chars(toText(text)).slice(from, from + count(n, 'MID length')).join('');
    },
  },
  LEN: { min: 1, max: 1, elementwise: true, call: ([text]) => chars(toText(text)).length },
  UPPER: { min: 1, max: 1, elementwise: true, call: ([text]) => toText(text).toUpperCase() },
  LOWER: { min: 1, max: 1, elementwise: true, call: ([text]) => toText(text).toLowerCase() },
  /** Excel TRIM: strips the ends and collapses runs of inner spaces. */
  TRIM: { min: 1, max: 1, elementwise: true, call: ([text]) => toText(text).trim().replace(/ {2,}/g, ' ') },
  REPLACE: {
    min: 4,
    max: 4,
    elementwise: true,
    call: ([text, start, n, replacement]) => {
      const list = chars(toText(text));
      const from = position(start) - 1;
      return checkTextLength([...list.slice(0, from), toText(replacement), ...list.slice(from + count(n, 'REPLACE length'))].join(''));
    },
  },
  SUBSTITUTE: {
    min: 3,
    max: 4,
    elementwise: true,
    call: ([text, oldText, newText, instance]) => {
      const source = toText(text);
      const search = toText(oldText);
      const replacement = toText(newText);
      if (search === '') return source;
      if (instance === undefined) return checkTextLength(source.split(search).join(replacement));
      const nth = position(instance);
      let index = -1;
      for (let i = 0; i < nth; i++) {
        index = source.indexOf(search, index + 1);
        if (index === -1) return source;
      }
      return checkTextLength(source.slice(0, index) + replacement + source.slice(index + search.length));
    },
  },
  FIND: { min: 2, max: 3, elementwise: true, call: ([needle, haystack, start]) => find(toText(needle), toText(haystack), start === undefined ? 1 : position(start), true) },
  SEARCH: { min: 2, max: 3, elementwise: true, call: ([needle, haystack, start]) => find(toText(needle), toText(haystack), start === undefined ? 1 : position(start), false) },
};
