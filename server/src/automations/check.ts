import { CronExpressionParser } from 'cron-parser';
import { compileConditionToMongo, ConditionError, formulaDependencies, parseFormula } from '@qiao/form-engine';
import type { TenantDb } from '../platform/tenant-db.ts';
import { ApiError } from '../http/problem.ts';
import type { FieldDef, FormDoc } from '../forms/store.ts';
import { parseSort } from '../records/query.ts';
import { LEDGERS, type LedgerDoc } from '../ledgers/index.ts';
import { ACTION_KINDS, WORKFLOW_OUTCOMES, type Action, type MappingValue, type Trigger } from './model.ts';
import { isRowsSpec, RESERVED_NAMES, SYSTEM_NAMES } from './scope.ts';

export interface AutomationInput {
  name: unknown;
  trigger: Trigger;
  condition?: unknown;
  actions: Action[];
}

interface Problem {
  field: string;
  code: string;
  message: string;
  name?: string;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DATE_TYPES = new Set(['date', 'datetime']);
const RECORD_TRIGGERS = new Set(['recordCreated', 'recordUpdated', 'recordDeleted', 'workflowFinished', 'workflowNode', 'button']);
const FORM_ACTIONS = new Set(['createRecord', 'updateRecords', 'upsertRecord', 'deleteRecords']);
const FILTERED_ACTIONS = new Set(['updateRecords', 'upsertRecord', 'deleteRecords']);

/** `{ formula }` values become refs so the condition engine checks the clause fields without evaluating anything. */
function withoutFormulas(condition: unknown): unknown {
  if (Array.isArray(condition)) return condition.map(withoutFormulas);
  if (!condition || typeof condition !== 'object') return condition;
  const obj = condition as Record<string, unknown>;
  if (typeof obj.formula === 'string' && Object.keys(obj).length === 1) return { ref: 'f' };
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, withoutFormulas(v)]));
}

function formulasIn(condition: unknown, out: string[] = []): string[] {
  if (Array.isArray(condition)) condition.forEach((c) => formulasIn(c, out));
  else if (condition && typeof condition === 'object') {
    const obj = condition as Record<string, unknown>;
    if (typeof obj.formula === 'string') out.push(obj.formula);
    else if (typeof obj.ref === 'string' && Object.keys(obj).length === 1) out.push(obj.ref);
    else Object.values(obj).forEach((v) => formulasIn(v, out));
  }
  return out;
}

/** The cron of a schedule: its own, or a daily one at `time` (default 09:00) for date schedules. */
export function cronOf(trigger: Trigger): string {
  if (trigger.cron) return trigger.cron;
  const [, h, m] = TIME.exec(trigger.time ?? '09:00') ?? [, '09', '00'];
  return `${Number(m)} ${Number(h)} * * *`;
}

/**
 * Check an automation against the tenant's forms, ledgers and its own earlier actions: every unknown form, field,
 * formula name or ledger is reported (422 `invalid_automation`) with the offending name.
 */
export async function checkAutomation(db: TenantDb, input: AutomationInput): Promise<void> {
  const problems: Problem[] = [];
  const push = (field: string, code: string, message: string, name?: string) => problems.push({ field, code, message, ...(name !== undefined ? { name } : {}) });
  const forms = new Map<string, FormDoc | null>();
  const formOf = async (formId: unknown, at: string): Promise<FormDoc | null> => {
    if (typeof formId !== 'string' || !formId) {
      push(at, 'required', 'a form id is required');
      return null;
    }
    if (!forms.has(formId)) forms.set(formId, await db.collection<FormDoc>('forms').findOne({ _id: formId }));
    const form = forms.get(formId)!;
    if (!form) push(at, 'unknown_form', `form "${formId}" does not exist`, formId);
    return form;
  };
  const fieldOf = (form: FormDoc, id: string) => form.fields.find((f) => f.id === id);

  const trigger = input.trigger;
  let triggerForm: FormDoc | null = null;
  if (RECORD_TRIGGERS.has(trigger.kind) || trigger.formId !== undefined) triggerForm = await formOf(trigger.formId, 'trigger.formId');
  if (triggerForm) {
    for (const [i, f] of (trigger.fields ?? []).entries()) if (!fieldOf(triggerForm, f)) push(`trigger.fields.${i}`, 'unknown_field', `form ${triggerForm._id} has no field "${f}"`, f);
  }
  if (trigger.kind === 'workflowFinished' && trigger.outcome !== undefined) {
    for (const o of [trigger.outcome].flat()) if (!(WORKFLOW_OUTCOMES as readonly string[]).includes(o)) push('trigger.outcome', 'invalid_outcome', `outcome must be one of ${WORKFLOW_OUTCOMES.join(', ')}`, String(o));
  }
  if (trigger.kind === 'workflowNode' && (typeof trigger.nodeId !== 'string' || !trigger.nodeId)) push('trigger.nodeId', 'required', 'a workflowNode trigger names its node');
  if (trigger.kind === 'schedule') {
    if (!trigger.cron && !trigger.dateField) push('trigger.cron', 'required', 'a schedule has a cron expression or a date field');
    if (trigger.time !== undefined && !TIME.test(trigger.time)) push('trigger.time', 'invalid_time', 'time is HH:mm', trigger.time);
    try {
      CronExpressionParser.parse(cronOf(trigger), { tz: 'UTC' });
    } catch (err) {
      push('trigger.cron', 'invalid_cron', `cron "${trigger.cron}" does not parse: ${(err as Error).message}`, trigger.cron);
    }
    if (trigger.dateField !== undefined) {
      if (!trigger.formId) push('trigger.formId', 'required', 'a date schedule names the form of its date field');
      else if (triggerForm) {
        const field = fieldOf(triggerForm, trigger.dateField);
        if (!field) push('trigger.dateField', 'unknown_field', `form ${triggerForm._id} has no field "${trigger.dateField}"`, trigger.dateField);
        else if (!DATE_TYPES.has(field.type)) push('trigger.dateField', 'not_a_date', `"${trigger.dateField}" is a ${field.type} field`, trigger.dateField);
      }
    }
    if (trigger.offsetDays !== undefined && !Number.isInteger(trigger.offsetDays)) push('trigger.offsetDays', 'invalid', 'offsetDays is a whole number of days');
  }
  const checkCondition = (condition: unknown, form: FormDoc | null, at: string) => {
    if (condition === undefined || condition === null || !form) return;
    try {
      compileConditionToMongo(withoutFormulas(condition), form as never);
    } catch (err) {
      if (!(err instanceof ConditionError)) throw err;
      const e = err as ConditionError & { field?: string };
      push(at, e.code === 'unknown_field' ? 'unknown_field' : 'invalid_filter', e.message, e.field);
    }
  };
  if (trigger.kind === 'schedule') checkCondition(trigger.filter, triggerForm, 'trigger.filter');
  checkCondition(input.condition, triggerForm, 'condition');

  // Names formulas may use: the trigger record's fields, system and reserved names, then earlier results.
  const triggerNames = new Set<string>([...RESERVED_NAMES, ...(triggerForm?.fields.map((f) => f.id) ?? [])]);
  const results = new Map<string, string[]>();
  const checkFormula = (text: unknown, names: Set<string>, at: string) => {
    if (typeof text !== 'string') return;
    let deps: string[];
    try {
      deps = formulaDependencies(parseFormula(text));
    } catch (err) {
      push(at, 'invalid_formula', `${text}: ${(err as Error).message}`, text);
      return;
    }
    for (const dep of deps) {
      const head = dep.split('.')[0];
      if (!names.has(head) && !results.has(head)) push(at, 'unknown_name', `"${head}" in ${text} is not a field of the trigger record, a column of the row, or an earlier action's result`, head);
    }
  };
  for (const text of formulasIn(input.condition)) checkFormula(text, triggerNames, 'condition');

  /** Columns of a subform (of the trigger form) or fields of an earlier result's form: what a row scope adds. */
  const rowNames = (from: string): string[] | null => {
    const sub = triggerForm?.fields.find((f) => f.id === from && f.type === 'subform');
    if (sub) return (sub.fields ?? []).map((c) => c.id);
    if (results.has(from)) return results.get(from)!;
    return null;
  };
  const checkMapping = (mapping: Record<string, MappingValue> | undefined, target: FormDoc | null, names: Set<string>, at: string) => {
    for (const [fieldId, spec] of Object.entries(mapping ?? {})) {
      const field: FieldDef | undefined = target ? fieldOf(target, fieldId) : undefined;
      if (target && !field) push(`${at}.${fieldId}`, 'unknown_field', `form ${target._id} has no field "${fieldId}"`, fieldId);
      if (isRowsSpec(spec)) {
        if (field && field.type !== 'subform') push(`${at}.${fieldId}`, 'not_a_subform', `"${fieldId}" is not a subform`, fieldId);
        const columns = rowNames(spec.from);
        if (columns === null) push(`${at}.${fieldId}.from`, 'unknown_name', `"${spec.from}" is neither a subform of the trigger form nor an earlier action's result`, spec.from);
        const inner = new Set([...names, ...(columns ?? [])]);
        for (const [column, columnSpec] of Object.entries(spec.columns ?? {})) {
          if (field?.type === 'subform' && !(field.fields ?? []).some((c) => c.id === column)) push(`${at}.${fieldId}.columns.${column}`, 'unknown_field', `subform "${fieldId}" has no column "${column}"`, `${fieldId}.${column}`);
          checkFormula(columnSpec, inner, `${at}.${fieldId}.columns.${column}`);
        }
      } else checkFormula(spec, names, `${at}.${fieldId}`);
    }
  };

  for (const [i, action] of (input.actions ?? []).entries()) {
    const at = `actions.${i}`;
    if (!(ACTION_KINDS as readonly string[]).includes(action.kind)) {
      push(`${at}.kind`, 'invalid_action', `unknown action kind ${JSON.stringify(action.kind)}`, String(action.kind));
      continue;
    }
    const names = new Set(triggerNames);
    if (action.forEachRow !== undefined) {
      const columns = rowNames(action.forEachRow);
      if (columns === null) push(`${at}.forEachRow`, 'unknown_field', `"${action.forEachRow}" is not a subform of the trigger form`, action.forEachRow);
      for (const c of columns ?? []) names.add(c);
    }
    checkFormula(action.when, names, `${at}.when`);
    let target: FormDoc | null = null;
    if (FORM_ACTIONS.has(action.kind) || (action.kind === 'queryRecords' && !action.ledgerId)) target = await formOf(action.formId, `${at}.formId`);
    else if ((action.kind === 'updateRecord' || action.kind === 'startWorkflow') && action.formId !== undefined) target = await formOf(action.formId, `${at}.formId`);
    else if (action.kind === 'updateRecord' || action.kind === 'startWorkflow') {
      target = triggerForm;
      if (!triggerForm) push(`${at}.formId`, 'required', 'name the form: the trigger has none');
    }
    if (FILTERED_ACTIONS.has(action.kind) && (action.filter === undefined || action.filter === null)) push(`${at}.filter`, 'required', `${action.kind} finds its records with a filter`);
    checkCondition(action.filter, target, `${at}.filter`);
    for (const text of formulasIn(action.filter)) checkFormula(text, names, `${at}.filter`);
    const mappingNames = action.kind === 'updateRecords' || action.kind === 'upsertRecord' || action.kind === 'updateRecord' ? new Set([...names, 'this']) : names;
    if (action.kind === 'createRecord' || action.kind === 'updateRecords' || action.kind === 'upsertRecord' || action.kind === 'updateRecord') {
      if (!action.mapping || typeof action.mapping !== 'object' || Object.keys(action.mapping).length === 0) push(`${at}.mapping`, 'required', 'the action maps at least one field');
      checkMapping(action.mapping, target, mappingNames, `${at}.mapping`);
    }
    checkFormula(action.recordId, names, `${at}.recordId`);
    let ledger: LedgerDoc | null = null;
    if (action.kind === 'queryRecords') {
      if (!action.id) push(`${at}.id`, 'required', 'a query names its result (id) for later actions');
      if (action.ledgerId !== undefined) {
        ledger = await db.collection<LedgerDoc>(LEDGERS).findOne({ _id: action.ledgerId });
        if (!ledger) push(`${at}.ledgerId`, 'unknown_ledger', `ledger "${action.ledgerId}" does not exist`, action.ledgerId);
        for (const [k, formula] of Object.entries(action.keys ?? {})) {
          if (ledger && !ledger.keys.includes(k)) push(`${at}.keys.${k}`, 'unknown_key', `"${k}" is not a key of the ledger`, k);
          checkFormula(formula, names, `${at}.keys.${k}`);
        }
      } else if (target && action.sort) {
        try {
          parseSort(target, action.sort);
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          push(`${at}.sort`, 'invalid_sort', err.title, action.sort);
        }
      }
    }
    if (action.kind === 'notify') {
      if (typeof action.message !== 'string' || !action.message) push(`${at}.message`, 'required', 'a notification has a message (a formula; quote plain text)');
      checkFormula(action.message, names, `${at}.message`);
      checkFormula(action.title, names, `${at}.title`);
      for (const f of action.to?.fields ?? []) checkFormula(f, names, `${at}.to.fields`);
      if (action.chatWebhookUrl !== undefined && !/^https?:\/\//.test(action.chatWebhookUrl)) push(`${at}.chatWebhookUrl`, 'invalid_url', 'an http(s) URL', action.chatWebhookUrl);
    }
    if (action.kind === 'webhook') {
      if (typeof action.url !== 'string' || !/^https?:\/\/\S+$/.test(action.url)) push(`${at}.url`, 'invalid_url', 'a webhook action calls an http(s) URL', String(action.url));
      checkMapping(action.body, null, names, `${at}.body`);
    }
    if (action.id !== undefined) {
      if (!IDENT.test(action.id)) push(`${at}.id`, 'invalid_name', 'a result name is an identifier', action.id);
      else if (triggerNames.has(action.id) || results.has(action.id)) push(`${at}.id`, 'duplicate_name', `"${action.id}" is already a field, a reserved name or an earlier result`, action.id);
      else results.set(action.id, ledger ? [...ledger.keys, 'balance'] : [...SYSTEM_NAMES, ...(target?.fields.map((f) => f.id) ?? [])]);
    }
  }
  if (problems.length) throw new ApiError(422, 'invalid_automation', `the automation is invalid: ${problems[0].message}`, { errors: problems });
}
