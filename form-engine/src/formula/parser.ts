import type { BinaryOperator, FormulaNode } from './ast.ts';
import { FormulaSyntaxError } from './errors.ts';
import { tokenize, type Token } from './tokenizer.ts';
import { functionSpec } from './functions/registry.ts';

export const MAX_FORMULA_SOURCE = 10_000;
const MAX_NESTING = 100;

/** Binding powers, loosest first: comparison < & < + - < * / < unary minus < ^ < postfix %. */
const INFIX: Record<string, { lbp: number; rbp: number; op: BinaryOperator }> = {
  '=': { lbp: 10, rbp: 11, op: '=' },
  '==': { lbp: 10, rbp: 11, op: '=' },
  '<>': { lbp: 10, rbp: 11, op: '<>' },
  '!=': { lbp: 10, rbp: 11, op: '<>' },
  '<': { lbp: 10, rbp: 11, op: '<' },
  '<=': { lbp: 10, rbp: 11, op: '<=' },
  '>': { lbp: 10, rbp: 11, op: '>' },
  '>=': { lbp: 10, rbp: 11, op: '>=' },
  '&': { lbp: 20, rbp: 21, op: '&' },
  '+': { lbp: 30, rbp: 31, op: '+' },
  '-': { lbp: 30, rbp: 31, op: '-' },
  '*': { lbp: 40, rbp: 41, op: '*' },
  '/': { lbp: 40, rbp: 41, op: '/' },
  // Right-associative: 2^3^2 = 2^9.
  '^': { lbp: 50, rbp: 50, op: '^' },
};
const PREFIX_BP = 45;
const POSTFIX_PERCENT_BP = 60;

function describe(token: Token): string {
  if (token.kind === 'eof') return 'end of formula';
  if (token.kind === 'string') return 'text';
  return `'${token.text}'`;
}

class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  peek(): Token {
    return this.tokens[this.index];
  }

  /** Excel formulas are often pasted with their leading '='. */
  skipLeadingEquals(): void {
    const first = this.peek();
    if (first.kind === 'op' && first.text === '=') this.index++;
  }

  private next(): Token {
    return this.tokens[this.index++];
  }

  private unexpected(token: Token): FormulaSyntaxError {
    return new FormulaSyntaxError(`Unexpected ${describe(token)} at position ${token.start}`, token.start);
  }

  expression(minBp: number): FormulaNode {
    if (++this.depth > MAX_NESTING) throw new FormulaSyntaxError('Formula is nested too deeply', this.peek().start);
    let left = this.prefix();
    for (;;) {
      const token = this.peek();
      if (token.kind !== 'op') break;
      if (token.text === '%') {
        if (POSTFIX_PERCENT_BP < minBp) break;
        this.next();
        left = { type: 'unary', op: '%', operand: left, start: left.start, end: token.end };
        continue;
      }
      const info = INFIX[token.text];
      if (!info || info.lbp < minBp) break;
      this.next();
      const right = this.expression(info.rbp);
      left = { type: 'binary', op: info.op, left, right, start: left.start, end: right.end };
    }
    this.depth--;
    return left;
  }

  private prefix(): FormulaNode {
    const token = this.next();
    switch (token.kind) {
      case 'number': {
        const value = Number(token.text);
        if (!Number.isFinite(value)) throw new FormulaSyntaxError(`Number out of range at position ${token.start}`, token.start);
        return { type: 'number', value, start: token.start, end: token.end };
      }
      case 'string':
        return { type: 'string', value: token.text, start: token.start, end: token.end };
      case 'ident':
        return this.identifier(token);
      case '(': {
        const inner = this.expression(0);
        const close = this.next();
        if (close.kind !== ')') {
          if (close.kind === 'eof') throw new FormulaSyntaxError(`Missing ')' for '(' at position ${token.start}`, close.start);
          throw this.unexpected(close);
        }
        return { ...inner, start: token.start, end: close.end };
      }
      case 'op':
        if (token.text === '-' || token.text === '+') {
          const operand = this.expression(PREFIX_BP);
          return { type: 'unary', op: token.text, operand, start: token.start, end: operand.end };
        }
        throw this.unexpected(token);
      default:
        throw this.unexpected(token);
    }
  }

  private identifier(token: Token): FormulaNode {
    if (this.peek().kind === '(') return this.call(token);
    const upper = token.text.toUpperCase();
    if (upper === 'TRUE' || upper === 'FALSE') return { type: 'boolean', value: upper === 'TRUE', start: token.start, end: token.end };
    return { type: 'ref', name: token.text, start: token.start, end: token.end };
  }

  private call(nameToken: Token): FormulaNode {
    const name = nameToken.text.toUpperCase();
    const spec = functionSpec(name);
    if (!spec) throw new FormulaSyntaxError(`Unknown function ${nameToken.text} at position ${nameToken.start}`, nameToken.start, 'unknown_function');
    this.next();
    const args: FormulaNode[] = [];
    let close: Token;
    if (this.peek().kind === ')') {
      close = this.next();
    } else {
      for (;;) {
        args.push(this.expression(0));
        const sep = this.next();
        if (sep.kind === ',') continue;
        if (sep.kind === ')') {
          close = sep;
          break;
        }
        if (sep.kind === 'eof') throw new FormulaSyntaxError(`Missing ')' to close ${name}( at position ${nameToken.start}`, sep.start);
        throw this.unexpected(sep);
      }
    }
    if (args.length < spec.min || args.length > spec.max) {
      const range = spec.min === spec.max ? `${spec.min}` : spec.max === Infinity ? `at least ${spec.min}` : `${spec.min} to ${spec.max}`;
      throw new FormulaSyntaxError(
        `${name} expects ${range} argument${spec.max === 1 && spec.min === 1 ? '' : 's'}, got ${args.length} (position ${nameToken.start})`,
        nameToken.start,
      );
    }
    const problem = spec.checkArity?.(args.length);
    if (problem) throw new FormulaSyntaxError(`${problem} (position ${nameToken.start})`, nameToken.start);
    return { type: 'call', name, args, start: nameToken.start, end: close.end };
  }
}

/**
 * Parses a Jiandaoyun/Excel-style formula into an AST. A leading '=' is allowed.
 * Throws FormulaSyntaxError with the 0-based position of the problem; unknown functions and wrong argument counts
 * are syntax errors too, so a saved definition can never fail on them later.
 */
export function parseFormula(source: string): FormulaNode {
  if (typeof source !== 'string') throw new FormulaSyntaxError('Formula must be text', 0);
  if (source.length > MAX_FORMULA_SOURCE) throw new FormulaSyntaxError(`Formula is longer than ${MAX_FORMULA_SOURCE} characters`, MAX_FORMULA_SOURCE);
  const tokens = tokenize(source);
  const parser = new Parser(tokens);
  parser.skipLeadingEquals();
  if (parser.peek().kind === 'eof') throw new FormulaSyntaxError('Formula is empty', parser.peek().start);
  const node = parser.expression(0);
  const rest = parser.peek();
  if (rest.kind !== 'eof') {
    if (rest.kind === ')') throw new FormulaSyntaxError(`Unmatched ')' at position ${rest.start}`, rest.start);
    throw new FormulaSyntaxError(`Unexpected ${describe(rest)} at position ${rest.start}`, rest.start);
  }
  return node;
}

/** Every field reference in the formula, deduplicated, in order of appearance (`id` is the record id). */
export function formulaDependencies(ast: FormulaNode): string[] {
  const seen = new Set<string>();
  const visit = (node: FormulaNode): void => {
    switch (node.type) {
      case 'ref':
        seen.add(node.name);
        return;
      case 'unary':
        visit(node.operand);
        return;
      case 'binary':
        visit(node.left);
        visit(node.right);
        return;
      case 'call':
        node.args.forEach(visit);
        return;
      default:
        return;
    }
  };
  visit(ast);
  return [...seen];
}
