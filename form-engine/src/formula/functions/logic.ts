import { FormulaError } from '../errors.ts';
import { flatten, isEmptyFormulaValue, toBoolean } from '../values.ts';
import type { FunctionTable } from './spec.ts';

function condition(value: unknown): boolean {
  return toBoolean(value);
}

export const logicFunctions: FunctionTable = {
  IF: {
    min: 2,
    max: 3,
    // Only the chosen branch is evaluated, so IF(qty = 0, 0, total / qty) never divides by zero.
    lazy: (args, evaluate) => (condition(evaluate(args[0])) ? evaluate(args[1]) : args.length > 2 ? evaluate(args[2]) : false),
  },
  IFS: {
    min: 2,
    max: 254,
    checkArity: (count) => (count % 2 === 0 ? undefined : 'IFS expects condition/value pairs'),
    lazy: (args, evaluate) => {
      for (let i = 0; i < args.length; i += 2) if (condition(evaluate(args[i]))) return evaluate(args[i + 1]);
      throw new FormulaError('#N/A', 'No IFS condition is true');
    },
  },
  IFERROR: {
    min: 2,
    max: 2,
    lazy: (args, evaluate) => {
      try {
        return evaluate(args[0]);
      } catch (error) {
        if (error instanceof FormulaError) return evaluate(args[1]);
        throw error;
      }
    },
  },
  AND: { min: 1, max: 255, call: (args) => flatten(args).every(condition) },
  OR: { min: 1, max: 255, call: (args) => flatten(args).some(condition) },
  NOT: { min: 1, max: 1, elementwise: true, call: ([value]) => !condition(value) },
  TRUE: { min: 0, max: 0, call: () => true },
  FALSE: { min: 0, max: 0, call: () => false },
  ISEMPTY: { min: 1, max: 1, call: ([value]) => isEmptyFormulaValue(value) },
  ISBLANK: { min: 1, max: 1, call: ([value]) => isEmptyFormulaValue(value) },
  ISNUMBER: { min: 1, max: 1, elementwise: true, call: ([value]) => typeof value === 'number' },
  ISTEXT: { min: 1, max: 1, elementwise: true, call: ([value]) => typeof value === 'string' && value !== '' },
};
