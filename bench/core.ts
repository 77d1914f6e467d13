/**
 * Issue 4 benchmarks on the embedded store:
 *  - records created per second through the full HTTP stack vs bare Fastify + the same validator + the same insert;
 *  - a filtered, sorted page over 100,000 records through HTTP vs the same store query in-process.
 */
import Fastify from 'fastify';
import { rmSync } from 'node:fs';
import { validateRecord } from '@qiao/form-engine';
import { createServer } from '../server/src/server.ts';
import { recordsCollection, type FormDoc } from '../server/src/forms/store.ts';
import { newId } from '../server/src/platform/ids.ts';
import { compileFilter, parseSort } from '../server/src/records/query.ts';
import { tempDataDir, freePort } from '../tests/support/server.ts';
import { alternate, latencies, measureRps, percentile, type Figure } from './lib.ts';

export const twentyFields = [
  { id: 'name', type: 'text', label: 'Name', required: true },
  { id: 'amount', type: 'number', label: 'Amount', min: 0 },
  { id: 'stage', type: 'select', label: 'Stage', options: ['new', 'qualified', 'won', 'lost'].map((v) => ({ value: v, label: v })) },
  ...Array.from({ length: 17 }, (_, i) =>
    i % 3 === 0
      ? { id: `n${i}`, type: 'number', label: `Number ${i}` }
      : i % 3 === 1
        ? { id: `t${i}`, type: 'text', label: `Text ${i}` }
        : { id: `d${i}`, type: 'date', label: `Date ${i}` },
  ),
];

export function sampleData(i: number): Record<string, unknown> {
  const data: Record<string, unknown> = { name: `Deal ${i}`, amount: (i * 37) % 10_000, stage: ['new', 'qualified', 'won', 'lost'][i % 4] };
  for (let k = 0; k < 17; k++) {
    if (k % 3 === 0) data[`n${k}`] = (i * k) % 1000;
    else if (k % 3 === 1) data[`t${k}`] = `value ${k}-${i % 100}`;
    else data[`d${k}`] = `2026-0${1 + (k % 9)}-1${k % 9}`;
  }
  return data;
}

export async function benchCore(options: { quick?: boolean } = {}): Promise<Figure[]> {
  const figures: Figure[] = [];
  const dataDir = tempDataDir('qiao-bench-');
  const server = await createServer({ dataDir, logLevel: 'silent', webDist: '/nonexistent' });
  const port = await freePort();
  await server.app.listen({ port, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}`;
  const json = (r: Response) => r.json() as Promise<any>;
  const post = (path: string, body: unknown, token?: string) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) }).then(json);

  const { token } = await post('/api/v1/auth/signup', { email: 'bench@example.com', password: 'bench-password', name: 'Bench', tenantName: 'Bench' });
  const app = await post('/api/v1/apps', { name: 'Bench' }, token);
  const formRes = await post(`/api/v1/apps/${app.id}/forms`, { name: 'Deals', fields: twentyFields }, token);
  const form = (await server.services.store.collection<FormDoc>('forms').findOne({ _id: formRes.id }))!;
  const tenantId = form.tenantId as string;

  // Baseline: bare Fastify, the same validator, the same insert into the same collection, same durability.
  const bare = Fastify({ logger: false });
  const col = server.services.store.collection(recordsCollection(form._id));
  bare.post('/records', async (request, reply) => {
    const data = (request.body as { data: Record<string, unknown> }).data;
    const { errors } = validateRecord(form as never, data, { now: new Date(), timeZone: 'Asia/Shanghai', userId: 'u' });
    if (errors.length) return reply.status(422).send({ errors });
    const now = new Date().toISOString();
    await col.insertOne({ _id: newId(), tenantId, formId: form._id, formVersion: 1, version: 1, data, createdAt: now, createdBy: 'u', updatedAt: now, updatedBy: 'u' });
    return reply.status(201).send({ ok: true });
  });
  const barePort = await freePort();
  await bare.listen({ port: barePort, host: '127.0.0.1' });

  const body = JSON.stringify({ data: sampleData(1) });
  const durationSec = options.quick ? 2 : 4;
  const create = await alternate(
    options.quick ? 1 : 3,
    () => measureRps({ url: `http://127.0.0.1:${barePort}/records`, body, durationSec }),
    () => measureRps({ url: `${base}/api/v1/forms/${form._id}/records`, body, headers: { authorization: `Bearer ${token}` }, durationSec }),
  );
  figures.push({
    scenario: 'S2 record submit (20 fields, embedded)',
    metric: 'records/s',
    subject: create.subject,
    baseline: create.baseline,
    unit: 'req/s',
    better: 'higher',
    target: 'ratio ≥ 0.50',
    pass: create.subject / create.baseline >= 0.5,
  });

  // List over 100,000 records: seed directly through the store (bench set-up), then query through HTTP.
  const total = options.quick ? 20_000 : 100_000;
  const existing = await col.countDocuments({});
  const batch: any[] = [];
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  for (let i = existing; i < total; i++) {
    const iso = new Date(t0 + i * 1000).toISOString();
    batch.push({ _id: newId(), tenantId, formId: form._id, formVersion: 1, version: 1, data: sampleData(i), createdAt: iso, createdBy: 'u', updatedAt: iso, updatedBy: 'u' });
    if (batch.length === 5000) await col.insertMany(batch.splice(0));
  }
  if (batch.length) await col.insertMany(batch.splice(0));

  const condition = { and: [{ field: 'stage', op: 'eq', value: 'won' }] };
  const filter = compileFilter(form, condition, { userId: 'u', now: new Date(), timeZone: 'Asia/Shanghai' });
  const sort = parseSort(form, '-amount');
  const url = `${base}/api/v1/forms/${form._id}/records?filter=${encodeURIComponent(JSON.stringify(condition))}&sort=-amount&limit=20`;
  const scoped = { ...filter, tenantId };
  const n = options.quick ? 50 : 200;
  const storeOnly = await latencies(n, async () => {
    const [rows, count] = await Promise.all([col.find(scoped, { sort, limit: 21 }), col.countDocuments(scoped)]);
    JSON.stringify({ items: rows, total: count });
  });
  const http = await latencies(n, async () => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`list answered ${res.status}`);
    await res.json();
  });
  for (const p of [50, 95]) {
    figures.push({
      scenario: `S5 list page (filter+sort, ${total.toLocaleString('en')} records)`,
      metric: `p${p} latency`,
      subject: percentile(http, p),
      baseline: percentile(storeOnly, p),
      unit: 'ms',
      better: 'lower',
      target: p === 95 ? 'p95 < 50 ms' : undefined,
      pass: p === 95 ? percentile(http, 95) < 50 : undefined,
    });
  }

  await bare.close();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  return figures;
}
