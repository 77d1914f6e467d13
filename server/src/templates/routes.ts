import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import { loadTemplates, summarize, componentsOf, TEMPLATE_KEYS, type Template } from '@qiao/templates';
import type { Services } from '../platform/context.ts';
import { notFound } from '../http/problem.ts';
import { installsOf } from './registry.ts';
import { TemplateInstaller } from './installer.ts';

const keyParams = { type: 'object', required: ['key'], properties: { key: { type: 'string', maxLength: 64 } } } as const;
const installBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    roleMap: {
      type: 'object',
      maxProperties: 50,
      additionalProperties: { type: 'string', minLength: 1, maxLength: 64 },
      description: 'template role key (sales, salesManager, legal, finance, warehouse, admin) → id of an existing role to use',
    },
    sampleData: { type: 'boolean', default: true, description: 'load sample customers, products, suppliers and opportunities' },
  },
} as const;

/** GET /api/v1/templates and POST /api/v1/templates/:key/install. */
export function registerTemplateRoutes(app: FastifyInstance, _services: Services, templates: ReadonlyMap<string, Template> = loadTemplates()) {
  const installer = new TemplateInstaller(app, templates);

  app.get('/api/v1/templates', { schema: { tags: ['templates'] } }, async (request) => {
    const installed = new Map((await installsOf(request.db)).filter((i) => i.status === 'installed').map((i) => [i.key, i]));
    const items = TEMPLATE_KEYS.filter((k) => templates.has(k)).map((key) => {
      const summary = summarize(key, templates);
      const parts = componentsOf(key, templates).map((p) => p.manifest.key);
      const mine = installed.get(key);
      return {
        ...summary,
        installed: parts.every((p) => installed.has(p)),
        ...(mine ? { installedVersion: mine.version, installedAt: mine.installedAt } : {}),
      };
    });
    return { items, total: items.length };
  });

  app.get<{ Params: FromSchema<typeof keyParams> }>('/api/v1/templates/:key', { schema: { tags: ['templates'], params: keyParams } }, async (request) => {
    if (!templates.has(request.params.key)) throw notFound('template');
    return summarize(request.params.key, templates);
  });

  app.post<{ Params: FromSchema<typeof keyParams>; Body: FromSchema<typeof installBody> }>(
    '/api/v1/templates/:key/install',
    { schema: { tags: ['templates'], params: keyParams, body: installBody } },
    async (request, reply) => {
      const result = await installer.install(request, request.params.key, { roleMap: request.body?.roleMap, sampleData: request.body?.sampleData });
      return reply.status(201).send(result);
    },
  );
}
