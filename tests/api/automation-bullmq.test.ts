import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { deleteRedisKeys, redisReachable, runRedisTests, TEST_REDIS_URL } from '../support/redis.ts';
import { Receiver } from './webhook-receiver.ts';
import { create, finishedRuns, invoiceFields, list, newAutomation, newForm, newTenant, orderFields } from './automation-fixtures.ts';
import { waitFor } from '../support/org.ts';

const REDIS_URL = TEST_REDIS_URL;
const prefix = `qiao-test-auto-${process.pid}-${Date.now()}`;
let api: TestApi;
let redisUp = true;

beforeAll(async () => {
  redisUp = await redisReachable(REDIS_URL);
  if (!runRedisTests(redisUp)) return;
  api = await TestApi.start({ redisUrl: REDIS_URL, queuePrefix: prefix });
});

afterAll(async () => {
  await api?.close();
  if (redisUp) await deleteRedisKeys(prefix, REDIS_URL);
});

describe('automations on BullMQ', () => {
  it('runs record automations, fails bad mappings without partial records, and delivers webhooks through Redis', async (ctx) => {
    if (!runRedisTests(redisUp)) ctx.skip();
    expect(api.server.services.queue.kind).toBe('bullmq');
    const receiver = await Receiver.start();
    try {
      const t = await newTenant(api);
      const orders = await newForm(api, t, 'Orders', orderFields);
      const invoices = await newForm(api, t, 'Invoices', invoiceFields);
      const hook = await api.post('/api/v1/webhooks', { url: `${receiver.url}/hook`, formIds: [invoices], backoffMs: 50 }, t.token);
      expect(hook.status).toBe(201);
      receiver.answer(500, 200);
      const automationId = await newAutomation(api, t, {
        trigger: { kind: 'recordCreated', formId: orders },
        actions: [
          { kind: 'createRecord', forEachRow: 'items', formId: invoices, mapping: { customer: 'customer', amount: 'qty * price', source: 'product' } },
        ],
      });
      await create(api, t, orders, { customer: 'acme', items: [{ product: 'P1', qty: 2, price: 5 }, { product: 'P2', qty: 1, price: 1 }] });
      // A negative amount is refused by the invoice form: that run fails whole.
      await create(api, t, orders, { customer: 'bad', items: [{ product: 'P1', qty: 1, price: 1 }, { product: 'P2', qty: -1, price: 1 }] });
      const done = await finishedRuns(api, t, automationId, 2);
      expect(done.map((r) => r.status).sort()).toEqual(['failed', 'succeeded']);
      expect((await list(api, t, invoices)).map((r) => [r.data.source, r.data.amount]).sort()).toEqual([['P1', 10], ['P2', 1]]);
      // Both created invoices are announced; the first delivery needed a retry (500 then 200).
      await waitFor(async () => (receiver.at('/hook').filter((r) => r.headers['x-qiao-delivery']).length >= 3 ? true : null));
      const ids = receiver.at('/hook').map((r) => r.headers['x-qiao-delivery']);
      expect(new Set(ids).size).toBe(2);
    } finally {
      await receiver.close();
    }
  });
});
