/**
 * Date bucketing for aggregates. Dates are 'YYYY-MM-DD' strings and bucket by string slicing. Date-times are
 * canonical UTC ISO strings: the pipeline groups them by their UTC hour (or minute, for zones off the whole hour),
 * which the store can do with one portable `$substrBytes`, and `foldBucket` then maps those few partial groups to
 * the tenant's local day, week, month, quarter or year. Time-zone arithmetic per record inside the pipeline is
 * neither portable (mingo only knows fixed offsets well) nor cheap.
 */

export const BUCKETS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type Bucket = (typeof BUCKETS)[number];

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

export function validTimeZone(zone: unknown): string {
  if (typeof zone !== 'string' || !zone) return DEFAULT_TIME_ZONE;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return DEFAULT_TIME_ZONE;
  }
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes the zone is ahead of UTC at `instant`. */
export function zoneOffsetMinutes(zone: string, instant: number): number {
  let fmt = offsetFormatters.get(zone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    offsetFormatters.set(zone, fmt);
  }
  const parts: Record<string, number> = {};
  for (const p of fmt.formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return Math.round((wall - Math.floor(instant / 1000) * 1000) / 60_000);
}

/**
 * How many leading characters of a UTC ISO string the pipeline groups date-times by in `zone`: the date itself
 * for zones that are always UTC, the hour for whole-hour zones, the minute for the few half- and quarter-hour ones.
 */
export function datetimePrefixLength(zone: string, bucket: Bucket): number {
  const year = new Date().getUTCFullYear();
  const probes = [Date.UTC(year, 0, 1), Date.UTC(year, 6, 1), Date.UTC(year - 1, 0, 1), Date.UTC(year - 1, 6, 1)].map((t) => zoneOffsetMinutes(zone, t));
  if (probes.every((m) => m === 0)) return datePrefixLength(bucket);
  return probes.every((m) => m % 60 === 0) ? 13 : 16;
}

/** Characters of a 'YYYY-MM-DD' string a bucket needs before folding (week needs the whole day). */
export function datePrefixLength(bucket: Bucket): number {
  return bucket === 'year' ? 4 : bucket === 'month' || bucket === 'quarter' ? 7 : 10;
}

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

/** The local calendar date of an instant in `zone`, as 'YYYY-MM-DD'. */
export function localDate(instant: number, zone: string): string {
  let fmt = dateFormatters.get(zone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormatters.set(zone, fmt);
  }
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(new Date(instant))) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day}`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** ISO 8601 week of a 'YYYY-MM-DD' date: '2026-W01' (the week-year may differ from the calendar year). */
export function isoWeek(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  const dow = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - dow); // the Thursday of this week decides its year
  const weekYear = day.getUTCFullYear();
  const week = Math.ceil(((day.getTime() - Date.UTC(weekYear, 0, 1)) / 86_400_000 + 1) / 7);
  return `${weekYear}-W${pad2(week)}`;
}

/** The bucket of a calendar date (or a prefix of one long enough for the bucket). */
export function dateBucket(date: string, bucket: Bucket): string {
  switch (bucket) {
    case 'day':
      return date.slice(0, 10);
    case 'week':
      return isoWeek(date.slice(0, 10));
    case 'month':
      return date.slice(0, 7);
    case 'quarter':
      return `${date.slice(0, 4)}-Q${Math.ceil(Number(date.slice(5, 7)) / 3)}`;
    case 'year':
      return date.slice(0, 4);
  }
}

const DATE_PREFIX = /^\d{4}(-\d{2}(-\d{2})?)?$/;

/**
 * Turns the pipeline's partial key (a date prefix, or a UTC date-time prefix for date-times) into the final bucket.
 * `cache` memoizes per distinct prefix: there are at most a few thousand per query.
 */
export function foldBucket(raw: unknown, bucket: Bucket, zone: string | null, cache: Map<string, string | null>): string | null {
  if (typeof raw !== 'string' || raw === '') return null;
  const hit = cache.get(raw);
  if (hit !== undefined) return hit;
  let out: string | null = null;
  if (DATE_PREFIX.test(raw)) out = dateBucket(raw, bucket);
  else if (zone && /^\d{4}-\d{2}-\d{2}T\d{2}/.test(raw)) {
    const iso = raw.length === 13 ? `${raw}:00:00Z` : `${raw.slice(0, 16)}:00Z`;
    const instant = Date.parse(iso);
    if (Number.isFinite(instant)) out = dateBucket(localDate(instant, zone), bucket);
  }
  cache.set(raw, out);
  return out;
}

/** The first calendar day of a bucket value and the first day after it, or null for a value that is not one. */
export function bucketDays(value: string, bucket: Bucket): { start: string; end: string } | null {
  const day = (y: number, m: number, d: number) => {
    const t = new Date(Date.UTC(y, m - 1, d));
    return `${String(t.getUTCFullYear()).padStart(4, '0')}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}`;
  };
  let m: RegExpExecArray | null;
  switch (bucket) {
    case 'day':
      if (!(m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value))) return null;
      return { start: value, end: day(+m[1], +m[2], +m[3] + 1) };
    case 'week': {
      if (!(m = /^(\d{4})-W(\d{2})$/.exec(value))) return null;
      const jan4 = new Date(Date.UTC(+m[1], 0, 4));
      const monday = 4 - ((jan4.getUTCDay() || 7) - 1) + (+m[2] - 1) * 7;
      return { start: day(+m[1], 1, monday), end: day(+m[1], 1, monday + 7) };
    }
    case 'month':
      if (!(m = /^(\d{4})-(\d{2})$/.exec(value))) return null;
      return { start: day(+m[1], +m[2], 1), end: day(+m[1], +m[2] + 1, 1) };
    case 'quarter':
      if (!(m = /^(\d{4})-Q([1-4])$/.exec(value))) return null;
      return { start: day(+m[1], (+m[2] - 1) * 3 + 1, 1), end: day(+m[1], +m[2] * 3 + 1, 1) };
    case 'year':
      if (!(m = /^(\d{4})$/.exec(value))) return null;
      return { start: day(+m[1], 1, 1), end: day(+m[1] + 1, 1, 1) };
  }
}

/** The UTC instant at which a local calendar day starts in `zone`. */
export function startOfLocalDay(date: string, zone: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d);
  // Two passes settle the offset even when the day starts next to a DST change.
  let instant = wall - zoneOffsetMinutes(zone, wall) * 60_000;
  instant = wall - zoneOffsetMinutes(zone, instant) * 60_000;
  return new Date(instant).toISOString();
}
