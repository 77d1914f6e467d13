import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import { isAdmin, type Services } from '../platform/context.ts';
import { newId, newSecret } from '../platform/ids.ts';
import { ApiError, forbidden, notFound } from '../http/problem.ts';
import { writeOutbox } from '../queue/index.ts';
import { audit } from '../audit/audit.ts';
import { deliveryJob } from './deliveries.ts';
import {
  DEFAULT_BACKOFF_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_TIMEOUT_MS,
  publicDelivery,
  publicWebhook,
  WEBHOOK_DELIVERIES,
  WEBHOOK_EVENTS,
  WEBHOOKS,
  type DeliveryDoc,
  type WebhookDoc,
} from './model.ts';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
const createBody = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', maxLength: 200 },
    url: { type: 'string', minLength: 8, maxLength: 2000 },
    formIds: { type: 'array', maxItems: 500, items: { type: 'string', maxLength: 64 } },
    events: { type: 'array', minItems: 1, items: { enum: WEBHOOK_EVENTS } },
    maxAttempts: { type: 'integer', minimum: 1, maximum: 10 },
    backoffMs: { type: 'integer', minimum: 50, maximum: 3_600_000 },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 30_000 },
    enabled: { type: 'boolean' },
  },
} as const;
const deliveriesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { status: { enum: ['pending', 'retrying', 'delivered', 'failed'] }, limit: { type: 'string', pattern: '^[0-9]{1,3}$' } },
} as const;

function assertAdmin(request: FastifyRequest) {
  if (!isAdmin(request.caller)) throw forbidden('only admins can manage webhooks');
}

async function getWebhook(request: FastifyRequest, id: string) {
  const hook = await request.db.collection<WebhookDoc>(WEBHOOKS).findOne({ _id: id });
  if (!hook) throw notFound('webhook');
  return hook;
}

function checkUrl(raw: string) {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ApiError(422, 'validation_failed', 'the url is not valid', { errors: [{ field: 'url', code: 'invalid_url', message: 'not a URL' }] });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ApiError(422, 'validation_failed', 'webhooks use http or https', { errors: [{ field: 'url', code: 'invalid_url', message: 'use an http(s) URL' }] });
  }
  return url.toString();
}

export function registerWebhookRoutes(app: FastifyInstance, _services: Services) {
  const adminFirst = { preValidation: async (request: FastifyRequest) => assertAdmin(request) };

  app.post<{ Body: FromSchema<typeof createBody> }>('/api/v1/webhooks', { schema: { tags: ['webhooks'], body: createBody }, ...adminFirst }, async (request, reply) => {
    const body = request.body;
    const url = checkUrl(body.url);
    for (const [i, formId] of (body.formIds ?? []).entries()) {
      if (!(await request.db.collection('forms').findOne({ _id: formId }, { projection: { _id: 1 } }))) {
        throw new ApiError(422, 'validation_failed', `form ${formId} does not exist`, { errors: [{ field: `formIds.${i}`, code: 'unknown_form', message: `form ${formId} does not exist`, name: formId }] });
      }
    }
    const hook: WebhookDoc = {
      _id: newId(),
      ...(body.name ? { name: body.name } : {}),
      url,
      secret: `whsec_${newSecret(24)}`,
      ...(body.formIds ? { formIds: [...new Set(body.formIds)] } : {}),
      ...(body.events ? { events: [...new Set(body.events)] } : {}),
      enabled: body.enabled ?? true,
      maxAttempts: body.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      backoffMs: body.backoffMs ?? DEFAULT_BACKOFF_MS,
      timeoutMs: body.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      createdAt: new Date().toISOString(),
      createdBy: request.caller.userId,
    };
    await request.db.transaction(async (tx) => {
      await tx.collection<WebhookDoc>(WEBHOOKS).insertOne(hook);
      await audit(tx, request.caller, 'webhook.create', { type: 'webhook', id: hook._id, name: hook.name ?? hook.url }, { url });
    });
    // The secret is shown here, once; later reads show a hint.
    return reply.status(201).send(publicWebhook(hook, true));
  });

  app.get('/api/v1/webhooks', { schema: { tags: ['webhooks'] } }, async (request) => {
    assertAdmin(request);
    const hooks = await request.db.collection<WebhookDoc>(WEBHOOKS).find({}, { sort: { createdAt: 1, _id: 1 } });
    return { items: hooks.map((h) => publicWebhook(h)), total: hooks.length };
  });

  app.get<{ Params: FromSchema<typeof idParams> }>('/api/v1/webhooks/:id', { schema: { tags: ['webhooks'], params: idParams } }, async (request) => {
    assertAdmin(request);
    return publicWebhook(await getWebhook(request, request.params.id));
  });

  app.delete<{ Params: FromSchema<typeof idParams> }>('/api/v1/webhooks/:id', { schema: { tags: ['webhooks'], params: idParams } }, async (request, reply) => {
    assertAdmin(request);
    const hook = await getWebhook(request, request.params.id);
    await request.db.transaction(async (tx) => {
      await tx.collection(WEBHOOKS).deleteOne({ _id: hook._id });
      await audit(tx, request.caller, 'webhook.delete', { type: 'webhook', id: hook._id, name: hook.name ?? hook.url });
    });
    return reply.status(204).send();
  });

  app.get<{ Params: FromSchema<typeof idParams>; Querystring: FromSchema<typeof deliveriesQuery> }>(
    '/api/v1/webhooks/:id/deliveries',
    { schema: { tags: ['webhooks'], params: idParams, querystring: deliveriesQuery } },
    async (request) => {
      assertAdmin(request);
      const hook = await getWebhook(request, request.params.id);
      const filter: Record<string, unknown> = { webhookId: hook._id };
      if (request.query.status) filter.status = request.query.status;
      const limit = Math.min(Math.max(Number(request.query.limit ?? 100), 1), 500);
      const items = await request.db.collection<DeliveryDoc>(WEBHOOK_DELIVERIES).find(filter, { sort: { createdAt: -1, _id: -1 }, limit });
      return { items: items.map(publicDelivery) };
    },
  );

  app.get<{ Params: FromSchema<typeof idParams> }>('/api/v1/webhook-deliveries/:id', { schema: { tags: ['webhooks'], params: idParams } }, async (request) => {
    assertAdmin(request);
    const d = await request.db.collection<DeliveryDoc>(WEBHOOK_DELIVERIES).findOne({ _id: request.params.id });
    if (!d) throw notFound('delivery');
    return publicDelivery(d);
  });

  app.post<{ Params: FromSchema<typeof idParams> }>('/api/v1/webhook-deliveries/:id/redeliver', { schema: { tags: ['webhooks'], params: idParams }, ...adminFirst }, async (request, reply) => {
    const d = await request.db.collection<DeliveryDoc>(WEBHOOK_DELIVERIES).findOne({ _id: request.params.id });
    if (!d) throw notFound('delivery');
    if (d.status === 'pending' || d.status === 'retrying') throw new ApiError(409, 'delivery_in_progress', 'the delivery is still being attempted');
    const redeliveries = d.redeliveries + 1;
    await request.db.transaction(async (tx) => {
      const res = await tx.collection<DeliveryDoc>(WEBHOOK_DELIVERIES).updateOne({ _id: d._id, redeliveries: d.redeliveries }, { $set: { status: 'pending', redeliveries } });
      if (res.matchedCount === 0) throw new ApiError(409, 'delivery_in_progress', 'someone else asked for a redelivery');
      await writeOutbox(tx.rawSession, [deliveryJob(tx.tenantId, d, redeliveries)]);
      await audit(tx, request.caller, 'webhook.redeliver', { type: 'webhook-delivery', id: d._id }, { redeliveries });
    });
    return reply.status(202).send({ ...publicDelivery({ ...d, status: 'pending', redeliveries }) });
  });
}
