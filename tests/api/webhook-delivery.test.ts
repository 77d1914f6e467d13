import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { addMember, waitFor } from '../support/org.ts';
import { create, newForm, newTenant, orderFields, type Tenant } from './automation-fixtures.ts';
import { Receiver, type Received } from './webhook-receiver.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(async () => {
  await api?.close();
});

/** What a receiver does with the documented scheme: HMAC-SHA256 over "<timestamp>.<body>" with the webhook's secret. */
function signedBy(secret: string, r: Received): boolean {
  const timestamp = String(r.headers['x-qiao-timestamp']);
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${r.body}`).digest('hex')}`;
  return r.headers['x-qiao-signature'] === expected && Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
}

async function hook(t: Tenant, body: Record<string, unknown>) {
  const res = await api.post('/api/v1/webhooks', body, t.token);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; secret: string };
}

async function deliveries(t: Tenant, hookId: string) {
  const res = await api.get(`/api/v1/webhooks/${hookId}/deliveries`, t.token);
  expect(res.status).toBe(200);
  return res.body.items as any[];
}

describe('outbound webhooks', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await Receiver.start();
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('announces every change (API, batch, edit, delete) signed with the webhook secret, filtered by form and event', async () => {
    const t = await newTenant(api);
    const orders = await newForm(api, t, 'Orders', orderFields);
    const other = await newForm(api, t, 'Other', orderFields);
    const all = await hook(t, { url: `${receiver.url}/all`, formIds: [orders] });
    const onlyDeletes = await hook(t, { url: `${receiver.url}/deletes`, events: ['record.deleted'] });
    expect(all.secret).toMatch(/^whsec_/);
    const listed = await api.get('/api/v1/webhooks', t.token);
    expect(JSON.stringify(listed.body)).not.toContain(all.secret);

    const order = await create(api, t, orders, { customer: 'acme' });
    await api.post(`/api/v1/forms/${orders}/records/batch`, { records: [{ data: { customer: 'b1' } }, { data: { customer: 'b2' } }] }, t.token);
    await api.patch(`/api/v1/forms/${orders}/records/${order.id}`, { data: { customer: 'acme2' } }, t.token);
    await api.post(`/api/v1/forms/${orders}/records`, { data: { customer: 'quiet' }, silent: true }, t.token);
    await create(api, t, other, { customer: 'elsewhere' });
    expect((await api.delete(`/api/v1/forms/${orders}/records/${order.id}`, t.token)).status).toBe(204);

    const got = await waitFor(async () => (receiver.at('/all').length >= 5 && receiver.at('/deletes').length >= 1 ? receiver.at('/all') : null));
    const bodies = got.map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => `${b.event}:${b.source}`).sort()).toEqual(['record.created:api', 'record.created:batch', 'record.created:batch', 'record.deleted:api', 'record.updated:api']);
    for (const r of got) {
      expect(signedBy(all.secret, r)).toBe(true);
      expect(signedBy(onlyDeletes.secret, r)).toBe(false);
      expect(r.headers['x-qiao-delivery']).toBe(JSON.parse(r.body).id);
    }
    const updated = bodies.find((b) => b.event === 'record.updated');
    expect(updated).toMatchObject({ formId: orders, recordId: order.id, record: { id: order.id, version: 2, data: { customer: 'acme2' } }, previous: { data: { customer: 'acme' } } });
    expect(bodies.find((b) => b.event === 'record.deleted')).toMatchObject({ record: null, previous: { id: order.id } });
    const [deleted] = receiver.at('/deletes');
    expect(signedBy(onlyDeletes.secret, deleted)).toBe(true);
    expect(JSON.parse(deleted.body).recordId).toBe(order.id);
    // The delivery log says what happened.
    const log = await waitFor(async () => {
      const items = await deliveries(t, all.id);
      return items.length === 5 && items.every((d) => d.status === 'delivered') ? items : null;
    });
    expect(log[0].attempts).toEqual([expect.objectContaining({ n: 1, status: 200, ok: true })]);
  });

  it('retries a receiver answering 500 with backoff until it succeeds', async () => {
    const t = await newTenant(api);
    const orders = await newForm(api, t, 'Orders', orderFields);
    const flaky = await Receiver.start();
    try {
      flaky.answer(500, 500, 200);
      const h = await hook(t, { url: `${flaky.url}/in`, maxAttempts: 5, backoffMs: 50 });
      await create(api, t, orders, { customer: 'acme' });
      const [d] = await waitFor(async () => {
        const items = await deliveries(t, h.id);
        return items[0]?.status === 'delivered' ? items : null;
      });
      expect(d.attempts.map((a: { status: number }) => a.status)).toEqual([500, 500, 200]);
      expect(d.attempts[0].error).toBe('the receiver answered 500');
      // Every attempt is the same delivery, freshly signed.
      expect(new Set(flaky.received.map((r) => r.headers['x-qiao-delivery']))).toEqual(new Set([d.id]));
      expect(flaky.received.every((r) => signedBy(h.secret, r))).toBe(true);
    } finally {
      await flaky.close();
    }
  });

  it('marks a delivery failed after its attempts (500s or no answer in time) and redelivers it on request', async () => {
    const t = await newTenant(api);
    const orders = await newForm(api, t, 'Orders', orderFields);
    const down = await Receiver.start();
    const silent = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentPort = (silent.address() as { port: number }).port;
    try {
      down.answer(500);
      const h = await hook(t, { url: `${down.url}/in`, maxAttempts: 3, backoffMs: 50 });
      const slow = await hook(t, { url: `http://127.0.0.1:${silentPort}/in`, maxAttempts: 2, backoffMs: 50, timeoutMs: 200 });
      const order = await create(api, t, orders, { customer: 'acme' });
      const [d] = await waitFor(async () => {
        const items = await deliveries(t, h.id);
        return items[0]?.status === 'failed' ? items : null;
      });
      expect(d.attemptCount).toBe(3);
      expect(down.received).toHaveLength(3);
      const [timedOut] = await waitFor(async () => {
        const items = await deliveries(t, slow.id);
        return items[0]?.status === 'failed' ? items : null;
      });
      expect(timedOut.attempts.map((a: { status: number | null; error: string }) => [a.status, a.error])).toEqual([
        [null, 'no answer within 200 ms'],
        [null, 'no answer within 200 ms'],
      ]);

      // Members cannot redeliver; once the receiver is fixed, the admin redelivers the same delivery.
      const member = await addMember(api, t.token, t.tenantId, 'Member');
      expect((await api.post(`/api/v1/webhook-deliveries/${d.id}/redeliver`, {}, member.token)).status).toBe(403);
      down.answer(200);
      const again = await api.post(`/api/v1/webhook-deliveries/${d.id}/redeliver`, {}, t.token);
      expect(again.status).toBe(202);
      const redelivered = await waitFor(async () => {
        const items = await deliveries(t, h.id);
        return items[0]?.status === 'delivered' ? items[0] : null;
      });
      expect(redelivered.attemptCount).toBe(4);
      expect(redelivered.redeliveries).toBe(1);
      const last = down.received.at(-1)!;
      expect(last.headers['x-qiao-delivery']).toBe(d.id);
      expect(JSON.parse(last.body)).toMatchObject({ recordId: order.id, event: 'record.created' });
      expect(signedBy(h.secret, last)).toBe(true);
    } finally {
      await down.close();
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('is managed by admins only, and refuses bad URLs and unknown forms', async () => {
    const t = await newTenant(api);
    const member = await addMember(api, t.token, t.tenantId, 'Member');
    expect((await api.post('/api/v1/webhooks', { url: 'http://127.0.0.1:1/x' }, member.token)).status).toBe(403);
    expect((await api.get('/api/v1/webhooks', member.token)).status).toBe(403);
    expect((await api.post('/api/v1/webhooks', { url: 'ftp://example.com/x' }, t.token)).status).toBe(422);
    const unknown = await api.post('/api/v1/webhooks', { url: 'http://127.0.0.1:1/x', formIds: ['nope'] }, t.token);
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].name).toBe('nope');
    const h = await hook(t, { url: 'http://127.0.0.1:1/x' });
    expect((await api.delete(`/api/v1/webhooks/${h.id}`, member.token)).status).toBe(403);
    expect((await api.delete(`/api/v1/webhooks/${h.id}`, t.token)).status).toBe(204);
    expect((await api.get(`/api/v1/webhooks/${h.id}`, t.token)).status).toBe(404);
  });
});
