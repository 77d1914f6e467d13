/** The list filter's condition format (shared with form-engine's `matchCondition`). */
export const CONDITION_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'contains', 'startsWith', 'empty', 'notEmpty', 'between'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export type Condition =
  | { and: Condition[] }
  | { or: Condition[] }
  | { field: string; op: ConditionOp; value?: unknown };

/** What a branch condition can see about the initiator, next to the stored record. */
export interface InitiatorInfo {
  id: string;
  departmentIds: string[];
  roleIds: string[];
}

/**
 * Injected by the host (the server passes form-engine's `matchCondition`). Throwing means
 * "cannot be evaluated": the instance then fails with the message as its reason.
 */
export type ConditionEvaluator = (condition: Condition, record: Record<string, unknown>, initiator: InitiatorInfo) => boolean;

const OPS = new Set<string>(CONDITION_OPS);
const VALUELESS_OPS = new Set<string>(['empty', 'notEmpty']);


/** Structural check; returns the problems and every field reference, in order. */
export function inspectCondition(condition: unknown): { problems: string[]; fields: string[] } {
  const problems: string[] = [];
  const fields: string[] = [];
  const visit = (c: unknown, path: string): void => {
    if (!c || typeof c !== 'object' || Array.isArray(c)) {
      problems.push(`${path} must be an object`);
      return;
    }
    const obj = c as Record<string, unknown>;
    if ('and' in obj || 'or' in obj) {
      const key = 'and' in obj ? 'and' : 'or';
      const list = obj[key];
      if (!Array.isArray(list)) {
        problems.push(`${path}.${key} must be a list`);
        return;
      }
      list.forEach((child, i) => visit(child, `${path}.${key}[${i}]`));
      return;
    }
    if (typeof obj.field !== 'string' || obj.field === '') {
      problems.push(`${path} needs a field`);
    } else {
      fields.push(obj.field);
    }
    if (typeof obj.op !== 'string' || !OPS.has(obj.op)) {
      problems.push(`${path} has an unknown op ${JSON.stringify(obj.op)}`);
      return;
    }
    if (VALUELESS_OPS.has(obj.op)) return;
    if (!('value' in obj)) problems.push(`${path} (${obj.op}) needs a value`);
    else if ((obj.op === 'in' || obj.op === 'nin') && !Array.isArray(obj.value)) problems.push(`${path} (${obj.op}) needs a list value`);
    else if (obj.op === 'between' && !(Array.isArray(obj.value) && obj.value.length === 2)) problems.push(`${path} (between) needs [low, high]`);
  };
  visit(condition, 'condition');
  return { problems, fields };
}
