import type { TenantDb } from '../platform/tenant-db.ts';
import { ApiError } from '../http/problem.ts';
import { DuplicateKeyError } from '../store/port.ts';
import type { Contribution, Contributions } from './contributions.ts';
import { EPSILON, LEDGER_BALANCES, parseConstraint, type BalanceDoc, type LedgerConstraint, type LedgerDoc } from './model.ts';

const tidy = (n: number) => (Number.isInteger(n) ? n : Number(n.toPrecision(15)));

export function nameOf(name: unknown): string {
  if (typeof name === 'string') return name;
  if (name && typeof name === 'object') {
    const n = name as Record<string, unknown>;
    return String(n['zh-CN'] ?? n.en ?? Object.values(n)[0] ?? '');
  }
  return '';
}

function holds(c: LedgerConstraint, balance: number): boolean {
  const tol = EPSILON * Math.max(1, Math.abs(c.bound));
  switch (c.op) {
    case '>=':
      return balance >= c.bound - tol;
    case '>':
      return balance > c.bound - tol;
    case '<=':
      return balance <= c.bound + tol;
    case '<':
      return balance < c.bound + tol;
  }
}

/** Constraints that a change of this sign can break (a receipt never breaks `balance >= 0`). */
function worsenedBy(constraints: LedgerConstraint[], amount: number) {
  return constraints.filter((c) => (c.op[0] === '>' ? amount < 0 : amount > 0));
}

/**
 * The store filter on `balance` under which adding `amount` keeps every constraint: applying the change with this
 * filter is one conditional increment, so two concurrent shipments of the last unit cannot both pass (on MongoDB the
 * check and the write are one atomic operation; the embedded store runs transactions one at a time anyway).
 */
function guardFor(constraints: LedgerConstraint[], amount: number): Record<string, number> | null {
  const guard: Record<string, number> = {};
  for (const c of constraints) {
    const limit = c.bound - amount;
    const tol = EPSILON * Math.max(1, Math.abs(c.bound));
    const op = { '>=': '$gte', '>': '$gt', '<=': '$lte', '<': '$lt' }[c.op];
    const value = c.op[0] === '>' ? limit - tol : limit + tol;
    const current = guard[op];
    guard[op] = current === undefined ? value : c.op[0] === '>' ? Math.max(current, value) : Math.min(current, value);
  }
  return Object.keys(guard).length ? guard : null;
}

export function constraintError(ledger: LedgerDoc, constraint: LedgerConstraint, balance: number, change: Contribution, quantityField?: string): ApiError {
  const after = balance + change.amount;
  const shortfall = tidy(constraint.op[0] === '>' ? constraint.bound - after : after - constraint.bound);
  const keyText = Object.entries(change.keys)
    .map(([k, v]) => `${k}=${v === null ? '(none)' : String(v)}`)
    .join(', ');
  const title = `ledger "${nameOf(ledger.name)}" would break ${constraint.text} for ${keyText}: balance ${tidy(balance)}, change ${tidy(change.amount)}, short by ${shortfall}`;
  return new ApiError(409, 'ledger_constraint', title, {
    ledgerId: ledger._id,
    ledger: ledger.name,
    keys: change.keys,
    balance: tidy(balance),
    change: tidy(change.amount),
    shortfall,
    constraint: constraint.text,
    errors: [{ field: quantityField ?? '', code: 'ledger_constraint', message: title }],
  });
}

/** Apply per-key changes to the kept balances; throws 409 `ledger_constraint` (nothing applied is committed then). */
export async function applyDelta(tx: TenantDb, ledger: LedgerDoc, delta: Contributions, now: string, quantityField?: string) {
  const constraints = ledger.constraints.map(parseConstraint).filter((c): c is LedgerConstraint => c !== null);
  const balances = tx.collection<BalanceDoc>(LEDGER_BALANCES);
  // A fixed order keeps two transactions touching the same keys from deadlocking on MongoDB.
  const entries = [...delta].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [id, change] of entries) {
    const relevant = worsenedBy(constraints, change.amount);
    const guard = guardFor(relevant, change.amount);
    for (let attempt = 0; ; attempt++) {
      const res = await balances.updateOne({ _id: id, ...(guard ? { balance: guard } : {}) }, { $inc: { balance: change.amount }, $set: { updatedAt: now } });
      if (res.matchedCount === 1) break;
      const existing = await balances.findOne({ _id: id });
      if (existing) {
        const broken = relevant.find((c) => !holds(c, existing.balance + change.amount)) ?? relevant[0];
        throw constraintError(ledger, broken, existing.balance, change, quantityField);
      }
      const broken = relevant.find((c) => !holds(c, change.amount));
      if (broken) throw constraintError(ledger, broken, 0, change, quantityField);
      try {
        await balances.insertOne({ _id: id, ledgerId: ledger._id, keys: change.keys, balance: change.amount, updatedAt: now });
        break;
      } catch (err) {
        // Another writer created the key first: go round and apply the change to its document.
        if (!(err instanceof DuplicateKeyError) || attempt >= 2) throw err;
      }
    }
  }
}
