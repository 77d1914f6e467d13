import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import { isAdmin, type Services } from '../platform/context.ts';
import { newId } from '../platform/ids.ts';
import { ApiError, forbidden, notFound } from '../http/problem.ts';
import { getApp } from '../apps/routes.ts';
import { getForm, recordsCollection } from '../forms/store.ts';
import { accessFor } from '../access/index.ts';
import { audit } from '../audit/audit.ts';
import { writeOutbox } from '../queue/index.ts';
import type { RecordDoc } from '../records/service.ts';
import { afterCursor, cursorValues, decodeCursor, encodeCursor } from '../records/cursor.ts';
import type { Sort } from '../store/port.ts';
import { checkAutomation, type AutomationInput } from './check.ts';
import { AUTOMATION_RUNS, AUTOMATIONS, publicAutomation, publicRun, type AutomationDoc, type RunDoc, type Trigger } from './model.ts';
import { recordRun, runJob } from './runs.ts';
import { createAutomationBody, patchAutomationBody } from './schema.ts';
import { nextFireAt } from './scheduler.ts';
import { conditionHolds, recordScopeOf, triggerScope } from './scope.ts';
import { tenantTimeZone } from './tenant-time.ts';

const appParams = { type: 'object', required: ['appId'], properties: { appId: { type: 'string', maxLength: 64 } } } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
const runParams = { type: 'object', required: ['runId'], properties: { runId: { type: 'string', maxLength: 300 } } } as const;
const formParams = { type: 'object', required: ['formId'], properties: { formId: { type: 'string', maxLength: 64 } } } as const;
const recordParams = {
  type: 'object',
  required: ['formId', 'recordId'],
  properties: { formId: { type: 'string', maxLength: 64 }, recordId: { type: 'string', maxLength: 64 } },
} as const;
const buttonParams = {
  type: 'object',
  required: ['formId', 'recordId', 'automationId'],
  properties: { formId: { type: 'string', maxLength: 64 }, recordId: { type: 'string', maxLength: 64 }, automationId: { type: 'string', maxLength: 64 } },
} as const;
const runsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { enum: ['pending', 'running', 'retrying', 'succeeded', 'failed', 'skipped'] },
    limit: { type: 'string', pattern: '^[0-9]{1,3}$' },
    cursor: { type: 'string', maxLength: 2000 },
  },
} as const;

const RUN_SORT: Sort = { createdAt: -1, _id: -1 };

function assertAdmin(request: FastifyRequest) {
  if (!isAdmin(request.caller)) throw forbidden('only admins can manage automations');
}

async function getAutomation(request: FastifyRequest, id: string): Promise<AutomationDoc> {
  const automation = await request.db.collection<AutomationDoc>(AUTOMATIONS).findOne({ _id: id });
  if (!automation) throw notFound('automation');
  const tokenApps = request.caller.scope?.appIds;
  if (tokenApps && !tokenApps.includes(automation.appId)) throw notFound('automation');
  return automation;
}

/** The record must be visible to the caller: the integration log and buttons follow the record's view rights. */
async function visibleRecord(request: FastifyRequest, formId: string, recordId: string) {
  const form = await getForm(request.db, formId);
  const access = await accessFor(request, form);
  access.assert('view');
  const record = await request.db.collection<RecordDoc>(recordsCollection(form._id)).findOne(access.restrict('view', { _id: recordId }));
  return { form, access, record };
}

async function pageOfRuns(request: FastifyRequest, filter: Record<string, unknown>, query: FromSchema<typeof runsQuery>) {
  const limit = Math.min(Math.max(Number(query.limit ?? 50), 1), 200);
  if (query.status) filter.status = query.status;
  const page = query.cursor ? { $and: [filter, afterCursor(RUN_SORT, decodeCursor(query.cursor, RUN_SORT))] } : filter;
  const rows = await request.db.collection<RunDoc>(AUTOMATION_RUNS).find(page, { sort: RUN_SORT, limit: limit + 1 });
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(cursorValues(items[items.length - 1], RUN_SORT)) : null };
}

export function registerAutomationRoutes(app: FastifyInstance, services: Services, wakeScheduler: () => void) {
  const schedule = async (request: FastifyRequest, trigger: Trigger, enabled: boolean): Promise<number | null> => {
    if (trigger.kind !== 'schedule' || !enabled) return null;
    return nextFireAt(trigger, await tenantTimeZone(services.store, request.caller.tenantId), Date.now());
  };

  app.post<{ Params: FromSchema<typeof appParams>; Body: AutomationInput & { description?: unknown; enabled?: boolean } }>(
    '/api/v1/apps/:appId/automations',
    {
      schema: { tags: ['automations'], params: appParams, body: createAutomationBody },
      // Rights before shape: a caller without them learns nothing from validation messages.
      preValidation: async (request) => {
        assertAdmin(request);
        await getApp(request.db, (request.params as { appId: string }).appId);
      },
    },
    async (request, reply) => {
      const body = request.body;
      await checkAutomation(request.db, body);
      const now = new Date().toISOString();
      const enabled = body.enabled ?? true;
      const automation: AutomationDoc = {
        _id: newId(),
        appId: request.params.appId,
        name: body.name,
        ...(body.description !== undefined ? { description: body.description } : {}),
        enabled,
        trigger: body.trigger,
        ...(body.condition !== undefined ? { condition: body.condition } : {}),
        actions: body.actions,
        triggerKind: body.trigger.kind,
        triggerFormId: body.trigger.formId ?? null,
        nextRunAt: await schedule(request, body.trigger, enabled),
        version: 1,
        createdAt: now,
        createdBy: request.caller.userId,
        updatedAt: now,
        updatedBy: request.caller.userId,
      };
      await request.db.transaction(async (tx) => {
        await tx.collection<AutomationDoc>(AUTOMATIONS).insertOne(automation);
        await audit(tx, request.caller, 'automation.create', { type: 'automation', id: automation._id, name: automation.name }, { appId: automation.appId, trigger: automation.triggerKind });
      });
      if (automation.nextRunAt) wakeScheduler();
      return reply.status(201).send(publicAutomation(automation));
    },
  );

  app.get<{ Params: FromSchema<typeof appParams> }>('/api/v1/apps/:appId/automations', { schema: { tags: ['automations'], params: appParams } }, async (request) => {
    assertAdmin(request);
    await getApp(request.db, request.params.appId);
    const items = await request.db.collection<AutomationDoc>(AUTOMATIONS).find({ appId: request.params.appId }, { sort: { createdAt: 1, _id: 1 } });
    return { items: items.map(publicAutomation), total: items.length };
  });

  app.get<{ Params: FromSchema<typeof idParams> }>('/api/v1/automations/:id', { schema: { tags: ['automations'], params: idParams } }, async (request) => {
    assertAdmin(request);
    return publicAutomation(await getAutomation(request, request.params.id));
  });

  app.patch<{ Params: FromSchema<typeof idParams>; Body: Partial<AutomationInput> & { description?: unknown; enabled?: boolean } }>(
    '/api/v1/automations/:id',
    {
      schema: { tags: ['automations'], params: idParams, body: patchAutomationBody },
      preValidation: async (request) => {
        assertAdmin(request);
        await getAutomation(request, (request.params as { id: string }).id);
      },
    },
    async (request) => {
      const current = await getAutomation(request, request.params.id);
      const body = request.body;
      const next: AutomationInput = {
        name: body.name ?? current.name,
        trigger: body.trigger ?? current.trigger,
        condition: body.condition === null ? undefined : (body.condition ?? current.condition),
        actions: body.actions ?? current.actions,
      };
      await checkAutomation(request.db, next);
      const enabled = body.enabled ?? current.enabled;
      const scheduleChanged = body.trigger !== undefined || enabled !== current.enabled;
      const set: Record<string, unknown> = {
        name: next.name,
        trigger: next.trigger,
        actions: next.actions,
        enabled,
        triggerKind: next.trigger.kind,
        triggerFormId: next.trigger.formId ?? null,
        updatedAt: new Date().toISOString(),
        updatedBy: request.caller.userId,
        version: current.version + 1,
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(scheduleChanged ? { nextRunAt: await schedule(request, next.trigger, enabled) } : {}),
      };
      const unset = next.condition === undefined ? { condition: '' } : undefined;
      if (next.condition !== undefined) set.condition = next.condition;
      await request.db.transaction(async (tx) => {
        const res = await tx.collection<AutomationDoc>(AUTOMATIONS).updateOne({ _id: current._id, version: current.version }, { $set: set, ...(unset ? { $unset: unset } : {}) });
        if (res.matchedCount === 0) throw new ApiError(409, 'version_conflict', 'the automation was changed by someone else');
        await audit(tx, request.caller, 'automation.update', { type: 'automation', id: current._id, name: next.name }, { version: current.version + 1 });
      });
      if (set.nextRunAt) wakeScheduler();
      return publicAutomation({ ...current, ...set, condition: next.condition } as AutomationDoc);
    },
  );

  app.delete<{ Params: FromSchema<typeof idParams> }>('/api/v1/automations/:id', { schema: { tags: ['automations'], params: idParams } }, async (request, reply) => {
    assertAdmin(request);
    const automation = await getAutomation(request, request.params.id);
    await request.db.transaction(async (tx) => {
      await tx.collection(AUTOMATIONS).deleteOne({ _id: automation._id });
      await audit(tx, request.caller, 'automation.delete', { type: 'automation', id: automation._id, name: automation.name });
    });
    return reply.status(204).send();
  });

  app.get<{ Params: FromSchema<typeof idParams>; Querystring: FromSchema<typeof runsQuery> }>(
    '/api/v1/automations/:id/runs',
    { schema: { tags: ['automations'], params: idParams, querystring: runsQuery } },
    async (request) => {
      assertAdmin(request);
      const automation = await getAutomation(request, request.params.id);
      const { items, nextCursor } = await pageOfRuns(request, { automationId: automation._id }, request.query);
      return { items: items.map(publicRun), nextCursor };
    },
  );

  app.get<{ Params: FromSchema<typeof runParams> }>('/api/v1/automation-runs/:runId', { schema: { tags: ['automations'], params: runParams } }, async (request) => {
    assertAdmin(request);
    const run = await request.db.collection<RunDoc>(AUTOMATION_RUNS).findOne({ _id: request.params.runId });
    if (!run) throw notFound('run');
    return publicRun(run);
  });

  app.post<{ Params: FromSchema<typeof runParams> }>('/api/v1/automation-runs/:runId/retry', { schema: { tags: ['automations'], params: runParams } }, async (request, reply) => {
    assertAdmin(request);
    const run = await request.db.collection<RunDoc>(AUTOMATION_RUNS).findOne({ _id: request.params.runId });
    if (!run) throw notFound('run');
    if (run.status !== 'failed') throw new ApiError(409, 'not_failed', `only a failed run can be retried (this one is ${run.status})`);
    if (run.automationId.startsWith('wf:')) throw new ApiError(409, 'workflow_node', 'a workflow node retries through its workflow');
    const retries = run.retries + 1;
    await request.db.transaction(async (tx) => {
      const res = await tx.collection<RunDoc>(AUTOMATION_RUNS).updateOne({ _id: run._id, status: 'failed', retries: run.retries }, { $set: { status: 'pending', retries, finishedAt: null } });
      if (res.matchedCount === 0) throw new ApiError(409, 'not_failed', 'the run changed meanwhile');
      await writeOutbox(tx.rawSession, [runJob(tx.tenantId, run._id, `${run._id}.retry${retries}`)]);
      await audit(tx, request.caller, 'automation.retry', { type: 'automation-run', id: run._id }, { automationId: run.automationId, retries });
    });
    services.notifyOutbox();
    return reply.status(202).send(publicRun({ ...run, status: 'pending', retries, finishedAt: null }));
  });

  app.get<{ Params: FromSchema<typeof recordParams>; Querystring: FromSchema<typeof runsQuery> }>(
    '/api/v1/forms/:formId/records/:recordId/runs',
    { schema: { tags: ['automations'], params: recordParams, querystring: runsQuery, description: 'The integration log of a record: runs it triggered and runs that created or changed it.' } },
    async (request) => {
      const { record } = await visibleRecord(request, request.params.formId, request.params.recordId);
      // A deleted record keeps its log (for admins, who can see the recycle bin anyway).
      if (!record && !isAdmin(request.caller)) throw notFound('record');
      const { items, nextCursor } = await pageOfRuns(request, { recordIds: request.params.recordId }, request.query);
      const admin = isAdmin(request.caller);
      // Members see what happened, not the inputs: those may hold fields hidden from them.
      return { items: items.map((r) => (admin ? publicRun(r) : { ...publicRun(r), inputs: null })), nextCursor };
    },
  );

  app.get<{ Params: FromSchema<typeof formParams> }>('/api/v1/forms/:formId/buttons', { schema: { tags: ['automations'], params: formParams } }, async (request) => {
    const form = await getForm(request.db, request.params.formId);
    (await accessFor(request, form)).assert('view');
    const automations = await request.db.collection<AutomationDoc>(AUTOMATIONS).find({ triggerFormId: form._id, triggerKind: 'button', enabled: true }, { sort: { createdAt: 1, _id: 1 } });
    return { items: automations.map((a) => ({ automationId: a._id, label: a.trigger.label ?? a.name, condition: a.condition ?? null })) };
  });

  app.post<{ Params: FromSchema<typeof buttonParams> }>(
    '/api/v1/forms/:formId/records/:recordId/buttons/:automationId',
    { schema: { tags: ['automations'], params: buttonParams } },
    async (request, reply) => {
      const { form, record } = await visibleRecord(request, request.params.formId, request.params.recordId);
      if (!record) throw notFound('record');
      const automation = await request.db.collection<AutomationDoc>(AUTOMATIONS).findOne({ _id: request.params.automationId, triggerFormId: form._id, triggerKind: 'button' });
      if (!automation) throw notFound('button');
      if (!automation.enabled) throw new ApiError(409, 'disabled', 'this button is disabled');
      const ctx = { now: new Date(), timeZone: await tenantTimeZone(services.store, request.caller.tenantId), userId: request.caller.userId };
      if (!conditionHolds(automation.condition, triggerScope(recordScopeOf(record), null), form, ctx)) {
        throw new ApiError(409, 'condition_not_met', 'this button does not apply to this record (its condition is not met)');
      }
      const runId = `${automation._id}.${record._id}.button.${newId()}`;
      const me = request.caller.userId;
      await request.db.transaction((tx) =>
        recordRun(tx, automation, {
          runId,
          trigger: { kind: 'button', formId: form._id, recordId: record._id, recordVersion: record.version, actorId: me },
          record: recordScopeOf(record),
          depth: 0,
          // Whoever presses the button starts what it creates.
          actorId: me,
          initiatorId: me,
          triggerRecords: [{ formId: form._id, recordId: record._id }],
        }),
      );
      services.notifyOutbox();
      return reply.status(202).send({ runId, status: 'pending' });
    },
  );
}
