import { conditionFields, matchCondition } from '@qiao/form-engine';
import type { ConditionEvaluator } from '@qiao/workflow-engine';
import type { FormDoc } from '../forms/store.ts';

/**
 * Branch conditions use form-engine's matchCondition, the same semantics as list filters. Conditions that name the
 * initiator (`initiator`, `initiator.departmentIds`, `initiator.roleIds`) are evaluated without the form's type checks,
 * since those are not form fields.
 */
export function makeConditionEvaluator(form: FormDoc): ConditionEvaluator {
  return (condition, record, initiator) => {
    const ctx = { userId: initiator.id, departmentIds: initiator.departmentIds, now: new Date(), timeZone: 'Asia/Shanghai' };
    const namesInitiator = conditionFields(condition).some((f) => f === 'initiator' || f.startsWith('initiator.'));
    if (!namesInitiator) return matchCondition(condition, record, { ...ctx, form: form as never });
    return matchCondition(condition, { ...record, initiator: { id: initiator.id, departmentIds: initiator.departmentIds, roleIds: initiator.roleIds } }, ctx);
  };
}
