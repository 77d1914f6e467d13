import { dateFunctions } from './date.ts';
import { logicFunctions } from './logic.ts';
import { mathFunctions } from './math.ts';
import type { FunctionSpec } from './spec.ts';
import { textFunctions } from './text.ts';

const FUNCTIONS = new Map<string, FunctionSpec>(
  Object.entries({ ...logicFunctions, ...mathFunctions, ...textFunctions, ...dateFunctions }),
);

/** The spec of a function by its upper-case name, or undefined when there is no such function. */
export function functionSpec(upperName: string): FunctionSpec | undefined {
  return FUNCTIONS.get(upperName);
}

/** Every supported function name, for the formula editor's autocomplete. */
export const FORMULA_FUNCTIONS: readonly string[] = [...FUNCTIONS.keys()].sort();
