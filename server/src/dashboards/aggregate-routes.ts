import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import type { Services } from '../platform/context.ts';
import { getForm } from '../forms/store.ts';
import { aggregateBodySchema, type AggregateSpec } from './aggregate-spec.ts';
import { aggregateForm } from './form-aggregate.ts';
import { aggregateLedger, readableLedger } from './ledger-aggregate.ts';

const formParams = { type: 'object', required: ['formId'], properties: { formId: { type: 'string', maxLength: 64 } } } as const;
const ledgerParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

const description =
  'Group and aggregate as the caller sees the data (data scope applied, hidden fields refused with 403 forbidden_field). ' +
  'Rows carry each group column under its field reference (or `as`) and each metric under `count`, `<op>_<field>` (e.g. `sum_amount`, `distinct_customer`) or `as`. ' +
  "Buckets: day '2026-01-31', week '2026-W05' (ISO), month '2026-01', quarter '2026-Q1', year '2026', in the tenant's time zone for date-times.";

export function registerAggregateRoutes(app: FastifyInstance, services: Services) {
  app.post<{ Params: FromSchema<typeof formParams>; Body: FromSchema<typeof aggregateBodySchema> }>(
    '/api/v1/forms/:formId/aggregate',
    { schema: { tags: ['dashboards'], params: formParams, body: aggregateBodySchema, description } },
    async (request) => {
      const form = await getForm(request.db, request.params.formId);
      const { rows, total } = await aggregateForm(services.store, request, form, request.body as AggregateSpec);
      return { rows, total };
    },
  );

  app.post<{ Params: FromSchema<typeof ledgerParams>; Body: FromSchema<typeof aggregateBodySchema> }>(
    '/api/v1/ledgers/:id/aggregate',
    { schema: { tags: ['dashboards'], params: ledgerParams, body: aggregateBodySchema, description: `Ledger balances grouped by the ledger's keys; metrics over \`balance\`. ${description}` } },
    async (request) => {
      const ledger = await readableLedger(request, request.params.id);
      const { rows, total } = await aggregateLedger(services.store, request, ledger, request.body as AggregateSpec);
      return { rows, total };
    },
  );
}
