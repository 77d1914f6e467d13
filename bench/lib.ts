import autocannon from 'autocannon';

export interface Figure {
  scenario: string;
  metric: string;
  subject: number;
  baseline?: number;
  unit: string;
  /** Higher is better (throughput) or lower is better (latency). */
  better: 'higher' | 'lower';
  target?: string;
  pass?: boolean;
  note?: string;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

export function percentile(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export interface LoadOptions {
  url: string;
  method?: 'POST' | 'GET';
  body?: string;
  headers?: Record<string, string>;
  connections?: number;
  durationSec?: number;
}

/** Requests per second of 2xx answers under autocannon load (load generator shares the 2 cores, as in CI). */
export async function measureRps(o: LoadOptions): Promise<number> {
  const result = await autocannon({
    url: o.url,
    method: o.method ?? 'POST',
    body: o.body,
    headers: { 'content-type': 'application/json', ...o.headers },
    connections: o.connections ?? 20,
    duration: o.durationSec ?? 4,
  });
  const ok = result['2xx'];
  if (result.non2xx > 0 && ok === 0) throw new Error(`load run got only non-2xx answers (${result.non2xx})`);
  return ok / (o.durationSec ?? 4);
}

/** Alternate baseline and subject runs (B,S,B,S,B,S) and take medians, so machine noise hits both alike. */
export async function alternate(rounds: number, baseline: () => Promise<number>, subject: () => Promise<number>) {
  const b: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < rounds; i++) {
    b.push(await baseline());
    s.push(await subject());
  }
  return { baseline: median(b), subject: median(s), baselineRuns: b, subjectRuns: s };
}

export async function latencies(n: number, run: () => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await run();
    out.push(performance.now() - t0);
  }
  return out;
}

export function printFigures(figures: Figure[]) {
  for (const f of figures) {
    const ratio = f.baseline ? f.subject / f.baseline : undefined;
    const parts = [
      `[${f.scenario}] ${f.metric}: ${f.subject.toFixed(2)} ${f.unit}`,
      f.baseline !== undefined ? `baseline ${f.baseline.toFixed(2)} ${f.unit}` : '',
      ratio !== undefined ? `ratio=${ratio.toFixed(3)}` : '',
      f.target ? `target ${f.target}` : '',
      f.pass === undefined ? '' : f.pass ? 'PASS' : 'FAIL',
      f.note ?? '',
    ].filter(Boolean);
    console.log(parts.join('  '));
  }
}
