import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import timezone from 'dayjs/plugin/timezone.js';

dayjs.extend(utc);
dayjs.extend(timezone);

export { dayjs };
export type Dayjs = dayjs.Dayjs;

export const DEFAULT_TIME_ZONE = 'UTC';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):?(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function validCalendarDate(y: string, m: string, d: string): boolean {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** 'YYYY-MM-DD' naming a day that exists (no Feb 30). */
export function isDateString(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE_RE.exec(value);
  return m !== null && validCalendarDate(m[1], m[2], m[3]);
}

/** ISO 8601 date-time with a time zone designator (Z or ±hh:mm): local times without an offset are ambiguous. */
export function isDateTimeString(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATETIME_RE.exec(value);
  if (m === null || !validCalendarDate(m[1], m[2], m[3])) return false;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || (m[6] !== undefined && Number(m[6]) > 59)) return false;
  return m[9] === undefined || (Number(m[9]) <= 23 && Number(m[10]) <= 59);
}

export type Instant = Date | string | number;

/** The evaluation clock: an explicit `now` keeps formulas and filters deterministic and testable. */
export function toDate(now: Instant | undefined): Date {
  if (now === undefined) return new Date();
  const date = now instanceof Date ? now : new Date(now);
  if (Number.isNaN(date.getTime())) throw new RangeError(`invalid time: ${String(now)}`);
  return date;
}

const zoneCache = new Map<string, boolean>();
/** Unknown zones fall back to UTC instead of throwing inside a formula or filter. */
export function safeTimeZone(timeZone: string | undefined): string {
  if (!timeZone) return DEFAULT_TIME_ZONE;
  let ok = zoneCache.get(timeZone);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone });
      ok = true;
    } catch {
      ok = false;
    }
    if (zoneCache.size < 1000) zoneCache.set(timeZone, ok);
  }
  return ok ? timeZone : DEFAULT_TIME_ZONE;
}

/** The wall-clock view of an instant in a time zone. */
export function inZone(instant: Instant, timeZone: string | undefined): Dayjs {
  const zone = safeTimeZone(timeZone);
  const d = dayjs(toDate(instant));
  return zone === 'UTC' ? d.utc() : d.tz(zone);
}

/** Today's date ('YYYY-MM-DD') as seen in `timeZone`. */
export function todayIn(now: Instant | undefined, timeZone: string | undefined): string {
  return inZone(toDate(now), timeZone).format('YYYY-MM-DD');
}

/** The instant (canonical UTC ISO string) at which `date` starts in `timeZone`. */
export function startOfDayIso(date: string, timeZone: string | undefined): string {
  const zone = safeTimeZone(timeZone);
  const d = zone === 'UTC' ? dayjs.utc(date) : dayjs.tz(date, zone);
  return d.toDate().toISOString();
}

/** A calendar date as a UTC-midnight dayjs, so day arithmetic never meets a DST jump. */
export function calendarDate(date: string): Dayjs {
  return dayjs.utc(date);
}

export function addDaysToDate(date: string, days: number): string {
  return calendarDate(date).add(days, 'day').format('YYYY-MM-DD');
}

/** Canonical storage form of a date-time: UTC with milliseconds, so string order equals time order in every store. */
export function canonicalDateTime(value: string): string {
  return new Date(value).toISOString();
}
