/**
 * Issue 9 dashboards benchmark on the embedded store: `$group` by stage summing amount over 100,000 records
 *  - through the HTTP aggregate endpoint (auth, access, plan, pipeline, fold, JSON) vs the store's own aggregate
 *    call in-process with the same pipeline (the ratio is the endpoint's overhead);
 *  - a plain-JS reduce over the same documents already in memory, and the same reduce after reading them with
 *    find() (the in-memory path the endpoint must not take), for scale.
 */
import { rmSync } from 'node:fs';
import { createServer } from '../server/src/server.ts';
import { recordsCollection, type FormDoc } from '../server/src/forms/store.ts';
import { newId } from '../server/src/platform/ids.ts';
import { tempDataDir, freePort } from '../tests/support/server.ts';
import { latencies, percentile, type Figure } from './lib.ts';
import { sampleData, twentyFields } from './core.ts';

export async function benchDashboards(options: { quick?: boolean } = {}): Promise<Figure[]> {
  const figures: Figure[] = [];
  const dataDir = tempDataDir('qiao-bench-dash-');
  const server = await createServer({ dataDir, logLevel: 'silent', webDist: '/nonexistent' });
  const port = await freePort();
  await server.app.listen({ port, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}`;
  const post = (path: string, body: unknown, token?: string) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);

  const { token } = await post('/api/v1/auth/signup', { email: 'bench-dash@example.com', password: 'bench-password', name: 'Bench', tenantName: 'Bench' });
  const app = await post('/api/v1/apps', { name: 'Bench' }, token);
  const formRes = await post(`/api/v1/apps/${app.id}/forms`, { name: 'Deals', fields: twentyFields }, token);
  const form = (await server.services.store.collection<FormDoc>('forms').findOne({ _id: formRes.id }))!;
  const tenantId = form.tenantId as string;
  const col = server.services.store.collection(recordsCollection(form._id));

  // Seed through the store (bench set-up, not what is measured).
  const total = options.quick ? 20_000 : 100_000;
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const batch: any[] = [];
  for (let i = 0; i < total; i++) {
    const iso = new Date(t0 + i * 1000).toISOString();
    batch.push({ _id: newId(), tenantId, formId: form._id, formVersion: 1, version: 1, data: sampleData(i), createdAt: iso, createdBy: 'u', updatedAt: iso, updatedBy: 'u', ownerId: 'u' });
    if (batch.length === 5000) await col.insertMany(batch.splice(0));
  }
  if (batch.length) await col.insertMany(batch.splice(0));

  const body = JSON.stringify({ groupBy: [{ field: 'stage' }], metrics: [{ op: 'sum', field: 'amount' }] });
  const http = async () => {
    const res = await fetch(`${base}/api/v1/forms/${form._id}/aggregate`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
    if (res.status !== 200) throw new Error(`aggregate answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { rows: { stage: string; sum_amount: number }[] };
  };
  // The same pipeline the endpoint sends (tenant $match first, then one $group), called on the store directly.
  const pipeline = [{ $match: { tenantId } }, { $group: { _id: { d0: '$data.stage' }, m0: { $sum: '$data.amount' } } }];
  const store = () => col.aggregate<{ _id: { d0: string }; m0: number }>(pipeline);
  const reduce = (docs: any[]) => {
    const sums = new Map<string, number>();
    for (const d of docs) sums.set(d.data.stage, (sums.get(d.data.stage) ?? 0) + (typeof d.data.amount === 'number' ? d.data.amount : 0));
    return sums;
  };

  // All three must agree before any of them is timed.
  const viaHttp = new Map((await http()).rows.map((r) => [r.stage, r.sum_amount]));
  const viaStore = new Map((await store()).map((r) => [r._id.d0, r.m0]));
  const docs = await col.find({ tenantId });
  const viaReduce = reduce(docs);
  for (const [stage, sum] of viaReduce) {
    if (viaHttp.get(stage) !== sum || viaStore.get(stage) !== sum) throw new Error(`sums disagree for ${stage}: http ${viaHttp.get(stage)}, store ${viaStore.get(stage)}, reduce ${sum}`);
  }

  const rounds = options.quick ? 5 : 15;
  const httpTimes: number[] = [];
  const storeTimes: number[] = [];
  // Alternate so machine noise hits both alike.
  for (let i = 0; i < rounds; i++) {
    httpTimes.push(...(await latencies(1, async () => void (await http()))));
    storeTimes.push(...(await latencies(1, async () => void (await store()))));
  }
  const reduceTimes = await latencies(rounds, async () => void reduce(docs));
  const findReduceTimes = await latencies(Math.max(3, Math.floor(rounds / 3)), async () => void reduce(await col.find({ tenantId })));

  const label = `D1 $group by stage, sum amount (${total.toLocaleString('en')} records)`;
  const httpP50 = percentile(httpTimes, 50);
  const storeP50 = percentile(storeTimes, 50);
  figures.push({
    scenario: label,
    metric: 'p50 HTTP aggregate vs store.aggregate in-process',
    subject: httpP50,
    baseline: storeP50,
    unit: 'ms',
    better: 'lower',
    target: 'ratio ≤ 1.25',
    pass: httpP50 / storeP50 <= 1.25,
  });
  figures.push({
    scenario: label,
    metric: 'p50 HTTP aggregate vs plain-JS reduce over docs in memory',
    subject: httpP50,
    baseline: percentile(reduceTimes, 50),
    unit: 'ms',
    better: 'lower',
    note: 'the reduce has no I/O, parsing or permissions: a floor, not a target',
  });
  figures.push({
    scenario: label,
    metric: 'p50 HTTP aggregate vs find() + plain-JS reduce in-process',
    subject: httpP50,
    baseline: percentile(findReduceTimes, 50),
    unit: 'ms',
    better: 'lower',
    note: 'reading every document to reduce in JS, for scale',
  });

  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  return figures;
}
