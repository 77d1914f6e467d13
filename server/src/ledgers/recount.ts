import type { TenantDb } from '../platform/tenant-db.ts';
import { recordsCollection, type FormDoc } from '../forms/store.ts';
import type { RecordDoc } from '../records/service.ts';
import { addContributions, type Contributions } from './contributions.ts';
import { LEDGER_BALANCES, sameAmount, type BalanceDoc, type LedgerDoc } from './model.ts';

const PAGE = 2000;

/** The balances as the sources say they are now, read page by page so a large form does not load at once. */
export async function recount(db: TenantDb, ledger: LedgerDoc): Promise<Contributions> {
  const totals: Contributions = new Map();
  for (const source of ledger.sources) {
    const form = await db.collection<FormDoc>('forms').findOne({ _id: source.formId });
    if (!form) continue;
    const records = db.collection<RecordDoc>(recordsCollection(source.formId));
    let after: string | null = null;
    for (;;) {
      const page: RecordDoc[] = await records.find(after ? { _id: { $gt: after } } : {}, { sort: { _id: 1 }, limit: PAGE, projection: { data: 1 } });
      for (const r of page) addContributions(totals, ledger, source, r.data, form);
      if (page.length < PAGE) break;
      after = page[page.length - 1]._id;
    }
  }
  return totals;
}

/** Replace the kept balances with a recount, in the caller's unit of work. */
export async function rebuild(tx: TenantDb, ledger: LedgerDoc): Promise<number> {
  const totals = await recount(tx, ledger);
  const balances = tx.collection<BalanceDoc>(LEDGER_BALANCES);
  await balances.deleteMany({ ledgerId: ledger._id });
  const now = new Date().toISOString();
  const docs: BalanceDoc[] = [...totals].map(([id, c]) => ({ _id: id, ledgerId: ledger._id, keys: c.keys, balance: c.amount, updatedAt: now }));
  for (let i = 0; i < docs.length; i += 1000) await balances.insertMany(docs.slice(i, i + 1000));
  return docs.length;
}

export interface CheckResult {
  ok: boolean;
  keys: number;
  mismatches: { keys: Record<string, unknown>; kept: number; recount: number }[];
}

/** Compare the kept balances with a recount (run it in a transaction for one consistent view). */
export async function check(db: TenantDb, ledger: LedgerDoc): Promise<CheckResult> {
  const totals = await recount(db, ledger);
  const kept = await db.collection<BalanceDoc>(LEDGER_BALANCES).find({ ledgerId: ledger._id });
  const mismatches: CheckResult['mismatches'] = [];
  const seen = new Set<string>();
  for (const b of kept) {
    seen.add(b._id);
    const expected = totals.get(b._id)?.amount ?? 0;
    if (!sameAmount(b.balance, expected)) mismatches.push({ keys: b.keys, kept: b.balance, recount: expected });
  }
  for (const [id, c] of totals) if (!seen.has(id) && !sameAmount(c.amount, 0)) mismatches.push({ keys: c.keys, kept: 0, recount: c.amount });
  return { ok: mismatches.length === 0, keys: new Set([...seen, ...totals.keys()]).size, mismatches };
}
