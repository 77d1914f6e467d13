import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import type { Services } from '../platform/context.ts';
import { isAdmin } from '../platform/context.ts';
import { newId } from '../platform/ids.ts';
import { forbidden, notFound } from '../http/problem.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import { audit } from '../audit/audit.ts';
import { appVisible, assertAppVisible, visibilityFor } from '../access/visibility.ts';

export interface AppDoc {
  _id: string;
  tenantId?: string;
  name: string;
  key?: string;
  description?: string;
  icon?: string;
  createdAt: string;
  createdBy: string;
  [key: string]: unknown;
}

export const localizedText = {
  anyOf: [
    { type: 'string', minLength: 1, maxLength: 200 },
    {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { 'zh-CN': { type: 'string', maxLength: 200 }, en: { type: 'string', maxLength: 200 } },
    },
  ],
} as const;

const createAppBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: localizedText,
    key: { type: 'string', pattern: '^[a-z][a-zA-Z0-9_.-]{0,63}$' },
    description: localizedText,
    icon: { type: 'string', maxLength: 64 },
  },
} as const;

const appIdParams = { type: 'object', required: ['appId'], properties: { appId: { type: 'string', maxLength: 64 } } } as const;

export const publicApp = (a: AppDoc) => ({ id: a._id, name: a.name, key: a.key, description: a.description, icon: a.icon, createdAt: a.createdAt });

export async function getApp(db: TenantDb, appId: string): Promise<AppDoc> {
  const app = await db.collection<AppDoc>('apps').findOne({ _id: appId });
  if (!app) throw notFound('app');
  return app;
}

export function registerAppRoutes(app: FastifyInstance, _services: Services) {
  app.post<{ Body: FromSchema<typeof createAppBody> }>('/api/v1/apps', { schema: { tags: ['apps'], body: createAppBody } }, async (request, reply) => {
    if (!isAdmin(request.caller)) throw forbidden('only tenant admins can create apps');
    const doc: AppDoc = {
      _id: newId(),
      name: request.body.name as string,
      key: request.body.key,
      description: request.body.description as string | undefined,
      icon: request.body.icon,
      createdAt: new Date().toISOString(),
      createdBy: request.caller.userId,
    };
    await request.db.transaction(async (db) => {
      await db.collection<AppDoc>('apps').insertOne(doc);
      await audit(db, request.caller, 'app.create', { type: 'app', id: doc._id, name: doc.name }, { key: doc.key });
    });
    return reply.status(201).send(publicApp(doc));
  });

  app.get('/api/v1/apps', { schema: { tags: ['apps'] } }, async (request) => {
    const visibility = await visibilityFor(request);
    // Members see the apps where a permission group names them; admins see all (an API token only its apps).
    const apps = (await request.db.collection<AppDoc>('apps').find({}, { sort: { createdAt: 1, _id: 1 } })).filter((a) => appVisible(visibility, a._id));
    return { items: apps.map(publicApp), total: apps.length };
  });

  app.get<{ Params: FromSchema<typeof appIdParams> }>('/api/v1/apps/:appId', { schema: { tags: ['apps'], params: appIdParams } }, async (request) => {
    const app = await getApp(request.db, request.params.appId);
    await assertAppVisible(request, app._id);
    return publicApp(app);
  });
}
