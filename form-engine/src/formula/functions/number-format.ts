import { roundHalfAway } from '../values.ts';

interface Section {
  prefix: string;
  suffix: string;
  integerPattern: string;
  decimalPattern: string;
  percent: boolean;
}

const PLACEHOLDER = /[0#?]/;

/** Splits a format section into literal prefix, digit pattern and literal suffix; quoted text and \x are literals. */
function parseSection(format: string): Section | undefined {
  const parts: { literal: boolean; text: string }[] = [];
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c === '"') {
      const close = format.indexOf('"', i + 1);
      const end = close === -1 ? format.length : close;
      parts.push({ literal: true, text: format.slice(i + 1, end) });
      i = end;
    } else if (c === '\\' && i + 1 < format.length) {
      parts.push({ literal: true, text: format[++i] });
    } else {
      parts.push({ literal: !/[0#?.,]/.test(c), text: c });
    }
  }
  const first = parts.findIndex((p) => !p.literal && PLACEHOLDER.test(p.text));
  if (first === -1) return undefined;
  let last = first;
  parts.forEach((p, i) => {
    if (!p.literal && PLACEHOLDER.test(p.text)) last = i;
  });
  // A decimal point right before the first placeholder (".00") belongs to the number.
  let start = first;
  while (start > 0 && !parts[start - 1].literal) start--;
  const numeric = parts.slice(start, last + 1);
  if (numeric.some((p) => p.literal)) return undefined;
  const pattern = numeric.map((p) => p.text).join('');
  const dot = pattern.indexOf('.');
  const text = (list: typeof parts) => list.map((p) => p.text).join('');
  const all = text(parts);
  return {
    prefix: text(parts.slice(0, start)),
    suffix: text(parts.slice(last + 1)),
    integerPattern: dot === -1 ? pattern : pattern.slice(0, dot),
    decimalPattern: dot === -1 ? '' : pattern.slice(dot + 1),
    percent: all.includes('%'),
  };
}

function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Excel TEXT() number formats: 0 # placeholders, thousands separator, decimals, %, literal prefix/suffix
 * (e.g. "¥#,##0.00", "0.0%", "000"), and an optional negative section after ';'.
 */
export function formatNumberPattern(value: number, format: string): string | undefined {
  const sections = format.split(';');
  const useNegative = value < 0 && sections.length > 1 && sections[1] !== '';
  const section = parseSection(useNegative ? sections[1] : sections[0]);
  if (!section) return undefined;
  const scaled = Math.abs(value) * (section.percent ? 100 : 1);
  const maxDecimals = (section.decimalPattern.match(/[0#?]/g) ?? []).length;
  const minDecimals = (section.decimalPattern.match(/0/g) ?? []).length;
  const minInteger = (section.integerPattern.match(/0/g) ?? []).length;
  const rounded = roundHalfAway(scaled, maxDecimals);
  let [integer, decimals = ''] = rounded.toFixed(maxDecimals).split('.');
  while (decimals.length > minDecimals && decimals.endsWith('0')) decimals = decimals.slice(0, -1);
  if (integer === '0' && minInteger === 0) integer = '';
  integer = integer.padStart(minInteger, '0');
  if (section.integerPattern.includes(',')) integer = group(integer);
  const number = decimals ? `${integer}.${decimals}` : integer;
  const sign = value < 0 && !useNegative && rounded !== 0 ? '-' : '';
  return `${sign}${section.prefix}${number}${section.suffix}`;
}
