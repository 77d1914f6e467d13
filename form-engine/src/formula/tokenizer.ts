import { FormulaSyntaxError } from './errors.ts';

export type TokenKind = 'number' | 'string' | 'ident' | 'op' | '(' | ')' | ',' | 'eof';

export interface Token {
  kind: TokenKind;
  /** For numbers the literal text; for strings the unescaped value; for idents the name as written. */
  text: string;
  start: number;
  end: number;
}

const OPERATORS = ['<=', '>=', '<>', '!=', '==', '+', '-', '*', '/', '^', '&', '=', '<', '>', '%'];
/** Chinese input methods produce full-width punctuation; accepting it saves users a confusing syntax error. */
const FULL_WIDTH: Record<string, string> = { '（': '(', '）': ')', '，': ',' };
const QUOTE_PAIRS: Record<string, string> = { '"': '"', "'": "'", '“': '”' };

const isDigit = (c: string) => c >= '0' && c <= '9';
const isIdentStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isIdentPart = (c: string) => isIdentStart(c) || isDigit(c);

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = FULL_WIDTH[source[i]] ?? source[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\u3000') {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === '.' && isDigit(source[i + 1] ?? ''))) {
      while (isDigit(source[i] ?? '')) i++;
      if (source[i] === '.') {
        i++;
        while (isDigit(source[i] ?? '')) i++;
      }
      if ((source[i] === 'e' || source[i] === 'E') && /^[eE][+-]?\d/.test(source.slice(i, i + 3))) {
        i++;
        if (source[i] === '+' || source[i] === '-') i++;
        while (isDigit(source[i] ?? '')) i++;
      }
      tokens.push({ kind: 'number', text: source.slice(start, i), start, end: i });
      continue;
    }
    if (QUOTE_PAIRS[c] !== undefined) {
      const close = QUOTE_PAIRS[c];
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length) throw new FormulaSyntaxError(`Unterminated text starting at position ${start}`, start);
        const ch = source[i];
        if (ch === close) {
          // A doubled quote is an escaped quote (Excel style).
          if (source[i + 1] === close && close === c) {
            value += close;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (ch === '\\' && i + 1 < source.length) {
          const next = source[i + 1];
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          i += 2;
          continue;
        }
        value += ch;
        i++;
      }
      tokens.push({ kind: 'string', text: value, start, end: i });
      continue;
    }
    if (isIdentStart(c)) {
      i++;
      for (;;) {
        while (isIdentPart(source[i] ?? '')) i++;
        if (source[i] === '.' && isIdentStart(source[i + 1] ?? '')) {
          i++;
          continue;
        }
        break;
      }
      tokens.push({ kind: 'ident', text: source.slice(start, i), start, end: i });
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c, text: c, start, end: i + 1 });
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'op', text: op, start, end: i + op.length });
      i += op.length;
      continue;
    }
    throw new FormulaSyntaxError(`Unexpected character '${source[i]}' at position ${i}`, i);
  }
  tokens.push({ kind: 'eof', text: '', start: source.length, end: source.length });
  return tokens;
}
