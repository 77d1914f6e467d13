import { indexForm, type FormLike } from '../definition/form-index.ts';
import { ConditionError } from './errors.ts';
import { prepareCondition } from './prepare.ts';

/**
 * Checks a condition at save time (a workflow branch, a saved view) without resolving dynamic values:
 * its shape, operators, value types and, with a form, that every field exists. Returns the first problem found.
 */
export function checkCondition(cond: unknown, form?: FormLike): ConditionError[] {
  try {
    prepareCondition(cond, { index: form ? indexForm(form) : undefined });
    return [];
  } catch (error) {
    if (error instanceof ConditionError) return [error];
    throw error;
  }
}
