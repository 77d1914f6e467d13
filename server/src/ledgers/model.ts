/**
 * Ledgers (聚合表): declarative running balances over several forms (stock = inbound − shipped,
 * receivable = invoiced − received). Balances are kept in `ledger_balances`, one document per key
 * combination, changed inside the unit of work of every source record write.
 */

export const LEDGERS = 'ledgers';
export const LEDGER_BALANCES = 'ledger_balances';

export interface LedgerSource {
  formId: string;
  /** +1 adds the quantity to the balance, -1 subtracts it. */
  sign: 1 | -1;
  /** A number field (`qty`) or a subform column (`items.qty`: every row counts on its own). */
  quantity: string;
  /** Ledger key → field path giving its value (`product` or `items.product`). */
  keys: Record<string, string>;
  /** Only records matching this condition (the list filter format) count. */
  filter?: unknown;
}

export interface LedgerConstraint {
  /** As written, e.g. `balance >= 0`. */
  text: string;
  op: '>=' | '>' | '<=' | '<';
  bound: number;
}

export interface LedgerDoc {
  _id: string;
  tenantId?: string;
  appId: string;
  name: unknown;
  key?: string;
  keys: string[];
  sources: LedgerSource[];
  constraints: string[];
  /** Denormalized for the record hook's lookup ("which ledgers does this form feed?"). */
  sourceFormIds: string[];
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  [key: string]: unknown;
}

export interface BalanceDoc {
  _id: string;
  tenantId?: string;
  ledgerId: string;
  keys: Record<string, unknown>;
  balance: number;
  updatedAt: string;
  [key: string]: unknown;
}

export const publicLedger = (l: LedgerDoc) => ({
  id: l._id,
  appId: l.appId,
  name: l.name,
  key: l.key,
  keys: l.keys,
  sources: l.sources,
  constraints: l.constraints,
  createdAt: l.createdAt,
  updatedAt: l.updatedAt,
});

export const publicBalance = (b: BalanceDoc) => ({ keys: b.keys, balance: b.balance, updatedAt: b.updatedAt });

const CONSTRAINT = /^\s*balance\s*(>=|>|<=|<)\s*(-?\d+(?:\.\d+)?)\s*$/;

export function parseConstraint(text: string): LedgerConstraint | null {
  const m = CONSTRAINT.exec(text);
  if (!m) return null;
  return { text: text.trim(), op: m[1] as LedgerConstraint['op'], bound: Number(m[2]) };
}

/** One document per ledger and key combination; the key values are part of the id so a balance is found without a scan. */
export function balanceId(ledgerId: string, keys: string[], values: Record<string, unknown>): string {
  return `${ledgerId}|${JSON.stringify(keys.map((k) => values[k] ?? null))}`;
}

/** Floating sums drift (0.1 + 0.2); balances compare within this tolerance, relative to their size. */
export const EPSILON = 1e-9;

export function sameAmount(a: number, b: number): boolean {
  return Math.abs(a - b) <= EPSILON * Math.max(1, Math.abs(a), Math.abs(b));
}
