import type { TenantDb } from '../platform/tenant-db.ts';
import { newId } from '../platform/ids.ts';
import { ApiError } from '../http/problem.ts';
import { recordsCollection, type FormDoc } from '../forms/store.ts';
import { parseSort } from '../records/query.ts';
import type { RecordDoc, RecordService, WriteOptions } from '../records/service.ts';
import type { WorkflowRuntime } from '../workflow/runtime.ts';
import type { WorkflowDoc } from '../workflow/store.ts';
import { findBalances } from '../ledgers/index.ts';
import { recordDelivery } from '../webhooks/index.ts';
import { MEMBERS } from '../org/model.ts';
import { AUTOMATION_LINEAGE, type Action, type ActionResult, type MappingValue, type RecordRef } from './model.ts';
import {
  ActionError,
  compileScopedFilter,
  evalFormula,
  evalMapping,
  guardHolds,
  isFormulaError,
  isRowsSpec,
  recordScopeOf,
  rowScope,
  rowsOf,
  type EvalContext,
  type Scope,
} from './scope.ts';

export const MAX_TARGETS = 1000;
const DEFAULT_QUERY_LIMIT = 100;

/** Everything one execution of a list of actions produced; rebuilt from scratch if the store retries the transaction. */
export class RunState {
  results: ActionResult[] = [];
  created: RecordRef[] = [];
  changed: RecordRef[] = [];
  deleted: RecordRef[] = [];
  deliveries: string[] = [];
  private forms = new Map<string, FormDoc>();
  tx!: TenantDb;

  constructor(
    readonly runId: string,
    readonly automationId: string,
    /** Depth of the write that fired the run; its own writes are one deeper. */
    readonly depth: number,
    /** Who the run's records are created by (the triggering record's creator). */
    readonly actorId: string,
    readonly initiatorId: string,
    readonly ctx: EvalContext,
    readonly triggerFormId?: string,
  ) {}

  begin(tx: TenantDb) {
    this.tx = tx;
    this.results = [];
    this.created = [];
    this.changed = [];
    this.deleted = [];
    this.deliveries = [];
    this.forms.clear();
  }

  async form(formId: string | undefined): Promise<FormDoc> {
    if (!formId) throw new ActionError('the action names no form', [{ field: 'formId', code: 'required', message: 'formId is required' }], 'unknown_form');
    let form = this.forms.get(formId);
    if (!form) {
      const found = await this.tx.collection<FormDoc>('forms').findOne({ _id: formId });
      if (!found) throw new ActionError(`form "${formId}" does not exist`, [{ field: 'formId', code: 'unknown_form', message: `form "${formId}" does not exist`, name: formId }], 'unknown_form');
      form = found;
      this.forms.set(formId, form);
    }
    return form;
  }

  writeOptions(): WriteOptions {
    return { source: 'automation', depth: this.depth + 1, meta: { initiatorId: this.initiatorId, automationId: this.automationId, runId: this.runId } };
  }

  get recordIds(): string[] {
    return [...new Set([...this.created, ...this.changed, ...this.deleted].map((r) => r.recordId))];
  }
}

const toText = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(toText).join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
};

/** Plain JSON from mapping values, for webhook bodies (no target form to check against). */
export function evalObject(spec: Record<string, MappingValue>, scope: Scope, ctx: EvalContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec)) {
    if (isRowsSpec(value)) out[key] = rowsOf(scope, value.from).map((row) => evalObject(value.columns ?? {}, rowScope(scope, row), ctx));
    else if (typeof value === 'string') {
      try {
        out[key] = evalFormula(value, scope, ctx);
      } catch (err) {
        if (!isFormulaError(err)) throw err;
        throw new ActionError(`body.${key}: ${(err as Error).message}`, [{ field: `body.${key}`, code: 'formula_error', message: (err as Error).message }], 'formula_error');
      }
    } else if (value && typeof value === 'object' && 'value' in value) out[key] = value.value;
    else out[key] = value;
  }
  return out;
}

/**
 * Runs actions inside one unit of work (`state.tx`): every record they write commits together with the run's
 * result or not at all, so a failing action leaves no partial records and a redelivered run cannot write twice.
 * Calls to the outside world (webhooks, chat) are recorded as deliveries and sent by the queue after commit.
 */
export class ActionExecutor {
  constructor(
    private readonly records: RecordService,
    private readonly workflow: WorkflowRuntime,
  ) {}

  async run(state: RunState, actions: Action[], start: Scope): Promise<Scope> {
    let scope = start;
    // Results of actions run per row, by the subform they ran over: a later action on the same rows sees row i's result.
    const perRow = new Map<string, { subform: string; values: unknown[] }>();
    for (const [index, action] of actions.entries()) {
      if (!action.forEachRow) {
        const value = await this.one(state, index, action, scope);
        if (action.id) scope = { ...scope, [action.id]: value ?? null };
        continue;
      }
      const rows = rowsOf(scope, action.forEachRow);
      if (rows.length === 0) state.results.push({ index, kind: action.kind, ...(action.id ? { id: action.id } : {}), status: 'skipped', reason: `no rows in ${action.forEachRow}` });
      const values: unknown[] = [];
      for (const [i, row] of rows.entries()) {
        const inner = rowScope(scope, row);
        for (const [name, result] of perRow) if (result.subform === action.forEachRow) inner[name] = result.values[i] ?? null;
        values.push(await this.one(state, index, action, inner, i));
      }
      if (action.id) {
        perRow.set(action.id, { subform: action.forEachRow, values });
        scope = { ...scope, [action.id]: values.flatMap((v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v])) };
      }
    }
    return scope;
  }

  private async one(state: RunState, index: number, action: Action, scope: Scope, row?: number): Promise<unknown> {
    const result: ActionResult = { index, kind: action.kind, ...(action.id ? { id: action.id } : {}), ...(action.name ? { name: action.name } : {}), status: 'done', ...(row !== undefined ? { row } : {}) };
    state.results.push(result);
    try {
      if (!guardHolds(action.when, scope, state.ctx)) {
        result.status = 'skipped';
        result.reason = `when ${action.when} is false`;
        return undefined;
      }
      return await this.execute(state, action, scope, result, row);
    } catch (err) {
      result.status = 'failed';
      result.error = err instanceof ApiError ? `${err.code}: ${err.title}` : (err as Error).message;
      const errors = err instanceof ActionError ? err.errors : err instanceof ApiError ? (err.extra.errors as unknown[] | undefined) : undefined;
      if (errors?.length) result.errors = errors;
      throw err;
    }
  }

  private async execute(state: RunState, action: Action, scope: Scope, result: ActionResult, row: number | undefined): Promise<unknown> {
    switch (action.kind) {
      case 'createRecord': {
        const created = await this.create(state, action.formId, action.mapping, scope);
        result.created = [{ formId: created.formId, recordId: created._id }];
        return recordScopeOf(created);
      }
      case 'updateRecords': {
        const form = await state.form(action.formId);
        const targets = await this.find(state, form, action.filter, scope, Math.min(action.limit ?? MAX_TARGETS, MAX_TARGETS));
        const out: Scope[] = [];
        for (const target of targets) out.push(recordScopeOf(await this.update(state, form, target, action.mapping, scope)));
        result.changed = targets.map((t) => ({ formId: form._id, recordId: t._id }));
        result.count = targets.length;
        return out;
      }
      case 'updateRecord': {
        const form = await state.form(action.formId ?? state.triggerFormId);
        const recordId = toText(evalFormula(action.recordId ?? 'id', scope, state.ctx));
        const target = recordId ? await state.tx.collection<RecordDoc>(recordsCollection(form._id)).findOne({ _id: recordId }) : null;
        if (!target) throw new ActionError(`record "${recordId}" of form ${form._id} does not exist`, [{ field: 'recordId', code: 'not_found', message: 'no such record', name: recordId }], 'not_found');
        const updated = await this.update(state, form, target, action.mapping, scope);
        result.changed = [{ formId: form._id, recordId: target._id }];
        return recordScopeOf(updated);
      }
      case 'upsertRecord': {
        const form = await state.form(action.formId);
        const [existing] = await this.find(state, form, action.filter, scope, 1);
        if (existing) {
          const updated = await this.update(state, form, existing, action.mapping, scope);
          result.changed = [{ formId: form._id, recordId: existing._id }];
          return recordScopeOf(updated);
        }
        const created = await this.create(state, form._id, action.mapping, { ...scope, this: {} });
        result.created = [{ formId: form._id, recordId: created._id }];
        return recordScopeOf(created);
      }
      case 'deleteRecords': {
        const form = await state.form(action.formId);
        const targets = await this.find(state, form, action.filter, scope, Math.min(action.limit ?? MAX_TARGETS, MAX_TARGETS));
        for (const target of targets) {
          await this.records.remove(state.tx, form, target._id, { userId: state.actorId }, state.writeOptions());
          state.deleted.push({ formId: form._id, recordId: target._id });
        }
        result.deleted = targets.map((t) => ({ formId: form._id, recordId: t._id }));
        result.count = targets.length;
        return { count: targets.length };
      }
      case 'queryRecords':
        return this.query(state, action, scope, result);
      case 'startWorkflow':
        return this.startWorkflow(state, action, scope, result);
      case 'notify':
        return this.notify(state, action, scope, result, row);
      case 'webhook': {
        const body = action.body ? evalObject(action.body, scope, state.ctx) : { automationId: state.automationId, runId: state.runId, record: scope.record ?? null };
        const delivery = await recordDelivery(state.tx, {
          id: `${state.runId}.a${result.index}${row !== undefined ? `.r${row}` : ''}`,
          webhookId: null,
          origin: 'automation',
          automationId: state.automationId,
          runId: state.runId,
          event: 'automation.webhook',
          url: String(action.url),
          method: action.method ?? 'POST',
          headers: action.headers ?? {},
          body: JSON.stringify(body),
          secret: action.secret ?? null,
          ...(typeof scope.id === 'string' ? { recordId: scope.id } : {}),
          ...(state.triggerFormId ? { formId: state.triggerFormId } : {}),
        });
        state.deliveries.push(delivery._id);
        result.deliveryId = delivery._id;
        return { deliveryId: delivery._id };
      }
      default:
        throw new ActionError(`unknown action kind ${String(action.kind)}`, [], 'invalid_action');
    }
  }

  private async create(state: RunState, formId: string | undefined, mapping: Action['mapping'], scope: Scope): Promise<RecordDoc> {
    const form = await state.form(formId);
    const { data, errors } = evalMapping(mapping, scope, form, state.ctx);
    if (errors.length) throw new ActionError(`the mapping for form ${form._id} cannot be evaluated`, errors, 'validation_failed');
    const record = await this.records.create(state.tx, form, data, { userId: state.actorId }, state.writeOptions());
    // Triggers that fire later (a workflow outcome) learn how deep in an automation chain the record was made.
    await state.tx.collection(AUTOMATION_LINEAGE).insertOne({ _id: record._id, depth: state.depth + 1, runId: state.runId, automationId: state.automationId });
    state.created.push({ formId: form._id, recordId: record._id });
    return record;
  }

  private async update(state: RunState, form: FormDoc, target: RecordDoc, mapping: Action['mapping'], scope: Scope): Promise<RecordDoc> {
    const { data, errors } = evalMapping(mapping, { ...scope, this: recordScopeOf(target) }, form, state.ctx);
    if (errors.length) throw new ActionError(`the mapping for form ${form._id} cannot be evaluated`, errors, 'validation_failed');
    // Fields the mapping left empty are cleared: an explicit null in the patch, like a user emptying a field.
    for (const key of Object.keys(mapping ?? {})) if (!(key in data)) data[key] = null;
    const updated = await this.records.update(state.tx, form, target._id, data, undefined, { userId: state.actorId }, state.writeOptions());
    state.changed.push({ formId: form._id, recordId: target._id });
    return updated;
  }

  private async find(state: RunState, form: FormDoc, filter: unknown, scope: Scope, limit: number): Promise<RecordDoc[]> {
    if (filter === undefined || filter === null) throw new ActionError('the action needs a filter to find its records', [{ field: 'filter', code: 'required', message: 'filter is required' }], 'invalid_action');
    const compiled = compileScopedFilter(form, filter, scope, state.ctx);
    return state.tx.collection<RecordDoc>(recordsCollection(form._id)).find(compiled, { sort: { _id: 1 }, limit });
  }

  private async query(state: RunState, action: Action, scope: Scope, result: ActionResult): Promise<unknown> {
    const limit = Math.min(Math.max(action.limit ?? DEFAULT_QUERY_LIMIT, 1), MAX_TARGETS);
    if (action.ledgerId) {
      const keys: Record<string, unknown> = {};
      for (const [k, formula] of Object.entries(action.keys ?? {})) {
        const value = evalFormula(formula, scope, state.ctx);
        keys[k] = value === '' ? null : value;
      }
      const rows = await findBalances(state.tx, action.ledgerId, keys, limit);
      if (!rows) throw new ActionError(`ledger "${action.ledgerId}" does not exist`, [{ field: 'ledgerId', code: 'unknown_ledger', message: 'no such ledger', name: action.ledgerId }], 'unknown_ledger');
      result.count = rows.length;
      return rows;
    }
    const form = await state.form(action.formId);
    const compiled = compileScopedFilter(form, action.filter, scope, state.ctx);
    let sort;
    try {
      sort = parseSort(form, action.sort);
    } catch (err) {
      if (err instanceof ApiError) throw new ActionError(`sort ${action.sort}: ${err.title}`, [{ field: 'sort', code: 'invalid_sort', message: err.title, name: action.sort }], 'invalid_sort');
      throw err;
    }
    const rows = await state.tx.collection<RecordDoc>(recordsCollection(form._id)).find(compiled, { sort, limit });
    result.count = rows.length;
    return rows.map(recordScopeOf);
  }

  private async startWorkflow(state: RunState, action: Action, scope: Scope, result: ActionResult): Promise<unknown> {
    const form = await state.form(action.formId ?? state.triggerFormId);
    const recordId = toText(evalFormula(action.recordId ?? 'id', scope, state.ctx));
    const record = recordId ? await state.tx.collection<RecordDoc>(recordsCollection(form._id)).findOne({ _id: recordId }) : null;
    if (!record) throw new ActionError(`record "${recordId}" of form ${form._id} does not exist`, [{ field: 'recordId', code: 'not_found', message: 'no such record', name: recordId }], 'not_found');
    if (record.instance?.status === 'running') {
      result.status = 'skipped';
      result.reason = 'the record already has a running workflow';
      result.instanceId = record.instance.id;
      return { instanceId: record.instance.id };
    }
    const workflow = await state.tx.collection<WorkflowDoc>('workflows').findOne({ _id: form._id });
    if (!workflow || workflow.publishedVersion < 1) throw new ActionError(`form ${form._id} has no published workflow`, [{ field: 'formId', code: 'no_workflow', message: 'publish a workflow first', name: form._id }], 'no_workflow');
    await this.workflow.onRecordChange(state.tx, {
      kind: 'created',
      formId: form._id,
      appId: form.appId,
      recordId: record._id,
      after: record as never,
      actorId: state.actorId,
      source: 'automation',
      depth: state.depth + 1,
      meta: { initiatorId: state.initiatorId },
    });
    state.changed.push({ formId: form._id, recordId: record._id });
    result.changed = [{ formId: form._id, recordId: record._id }];
    result.instanceId = record.instance?.id;
    return { instanceId: record.instance?.id ?? null };
  }

  private async notify(state: RunState, action: Action, scope: Scope, result: ActionResult, row: number | undefined): Promise<unknown> {
    const recipients = new Set<string>(action.to?.memberIds ?? []);
    for (const field of action.to?.fields ?? []) {
      const value = evalFormula(field, scope, state.ctx);
      for (const id of Array.isArray(value) ? value : [value]) if (typeof id === 'string' && id) recipients.add(id);
    }
    for (const roleId of action.to?.roleIds ?? []) {
      const members = await state.tx.collection(MEMBERS).find({ roleIds: roleId, disabled: { $ne: true } }, { projection: { userId: 1 } });
      for (const m of members) recipients.add(String(m.userId));
    }
    const text = (formula: string | undefined) => {
      if (!formula) return '';
      try {
        return toText(evalFormula(formula, scope, state.ctx));
      } catch (err) {
        if (!isFormulaError(err)) throw err;
        throw new ActionError(`${formula}: ${(err as Error).message}`, [{ field: 'message', code: 'formula_error', message: (err as Error).message }], 'formula_error');
      }
    };
    const title = text(action.title);
    const message = text(action.message);
    const now = new Date().toISOString();
    if (recipients.size) {
      await state.tx.collection('notifications').insertMany(
        [...recipients].map((userId) => ({
          _id: newId(),
          userId,
          kind: 'automation',
          automationId: state.automationId,
          runId: state.runId,
          ...(state.triggerFormId ? { formId: state.triggerFormId } : {}),
          ...(typeof scope.id === 'string' ? { recordId: scope.id } : {}),
          title,
          message,
          read: false,
          createdAt: now,
        })),
      );
    }
    result.count = recipients.size;
    if (action.chatWebhookUrl) {
      // The text-message shape DingTalk, WeCom and Feishu-compatible bots accept.
      const delivery = await recordDelivery(state.tx, {
        id: `${state.runId}.a${result.index}${row !== undefined ? `.r${row}` : ''}`,
        webhookId: null,
        origin: 'automation',
        automationId: state.automationId,
        runId: state.runId,
        event: 'automation.chat',
        url: action.chatWebhookUrl,
        body: JSON.stringify({ msgtype: 'text', text: { content: title ? `${title}\n${message}` : message } }),
      });
      state.deliveries.push(delivery._id);
      result.deliveryId = delivery._id;
    }
    return { count: recipients.size };
  }
}

export { ActionError };
