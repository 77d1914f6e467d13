import { calendarDate, inZone, isDateTimeString, type Dayjs } from '../../time.ts';
import type { EvalEnv } from '../values.ts';

/**
 * Formats a date or date-time for TEXT(). Accepts Jiandaoyun/Java tokens (yyyy-MM-dd HH:mm:ss, MM = month, mm = minute)
 * and Excel tokens (yyyy-mm-dd hh:mm, where m is a month unless it follows an hour or precedes seconds).
 * Quoted text is literal. Date-times are shown in the evaluation time zone.
 */
export function formatDateText(value: string, format: string, env: EvalEnv): string {
  const date: Dayjs = isDateTimeString(value) ? inZone(value, env.timeZone) : calendarDate(value);
  const tokens: { kind: string; length: number; text: string }[] = [];
  for (let i = 0; i < format.length; ) {
    const c = format[i];
    if (c === '"') {
      const close = format.indexOf('"', i + 1);
      const end = close === -1 ? format.length : close;
      tokens.push({ kind: 'literal', length: 0, text: format.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    if ('yYMmdDHhsS'.includes(c)) {
      let j = i;
      while (format[j] === c) j++;
      tokens.push({ kind: c, length: j - i, text: '' });
      i = j;
      continue;
    }
    tokens.push({ kind: 'literal', length: 0, text: c });
    i++;
  }
  const nextToken = (from: number) => tokens.slice(from + 1).find((t) => t.kind !== 'literal');
  let lastTimeToken = '';
  const out = tokens.map((token, index) => {
    const pad = (n: number) => String(n).padStart(Math.min(token.length, 2), '0');
    switch (token.kind) {
      case 'literal':
        return token.text;
      case 'y':
      case 'Y':
        return token.length <= 2 ? date.format('YY') : date.format('YYYY');
      case 'M':
        lastTimeToken = 'M';
        return pad(date.month() + 1);
      case 'm': {
        const next = nextToken(index);
        const minute = lastTimeToken === 'h' || next?.kind === 's' || next?.kind === 'S';
        lastTimeToken = minute ? 'm' : 'M';
        return pad(minute ? date.minute() : date.month() + 1);
      }
      case 'd':
      case 'D':
        lastTimeToken = 'd';
        if (token.length === 3) return date.format('ddd');
        if (token.length >= 4) return date.format('dddd');
        return pad(date.date());
      case 'H':
      case 'h':
        lastTimeToken = 'h';
        return pad(date.hour());
      default:
        lastTimeToken = 's';
        return pad(date.second());
    }
  });
  return out.join('');
}
