/**
 * Issue 5 benchmarks:
 *  - submitting a 30-field record with a 10-row subform and 5 formulas through the HTTP API, against the same submit
 *    without formulas or subform (same field count, plain fields instead): formulas and subform must cost < 30%;
 *  - formula evaluations per second in the engine alone (one formula, and a whole record's formulas);
 *  - compiling a 200-field definition (checkFormDefinition + buildRecordSchema + the ajv compile of the first
 *    validateRecord): under 50 ms.
 */
import { rmSync } from 'node:fs';
import { buildRecordSchema, checkFormDefinition, computeFormulas, evaluateFormula, parseFormula, validateRecord } from '@qiao/form-engine';
import { createServer } from '../server/src/server.ts';
import { tempDataDir, freePort } from '../tests/support/server.ts';
import { alternate, measureRps, median, type Figure } from './lib.ts';

const PLAIN = 24;

/** 24 plain fields shared by both forms: text, numbers, dates, selects, phones. */
function plainFields() {
  return Array.from({ length: PLAIN }, (_, i) => {
    const kind = i % 6;
    if (kind === 0) return { id: `t${i}`, type: 'text', label: `Text ${i}` };
    if (kind === 1) return { id: `n${i}`, type: 'number', label: `Number ${i}`, min: 0 };
    if (kind === 2) return { id: `d${i}`, type: 'date', label: `Date ${i}` };
    if (kind === 3) return { id: `s${i}`, type: 'select', label: `Select ${i}`, options: ['a', 'b', 'c'].map((v) => ({ value: v, label: v.toUpperCase() })) };
    if (kind === 4) return { id: `m${i}`, type: 'money', label: `Money ${i}` };
    return { id: `p${i}`, type: 'phone', label: `Phone ${i}` };
  });
}

function plainData(): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const f of plainFields()) {
    if (f.type === 'text') data[f.id] = `value of ${f.id}`;
    if (f.type === 'number') data[f.id] = 42;
    if (f.type === 'date') data[f.id] = '2026-05-01';
    if (f.type === 'select') data[f.id] = 'b';
    if (f.type === 'money') data[f.id] = 1999.5;
    if (f.type === 'phone') data[f.id] = '13800000001';
  }
  return data;
}

/** 24 plain fields + discount + a 10-row subform (with a row formula) + 4 formula fields + 1 formula text = 30. */
export const formulaForm = [
  ...plainFields(),
  { id: 'discount', type: 'number', label: 'Discount', min: 0, max: 1 },
  {
    id: 'items',
    type: 'subform',
    label: 'Items',
    fields: [
      { id: 'sku', type: 'text', label: 'SKU' },
      { id: 'price', type: 'money', label: 'Price', min: 0 },
      { id: 'qty', type: 'number', label: 'Qty', min: 0 },
      { id: 'amount', type: 'formula', label: 'Amount', formula: 'price * qty' },
    ],
  },
  { id: 'subtotal', type: 'formula', label: 'Subtotal', formula: 'SUM(items.amount)' },
  { id: 'total', type: 'formula', label: 'Total', formula: 'ROUND(subtotal * (1 - discount), 2)' },
  { id: 'lines', type: 'formula', label: 'Lines', formula: 'COUNT(items.sku)' },
  { id: 'big', type: 'formula', label: 'Big order', formula: 'IF(total > 1000, "big", "small")' },
];
const formulaData = () => ({
  ...plainData(),
  discount: 0.1,
  items: Array.from({ length: 10 }, (_, i) => ({ sku: `SKU-${i}`, price: 10 + i, qty: 1 + (i % 4) })),
});

/** The same 30 fields without formulas or subform: six more plain fields in their place. */
const plainForm = [...plainFields(), ...Array.from({ length: 6 }, (_, i) => ({ id: `x${i}`, type: i % 2 ? 'number' : 'text', label: `Extra ${i}` }))];
const plainFormData = () => ({ ...plainData(), ...Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`x${i}`, i % 2 ? i : `extra ${i}`])) });

function wideDefinition(id: string, fields = 200) {
  const kinds = ['text', 'number', 'date', 'select', 'email', 'phone', 'money', 'checkbox', 'datetime', 'textarea'];
  return {
    id,
    name: 'Wide',
    version: 1,
    fields: [
      ...Array.from({ length: fields - 3 }, (_, i) => {
        const type = kinds[i % kinds.length];
        const base: Record<string, unknown> = { id: `f${i}`, type, label: { 'zh-CN': `字段${i}`, en: `Field ${i}` }, required: i % 7 === 0 };
        if (type === 'select' || type === 'checkbox') base.options = ['a', 'b', 'c', 'd'].map((v) => ({ value: v, label: v }));
        if (type === 'number') Object.assign(base, { min: 0, max: 1_000_000, precision: 2 });
        if (type === 'text') base.maxLength = 200;
        return base;
      }),
      { id: 'rows', type: 'subform', label: 'Rows', fields: [{ id: 'a', type: 'number', label: 'A' }, { id: 'b', type: 'number', label: 'B' }, { id: 'ab', type: 'formula', label: 'AB', formula: 'a * b' }] },
      { id: 'sum', type: 'formula', label: 'Sum', formula: 'SUM(rows.ab) + f1 + f11' },
      { id: 'flag', type: 'formula', label: 'Flag', formula: 'IF(sum > 100, "high", "low")' },
    ],
    rules: [{ when: { field: 'f3', op: 'eq', value: 'a' }, show: ['f13'], require: ['f23'] }],
  };
}

function perSecond(run: () => void, minMs: number): number {
  let n = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 200; i++) run();
    n += 200;
    elapsed = performance.now() - t0;
  }
  return (n / elapsed) * 1000;
}

export async function benchForms(options: { quick?: boolean } = {}): Promise<Figure[]> {
  const figures: Figure[] = [];
  const dataDir = tempDataDir('qiao-bench-forms-');
  const server = await createServer({ dataDir, logLevel: 'silent', webDist: '/nonexistent' });
  const port = await freePort();
  await server.app.listen({ port, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}`;
  const post = (path: string, body: unknown, token?: string) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);

  const { token } = await post('/api/v1/auth/signup', { email: 'bench-forms@example.com', password: 'bench-password', name: 'Bench', tenantName: 'Bench' });
  const app = await post('/api/v1/apps', { name: 'Bench' }, token);
  const withFormulas = await post(`/api/v1/apps/${app.id}/forms`, { name: 'Orders', fields: formulaForm }, token);
  const plain = await post(`/api/v1/apps/${app.id}/forms`, { name: 'Plain', fields: plainForm }, token);
  for (const [form, data] of [[withFormulas, formulaData()], [plain, plainFormData()]] as const) {
    const check = await post(`/api/v1/forms/${form.id}/records`, { data }, token);
    if (!check.id) throw new Error(`bench record refused: ${JSON.stringify(check)}`);
  }

  const durationSec = options.quick ? 2 : 4;
  const headers = { authorization: `Bearer ${token}` };
  const submit = await alternate(
    options.quick ? 1 : 3,
    () => measureRps({ url: `${base}/api/v1/forms/${plain.id}/records`, body: JSON.stringify({ data: plainFormData() }), headers, durationSec }),
    () => measureRps({ url: `${base}/api/v1/forms/${withFormulas.id}/records`, body: JSON.stringify({ data: formulaData() }), headers, durationSec }),
  );
  figures.push({
    scenario: 'S6 submit 30 fields + 10-row subform + 5 formulas (HTTP)',
    metric: 'records/s',
    subject: submit.subject,
    baseline: submit.baseline,
    unit: 'req/s',
    better: 'higher',
    target: 'ratio ≥ 0.70',
    pass: submit.subject / submit.baseline >= 0.7,
    note: 'baseline: the same 30-field submit without formulas or subform',
  });
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });

  // The engine alone.
  const minMs = options.quick ? 300 : 1500;
  const ast = parseFormula('ROUND(SUM(items.amount) * (1 - discount), 2)');
  const scope = { discount: 0.1, items: Array.from({ length: 10 }, (_, i) => ({ amount: (10 + i) * 2 })) };
  figures.push({ scenario: 'S7 formula engine', metric: 'evaluations/s (SUM over 10 rows, ROUND)', subject: perSecond(() => evaluateFormula(ast, scope), minMs), unit: 'ops/s', better: 'higher' });
  const form = { id: 'bench', version: 1, fields: formulaForm } as never;
  const record = formulaData();
  const ctx = { now: new Date(), timeZone: 'Asia/Shanghai' };
  const perRecord = perSecond(() => computeFormulas(form, record, ctx), minMs);
  figures.push({ scenario: 'S7 formula engine', metric: 'records/s (5 formulas + 10 row formulas)', subject: perRecord, unit: 'ops/s', better: 'higher', note: `${Math.round(perRecord * 15).toLocaleString('en')} formula evaluations/s` });

  // Compiling a 200-field definition: a fresh id per run, so nothing is served from the per-form caches.
  const runs = options.quick ? 5 : 15;
  const times: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const def = wideDefinition(`wide-${i}-${Date.now()}`);
    const t0 = performance.now();
    const checked = checkFormDefinition(def);
    if (!checked.ok) throw new Error(`wide definition refused: ${JSON.stringify(checked.errors.slice(0, 3))}`);
    buildRecordSchema(def as never);
    validateRecord(def as never, { f0: 'x' }, ctx);
    if (i > 0) times.push(performance.now() - t0); // the first run also pays module warm-up
  }
  figures.push({
    scenario: 'S8 compile a 200-field definition',
    metric: 'check + schema + ajv compile (median)',
    subject: median(times),
    unit: 'ms',
    better: 'lower',
    target: '< 50 ms',
    pass: median(times) < 50,
  });
  return figures;
}
