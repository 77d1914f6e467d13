import type { FormulaNode } from '../ast.ts';
import type { EvalEnv } from '../values.ts';

export interface FunctionSpec {
  min: number;
  max: number;
  /** Extra arity rule checked at parse time (e.g. IFS takes pairs); returns a message when broken. */
  checkArity?: (count: number) => string | undefined;
  /** Called element by element when an argument is a list (a subform column), so ROUND(items.price, 2) is a list. */
  elementwise?: boolean;
  /** Functions that decide which arguments to evaluate (IF, IFS, IFERROR). */
  lazy?: (args: readonly FormulaNode[], evaluate: (node: FormulaNode) => unknown, env: EvalEnv) => unknown;
  call?: (args: unknown[], env: EvalEnv) => unknown;
}

export type FunctionTable = Record<string, FunctionSpec>;
