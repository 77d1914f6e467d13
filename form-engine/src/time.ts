import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';

dayjs.extend(utc);

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

/*
 * Time zones go through one cached Intl.DateTimeFormat per zone: creating formatters (as Date#toLocaleString does)
 * costs tens of microseconds, which matters when every record write evaluates TODAY().
 */
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      formatter = null;
    }
    if (formatters.size < 1000) formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Unknown zones fall back to UTC instead of throwing inside a formula or filter. */
export function safeTimeZone(timeZone: string | undefined): string {
  if (!timeZone || timeZone === 'UTC') return DEFAULT_TIME_ZONE;
  return formatterFor(timeZone) ? timeZone : DEFAULT_TIME_ZONE;
}

/** Zone offsets only change on quarter-hour boundaries, so one lookup serves a whole quarter hour. */
const QUARTER_HOUR = 900_000;
const recentOffsets = new Map<string, { bucket: number; offset: number }>();

/** How far the zone's wall clock is ahead of UTC at instant `ms`. */
function offsetMs(ms: number, timeZone: string): number {
  if (timeZone === 'UTC') return 0;
  const bucket = Math.floor(ms / QUARTER_HOUR);
  const recent = recentOffsets.get(timeZone);
  if (recent?.bucket === bucket) return recent.offset;
  const offset = computeOffset(ms, timeZone);
  if (recentOffsets.size < 1000 || recentOffsets.has(timeZone)) recentOffsets.set(timeZone, { bucket, offset });
  return offset;
}

function computeOffset(ms: number, timeZone: string): number {
  const formatter = formatterFor(timeZone);
  if (!formatter) return 0;
  const fields: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(ms))) if (part.type !== 'literal') fields[part.type] = Number(part.value);
  const wall = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour % 24, fields.minute, fields.second);
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The wall-clock view of an instant in a time zone, as a UTC-mode dayjs whose fields (year, hour, format('HH:mm'))
 * read as local time. Use zonedToInstant to turn a wall clock back into an instant.
 */
export function inZone(instant: Instant, timeZone: string | undefined): Dayjs {
  const ms = toDate(instant).getTime();
  return dayjs.utc(ms + offsetMs(ms, safeTimeZone(timeZone)));
}

/** The instant at which the zone's wall clock shows `wallClock` (a UTC-mode dayjs as returned by inZone). */
export function zonedToInstant(wallClock: Dayjs, timeZone: string | undefined): Date {
  const zone = safeTimeZone(timeZone);
  const guess = wallClock.valueOf();
  const first = guess - offsetMs(guess, zone);
  const second = guess - offsetMs(first, zone);
  return new Date(second);
}

/** Today's date ('YYYY-MM-DD') as seen in `timeZone`. */
export function todayIn(now: Instant | undefined, timeZone: string | undefined): string {
  return inZone(toDate(now), timeZone).format('YYYY-MM-DD');
}

/** The instant (canonical UTC ISO string) at which `date` starts in `timeZone`. */
export function startOfDayIso(date: string, timeZone: string | undefined): string {
  return zonedToInstant(dayjs.utc(date), timeZone).toISOString();
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
