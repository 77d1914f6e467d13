import { inZone, type Instant } from './time.ts';

export type SerialToken =
  | { kind: 'text'; text: string }
  | { kind: 'date'; format: 'YYYY' | 'YY' | 'YYYYMM' | 'YYYYMMDD' | 'YYMMDD' | 'MM' | 'DD' }
  | { kind: 'counter'; width: number };

const DATE_TOKENS = new Set(['YYYY', 'YY', 'YYYYMM', 'YYYYMMDD', 'YYMMDD', 'MM', 'DD']);

export class SerialPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SerialPatternError';
  }
}

/**
 * Parses a serial pattern: literal text with {YYYY}, {YY}, {YYYYMM}, {YYYYMMDD}, {YYMMDD}, {MM}, {DD} date parts and
 * exactly one {000…} counter (its zeros give the minimum width, 1 to 12).
 */
export function parseSerialPattern(pattern: string): SerialToken[] {
  const tokens: SerialToken[] = [];
  let counters = 0;
  const re = /\{([^{}]*)\}/g;
  let last = 0;
  for (let m = re.exec(pattern); m; m = re.exec(pattern)) {
    if (m.index > last) tokens.push({ kind: 'text', text: pattern.slice(last, m.index) });
    const body = m[1];
    if (/^0{1,12}$/.test(body)) {
      counters++;
      tokens.push({ kind: 'counter', width: body.length });
    } else if (DATE_TOKENS.has(body)) {
      tokens.push({ kind: 'date', format: body as Extract<SerialToken, { kind: 'date' }>['format'] });
    } else {
      throw new SerialPatternError(`Unknown serial token {${body}}: use {YYYY}, {YY}, {YYYYMM}, {YYYYMMDD}, {YYMMDD}, {MM}, {DD} or {0000}`);
    }
    last = m.index + m[0].length;
  }
  if (last < pattern.length) tokens.push({ kind: 'text', text: pattern.slice(last) });
  if (tokens.some((t) => t.kind === 'text' && /[{}]/.test(t.text))) throw new SerialPatternError('Unbalanced { or } in serial pattern');
  if (counters !== 1) throw new SerialPatternError('A serial pattern needs exactly one counter such as {0000}');
  return tokens;
}

/** Formats serial number `seq` (1, 2, ...) at `now` in `timeZone`: QT-{YYYYMMDD}-{0000} → QT-20240501-0007. */
export function formatSerial(pattern: string, seq: number, now: Instant, timeZone?: string): string {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`serial counter must be a non-negative integer, got ${seq}`);
  const local = inZone(now, timeZone);
  return parseSerialPattern(pattern)
    .map((token) => {
      if (token.kind === 'text') return token.text;
      if (token.kind === 'counter') return String(seq).padStart(token.width, '0');
      return local.format(token.format);
    })
    .join('');
}

/**
 * The counter period of a pattern at `now`: the counter restarts when this key changes. 'YYYY-MM-DD' when the pattern
 * shows the day, 'YYYY-MM' for the month, 'YYYY' for the year, '' (never resets) without a date part.
 */
export function serialPeriodKey(pattern: string, now: Instant, timeZone?: string): string {
  const formats = parseSerialPattern(pattern).flatMap((t) => (t.kind === 'date' ? [t.format] : []));
  const local = inZone(now, timeZone);
  if (formats.some((f) => f.endsWith('DD'))) return local.format('YYYY-MM-DD');
  if (formats.some((f) => f.endsWith('MM'))) return local.format('YYYY-MM');
  if (formats.length) return local.format('YYYY');
  return '';
}
