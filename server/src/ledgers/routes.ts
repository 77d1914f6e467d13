import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import { isAdmin, type Services } from '../platform/context.ts';
import { newId } from '../platform/ids.ts';
import { forbidden, notFound, ApiError } from '../http/problem.ts';
import { getApp, localizedText } from '../apps/routes.ts';
import { accessFor } from '../access/index.ts';
import { assertAppVisible } from '../access/visibility.ts';
import { audit } from '../audit/audit.ts';
import { checkLedger, type LedgerInput } from './definition.ts';
import { LEDGER_BALANCES, LEDGERS, publicLedger, type BalanceDoc, type LedgerDoc } from './model.ts';
import { check, rebuild } from './recount.ts';

const appParams = { type: 'object', required: ['appId'], properties: { appId: { type: 'string', maxLength: 64 } } } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
const sourceSchema = {
  type: 'object',
  required: ['formId', 'sign', 'quantity', 'keys'],
  additionalProperties: false,
  properties: {
    formId: { type: 'string', maxLength: 64 },
    sign: { enum: [1, -1] },
    quantity: { type: 'string', maxLength: 130 },
    keys: { type: 'object', maxProperties: 10, additionalProperties: { type: 'string', maxLength: 130 } },
    filter: { type: 'object' },
  },
} as const;
const createBody = {
  type: 'object',
  required: ['name', 'keys', 'sources'],
  additionalProperties: false,
  properties: {
    name: localizedText,
    key: { type: 'string', pattern: '^[a-z][a-zA-Z0-9_.-]{0,63}$' },
    keys: { type: 'array', minItems: 1, maxItems: 10, items: { type: 'string', maxLength: 64 } },
    sources: { type: 'array', minItems: 1, maxItems: 20, items: sourceSchema },
    constraints: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 100 } },
  },
} as const;
const balancesQuery = {
  type: 'object',
  properties: {
    limit: { type: 'string', pattern: '^[0-9]{1,5}$' },
    cursor: { type: 'string', maxLength: 2000 },
  },
  additionalProperties: { type: 'string', maxLength: 500 },
} as const;

async function getLedger(request: FastifyRequest, id: string): Promise<LedgerDoc> {
  const ledger = await request.db.collection<LedgerDoc>(LEDGERS).findOne({ _id: id });
  if (!ledger) throw notFound('ledger');
  const tokenApps = request.caller.scope?.appIds;
  if (tokenApps && !tokenApps.includes(ledger.appId)) throw notFound('ledger');
  return ledger;
}

/** Admins, and members who may view at least one source form (the balances summarise what they can see). */
async function assertCanRead(request: FastifyRequest, ledger: LedgerDoc) {
  if (isAdmin(request.caller)) return;
  for (const formId of ledger.sourceFormIds) {
    const form = await request.db.collection('forms').findOne({ _id: formId });
    if (form && (await accessFor(request, form as never)).can('view')) return;
  }
  throw forbidden('you have no access to this ledger');
}

function assertAdmin(request: FastifyRequest) {
  if (!isAdmin(request.caller)) throw forbidden('only admins can manage ledgers');
}

export function registerLedgerRoutes(app: FastifyInstance, _services: Services) {
  app.post<{ Params: FromSchema<typeof appParams>; Body: FromSchema<typeof createBody> }>(
    '/api/v1/apps/:appId/ledgers',
    {
      schema: { tags: ['ledgers'], params: appParams, body: createBody },
      // Rights before shape: a caller without them learns nothing from validation messages.
      preValidation: async (request) => {
        assertAdmin(request);
        await getApp(request.db, (request.params as { appId: string }).appId);
      },
    },
    async (request, reply) => {
      const body = request.body as unknown as LedgerInput;
      await checkLedger(request.db, body);
      const now = new Date().toISOString();
      const ledger: LedgerDoc = {
        _id: newId(),
        appId: request.params.appId,
        name: body.name,
        ...(body.key ? { key: body.key } : {}),
        keys: body.keys,
        sources: body.sources.map((s) => ({ formId: s.formId, sign: s.sign, quantity: s.quantity, keys: s.keys, ...(s.filter ? { filter: s.filter } : {}) })),
        constraints: (body.constraints ?? []).map((c) => c.trim()),
        sourceFormIds: [...new Set(body.sources.map((s) => s.formId))],
        createdAt: now,
        createdBy: request.caller.userId,
        updatedAt: now,
      };
      let balances = 0;
      await request.db.transaction(async (tx) => {
        if (ledger.key && (await tx.collection<LedgerDoc>(LEDGERS).findOne({ appId: ledger.appId, key: ledger.key }))) {
          throw new ApiError(409, 'duplicate', `the app already has a ledger with key ${ledger.key}`);
        }
        await tx.collection<LedgerDoc>(LEDGERS).insertOne(ledger);
        // Records written before the ledger existed count too.
        balances = await rebuild(tx, ledger);
        await audit(tx, request.caller, 'ledger.create', { type: 'ledger', id: ledger._id, name: ledger.name }, { appId: ledger.appId });
      });
      return reply.status(201).send({ ...publicLedger(ledger), balances });
    },
  );

  app.get<{ Params: FromSchema<typeof appParams> }>('/api/v1/apps/:appId/ledgers', { schema: { tags: ['ledgers'], params: appParams } }, async (request) => {
    await getApp(request.db, request.params.appId);
    await assertAppVisible(request, request.params.appId);
    const ledgers = await request.db.collection<LedgerDoc>(LEDGERS).find({ appId: request.params.appId }, { sort: { createdAt: 1, _id: 1 } });
    const readable: LedgerDoc[] = [];
    for (const l of ledgers) {
      try {
        await assertCanRead(request, l);
        readable.push(l);
      } catch {
        /* not listed */
      }
    }
    return { items: readable.map(publicLedger), total: readable.length };
  });

  app.get<{ Params: FromSchema<typeof idParams> }>('/api/v1/ledgers/:id', { schema: { tags: ['ledgers'], params: idParams } }, async (request) => {
    const ledger = await getLedger(request, request.params.id);
    await assertCanRead(request, ledger);
    return publicLedger(ledger);
  });

  app.get<{ Params: FromSchema<typeof idParams>; Querystring: FromSchema<typeof balancesQuery> }>(
    '/api/v1/ledgers/:id/balances',
    { schema: { tags: ['ledgers'], params: idParams, querystring: balancesQuery, description: 'Balances, filtered by key values given as query parameters (e.g. ?product=P1).' } },
    async (request) => {
      const ledger = await getLedger(request, request.params.id);
      await assertCanRead(request, ledger);
      const { limit: rawLimit, cursor, ...filters } = request.query as Record<string, string | undefined>;
      const filter: Record<string, unknown> = { ledgerId: ledger._id };
      for (const [k, v] of Object.entries(filters)) {
        if (v === undefined) continue;
        if (!ledger.keys.includes(k)) throw new ApiError(422, 'invalid_filter', `"${k}" is not a key of this ledger`, { errors: [{ field: k, code: 'unknown_key', message: `keys are ${ledger.keys.join(', ')}` }] });
        // Query strings are text; a numeric key value matches its number too.
        const numeric = v.trim() !== '' && Number.isFinite(Number(v)) ? [Number(v)] : [];
        filter[`keys.${k}`] = numeric.length ? { $in: [v, ...numeric] } : v;
      }
      if (cursor) filter._id = { $gt: cursor };
      const limit = Math.min(Math.max(Number(rawLimit ?? 1000), 1), 10_000);
      const rows = await request.db.collection<BalanceDoc>(LEDGER_BALANCES).find(filter, { sort: { _id: 1 }, limit: limit + 1 });
      const items = rows.slice(0, limit);
      return { items: items.map((b) => ({ keys: b.keys, balance: b.balance })), nextCursor: rows.length > limit ? items[items.length - 1]._id : null };
    },
  );

  app.post<{ Params: FromSchema<typeof idParams> }>('/api/v1/ledgers/:id/rebuild', { schema: { tags: ['ledgers'], params: idParams } }, async (request) => {
    const ledger = await getLedger(request, request.params.id);
    assertAdmin(request);
    const balances = await request.db.transaction(async (tx) => {
      const n = await rebuild(tx, ledger);
      await audit(tx, request.caller, 'ledger.rebuild', { type: 'ledger', id: ledger._id, name: ledger.name }, { balances: n });
      return n;
    });
    return { balances };
  });

  app.get<{ Params: FromSchema<typeof idParams> }>('/api/v1/ledgers/:id/check', { schema: { tags: ['ledgers'], params: idParams } }, async (request) => {
    const ledger = await getLedger(request, request.params.id);
    assertAdmin(request);
    // One transaction: the recount and the kept balances are read as of the same moment.
    return request.db.transaction((tx) => check(tx, ledger));
  });

  app.delete<{ Params: FromSchema<typeof idParams> }>('/api/v1/ledgers/:id', { schema: { tags: ['ledgers'], params: idParams } }, async (request, reply) => {
    const ledger = await getLedger(request, request.params.id);
    assertAdmin(request);
    await request.db.transaction(async (tx) => {
      await tx.collection(LEDGERS).deleteOne({ _id: ledger._id });
      await tx.collection(LEDGER_BALANCES).deleteMany({ ledgerId: ledger._id });
      await audit(tx, request.caller, 'ledger.delete', { type: 'ledger', id: ledger._id, name: ledger.name });
    });
    return reply.status(204).send();
  });
}
