import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import { isAdmin, type Services } from '../platform/context.ts';
import { ApiError, forbidden, notFound } from '../http/problem.ts';
import { getApp } from '../apps/routes.ts';
import type { FormDoc } from '../forms/store.ts';
import { accessFor, formVisible, visibilityFor } from '../access/index.ts';
import { audit } from '../audit/audit.ts';
import { checkDashboard } from './validate.ts';
import { createDashboard } from './create.ts';
import { SourceCache, widgetData, type WidgetResult } from './widget-data.ts';
import { drillTarget } from './drill-target.ts';
import { dashboardBodySchema, DASHBOARDS, MAX_WIDGETS, publicDashboard, type DashboardDoc, type DashboardInput } from './model.ts';

const appParams = { type: 'object', required: ['appId'], properties: { appId: { type: 'string', maxLength: 64 } } } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
const dataBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    filter: { type: 'object' },
    widgetIds: { type: 'array', maxItems: MAX_WIDGETS, uniqueItems: true, items: { type: 'string', maxLength: 64 } },
  },
} as const;
const drillBody = {
  type: 'object',
  required: ['widgetId'],
  additionalProperties: false,
  properties: {
    widgetId: { type: 'string', maxLength: 64 },
    group: { type: 'object', maxProperties: 10 },
    filter: { type: 'object' },
  },
} as const;

function assertAdmin(request: FastifyRequest) {
  if (!isAdmin(request.caller)) throw forbidden('only admins can design dashboards');
}

/** A dashboard of the caller's tenant, inside their API token's apps; anything else does not exist. */
async function getDashboard(request: FastifyRequest, id: string): Promise<DashboardDoc> {
  const dashboard = await request.db.collection<DashboardDoc>(DASHBOARDS).findOne({ _id: id });
  const tokenApps = request.caller.scope?.appIds;
  if (!dashboard || (tokenApps && !tokenApps.includes(dashboard.appId))) throw notFound('dashboard');
  return dashboard;
}

/** Admins see every app's dashboards; members those of apps where they may view at least one form. */
async function assertCanView(request: FastifyRequest, appId: string) {
  const tokenApps = request.caller.scope?.appIds;
  if (tokenApps && !tokenApps.includes(appId)) throw notFound('app');
  if (isAdmin(request.caller)) return;
  const visibility = await visibilityFor(request);
  const forms = (await request.db.collection<FormDoc>('forms').find({ appId })).filter((f) => formVisible(visibility, f));
  for (const form of forms) if ((await accessFor(request, form)).can('view')) return;
  throw forbidden('you may not view the dashboards of this app');
}

export function registerDashboardRoutes(app: FastifyInstance, services: Services) {
  app.post<{ Params: FromSchema<typeof appParams>; Body: FromSchema<typeof dashboardBodySchema> }>(
    '/api/v1/apps/:appId/dashboards',
    {
      schema: { tags: ['dashboards'], params: appParams, body: dashboardBodySchema },
      // Rights before shape: a caller without them learns nothing from validation messages.
      preValidation: async (request) => {
        assertAdmin(request);
        await getApp(request.db, (request.params as { appId: string }).appId);
      },
    },
    async (request, reply) => {
      const input = request.body as unknown as DashboardInput;
      const dashboard = await request.db.transaction((tx) => createDashboard(tx, request.caller, request.params.appId, input));
      return reply.status(201).send(publicDashboard(dashboard));
    },
  );

  app.get<{ Params: FromSchema<typeof appParams> }>('/api/v1/apps/:appId/dashboards', { schema: { tags: ['dashboards'], params: appParams } }, async (request) => {
    await getApp(request.db, request.params.appId);
    await assertCanView(request, request.params.appId);
    const items = await request.db.collection<DashboardDoc>(DASHBOARDS).find({ appId: request.params.appId }, { sort: { createdAt: 1, _id: 1 } });
    return { items: items.map(publicDashboard), total: items.length };
  });

  app.get<{ Params: FromSchema<typeof idParams> }>('/api/v1/dashboards/:id', { schema: { tags: ['dashboards'], params: idParams } }, async (request) => {
    const dashboard = await getDashboard(request, request.params.id);
    await assertCanView(request, dashboard.appId);
    return publicDashboard(dashboard);
  });

  app.put<{ Params: FromSchema<typeof idParams>; Body: FromSchema<typeof dashboardBodySchema> }>(
    '/api/v1/dashboards/:id',
    {
      schema: { tags: ['dashboards'], params: idParams, body: dashboardBodySchema },
      preValidation: async (request) => {
        assertAdmin(request);
        await getDashboard(request, (request.params as { id: string }).id);
      },
    },
    async (request) => {
      const current = await getDashboard(request, request.params.id);
      const input = request.body as unknown as DashboardInput;
      if (input.version !== undefined && input.version !== current.version) {
        throw new ApiError(409, 'version_conflict', 'the dashboard was changed by someone else; reload and retry', { version: current.version });
      }
      const { filters, widgets } = await checkDashboard(request.db, input, request.caller.userId);
      const set = {
        name: input.name,
        description: input.description ?? null,
        filters,
        widgets,
        version: current.version + 1,
        updatedAt: new Date().toISOString(),
        updatedBy: request.caller.userId,
      };
      await request.db.transaction(async (tx) => {
        // Compare-and-set so two editors saving at once cannot silently overwrite each other.
        const res = await tx.collection<DashboardDoc>(DASHBOARDS).updateOne({ _id: current._id, version: current.version }, { $set: set });
        if (res.matchedCount === 0) throw new ApiError(409, 'version_conflict', 'the dashboard was changed by someone else; reload and retry');
        await audit(tx, request.caller, 'dashboard.update', { type: 'dashboard', id: current._id, name: input.name }, { appId: current.appId, version: set.version });
      });
      const next = { ...current, ...set, description: input.description };
      return publicDashboard(next);
    },
  );

  app.delete<{ Params: FromSchema<typeof idParams> }>('/api/v1/dashboards/:id', { schema: { tags: ['dashboards'], params: idParams } }, async (request, reply) => {
    assertAdmin(request);
    const dashboard = await getDashboard(request, request.params.id);
    await request.db.transaction(async (tx) => {
      await tx.collection(DASHBOARDS).deleteOne({ _id: dashboard._id });
      await audit(tx, request.caller, 'dashboard.delete', { type: 'dashboard', id: dashboard._id, name: dashboard.name }, { appId: dashboard.appId });
    });
    return reply.status(204).send();
  });

  app.post<{ Params: FromSchema<typeof idParams>; Body: FromSchema<typeof dataBody> }>(
    '/api/v1/dashboards/:id/data',
    {
      schema: {
        tags: ['dashboards'],
        params: idParams,
        body: dataBody,
        description: "Every widget's rows computed with the caller's permissions; `filter` is the dashboard-wide filter bar (clauses name filter keys). A widget the caller cannot see answers { error }.",
      },
    },
    async (request) => {
      const dashboard = await getDashboard(request, request.params.id);
      await assertCanView(request, dashboard.appId);
      const wanted = request.body?.widgetIds;
      const unknownIds = (wanted ?? []).filter((id) => !dashboard.widgets.some((w) => w.id === id));
      if (unknownIds.length) {
        throw new ApiError(422, 'unknown_widget', `no widget ${unknownIds.join(', ')} on this dashboard`, {
          errors: unknownIds.map((id) => ({ field: id, code: 'unknown_widget', message: 'no such widget' })),
        });
      }
      const widgets = wanted ? dashboard.widgets.filter((w) => wanted.includes(w.id)) : dashboard.widgets;
      const sources = new SourceCache(request);
      const results = await Promise.all(widgets.map((w) => widgetData(services.store, request, sources, dashboard, w, request.body?.filter)));
      const out: Record<string, WidgetResult> = {};
      widgets.forEach((w, i) => (out[w.id] = results[i]));
      return { widgets: out };
    },
  );

  app.post<{ Params: FromSchema<typeof idParams>; Body: FromSchema<typeof drillBody> }>(
    '/api/v1/dashboards/:id/drill',
    {
      schema: {
        tags: ['dashboards'],
        params: idParams,
        body: drillBody,
        description:
          'The records behind a clicked segment: `group` maps the widget\'s group columns to the clicked values (as in its rows). Answers { formId, filter, path } (filter is a condition for GET /forms/:formId/records?filter=), or for a ledger widget { ledgerId, sources: [{ formId, sign, filter, path }] }.',
      },
    },
    async (request) => {
      const dashboard = await getDashboard(request, request.params.id);
      await assertCanView(request, dashboard.appId);
      const widget = dashboard.widgets.find((w) => w.id === request.body.widgetId);
      if (!widget) throw new ApiError(422, 'unknown_widget', `no widget ${request.body.widgetId} on this dashboard`, { errors: [{ field: 'widgetId', code: 'unknown_widget', message: 'no such widget' }] });
      const group = (request.body.group ?? {}) as Record<string, unknown>;
      return drillTarget(services.store, request, new SourceCache(request), dashboard, widget, group, request.body.filter);
    },
  );
}
