import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import { subprocessFormIds, validate, type WorkflowDefinition } from '@qiao/workflow-engine';
import type { Services } from '../platform/context.ts';
import { isAdmin } from '../platform/context.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import { ApiError, forbidden } from '../http/problem.ts';
import { getForm } from '../forms/store.ts';
import { accessFor } from '../access/index.ts';
import { versionKey, type WorkflowDoc, type WorkflowVersionDoc } from './store.ts';

const formParams = { type: 'object', required: ['formId'], properties: { formId: { type: 'string', maxLength: 64 } } } as const;
const versionParams = {
  type: 'object',
  required: ['formId', 'version'],
  properties: { formId: { type: 'string', maxLength: 64 }, version: { type: 'string', pattern: '^[0-9]{1,6}$' } },
} as const;
const definitionBody = {
  type: 'object',
  required: ['nodes', 'edges'],
  additionalProperties: false,
  properties: {
    nodes: { type: 'array', maxItems: 2000, items: { type: 'object' } },
    edges: { type: 'array', maxItems: 5000, items: { type: 'object' } },
    settings: { type: 'object' },
  },
} as const;

export type AuditFn = (db: TenantDb, actorId: string, action: string, target: Record<string, unknown>, detail?: Record<string, unknown>) => Promise<void>;

/** Subprocess links must not form a cycle between flows (A starts B starts A would never finish). */
async function subprocessCycle(db: TenantDb, formId: string, definition: WorkflowDefinition): Promise<string[] | null> {
  const edges = new Map<string, string[]>([[formId, subprocessFormIds(definition)]]);
  const visit = async (id: string, path: string[]): Promise<string[] | null> => {
    if (path.includes(id)) return [...path, id];
    let targets = edges.get(id);
    if (!targets) {
      const wf = await db.collection<WorkflowDoc>('workflows').findOne({ _id: id });
      const published = wf && wf.publishedVersion > 0 ? await db.collection<WorkflowVersionDoc>('workflow_versions').findOne({ _id: versionKey(id, wf.publishedVersion) }) : null;
      targets = published ? subprocessFormIds(published.definition) : [];
      edges.set(id, targets);
    }
    for (const t of targets) {
      const cycle = await visit(t, [...path, id]);
      if (cycle) return cycle;
    }
    return null;
  };
  return visit(formId, []);
}

export function registerWorkflowDefinitionRoutes(app: FastifyInstance, _services: Services, audit?: AuditFn) {
  app.get<{ Params: FromSchema<typeof formParams> }>('/api/v1/forms/:formId/workflow', { schema: { tags: ['workflow'], params: formParams } }, async (request) => {
    const form = await getForm(request.db, request.params.formId);
    (await accessFor(request, form)).assertUsable();
    const wf = await request.db.collection<WorkflowDoc>('workflows').findOne({ _id: form._id });
    const versions = await request.db.collection<WorkflowVersionDoc>('workflow_versions').find({ formId: form._id }, { sort: { version: -1 }, projection: { definition: 0 } });
    const published = wf && wf.publishedVersion > 0 ? await request.db.collection<WorkflowVersionDoc>('workflow_versions').findOne({ _id: versionKey(form._id, wf.publishedVersion) }) : null;
    return {
      formId: form._id,
      draft: wf?.draft ?? null,
      draftUpdatedAt: wf?.draftUpdatedAt ?? null,
      problems: wf?.draft ? validate(wf.draft, { fields: form.fields as never }) : [],
      published: published ? { version: published.version, definition: published.definition, publishedAt: published.publishedAt, publishedBy: published.publishedBy } : null,
      versions: versions.map((v) => ({ version: v.version, publishedAt: v.publishedAt, publishedBy: v.publishedBy })),
    };
  });

  app.get<{ Params: FromSchema<typeof versionParams> }>('/api/v1/forms/:formId/workflow/versions/:version', { schema: { tags: ['workflow'], params: versionParams } }, async (request) => {
    const form = await getForm(request.db, request.params.formId);
    (await accessFor(request, form)).assertUsable();
    const doc = await request.db.collection<WorkflowVersionDoc>('workflow_versions').findOne({ _id: versionKey(form._id, Number(request.params.version)) });
    if (!doc) throw new ApiError(404, 'not_found', 'workflow version not found');
    return { version: doc.version, definition: doc.definition, publishedAt: doc.publishedAt, publishedBy: doc.publishedBy };
  });

  app.put<{ Params: FromSchema<typeof formParams>; Body: FromSchema<typeof definitionBody> }>(
    '/api/v1/forms/:formId/workflow',
    { schema: { tags: ['workflow'], params: formParams, body: definitionBody } },
    async (request) => {
      if (!isAdmin(request.caller)) throw forbidden('only admins can design workflows');
      const form = await getForm(request.db, request.params.formId);
      const draft = request.body as unknown as WorkflowDefinition;
      const now = new Date().toISOString();
      await request.db.collection<WorkflowDoc>('workflows').updateOne(
        { _id: form._id },
        { $set: { formId: form._id, draft, draftUpdatedAt: now } },
        { upsert: true },
      );
      await request.db.collection<WorkflowDoc>('workflows').updateOne({ _id: form._id, publishedVersion: { $exists: false } }, { $set: { publishedVersion: 0 } });
      await audit?.(request.db, request.caller.userId, 'workflow.save', { formId: form._id });
      return { formId: form._id, draft, draftUpdatedAt: now, problems: validate(draft, { fields: form.fields as never }) };
    },
  );

  app.post<{ Params: FromSchema<typeof formParams> }>('/api/v1/forms/:formId/workflow/publish', { schema: { tags: ['workflow'], params: formParams } }, async (request, reply) => {
    if (!isAdmin(request.caller)) throw forbidden('only admins can publish workflows');
    const form = await getForm(request.db, request.params.formId);
    const wf = await request.db.collection<WorkflowDoc>('workflows').findOne({ _id: form._id });
    if (!wf?.draft) throw new ApiError(422, 'invalid_workflow', 'there is no draft to publish', { errors: [{ code: 'no_draft', message: 'save a draft first' }] });
    const errors: { nodeId?: string; edgeId?: string; code: string; message: string }[] = validate(wf.draft, { fields: form.fields as never });
    if (errors.length === 0) {
      const cycle = await subprocessCycle(request.db, form._id, wf.draft);
      if (cycle) errors.push({ code: 'subprocess_cycle', message: `subprocesses form a cycle: ${cycle.join(' → ')}` });
      for (const target of subprocessFormIds(wf.draft)) {
        if (!(await request.db.collection('forms').findOne({ _id: target }, { projection: { _id: 1 } }))) {
          const node = wf.draft.nodes.find((n) => (n.data as { formId?: string } | undefined)?.formId === target);
          errors.push({ nodeId: node?.id, code: 'unknown_form', message: `subprocess form ${target} does not exist` });
        }
      }
    }
    if (errors.length) throw new ApiError(422, 'invalid_workflow', 'the workflow has problems', { errors });
    const version = (wf.publishedVersion ?? 0) + 1;
    const now = new Date().toISOString();
    await request.db.transaction(async (tx) => {
      const res = await tx.collection<WorkflowDoc>('workflows').updateOne({ _id: form._id, publishedVersion: wf.publishedVersion ?? 0 }, { $set: { publishedVersion: version } });
      if (res.matchedCount === 0) throw new ApiError(409, 'version_conflict', 'someone else published at the same time');
      await tx.collection<WorkflowVersionDoc>('workflow_versions').insertOne({ _id: versionKey(form._id, version), formId: form._id, version, definition: wf.draft!, publishedAt: now, publishedBy: request.caller.userId });
      await audit?.(tx, request.caller.userId, 'workflow.publish', { formId: form._id }, { version });
    });
    return reply.status(201).send({ formId: form._id, version, publishedAt: now });
  });
}
