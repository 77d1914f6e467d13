import type { FormulaNode } from './ast.ts';
import { FormulaError } from './errors.ts';
import { functionSpec } from './functions/registry.ts';
import { applyBinary } from './operators.ts';
import { parseFormula } from './parser.ts';
import { getOwn, isPlainObject } from '../own.ts';
import { safeTimeZone, toDate } from '../time.ts';
import { cleanNumber, toNumber, type EvalEnv, type FormulaContext } from './values.ts';

/** Applies `fn` element by element when any argument is a list (a subform column); lists must line up. */
function broadcast(args: readonly unknown[], fn: (args: unknown[]) => unknown): unknown {
  let length = -1;
  for (const arg of args) {
    if (!Array.isArray(arg)) continue;
    if (length !== -1 && arg.length !== length) throw new FormulaError('#VALUE!', 'Lists of different lengths');
    length = arg.length;
  }
  if (length === -1) return fn(args as unknown[]);
  const out: unknown[] = [];
  for (let i = 0; i < length; i++) out.push(broadcast(args.map((a) => (Array.isArray(a) ? a[i] : a)), fn));
  return out;
}

/** Numbers as Excel shows them (15 significant digits: 0.1 + 0.2 is 0.3), inside lists too. */
export function cleanResult(value: unknown): unknown {
  if (typeof value === 'number') return cleanNumber(value);
  if (Array.isArray(value)) return value.map(cleanResult);
  return value;
}

export function evaluateNode(node: FormulaNode, env: EvalEnv): unknown {
  switch (node.type) {
    case 'number':
    case 'string':
    case 'boolean':
      return node.value;
    case 'ref': {
      if (node.name === 'id') return env.recordId ?? env.lookup('id') ?? null;
      const value = env.lookup(node.name);
      return value === undefined ? null : value;
    }
    case 'unary': {
      const operand = evaluateNode(node.operand, env);
      const apply = (v: unknown) => {
        const n = toNumber(v);
        return node.op === '-' ? -n : node.op === '%' ? n / 100 : n;
      };
      return Array.isArray(operand) ? broadcast([operand], ([v]) => apply(v)) : apply(operand);
    }
    case 'binary': {
      const left = evaluateNode(node.left, env);
      const right = evaluateNode(node.right, env);
      if (!Array.isArray(left) && !Array.isArray(right)) return applyBinary(node.op, left, right, env);
      return broadcast([left, right], ([a, b]) => applyBinary(node.op, a, b, env));
    }
    case 'call': {
      const spec = functionSpec(node.name);
      if (!spec) throw new FormulaError('#NAME?', `Unknown function ${node.name}`);
      if (spec.lazy) return spec.lazy(node.args, (n) => evaluateNode(n, env), env);
      const args = node.args.map((a) => evaluateNode(a, env));
      const call = spec.call!;
      return spec.elementwise ? broadcast(args, (a) => call(a, env)) : call(args, env);
    }
  }
}

/**
 * Resolves a reference against plain data: `price`, `items.amount` (the column over every row),
 * `address.city` (a part of an object value). Missing values are null.
 */
export function lookupIn(data: unknown, name: string): unknown {
  const dot = name.indexOf('.');
  if (dot === -1) return getOwn(data, name);
  const head = getOwn(data, name.slice(0, dot));
  const tail = name.slice(dot + 1);
  if (Array.isArray(head)) return head.map((row) => (isPlainObject(row) ? (getOwn(row, tail) ?? null) : null));
  if (isPlainObject(head)) return getOwn(head, tail);
  return undefined;
}

export function makeEnv(ctx: FormulaContext | undefined, lookup: (name: string) => unknown): EvalEnv {
  return { now: toDate(ctx?.now), timeZone: safeTimeZone(ctx?.timeZone), recordId: ctx?.recordId, lookup };
}

/**
 * Evaluates a formula (text or parsed AST) against `scope`, a plain object of values keyed by field id.
 * Throws FormulaSyntaxError for bad text and FormulaError (with an Excel code such as '#DIV/0!') when evaluation fails.
 */
export function evaluateFormula(formula: string | FormulaNode, scope: Record<string, unknown> = {}, ctx?: FormulaContext): unknown {
  const ast = typeof formula === 'string' ? parseFormula(formula) : formula;
  return cleanResult(evaluateNode(ast, makeEnv(ctx, (name) => lookupIn(scope, name))));
}
