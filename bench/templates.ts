/**
 * Issue 11 benchmark: how long installing each template into a fresh tenant takes, sample data included, through
 * the real HTTP API. The ERP and finance templates need the CRM (and the ERP) first: those are installed beforehand
 * in the same fresh tenant and only the template itself is timed. The very first install in a new server process
 * (cold: schemas compiled, tables created) is reported separately from the median of later rounds.
 */
import { rmSync } from 'node:fs';
import { createServer } from '../server/src/server.ts';
import { freePort, tempDataDir } from '../tests/support/server.ts';
import { median, type Figure } from './lib.ts';

const PREREQUISITES: Record<string, string[]> = { suite: [], crm: [], oa: [], erp: ['crm'], finance: ['crm', 'erp'] };
const TARGET_MS = 2000;

export async function benchTemplates(options: { quick?: boolean } = {}): Promise<Figure[]> {
  const dataDir = tempDataDir('qiao-bench-templates-');
  const server = await createServer({ dataDir, logLevel: 'silent', webDist: '/nonexistent' });
  const port = await freePort();
  await server.app.listen({ port, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}`;
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(base + path, {
      method,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  let tenants = 0;
  const freshTenant = async () => {
    const n = ++tenants;
    const res = await call('POST', '/api/v1/auth/signup', { email: `templates-${n}@example.com`, password: 'bench-password', name: 'Owner', tenantName: `Templates ${n}` });
    return res.body.token as string;
  };
  const install = async (key: string, token: string) => {
    const t0 = performance.now();
    const res = await call('POST', `/api/v1/templates/${key}/install`, { sampleData: true }, token);
    const ms = performance.now() - t0;
    if (res.status !== 201) throw new Error(`install ${key}: ${res.status} ${JSON.stringify(res.body)}`);
    return { ms, body: res.body };
  };
  const timed = async (key: string) => {
    const token = await freshTenant();
    for (const before of PREREQUISITES[key]) await install(before, token);
    return install(key, token);
  };

  const figures: Figure[] = [];
  const cold = await timed('suite');
  figures.push({
    scenario: 'S11 template install',
    metric: 'suite, first install after server start (cold)',
    subject: cold.ms,
    unit: 'ms',
    better: 'lower',
    note: `${Object.keys(cold.body.forms).length} forms, ${cold.body.sampleRecords} sample records; phases ${JSON.stringify(cold.body.phases)}`,
  });
  const rounds = options.quick ? 1 : 3;
  for (const key of ['suite', 'crm', 'erp', 'oa', 'finance']) {
    const runs: number[] = [];
    let last: { ms: number; body: any } | undefined;
    for (let i = 0; i < rounds; i++) {
      last = await timed(key);
      runs.push(last.ms);
    }
    const ms = median(runs);
    figures.push({
      scenario: 'S11 template install',
      metric: `${key} into a fresh tenant, sample data on (median of ${rounds})`,
      subject: ms,
      unit: 'ms',
      better: 'lower',
      target: `< ${TARGET_MS} ms`,
      pass: ms < TARGET_MS,
      note: `${Object.keys(last!.body.forms).length} forms, ${Object.keys(last!.body.automations).length} automations, ${last!.body.sampleRecords} sample records; runs ${runs.map((r) => Math.round(r)).join('/')} ms`,
    });
  }
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  return figures;
}
