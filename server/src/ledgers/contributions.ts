import { matchCondition } from '@qiao/form-engine';
import type { FormDoc } from '../forms/store.ts';
import { balanceId, type LedgerDoc, type LedgerSource } from './model.ts';

export interface Contribution {
  keys: Record<string, unknown>;
  amount: number;
}

/** Per balance id: what the record adds to the ledger through `source`. */
export type Contributions = Map<string, Contribution>;

const TZ = 'Asia/Shanghai';

function subformOf(path: string): { subform: string; column: string } | null {
  const dot = path.indexOf('.');
  return dot === -1 ? null : { subform: path.slice(0, dot), column: path.slice(dot + 1) };
}

function amountOf(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return 0;
}

function keyValue(value: unknown): unknown {
  return value === undefined || value === '' ? null : value;
}

/** Adds what `data` contributes through `source` to `into` (rows of a subform count one by one). */
export function addContributions(into: Contributions, ledger: LedgerDoc, source: LedgerSource, data: Record<string, unknown> | undefined, form?: FormDoc) {
  if (!data) return;
  if (source.filter !== undefined && source.filter !== null && !matchCondition(source.filter, data, { form: form as never, timeZone: TZ })) return;
  const add = (keys: Record<string, unknown>, qty: number) => {
    if (qty === 0) return;
    const id = balanceId(ledger._id, ledger.keys, keys);
    const entry = into.get(id);
    if (entry) entry.amount += source.sign * qty;
    else into.set(id, { keys, amount: source.sign * qty });
  };
  const quantity = subformOf(source.quantity);
  if (!quantity) {
    const keys: Record<string, unknown> = {};
    for (const k of ledger.keys) keys[k] = keyValue(data[source.keys[k]]);
    add(keys, amountOf(data[source.quantity]));
    return;
  }
  const rows = data[quantity.subform];
  if (!Array.isArray(rows)) return;
  for (const row of rows) {
    if (!row || typeof row !== 'object') continue;
    const cells = row as Record<string, unknown>;
    const keys: Record<string, unknown> = {};
    for (const k of ledger.keys) {
      const path = source.keys[k];
      const column = subformOf(path);
      keys[k] = keyValue(column ? cells[column.column] : data[path]);
    }
    add(keys, amountOf(cells[quantity.column]));
  }
}

/** after − before, per balance id; ids whose change nets to zero are dropped. */
export function deltaOf(before: Contributions, after: Contributions): Contributions {
  const out: Contributions = new Map();
  for (const [id, c] of after) out.set(id, { keys: c.keys, amount: c.amount });
  for (const [id, c] of before) {
    const entry = out.get(id);
    if (entry) entry.amount -= c.amount;
    else out.set(id, { keys: c.keys, amount: -c.amount });
  }
  for (const [id, c] of out) if (c.amount === 0 || Math.abs(c.amount) < 1e-12) out.delete(id);
  return out;
}
