/**
 * Issue 7 benchmark: instances of approval → exclusive branch → parallel pair → join driven to completion through
 * the HTTP API (engine + persistence + outbox, BullMQ on the local Redis when reachable), next to the same flow
 * through the pure interpreter alone in the same run.
 */
import { rmSync } from 'node:fs';
import { benchmarkDefinition, simulate } from '@qiao/workflow-engine';
import { createServer } from '../server/src/server.ts';
import { freePort, tempDataDir } from '../tests/support/server.ts';
import { percentile, type Figure } from './lib.ts';

export async function benchWorkflow(options: { quick?: boolean; redisUrl?: string } = {}): Promise<Figure[]> {
  const instances = options.quick ? 500 : 10_000;
  const dataDir = tempDataDir('qiao-bench-wf-');
  const prefix = `qiao-bench-${process.pid}-${Date.now()}`;
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const server = await createServer({ dataDir, logLevel: 'silent', webDist: '/nonexistent', redisUrl, queuePrefix: prefix });
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

  const owner = (await call('POST', '/api/v1/auth/signup', { email: 'wf@example.com', password: 'bench-password', name: 'Owner', tenantName: 'WF' })).body;
  const tenantId = owner.tenant.id;
  const people: Record<string, { id: string; token: string }> = {};
  for (const name of ['reviewer', 'director', 'finance', 'legal']) {
    const email = `${name}@example.com`;
    const m = await call('POST', '/api/v1/members', { email, name, password: 'bench-password' }, owner.token);
    const login = await call('POST', '/api/v1/auth/login', { email, password: 'bench-password', tenantId });
    people[m.body.id] = { id: m.body.id, token: login.body.token };
    people[name] = people[m.body.id];
  }
  const role = async (name: string, member: string) => (await call('POST', '/api/v1/roles', { name, memberIds: [people[member].id] }, owner.token)).body.id as string;
  const roleIds: Record<string, string> = { reviewers: await role('Reviewers', 'reviewer'), finance: await role('Finance', 'finance'), legal: await role('Legal', 'legal') };
  const app = await call('POST', '/api/v1/apps', { name: 'Bench' }, owner.token);
  const form = await call('POST', `/api/v1/apps/${app.body.id}/forms`, { name: 'Request', fields: [{ id: 'title', type: 'text', label: 'Title' }, { id: 'amount', type: 'number', label: 'Amount' }] }, owner.token);
  const definition = JSON.parse(JSON.stringify(benchmarkDefinition, (key, value) => {
    if (key === 'ids' && Array.isArray(value)) return value.map((id: string) => roleIds[id] ?? people[id]?.id ?? id);
    return value;
  }));
  for (const node of definition.nodes) node.position ??= { x: 0, y: 0 };
  for (const node of definition.nodes) node.data ??= {};
  await call('PUT', `/api/v1/forms/${form.body.id}/workflow`, definition, owner.token);
  const published = await call('POST', `/api/v1/forms/${form.body.id}/workflow/publish`, {}, owner.token);
  if (published.status !== 201) throw new Error(`publish failed: ${JSON.stringify(published.body)}`);

  const latencies: number[] = [];
  let transitions = 0;
  let next = 0;
  const t0 = performance.now();
  const driver = async () => {
    for (;;) {
      const i = next++;
      if (i >= instances) return;
      const created = await call('POST', `/api/v1/forms/${form.body.id}/records`, { data: { title: `r${i}`, amount: i % 2 ? 20_000 : 500 } }, owner.token);
      if (created.status !== 201) throw new Error(`create failed ${created.status}`);
      transitions++;
      const instanceId = created.body.instance.id;
      // Drive from the state each action returns; only the first look needs a GET.
      let inst = (await call('GET', `/api/v1/instances/${instanceId}`, undefined, owner.token)).body;
      while (inst.status === 'running') {
        const open = inst.tasks.filter((t: { status: string }) => t.status === 'open');
        const answers = await Promise.all(
          open.map(async (t: { id: string; assigneeId: string }) => {
            const a0 = performance.now();
            const res = await call('POST', `/api/v1/tasks/${t.id}/actions`, { action: 'approve' }, people[t.assigneeId].token);
            latencies.push(performance.now() - a0);
            if (res.status === 200) transitions++;
            return res.body.instance;
          }),
        );
        // Of parallel answers, the one that saw the most decisions is the latest state.
        const closed = (i: { tasks: { status: string }[] }) => i.tasks.filter((t) => t.status !== 'open').length;
        inst = answers.filter(Boolean).sort((a, b) => closed(b) - closed(a))[0];
        if (!inst) inst = (await call('GET', `/api/v1/instances/${instanceId}`, undefined, owner.token)).body;
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, driver));
  const seconds = (performance.now() - t0) / 1000;

  const s0 = performance.now();
  const sim = simulate({ instances });
  const simSeconds = (performance.now() - s0) / 1000;

  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  const endToEnd = transitions / seconds;
  return [
    {
      scenario: `S7 workflow end to end (${instances.toLocaleString('en')} instances, queue ${server.services.queue.kind})`,
      metric: 'transitions/s',
      subject: endToEnd,
      baseline: sim.transitions / simSeconds,
      unit: 'tr/s',
      better: 'higher',
      target: '≥ 500 tr/s end to end',
      pass: endToEnd >= 500,
      note: `baseline = pure interpreter, ${sim.transitions} transitions`,
    },
    { scenario: 'S7 workflow end to end', metric: 'action latency p95', subject: percentile(latencies, 95), unit: 'ms', better: 'lower' },
    { scenario: 'S7 workflow end to end', metric: 'action latency p50', subject: percentile(latencies, 50), unit: 'ms', better: 'lower' },
  ];
}
