import { calendarDate, dayjs, inZone, isDateString, isDateTimeString, startOfDayIso, todayIn, zonedToInstant, type Dayjs } from '../../time.ts';
import { FormulaError } from '../errors.ts';
import { cleanNumber, flatten, isBlank, toNumber, toText, type EvalEnv } from '../values.ts';
import type { FunctionTable } from './spec.ts';

const DAY_MS = 86_400_000;

/** The calendar day of a date or date-time value (date-times are read in the evaluation time zone). */
export function toCalendar(value: unknown, env: EvalEnv): Dayjs {
  if (isDateString(value)) return calendarDate(value);
  if (isDateTimeString(value)) return calendarDate(inZone(value, env.timeZone).format('YYYY-MM-DD'));
  throw new FormulaError('#VALUE!', `"${toText(value)}" is not a date`);
}

/** The instant of a date (its midnight in the evaluation zone) or date-time, in ms. */
export function toInstantMs(value: unknown, env: EvalEnv): number {
  if (isDateTimeString(value)) return Date.parse(value);
  if (isDateString(value)) return Date.parse(startOfDayIso(value, env.timeZone));
  throw new FormulaError('#VALUE!', `"${toText(value)}" is not a date`);
}

const formatDate = (d: Dayjs) => {
  if (d.year() < 1 || d.year() > 9999) throw new FormulaError('#NUM!', 'Date out of range');
  return d.format('YYYY-MM-DD');
};

type Unit = 'year' | 'month' | 'week' | 'day' | 'hour' | 'minute' | 'second';
const UNITS: Record<string, Unit> = {
  y: 'year', yy: 'year', yyyy: 'year', year: 'year', years: 'year',
  m: 'month', mm: 'month', month: 'month', months: 'month',
  w: 'week', ww: 'week', week: 'week', weeks: 'week',
  d: 'day', dd: 'day', day: 'day', days: 'day',
  h: 'hour', hh: 'hour', hour: 'hour', hours: 'hour',
  mi: 'minute', n: 'minute', minute: 'minute', minutes: 'minute',
  s: 'second', ss: 'second', second: 'second', seconds: 'second',
};

function unitOf(value: unknown): Unit {
  const unit = UNITS[toText(value).trim().toLowerCase()];
  if (!unit) throw new FormulaError('#VALUE!', `Unknown date unit "${toText(value)}"`);
  return unit;
}

/** Shifts a date or date-time. Dates stay dates for day-or-larger units; time units turn them into date-times. */
export function shiftDate(value: unknown, amount: number, unit: Unit, env: EvalEnv): string | null {
  if (isBlank(value)) return null;
  const dateOnly = isDateString(value);
  if (dateOnly && (unit === 'year' || unit === 'month' || unit === 'week' || unit === 'day')) {
    if (unit === 'day' || unit === 'week') {
      return formatDate(calendarDate(value).add(Math.trunc(amount * (unit === 'week' ? 7 : 1)), 'day'));
    }
    return formatDate(calendarDate(value).add(Math.trunc(amount), unit));
  }
  const start = toInstantMs(value, env);
  if (unit === 'year' || unit === 'month') {
    const local = inZone(start, env.timeZone).add(Math.trunc(amount), unit);
    return zonedToInstant(local, env.timeZone).toISOString();
  }
  const ms = { week: 7 * DAY_MS, day: DAY_MS, hour: 3_600_000, minute: 60_000, second: 1000 }[unit];
  const result = new Date(start + Math.round(amount * ms));
  if (Number.isNaN(result.getTime())) throw new FormulaError('#NUM!', 'Date out of range');
  return result.toISOString();
}

function dateDiff(start: Dayjs, end: Dayjs, unit: string): number {
  switch (unit.toUpperCase()) {
    case 'Y':
      return end.diff(start, 'year');
    case 'M':
      return end.diff(start, 'month');
    case 'D':
      return end.diff(start, 'day');
    case 'MD':
      return end.diff(start.add(end.diff(start, 'month'), 'month'), 'day');
    case 'YM':
      return end.diff(start, 'month') % 12;
    case 'YD': {
      let anniversary = start.add(end.diff(start, 'year'), 'year');
      if (anniversary.isAfter(end)) anniversary = anniversary.subtract(1, 'year');
      return end.diff(anniversary, 'day');
    }
    default:
      throw new FormulaError('#NUM!', `Unknown DATEDIF unit "${unit}"`);
  }
}

/** Date functions propagate emptiness: YEAR of an empty date is empty, not an error. */
function blankSafe<T>(values: unknown[], fn: () => T): T | null {
  return values.some(isBlank) ? null : fn();
}

export const dateFunctions: FunctionTable = {
  TODAY: { min: 0, max: 0, call: (_args, env) => todayIn(env.now, env.timeZone) },
  NOW: { min: 0, max: 0, call: (_args, env) => env.now.toISOString() },
  DATE: {
    min: 3,
    max: 3,
    elementwise: true,
    call: ([y, m, d]) => {
      // Overflowing months and days roll over, as in Excel: DATE(2024, 13, 1) is 2025-01-01.
      const ms = Date.UTC(Math.trunc(toNumber(y)), Math.trunc(toNumber(m)) - 1, Math.trunc(toNumber(d)));
      if (Number.isNaN(ms)) throw new FormulaError('#NUM!', 'Invalid date');
      return formatDate(dayjs.utc(ms));
    },
  },
  YEAR: { min: 1, max: 1, elementwise: true, call: ([v], env) => blankSafe([v], () => toCalendar(v, env).year()) },
  MONTH: { min: 1, max: 1, elementwise: true, call: ([v], env) => blankSafe([v], () => toCalendar(v, env).month() + 1) },
  DAY: { min: 1, max: 1, elementwise: true, call: ([v], env) => blankSafe([v], () => toCalendar(v, env).date()) },
  HOUR: { min: 1, max: 1, elementwise: true, call: ([v], env) => blankSafe([v], () => inZone(toInstantMs(v, env), env.timeZone).hour()) },
  MINUTE: { min: 1, max: 1, elementwise: true, call: ([v], env) => blankSafe([v], () => inZone(toInstantMs(v, env), env.timeZone).minute()) },
  SECOND: { min: 1, max: 1, elementwise: true, call: ([v], env) => blankSafe([v], () => inZone(toInstantMs(v, env), env.timeZone).second()) },
  /** DATEDIF(start, end, "Y" | "M" | "D" | "MD" | "YM" | "YD"), whole units between two dates. */
  DATEDIF: {
    min: 3,
    max: 3,
    elementwise: true,
    call: ([start, end, unit], env) =>
      blankSafe([start, end], () => {
        const from = toCalendar(start, env);
        const to = toCalendar(end, env);
        if (from.isAfter(to)) throw new FormulaError('#NUM!', 'DATEDIF start is after end');
        return dateDiff(from, to, toText(unit));
      }),
  },
  /** DATEDELTA(date, days): the date `days` later (negative for earlier). */
  DATEDELTA: { min: 2, max: 2, elementwise: true, call: ([date, days], env) => shiftDate(date, toNumber(days), 'day', env) },
  /** DATEADD(date, n, unit = "d"): units y, m, w, d, h, mi, s (or their English names). */
  DATEADD: {
    min: 2,
    max: 3,
    elementwise: true,
    call: ([date, n, unit], env) => shiftDate(date, toNumber(n), unit === undefined ? 'day' : unitOf(unit), env),
  },
  /** DAYS(end, start): calendar days from start to end. */
  DAYS: {
    min: 2,
    max: 2,
    elementwise: true,
    call: ([end, start], env) => blankSafe([end, start], () => toCalendar(end, env).diff(toCalendar(start, env), 'day')),
  },
  /** WEEKDAY(date, type = 1): type 1 Sunday=1..Saturday=7, type 2 Monday=1..Sunday=7, type 3 Monday=0..Sunday=6. */
  WEEKDAY: {
    min: 1,
    max: 2,
    elementwise: true,
    call: ([date, type], env) =>
      blankSafe([date], () => {
        const day = toCalendar(date, env).day();
        const kind = type === undefined ? 1 : Math.trunc(toNumber(type));
        if (kind === 1) return day + 1;
        if (kind === 2) return day === 0 ? 7 : day;
        if (kind === 3) return day === 0 ? 6 : day - 1;
        throw new FormulaError('#NUM!', 'WEEKDAY type must be 1, 2 or 3');
      }),
  },
  /** NETWORKDAYS(start, end, [holidays]): working days (Mon–Fri) from start to end inclusive, minus holidays. */
  NETWORKDAYS: {
    min: 2,
    max: 3,
    call: ([start, end, holidays], env) =>
      blankSafe([start, end], () => {
        const from = toCalendar(start, env);
        const to = toCalendar(end, env);
        const sign = to.isBefore(from) ? -1 : 1;
        const [lo, hi] = sign === 1 ? [from, to] : [to, from];
        const span = hi.diff(lo, 'day');
        if (span > 366 * 200) throw new FormulaError('#NUM!', 'Date range too long');
        const off = new Set(flatten([holidays]).filter((h) => !isBlank(h)).map((h) => toCalendar(h, env).format('YYYY-MM-DD')));
        let days = 0;
        for (let i = 0, d = lo; i <= span; i++, d = d.add(1, 'day')) {
          const weekday = d.day();
          if (weekday !== 0 && weekday !== 6 && !off.has(d.format('YYYY-MM-DD'))) days++;
        }
        return cleanNumber(sign * days);
      }),
  },
};
