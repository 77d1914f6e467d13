/**
 * Issue 9 designer benchmark in headless Chromium against the real server and the built web app: a 300-node workflow
 * (start → parallel split into 10 lanes of 29 approvals → join → end, plus 7 copy nodes on the way out) opened in the
 * designer.
 *  - time to render: navigation start → every canvas node in the DOM and the engine's verdict on screen, for a
 *    definition with stored positions and for one without (laid out by dagre in the browser);
 *  - dragging a node: 60 pointer moves of one node across the canvas, the time between painted frames while the
 *    drag runs (requestAnimationFrame timestamps) and the time from each move to the frame that shows it.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createServer } from '../server/src/server.ts';
import { freePort, repoRoot, tempDataDir } from '../tests/support/server.ts';
import { launchBrowser } from '../tests/browser/helpers.ts';
import { median, percentile, type Figure } from './lib.ts';

const LANES = 10;
const PER_LANE = 29;

/** 300 nodes: a parallel block of 10 lanes, a tail of copy nodes; positions as the designer's auto layout spaces them. */
export function bigDefinition(withPositions: boolean) {
  const nodes: { id: string; type: string; data: Record<string, unknown>; position?: { x: number; y: number } }[] = [];
  const edges: { id: string; source: string; target: string }[] = [];
  const at = (x: number, y: number) => (withPositions ? { position: { x: x * 270, y: y * 140 } } : {});
  nodes.push({ id: 'start', type: 'start', data: { name: 'Submit' }, ...at(LANES / 2, 0) });
  nodes.push({ id: 'split', type: 'parallel', data: { name: 'Split' }, ...at(LANES / 2, 1) });
  edges.push({ id: 'e-start', source: 'start', target: 'split' });
  for (let lane = 0; lane < LANES; lane++) {
    let previous = 'split';
    for (let step = 0; step < PER_LANE; step++) {
      const id = `a${lane}_${step}`;
      nodes.push({ id, type: 'approval', data: { name: `Lane ${lane + 1} step ${step + 1}`, assignees: [{ kind: 'initiator' }], mode: 'or' }, ...at(lane, step + 2) });
      edges.push({ id: `e-${id}`, source: previous, target: id });
      previous = id;
    }
    edges.push({ id: `e-join-${lane}`, source: previous, target: 'join' });
  }
  nodes.push({ id: 'join', type: 'join', data: { name: 'Join' }, ...at(LANES / 2, PER_LANE + 2) });
  let previous = 'join';
  const tail = 300 - nodes.length - 1;
  for (let i = 0; i < tail; i++) {
    const id = `cc${i}`;
    nodes.push({ id, type: 'cc', data: { name: `Copy ${i + 1}`, assignees: [{ kind: 'initiator' }] }, ...at(LANES / 2, PER_LANE + 3 + i) });
    edges.push({ id: `e-${id}`, source: previous, target: id });
    previous = id;
  }
  nodes.push({ id: 'end', type: 'end', data: { name: 'End' }, ...at(LANES / 2, PER_LANE + 3 + tail) });
  edges.push({ id: 'e-end', source: previous, target: 'end' });
  return { nodes, edges, settings: { withdraw: 'untouched' } };
}

/** Milliseconds from navigation start until all nodes are in the DOM and validated, measured inside the page. */
async function timeToRender(page: Page, url: string, nodeCount: number): Promise<number> {
  await page.goto(url);
  await page.waitForFunction(
    (n) => document.querySelectorAll('.react-flow__node').length >= n && document.querySelector('[data-testid="wf-check-status"]')?.getAttribute('data-state') === 'valid',
    nodeCount,
    { polling: 'raf', timeout: 60_000 },
  );
  return page.evaluate(() => new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now()))));
}

/** Drags one node in `moves` steps; answers the frame intervals during the drag and each move's time to paint. */
async function dragFrames(page: Page, nodeId: string, moves: number) {
  const box = await page.getByTestId(`wf-node-${nodeId}`).boundingBox();
  if (!box) throw new Error(`node ${nodeId} is not on screen`);
  // A string, not a function: tsx would wrap a named arrow in a helper the page does not have. Each pointer move
  // is timed inside the page, from the event to the end of the frame after the one that handled it (the move is
  // painted by then), so the harness's own round trips to the browser do not count.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__latencies = [];
    window.__recording = true;
    const tick = (t) => { if (!window.__recording) return; window.__frames.push(t); requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    window.__onMove = (e) => { const at = e.timeStamp; requestAnimationFrame(() => requestAnimationFrame(() => window.__latencies.push(performance.now() - at))); };
    document.addEventListener('pointermove', window.__onMove, true);
  })()`);
  const x0 = box.x + box.width / 2;
  const y0 = box.y + box.height / 2;
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  for (let i = 1; i <= moves; i++) await page.mouse.move(x0 + i * 4, y0 + Math.sin(i / 6) * 30);
  await page.mouse.up();
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  const { frames, latencies } = (await page.evaluate(
    "(() => { window.__recording = false; document.removeEventListener('pointermove', window.__onMove, true); return { frames: window.__frames, latencies: window.__latencies }; })()",
  )) as { frames: number[]; latencies: number[] };
  const intervals = frames.slice(1).map((t, i) => t - frames[i]);
  return { intervals, latencies };
}

export async function benchDesigner(options: { quick?: boolean } = {}): Promise<Figure[]> {
  const build = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-web.mjs'), '--if-stale'], { cwd: repoRoot, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`web build failed:\n${build.stdout}\n${build.stderr}`);
  const runs = options.quick ? 2 : 5;
  const moves = options.quick ? 30 : 60;
  const dataDir = tempDataDir('qiao-bench-designer-');
  const server = await createServer({ dataDir, logLevel: 'silent' });
  const port = await freePort();
  await server.app.listen({ port, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}`;
  const browser = await launchBrowser();
  const figures: Figure[] = [];
  try {
    const call = async (method: string, path: string, body?: unknown, token?: string) => {
      const res = await fetch(base + path, { method, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body ? JSON.stringify(body) : undefined });
      if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${await res.text()}`);
      return (await res.json()) as any;
    };
    const { token } = await call('POST', '/api/v1/auth/signup', { email: 'designer@example.com', password: 'bench-password', name: 'Bench', tenantName: 'Bench' });
    const app = await call('POST', '/api/v1/apps', { name: 'Bench' }, token);
    const forms: Record<string, string> = {};
    for (const variant of ['positioned', 'unpositioned']) {
      const form = await call('POST', `/api/v1/apps/${app.id}/forms`, { name: `Flow ${variant}`, fields: [{ id: 'title', type: 'text', label: 'Title' }] }, token);
      const definition = bigDefinition(variant === 'positioned');
      if (definition.nodes.length !== 300) throw new Error(`the benchmark flow has ${definition.nodes.length} nodes`);
      await call('PUT', `/api/v1/forms/${form.id}/workflow`, definition, token);
      forms[variant] = form.id;
    }

    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    await context.addInitScript((t) => localStorage.setItem('qiao.token', t), token);
    const page = await context.newPage();
    for (const variant of ['positioned', 'unpositioned'] as const) {
      const url = `${base}/apps/${app.id}/forms/${forms[variant]}/workflow`;
      await timeToRender(page, url, 300); // warm the HTTP cache and the server
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push(await timeToRender(page, url, 300));
      figures.push({
        scenario: 'designer',
        metric: `render 300 nodes (${variant === 'positioned' ? 'stored positions' : 'dagre layout in the browser'}), navigation → all nodes validated on screen, median of ${runs}`,
        subject: median(times),
        unit: 'ms',
        better: 'lower',
        target: '< 3000 ms',
        pass: median(times) < 3000,
        note: `max ${Math.max(...times).toFixed(0)} ms`,
      });
    }

    // Drag a node in the middle of a lane, zoomed so nodes are a usable size.
    await page.goto(`${base}/apps/${app.id}/forms/${forms.positioned}/workflow`);
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length > 0, undefined, { timeout: 60_000 });
    await page.getByTestId('wf-node-a4_10').waitFor({ timeout: 60_000 });
    const { intervals, latencies } = await dragFrames(page, 'a4_10', moves);
    const rendered = await page.evaluate(() => document.querySelectorAll('.react-flow__node').length);
    figures.push({
      scenario: 'designer',
      metric: `drag one node of 300 (${moves} moves): frame interval p50`,
      subject: median(intervals),
      unit: 'ms',
      better: 'lower',
      target: '≤ 33 ms (30 fps)',
      pass: median(intervals) <= 33,
      note: `p95 ${percentile(intervals, 95).toFixed(1)} ms, max ${Math.max(...intervals).toFixed(1)} ms, ${intervals.length} frames, ${rendered} nodes in the DOM`,
    });
    figures.push({
      scenario: 'designer',
      metric: 'drag one node of 300: pointer move → frame after it painted, p50',
      subject: median(latencies),
      unit: 'ms',
      better: 'lower',
      target: '≤ 50 ms',
      pass: median(latencies) <= 50,
      note: `p95 ${percentile(latencies, 95).toFixed(1)} ms, measured in the page from the pointer event`,
    });
    await context.close();
  } finally {
    await browser.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printFigures } = await import('./lib.ts');
  printFigures(await benchDesigner({ quick: process.argv.includes('--quick') }));
}
