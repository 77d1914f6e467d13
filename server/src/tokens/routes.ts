import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import type { Services } from '../platform/context.ts';
import { newId, newSecret } from '../platform/ids.ts';
import { ApiError, forbidden, notFound } from '../http/problem.ts';
import { tokenDigest } from '../auth/sessions.ts';
import { audit } from '../audit/audit.ts';
import { assertOrgAdmin } from '../org/guards.ts';
import { API_TOKENS, TOKEN_ACTIONS, TOKEN_PREFIX, publicToken, type ApiTokenDoc, type TokenAction } from './model.ts';

const createBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    appIds: { type: 'array', minItems: 1, maxItems: 200, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 64 } },
    actions: { type: 'array', minItems: 1, maxItems: TOKEN_ACTIONS.length, uniqueItems: true, items: { type: 'string', enum: TOKEN_ACTIONS } },
    expiresAt: { type: 'string', format: 'date-time' },
  },
} as const;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

export async function ensureTokenIndexes(services: Services) {
  await services.store.collection(API_TOKENS).createIndex({ keys: { digest: 1 }, unique: true, name: 'api_tokens_digest' });
  await services.store.collection(API_TOKENS).createIndex({ keys: { tenantId: 1, createdAt: 1 }, name: 'api_tokens_by_tenant' });
}

export function registerTokenRoutes(app: FastifyInstance, _services: Services) {
  app.post<{ Body: FromSchema<typeof createBody> }>('/api/v1/api-tokens', { schema: { tags: ['tokens'], body: createBody } }, async (request, reply) => {
    const { caller, db, body } = request;
    assertOrgAdmin(caller);
    // Tokens are minted by people: a leaked token must not be able to mint more.
    if (caller.via !== 'session') throw forbidden('API tokens cannot create API tokens');
    const errors: { field: string; code: string; message: string }[] = [];
    if (body.expiresAt && Date.parse(body.expiresAt) <= Date.now()) errors.push({ field: 'expiresAt', code: 'in_the_past', message: 'must be in the future' });
    if (body.appIds) {
      const found = new Set((await db.collection('apps').find({ _id: { $in: [...body.appIds] } }, { projection: { _id: 1 } })).map((a) => a._id));
      for (const id of body.appIds) if (!found.has(id)) errors.push({ field: 'appIds', code: 'unknown_reference', message: `unknown app ${id}` });
    }
    if (errors.length) throw new ApiError(422, 'validation_failed', 'validation failed', { errors });
    const secret = `${TOKEN_PREFIX}${newSecret()}`;
    const doc: ApiTokenDoc = {
      _id: newId(),
      name: body.name,
      digest: tokenDigest(secret),
      hint: secret.slice(0, 7),
      ...(body.appIds ? { appIds: [...body.appIds] } : {}),
      ...(body.actions ? { actions: [...body.actions] as TokenAction[] } : {}),
      ...(body.expiresAt ? { expiresAt: new Date(body.expiresAt).toISOString() } : {}),
      createdAt: new Date().toISOString(),
      createdBy: caller.userId,
    };
    await db.transaction(async (tx) => {
      await tx.collection<ApiTokenDoc>(API_TOKENS).insertOne(doc);
      await audit(tx, caller, 'token.create', { type: 'api-token', id: doc._id, name: doc.name }, { appIds: doc.appIds ?? null, actions: doc.actions ?? null, expiresAt: doc.expiresAt ?? null });
    });
    // The only time the secret leaves the server.
    return reply.status(201).send({ ...publicToken(doc), token: secret });
  });

  app.get('/api/v1/api-tokens', { schema: { tags: ['tokens'] } }, async (request) => {
    assertOrgAdmin(request.caller);
    const tokens = await request.db.collection<ApiTokenDoc>(API_TOKENS).find({}, { sort: { createdAt: 1, _id: 1 } });
    return { items: tokens.map(publicToken), total: tokens.length };
  });

  app.delete<{ Params: FromSchema<typeof idParams> }>('/api/v1/api-tokens/:id', { schema: { tags: ['tokens'], params: idParams } }, async (request, reply) => {
    const { caller, db } = request;
    assertOrgAdmin(caller);
    const token = await db.collection<ApiTokenDoc>(API_TOKENS).findOne({ _id: request.params.id });
    if (!token) throw notFound('API token');
    if (!token.revokedAt) {
      await db.transaction(async (tx) => {
        await tx.collection<ApiTokenDoc>(API_TOKENS).updateOne({ _id: token._id }, { $set: { revokedAt: new Date().toISOString(), revokedBy: caller.userId } });
        await audit(tx, caller, 'token.revoke', { type: 'api-token', id: token._id, name: token.name }, {});
      });
    }
    return reply.status(204).send();
  });
}
