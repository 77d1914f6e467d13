import { indexForm, type FormLike } from './definition/form-index.ts';
import { COMPUTED_TYPES } from './field-types.ts';
import { ConditionError } from './condition/errors.ts';
import { evaluatePrepared } from './condition/match.ts';
import { prepareCondition, type ConditionContext } from './condition/prepare.ts';
import { copyOwn, getOwn, isPlainObject, setOwn } from './own.ts';

export interface RowRules {
  visible: Record<string, boolean>;
  required: Record<string, boolean>;
}

export interface RulesResult {
  /** Top-level field id → shown. */
  visible: Record<string, boolean>;
  /** Top-level field id → must be filled (only ever true for visible, client-entered fields). */
  required: Record<string, boolean>;
  /** Subform id → one entry per row: its columns' visibility and requiredness (column rules may read the row). */
  rows: Record<string, RowRules[]>;
}

type Holds = (cond: unknown, scope: Record<string, unknown>, rowOf?: string) => boolean;

function conditionEvaluator(form: FormLike, ctx: ConditionContext): Holds {
  const index = indexForm(form);
  return (cond, scope, rowOf) => {
    try {
      return evaluatePrepared(prepareCondition(cond, { index, ctx, rowOf, refData: scope }), scope);
    } catch (error) {
      // A definition that passed checkFormDefinition never gets here; an unchecked one fails closed.
      if (error instanceof ConditionError) return false;
      throw error;
    }
  };
}

/**
 * Visibility and requiredness from field `visibleWhen` / `requiredWhen` and form `rules`:
 * a field named in some rule's `show` is hidden unless one of those rules holds; `hide` hides it while its rule holds;
 * `require` makes it required while its rule holds. Hidden fields are never required.
 */
export function evaluateRules(form: FormLike, data: Record<string, unknown>, ctx: ConditionContext = {}): RulesResult {
  const index = indexForm(form);
  const scope = isPlainObject(data) ? data : {};
  const holds = conditionEvaluator(form, ctx);
  const shownBy = new Map<string, boolean>();
  const hidden = new Set<string>();
  const requiredByRule = new Set<string>();
  for (const rule of form.rules ?? []) {
    const active = holds(rule.when, scope);
    for (const id of rule.show ?? []) shownBy.set(id, (shownBy.get(id) ?? false) || active);
    if (!active) continue;
    for (const id of rule.hide ?? []) hidden.add(id);
    for (const id of rule.require ?? []) requiredByRule.add(id);
  }
  const result: RulesResult = { visible: {}, required: {}, rows: {} };
  for (const field of index.topLevel.values()) {
    const visible = (field.visibleWhen ? holds(field.visibleWhen, scope) : true) && (shownBy.get(field.id) ?? true) && !hidden.has(field.id);
    const wanted = field.required === true || requiredByRule.has(field.id) || (field.requiredWhen ? holds(field.requiredWhen, scope) : false);
    result.visible[field.id] = visible;
    result.required[field.id] = visible && wanted && !COMPUTED_TYPES.has(field.type);
    if (field.type !== 'subform') continue;
    const rows = getOwn(scope, field.id);
    const columns = [...(index.columns.get(field.id)?.values() ?? [])];
    const rowConditions = columns.some((c) => c.visibleWhen || c.requiredWhen);
    result.rows[field.id] = (Array.isArray(rows) ? rows : []).map((row) => {
      const rowScope = rowConditions ? copyOwn(scope) : scope;
      if (rowConditions && isPlainObject(row)) for (const key of Object.keys(row)) setOwn(rowScope, key, row[key]);
      const entry: RowRules = { visible: {}, required: {} };
      for (const column of columns) {
        const columnVisible = visible && (column.visibleWhen ? holds(column.visibleWhen, rowScope, field.id) : true);
        const columnWanted = column.required === true || (column.requiredWhen ? holds(column.requiredWhen, rowScope, field.id) : false);
        entry.visible[column.id] = columnVisible;
        entry.required[column.id] = columnVisible && columnWanted && !COMPUTED_TYPES.has(column.type);
      }
      return entry;
    });
  }
  return result;
}
