import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import { allowedActions, fieldPermissionsAt, permissionOf, sendBackTargets, type InstanceState, type WorkflowEvent } from '@qiao/workflow-engine';
import type { Caller, Services } from '../platform/context.ts';
import { isAdmin } from '../platform/context.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import { ApiError, forbidden, notFound } from '../http/problem.ts';
import { newId } from '../platform/ids.ts';
import { recordsCollection } from '../forms/store.ts';
import { publicRecord, type RecordDoc } from '../records/service.ts';
import { loadOrgSnapshot } from '../org/snapshot.ts';
import { getMember } from '../org/members.ts';
import type { WorkflowRuntime } from './runtime.ts';
import { publishedDefinition, type CcDoc, type InstanceDoc, type TaskDoc } from './store.ts';

const taskParams = { type: 'object', required: ['taskId'], properties: { taskId: { type: 'string', maxLength: 200 } } } as const;
const instanceParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    box: { type: 'string', enum: ['todo', 'done', 'initiated', 'cc'] },
    formId: { type: 'string', maxLength: 64 },
    q: { type: 'string', maxLength: 200 },
    limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
    offset: { type: 'string', pattern: '^[0-9]{1,7}$' },
  },
} as const;
const actionBody = {
  type: 'object',
  required: ['action'],
  additionalProperties: false,
  properties: {
    action: { type: 'string', maxLength: 40 },
    comment: { type: 'string', maxLength: 5000 },
    data: { type: 'object', maxProperties: 1000 },
    toNodeId: { type: 'string', maxLength: 200 },
    toMemberId: { type: 'string', maxLength: 64 },
    memberIds: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 64 } },
    position: { type: 'string', maxLength: 20 },
    signature: { type: 'string', maxLength: 500_000 },
  },
} as const;
const withdrawBody = { type: 'object', additionalProperties: false, properties: { comment: { type: 'string', maxLength: 5000 } } } as const;
const adminBody = {
  type: 'object',
  required: ['action'],
  additionalProperties: false,
  properties: {
    action: { type: 'string', enum: ['reassign', 'jumpTo', 'terminate', 'reactivate'] },
    taskId: { type: 'string', maxLength: 200 },
    toMemberId: { type: 'string', maxLength: 64 },
    nodeId: { type: 'string', maxLength: 200 },
    comment: { type: 'string', maxLength: 5000 },
  },
} as const;
const delegationBody = {
  type: 'object',
  required: ['toMemberId', 'from', 'to'],
  additionalProperties: false,
  properties: { toMemberId: { type: 'string', maxLength: 64 }, from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' } },
} as const;
const handoverBody = { type: 'object', required: ['toMemberId'], additionalProperties: false, properties: { toMemberId: { type: 'string', maxLength: 64 } } } as const;
const memberParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

const publicTask = (t: TaskDoc) => ({
  id: t._id,
  instanceId: t.instanceId,
  nodeId: t.nodeId,
  nodeName: t.nodeName,
  recordId: t.recordId,
  formId: t.formId,
  assigneeId: t.assigneeId,
  initiatorId: t.initiatorId,
  kind: t.kind,
  status: t.status,
  createdAt: t.createdAt,
  closedAt: t.closedAt,
  actorId: t.actorId,
});

/** The record as `caller` may see it at this instance: fields hidden at their node are removed. */
export async function recordForViewer(db: TenantDb, instance: InstanceDoc, caller: Caller) {
  const record = await db.collection<RecordDoc>(recordsCollection(instance.formId)).findOne({ _id: instance.recordId });
  if (!record) return null;
  if (isAdmin(caller) || caller.userId === instance.initiatorId) return { ...publicRecord(record), fieldPermissions: null };
  const definition = await publishedDefinition(db, instance.formId, instance.workflowVersion);
  const own = [...instance.state.tasks].reverse().find((t) => t.assigneeId === caller.userId && t.status === 'open') ?? [...instance.state.tasks].reverse().find((t) => t.assigneeId === caller.userId);
  let nodeId = own?.nodeId;
  if (!nodeId) {
    const cc = await db.collection<CcDoc>('wf_cc').findOne({ instanceId: instance._id, memberId: caller.userId });
    nodeId = cc?.nodeId;
  }
  if (!nodeId) return null;
  const permissions = fieldPermissionsAt(definition, instance.state, nodeId);
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record.data)) if (permissionOf(permissions, k) !== 'hidden') data[k] = v;
  return { ...publicRecord({ ...record, data }), fieldPermissions: permissions };
}

function publicInstance(instance: InstanceDoc) {
  const state: InstanceState = instance.state;
  return {
    id: instance._id,
    formId: instance.formId,
    recordId: instance.recordId,
    workflowVersion: instance.workflowVersion,
    initiatorId: instance.initiatorId,
    status: instance.status,
    reason: state.reason,
    currentNodeIds: instance.currentNodeIds,
    createdAt: instance.createdAt,
    updatedAt: instance.updatedAt,
    tasks: state.tasks.map((t) => ({ id: t.id, nodeId: t.nodeId, assigneeId: t.assigneeId, status: t.status, kind: t.kind, actorId: t.actorId, comment: t.comment, createdAt: t.createdAt, closedAt: t.closedAt, reason: t.reason })),
    log: state.log,
  };
}

async function activeDelegation(db: TenantDb, fromId: string, toId: string) {
  const now = new Date().toISOString();
  return db.collection('delegations').findOne({ fromId, toId, from: { $lte: now }, to: { $gte: now }, revoked: { $ne: true } });
}

export function registerTaskRoutes(app: FastifyInstance, _services: Services, runtime: WorkflowRuntime) {
  app.get<{ Querystring: FromSchema<typeof listQuery> }>('/api/v1/tasks', { schema: { tags: ['workflow'], querystring: listQuery } }, async (request) => {
    const box = request.query.box ?? 'todo';
    const limit = Math.min(Number(request.query.limit ?? 50), 500);
    const skip = Number(request.query.offset ?? 0);
    const me = request.caller.userId;
    const extra: Record<string, unknown> = request.query.formId ? { formId: request.query.formId } : {};
    if (request.query.q) extra.nodeName = { $regex: request.query.q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), $options: 'i' };
    if (box === 'todo' || box === 'done') {
      const filter = box === 'todo' ? { assigneeId: me, status: 'open', ...extra } : { actorId: me, status: { $nin: ['open', 'waiting', 'cancelled'] }, ...extra };
      const sort: Record<string, 1 | -1> = box === 'todo' ? { createdAt: -1, _id: -1 } : { closedAt: -1, _id: -1 };
      const col = request.db.collection<TaskDoc>('wf_tasks');
      const [items, total] = await Promise.all([col.find(filter, { sort, skip, limit }), col.countDocuments(filter)]);
      return { items: items.map(publicTask), total };
    }
    if (box === 'cc') {
      const filter = { memberId: me, ...extra };
      const col = request.db.collection<CcDoc>('wf_cc');
      const [items, total] = await Promise.all([col.find(filter, { sort: { createdAt: -1, _id: -1 }, skip, limit }), col.countDocuments(filter)]);
      return { items: items.map((c) => ({ id: c._id, instanceId: c.instanceId, nodeId: c.nodeId, nodeName: c.nodeName, recordId: c.recordId, formId: c.formId, assigneeId: c.memberId, initiatorId: c.initiatorId, status: 'cc', createdAt: c.createdAt })), total };
    }
    const filter = { initiatorId: me, ...(request.query.formId ? { formId: request.query.formId } : {}) };
    const col = request.db.collection<InstanceDoc>('wf_instances');
    const [items, total] = await Promise.all([col.find(filter, { sort: { createdAt: -1, _id: -1 }, skip, limit, projection: { state: 0 } }), col.countDocuments(filter)]);
    return {
      items: items.map((i) => ({ id: i._id, instanceId: i._id, nodeId: i.currentNodeIds[0] ?? null, nodeName: null, recordId: i.recordId, formId: i.formId, assigneeId: null, initiatorId: i.initiatorId, status: i.status, createdAt: i.createdAt })),
      total,
    };
  });

  app.get<{ Params: FromSchema<typeof taskParams> }>('/api/v1/tasks/:taskId', { schema: { tags: ['workflow'], params: taskParams } }, async (request) => {
    const task = await request.db.collection<TaskDoc>('wf_tasks').findOne({ _id: request.params.taskId });
    if (!task) throw notFound('task');
    const instance = await request.db.collection<InstanceDoc>('wf_instances').findOne({ _id: task.instanceId });
    if (!instance || !(await runtime.canView(request.db, instance, request.caller))) throw notFound('task');
    const definition = await publishedDefinition(request.db, instance.formId, instance.workflowVersion);
    const org = await loadOrgSnapshot(request.db);
    return {
      task: publicTask(task),
      instance: publicInstance(instance),
      record: await recordForViewer(request.db, instance, request.caller),
      fieldPermissions: fieldPermissionsAt(definition, instance.state, task.nodeId),
      allowedActions: allowedActions(definition, instance.state, task._id, request.caller.userId, org),
      sendBackTargets: sendBackTargets(definition, instance.state, task._id),
      definition,
    };
  });

  app.post<{ Params: FromSchema<typeof taskParams>; Body: FromSchema<typeof actionBody> }>(
    '/api/v1/tasks/:taskId/actions',
    { schema: { tags: ['workflow'], params: taskParams, body: actionBody } },
    async (request) => {
      const task = await request.db.collection<TaskDoc>('wf_tasks').findOne({ _id: request.params.taskId });
      if (!task) throw notFound('task');
      const instance = await request.db.collection<InstanceDoc>('wf_instances').findOne({ _id: task.instanceId }, { projection: { state: 0 } });
      if (!instance) throw notFound('task');
      const me = request.caller.userId;
      const initiatorAction = me === instance.initiatorId && (request.body.action === 'urge' || request.body.action === 'comment');
      let delegated = false;
      if (me !== task.assigneeId && !initiatorAction) {
        if (isAdmin(request.caller) || (await activeDelegation(request.db, task.assigneeId, me))) delegated = true;
        else throw forbidden('only the task holder can act on this task');
      }
      const event = { type: 'task', taskId: task._id, actorId: me, ...request.body, ...(delegated ? { delegated: true } : {}) } as WorkflowEvent;
      const next = await runtime.dispatch(request.db, task.instanceId, event);
      return { instance: next ? publicInstance(next) : null };
    },
  );

  app.get<{ Params: FromSchema<typeof instanceParams> }>('/api/v1/instances/:id', { schema: { tags: ['workflow'], params: instanceParams } }, async (request) => {
    const instance = await request.db.collection<InstanceDoc>('wf_instances').findOne({ _id: request.params.id });
    if (!instance || !(await runtime.canView(request.db, instance, request.caller))) throw notFound('instance');
    const definition = await publishedDefinition(request.db, instance.formId, instance.workflowVersion);
    return { ...publicInstance(instance), record: await recordForViewer(request.db, instance, request.caller), definition };
  });

  app.post<{ Params: FromSchema<typeof instanceParams>; Body: FromSchema<typeof withdrawBody> }>(
    '/api/v1/instances/:id/withdraw',
    { schema: { tags: ['workflow'], params: instanceParams, body: withdrawBody } },
    async (request) => {
      const instance = await request.db.collection<InstanceDoc>('wf_instances').findOne({ _id: request.params.id });
      if (!instance || !(await runtime.canView(request.db, instance, request.caller))) throw notFound('instance');
      const next = await runtime.dispatch(request.db, instance._id, { type: 'withdraw', actorId: request.caller.userId, comment: request.body?.comment });
      return publicInstance(next!);
    },
  );

  app.post<{ Params: FromSchema<typeof instanceParams>; Body: FromSchema<typeof adminBody> }>(
    '/api/v1/instances/:id/admin',
    { schema: { tags: ['workflow'], params: instanceParams, body: adminBody } },
    async (request) => {
      if (!isAdmin(request.caller)) throw forbidden('only admins can manage instances');
      const instance = await request.db.collection<InstanceDoc>('wf_instances').findOne({ _id: request.params.id }, { projection: { state: 0 } });
      if (!instance) throw notFound('instance');
      const event = { type: 'admin', actorId: request.caller.userId, ...request.body } as WorkflowEvent;
      return publicInstance((await runtime.dispatch(request.db, instance._id, event))!);
    },
  );

  app.post<{ Body: FromSchema<typeof delegationBody> }>('/api/v1/delegations', { schema: { tags: ['workflow'], body: delegationBody } }, async (request, reply) => {
    if (request.body.toMemberId === request.caller.userId) throw new ApiError(422, 'validation_failed', 'cannot delegate to yourself', { errors: [{ field: 'toMemberId', message: 'choose another member' }] });
    const org = await loadOrgSnapshot(request.db);
    if (!org.members.some((m) => m.id === request.body.toMemberId && !m.disabled)) throw new ApiError(422, 'validation_failed', 'unknown member', { errors: [{ field: 'toMemberId', message: 'not an active member' }] });
    if (request.body.to <= request.body.from) throw new ApiError(422, 'validation_failed', 'the period ends before it starts', { errors: [{ field: 'to', message: 'must be after from' }] });
    const doc = { _id: newId(), fromId: request.caller.userId, toId: request.body.toMemberId, from: request.body.from, to: request.body.to, createdAt: new Date().toISOString() };
    await request.db.collection('delegations').insertOne(doc);
    return reply.status(201).send({ id: doc._id, fromId: doc.fromId, toMemberId: doc.toId, from: doc.from, to: doc.to });
  });

  app.get('/api/v1/delegations', { schema: { tags: ['workflow'] } }, async (request) => {
    const items = await request.db.collection('delegations').find({ $or: [{ fromId: request.caller.userId }, { toId: request.caller.userId }], revoked: { $ne: true } });
    return { items: items.map((d) => ({ id: d._id, fromId: d.fromId, toMemberId: d.toId, from: d.from, to: d.to })) };
  });

  /** 交接: hand every open task of a member (e.g. one being disabled) to another member. */
  app.post<{ Params: FromSchema<typeof memberParams>; Body: FromSchema<typeof handoverBody> }>(
    '/api/v1/members/:id/handover-tasks',
    { schema: { tags: ['workflow'], params: memberParams, body: handoverBody } },
    async (request) => {
      if (!isAdmin(request.caller)) throw forbidden('only admins can hand over tasks');
      await getMember(request.db, request.params.id);
      await getMember(request.db, request.body.toMemberId);
      const open = await request.db.collection<TaskDoc>('wf_tasks').find({ assigneeId: request.params.id, status: 'open' });
      let moved = 0;
      for (const task of open) {
        await runtime.dispatch(request.db, task.instanceId, { type: 'admin', action: 'reassign', actorId: request.caller.userId, taskId: task._id, toMemberId: request.body.toMemberId });
        moved++;
      }
      return { moved };
    },
  );

  app.get('/api/v1/notifications', { schema: { tags: ['workflow'] } }, async (request) => {
    const col = request.db.collection('notifications');
    const [items, unread] = await Promise.all([
      col.find({ userId: request.caller.userId }, { sort: { createdAt: -1 }, limit: 100 }),
      col.countDocuments({ userId: request.caller.userId, read: false }),
    ]);
    return { items: items.map(({ _id, tenantId: _t, ...rest }) => ({ id: _id, ...rest })), unread };
  });
}
