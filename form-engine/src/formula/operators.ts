import type { BinaryOperator } from './ast.ts';
import { FormulaError } from './errors.ts';
import { shiftDate, toInstantMs } from './functions/date.ts';
import { calendarDate, isDateString } from '../time.ts';
import { checkTextLength, cleanNumber, finite, isBlank, isDateLike, parseNumericText, toNumber, toText, type EvalEnv } from './values.ts';

const DAY_MS = 86_400_000;

/** date - date in days: whole days between calendar dates, fractional when a date-time is involved. */
function daysBetween(a: string, b: string, env: EvalEnv): number {
  if (isDateString(a) && isDateString(b)) return calendarDate(a).diff(calendarDate(b), 'day');
  return cleanNumber((toInstantMs(a, env) - toInstantMs(b, env)) / DAY_MS);
}

function arithmetic(op: '+' | '-' | '*' | '/' | '^', a: unknown, b: unknown, env: EvalEnv): unknown {
  // Dates are 'YYYY-MM-DD' text in data; + and - with a number of days keep them dates, date - date gives days.
  if (op === '+' || op === '-') {
    const aDate = isDateLike(a);
    const bDate = isDateLike(b);
    if (aDate && bDate && op === '-') return daysBetween(a, b, env);
    if (aDate && !bDate) return shiftDate(a, op === '+' ? toNumber(b) : -toNumber(b), 'day', env);
    if (bDate && !aDate && op === '+') return shiftDate(b, toNumber(a), 'day', env);
  }
  const x = toNumber(a);
  const y = toNumber(b);
  // Full precision in between (1/3*3 is 1); comparisons and results are cleaned to 15 digits like Excel.
  switch (op) {
    case '+':
      return finite(x + y);
    case '-':
      return finite(x - y);
    case '*':
      return finite(x * y);
    case '/':
      if (y === 0) throw new FormulaError('#DIV/0!', 'Division by zero');
      return finite(x / y);
    default: {
      const result = Math.pow(x, y);
      if (Number.isNaN(result)) throw new FormulaError('#NUM!', 'Invalid power');
      return finite(result);
    }
  }
}

/** Excel's ordering across types: numbers < text < booleans. */
function typeRank(value: unknown): number {
  if (typeof value === 'number') return 0;
  if (typeof value === 'string') return 1;
  if (typeof value === 'boolean') return 2;
  throw new FormulaError('#VALUE!', 'A list or object cannot be compared');
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Compares two scalars; an empty value equals 0, "" or FALSE depending on the other side. */
export function compareValues(a: unknown, b: unknown, env: EvalEnv): number {
  if (isBlank(a) && isBlank(b)) return 0;
  if (isBlank(a)) return -compareValues(b, a, env);
  if (isBlank(b)) {
    if (typeof a === 'number') return sign(cleanNumber(a));
    if (typeof a === 'boolean') return a ? 1 : 0;
    return 1;
  }
  if (typeof a === 'number' && typeof b === 'string') {
    const n = parseNumericText(b);
    if (n !== undefined) return sign(cleanNumber(a) - cleanNumber(n));
  }
  if (typeof a === 'string' && typeof b === 'number') return -compareValues(b, a, env);
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return sign(ra - rb);
  if (typeof a === 'number' && typeof b === 'number') return sign(cleanNumber(a) - cleanNumber(b));
  if (typeof a === 'boolean' && typeof b === 'boolean') return sign(Number(a) - Number(b));
  const sa = a as string;
  const sb = b as string;
  if (isDateLike(sa) && isDateLike(sb) && isDateString(sa) !== isDateString(sb)) {
    return sign(toInstantMs(sa, env) - toInstantMs(sb, env));
  }
  // Excel compares text case-insensitively.
  const la = sa.toLowerCase();
  const lb = sb.toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : 0;
}

export function applyBinary(op: BinaryOperator, a: unknown, b: unknown, env: EvalEnv): unknown {
  switch (op) {
    case '&':
      return checkTextLength(toText(a) + toText(b));
    case '=':
      return compareValues(a, b, env) === 0;
    case '<>':
      return compareValues(a, b, env) !== 0;
    case '<':
      return compareValues(a, b, env) < 0;
    case '<=':
      return compareValues(a, b, env) <= 0;
    case '>':
      return compareValues(a, b, env) > 0;
    case '>=':
      return compareValues(a, b, env) >= 0;
    default:
      return arithmetic(op, a, b, env);
  }
}
