import type { Store } from '../store/port.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import { LEDGER_BALANCES, LEDGERS, type BalanceDoc, type LedgerDoc } from './model.ts';

export { registerLedgerRoutes } from './routes.ts';
export { ledgerRecordHook } from './hook.ts';
export { checkLedger, type LedgerInput } from './definition.ts';
export { recount, rebuild, check } from './recount.ts';
export { LEDGERS, LEDGER_BALANCES, balanceId, publicLedger, type LedgerDoc, type BalanceDoc, type LedgerSource } from './model.ts';

export async function ensureLedgerIndexes(store: Store) {
  await store.collection(LEDGERS).createIndex({ keys: { tenantId: 1, sourceFormIds: 1 }, name: 'ledgers_by_source' });
  await store.collection(LEDGERS).createIndex({ keys: { tenantId: 1, appId: 1 }, name: 'ledgers_by_app' });
  await store.collection(LEDGER_BALANCES).createIndex({ keys: { tenantId: 1, ledgerId: 1, _id: 1 }, name: 'balances_by_ledger' });
}

/** Balances of a ledger whose keys equal `keys` (every given key must match), for automations and formulas. */
export async function findBalances(db: TenantDb, ledgerId: string, keys: Record<string, unknown>, limit = 1000) {
  const ledger = await db.collection<LedgerDoc>(LEDGERS).findOne({ _id: ledgerId });
  if (!ledger) return null;
  const filter: Record<string, unknown> = { ledgerId };
  for (const [k, v] of Object.entries(keys)) filter[`keys.${k}`] = v ?? null;
  const rows = await db.collection<BalanceDoc>(LEDGER_BALANCES).find(filter, { sort: { _id: 1 }, limit });
  return rows.map((b) => ({ ...b.keys, balance: b.balance }));
}
