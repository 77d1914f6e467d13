/**
 * Issue 10 benchmarks:
 *  - 10,000 shipments over HTTP against a stock ledger of 100 products, many in flight on the same product at once:
 *    throughput, and the kept balances checked against a recount and against the accepted shipments (exact);
 *  - latency from a record's commit to the record its automation creates, p50/p95, on BullMQ (and inline for comparison).
 */
import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { createServer, type RunningServer } from '../server/src/server.ts';
import { recordsCollection } from '../server/src/forms/store.ts';
import { freePort, tempDataDir } from '../tests/support/server.ts';
import { percentile, type Figure } from './lib.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Booted {
  server: RunningServer;
  base: string;
  token: string;
  appId: string;
  dataDir: string;
  call: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;
}

async function boot(overrides: Parameters<typeof createServer>[0] = {}): Promise<Booted> {
  const dataDir = tempDataDir('qiao-bench-auto-');
  const server = await createServer({ dataDir, logLevel: 'silent', webDist: '/nonexistent', ...overrides });
  const port = await freePort();
  await server.app.listen({ port, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}`;
  let token = '';
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  };
  const signup = await call('POST', '/api/v1/auth/signup', { email: `bench-${Date.now()}@example.com`, password: 'bench-password', name: 'Bench', tenantName: 'Bench' });
  token = signup.body.token;
  const app = await call('POST', '/api/v1/apps', { name: 'ERP' });
  return { server, base, token, appId: app.body.id, dataDir, call };
}

async function shutdown(b: Booted) {
  await b.server.close();
  rmSync(b.dataDir, { recursive: true, force: true });
}

const movementFields = [
  { id: 'warehouse', type: 'text', label: 'Warehouse' },
  { id: 'items', type: 'subform', label: 'Items', fields: [{ id: 'product', type: 'text', label: 'Product' }, { id: 'qty', type: 'number', label: 'Qty', min: 0 }] },
];

async function benchShipments(quick: boolean): Promise<Figure[]> {
  const b = await boot();
  const products = 100;
  const shipments = quick ? 2_000 : 10_000;
  // Stock for 95% of the shipments: the last units of every product are fought over, and some shipments must be refused.
  const stockPerProduct = Math.floor((shipments / products) * 0.95);
  const inbound = (await b.call('POST', `/api/v1/apps/${b.appId}/forms`, { name: 'Inbound', fields: movementFields })).body.id;
  const shipping = (await b.call('POST', `/api/v1/apps/${b.appId}/forms`, { name: 'Shipments', fields: movementFields })).body.id;
  const ledger = await b.call('POST', `/api/v1/apps/${b.appId}/ledgers`, {
    name: 'Stock',
    keys: ['product', 'warehouse'],
    sources: [
      { formId: inbound, sign: 1, quantity: 'items.qty', keys: { product: 'items.product', warehouse: 'warehouse' } },
      { formId: shipping, sign: -1, quantity: 'items.qty', keys: { product: 'items.product', warehouse: 'warehouse' } },
    ],
    constraints: ['balance >= 0'],
  });
  if (ledger.status !== 201) throw new Error(`ledger: ${JSON.stringify(ledger.body)}`);
  const items = Array.from({ length: products }, (_, p) => ({ product: `P${p}`, qty: stockPerProduct }));
  const receipt = await b.call('POST', `/api/v1/forms/${inbound}/records`, { data: { warehouse: 'W1', items } });
  if (receipt.status !== 201) throw new Error(`inbound: ${JSON.stringify(receipt.body)}`);

  const accepted = new Map<string, number>();
  let refused = 0;
  let next = 0;
  const connections = 32;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      for (;;) {
        const i = next++;
        if (i >= shipments) return;
        // Consecutive shipments go to a few products, so concurrent requests hit the same product.
        const product = `P${Math.floor(i / 4) % products}`;
        const res = await b.call('POST', `/api/v1/forms/${shipping}/records`, { data: { warehouse: 'W1', items: [{ product, qty: 1 }] } });
        if (res.status === 201) accepted.set(product, (accepted.get(product) ?? 0) + 1);
        else if (res.status === 409 && res.body.code === 'ledger_constraint') refused++;
        else throw new Error(`shipment answered ${res.status}: ${JSON.stringify(res.body)}`);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;

  const check = await b.call('GET', `/api/v1/ledgers/${ledger.body.id}/check`);
  const balances = (await b.call('GET', `/api/v1/ledgers/${ledger.body.id}/balances?limit=10000`)).body.items as { keys: { product: string }; balance: number }[];
  const exact = balances.length === products && balances.every((bal) => bal.balance === stockPerProduct - (accepted.get(bal.keys.product) ?? 0) && bal.balance >= 0);
  const stored = await b.server.services.store.collection(recordsCollection(shipping)).countDocuments({});
  const acceptedTotal = [...accepted.values()].reduce((a, n) => a + n, 0);
  await shutdown(b);
  return [
    {
      scenario: `S10a ${shipments.toLocaleString('en')} shipments, stock ledger of ${products} products (embedded, ${connections} concurrent)`,
      metric: 'shipments/s',
      subject: shipments / seconds,
      unit: 'req/s',
      better: 'higher',
      note: `${acceptedTotal} accepted, ${refused} refused (out of stock)`,
    },
    {
      scenario: 'S10a final balances vs recount',
      metric: 'mismatches',
      subject: check.body.mismatches.length + (exact ? 0 : 1) + (stored === acceptedTotal ? 0 : 1),
      unit: '',
      better: 'lower',
      target: '0 (check ok, every balance = stock − accepted, records = accepted)',
      pass: check.body.ok === true && exact && stored === acceptedTotal,
    },
  ];
}

async function benchLatency(kind: 'bullmq' | 'inline', quick: boolean): Promise<Figure[]> {
  const prefix = `qiao-bench-${process.pid}-${Date.now()}`;
  const b = await boot(kind === 'bullmq' ? { redisUrl: REDIS_URL, queuePrefix: prefix } : {});
  try {
    const fields = [{ id: 'name', type: 'text', label: 'Name' }, { id: 'source', type: 'text', label: 'Source' }];
    const orders = (await b.call('POST', `/api/v1/apps/${b.appId}/forms`, { name: 'Orders', fields })).body.id;
    const invoices = (await b.call('POST', `/api/v1/apps/${b.appId}/forms`, { name: 'Invoices', fields })).body.id;
    const automation = await b.call('POST', `/api/v1/apps/${b.appId}/automations`, {
      name: 'Invoice',
      trigger: { kind: 'recordCreated', formId: orders },
      actions: [{ kind: 'createRecord', formId: invoices, mapping: { name: 'name', source: 'id' } }],
    });
    if (automation.status !== 201) throw new Error(JSON.stringify(automation.body));
    const target = b.server.services.store.collection(recordsCollection(invoices));
    const samples: number[] = [];
    const n = quick ? 50 : 300;
    for (let i = 0; i < n + 10; i++) {
      const res = await b.call('POST', `/api/v1/forms/${orders}/records`, { data: { name: `order ${i}` } });
      const committed = performance.now();
      if (res.status !== 201) throw new Error(JSON.stringify(res.body));
      // Poll the store itself (committed data only), so the measurement adds no HTTP round trip.
      for (;;) {
        if (await target.findOne({ 'data.source': res.body.id }, { projection: { _id: 1 } })) break;
        if (performance.now() - committed > 30_000) throw new Error('the automation did not run');
        await new Promise((r) => setImmediate(r));
      }
      if (i >= 10) samples.push(performance.now() - committed); // the first ones warm up the queue
    }
    return [50, 95].map((p) => ({
      scenario: `S10b commit → automation-created record (${kind})`,
      metric: `p${p} latency`,
      subject: percentile(samples, p),
      unit: 'ms',
      better: 'lower' as const,
      note: `${samples.length} sequential records`,
    }));
  } finally {
    await shutdown(b);
    if (kind === 'bullmq') {
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  }
}

async function redisAnswers(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

export async function benchAutomation(options: { quick?: boolean } = {}): Promise<Figure[]> {
  const quick = !!options.quick;
  const figures = await benchShipments(quick);
  if (await redisAnswers()) figures.push(...(await benchLatency('bullmq', quick)));
  else figures.push({ scenario: 'S10b commit → automation-created record (bullmq)', metric: 'skipped', subject: 0, unit: '', better: 'lower', note: `no Redis at ${REDIS_URL}` });
  figures.push(...(await benchLatency('inline', quick)));
  return figures;
}
