import { compileConditionToMongo, ConditionError } from '@qiao/form-engine';
import type { TenantDb } from '../platform/tenant-db.ts';
import { ApiError, type FieldError } from '../http/problem.ts';
import type { FieldDef, FormDoc } from '../forms/store.ts';
import { parseConstraint, type LedgerSource } from './model.ts';

export interface LedgerInput {
  name: unknown;
  key?: string;
  keys: string[];
  sources: LedgerSource[];
  constraints?: string[];
}

const NUMERIC = new Set(['number', 'money', 'formula']);
const KEYABLE = new Set(['text', 'number', 'radio', 'select', 'member', 'department', 'relation', 'serial', 'phone', 'email', 'date', 'formula']);
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The field (or subform column) a path names, or why it does not resolve. */
function resolvePath(form: FormDoc, path: string): { field: FieldDef; subform?: string } | string {
  const [head, column, ...rest] = path.split('.');
  if (rest.length) return `"${path}" is nested too deep (use field or subform.column)`;
  const field = form.fields.find((f) => f.id === head);
  if (!field) return `form ${form._id} has no field "${head}"`;
  if (column === undefined) return field.type === 'subform' ? `"${head}" is a subform: name one of its columns (${head}.column)` : { field };
  if (field.type !== 'subform') return `"${head}" is not a subform`;
  const col = (field.fields ?? []).find((c) => c.id === column);
  if (!col) return `subform "${head}" of form ${form._id} has no column "${column}"`;
  return { field: col, subform: head };
}

/** Check a ledger against the tenant's forms; 422 naming every unknown form, field or bad constraint. */
export async function checkLedger(db: TenantDb, input: LedgerInput): Promise<void> {
  const errors: (FieldError & { name?: string })[] = [];
  const push = (field: string, code: string, message: string, name?: string) => errors.push({ field, code, message, ...(name ? { name } : {}) });
  if (!Array.isArray(input.keys) || input.keys.length === 0) push('keys', 'required', 'a ledger needs at least one key');
  const keys = input.keys ?? [];
  keys.forEach((k, i) => {
    if (typeof k !== 'string' || !IDENT.test(k)) push(`keys.${i}`, 'invalid_key', `key ${JSON.stringify(k)} must be an identifier`, String(k));
  });
  if (new Set(keys).size !== keys.length) push('keys', 'duplicate_key', 'keys must be unique');
  (input.constraints ?? []).forEach((c, i) => {
    if (typeof c !== 'string' || !parseConstraint(c)) push(`constraints.${i}`, 'invalid_constraint', `constraint ${JSON.stringify(c)} must read like "balance >= 0"`, String(c));
  });
  if (!Array.isArray(input.sources) || input.sources.length === 0) push('sources', 'required', 'a ledger needs at least one source');
  for (const [i, source] of (input.sources ?? []).entries()) {
    const at = `sources.${i}`;
    const form = typeof source.formId === 'string' ? await db.collection<FormDoc>('forms').findOne({ _id: source.formId }) : null;
    if (!form) {
      push(`${at}.formId`, 'unknown_form', `form ${JSON.stringify(source.formId)} does not exist`, String(source.formId));
      continue;
    }
    if (source.sign !== 1 && source.sign !== -1) push(`${at}.sign`, 'invalid_sign', 'sign must be 1 or -1');
    const quantity = typeof source.quantity === 'string' ? resolvePath(form, source.quantity) : 'quantity must name a field';
    if (typeof quantity === 'string') push(`${at}.quantity`, 'unknown_field', quantity, String(source.quantity));
    else if (!NUMERIC.has(quantity.field.type)) push(`${at}.quantity`, 'not_numeric', `"${source.quantity}" is a ${quantity.field.type} field, not a number`, source.quantity);
    const subform = typeof quantity === 'string' ? undefined : quantity.subform;
    const sourceKeys = source.keys && typeof source.keys === 'object' ? source.keys : {};
    for (const k of keys) {
      const path = sourceKeys[k];
      if (typeof path !== 'string') {
        push(`${at}.keys.${k}`, 'missing_key', `source ${i} does not say where key "${k}" comes from`, k);
        continue;
      }
      const resolved = resolvePath(form, path);
      if (typeof resolved === 'string') push(`${at}.keys.${k}`, 'unknown_field', resolved, path);
      else if (!KEYABLE.has(resolved.field.type)) push(`${at}.keys.${k}`, 'invalid_key_field', `"${path}" is a ${resolved.field.type} field, which cannot be a key`, path);
      else if (resolved.subform && resolved.subform !== subform) push(`${at}.keys.${k}`, 'row_mismatch', `"${path}" is a column of another subform than the quantity "${source.quantity}"`, path);
    }
    for (const extra of Object.keys(sourceKeys)) if (!keys.includes(extra)) push(`${at}.keys.${extra}`, 'unknown_key', `"${extra}" is not a key of the ledger`, extra);
    if (source.filter !== undefined && source.filter !== null) {
      try {
        compileConditionToMongo(source.filter, form as never);
      } catch (err) {
        if (!(err instanceof ConditionError)) throw err;
        const e = err as ConditionError & { field?: string };
        push(`${at}.filter`, 'invalid_filter', e.message, e.field);
      }
    }
  }
  if (errors.length) throw new ApiError(422, 'invalid_ledger', `the ledger is invalid: ${errors[0].message}`, { errors });
}
