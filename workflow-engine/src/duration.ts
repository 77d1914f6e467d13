export interface Duration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const DURATION_RE = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Parses an ISO-8601 duration such as `P1DT2H`, `PT5S` or `P2W`; null when it is not one. */
export function parseDuration(text: string): Duration | null {
  const m = DURATION_RE.exec(text);
  if (!m) return null;
  // "P" and "P1DT" match the pattern but carry no (complete) component.
  if (text === 'P' || text.endsWith('T')) return null;
  const n = (i: number) => (m[i] === undefined ? 0 : Number(m[i]));
  return { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7) };
}

/** Calendar-aware addition in UTC, so P1M from Jan 31 lands at the end of February like most calendars do. */
export function addDuration(iso: string, d: Duration): string {
  const date = new Date(iso);
  if (d.years || d.months) {
    const day = date.getUTCDate();
    date.setUTCDate(1);
    date.setUTCMonth(date.getUTCMonth() + d.years * 12 + d.months);
    const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
    date.setUTCDate(Math.min(day, lastDay));
  }
  if (d.weeks || d.days) date.setUTCDate(date.getUTCDate() + d.weeks * 7 + d.days);
  const ms = ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000;
  return new Date(date.getTime() + Math.round(ms)).toISOString();
}

/** Accepts the values a date or datetime field stores ("YYYY-MM-DD" or ISO 8601); null when unusable. */
export function dateFieldToIso(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00.000Z` : value;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
