import type { RecordChange, RecordHook } from '../platform/context.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import type { FormDoc } from '../forms/store.ts';
import { applyDelta } from './balances.ts';
import { addContributions, deltaOf, type Contributions } from './contributions.ts';
import { LEDGERS, type LedgerDoc } from './model.ts';

type Data = Record<string, unknown> | undefined;
const dataOf = (doc: Record<string, unknown> | undefined): Data => (doc?.data as Data) ?? undefined;

/**
 * Record hook keeping every ledger fed by the written form exact: the old and new contributions of the record
 * are compared and only the difference is applied, inside the write's own unit of work, so a refused change
 * (a broken constraint) refuses the whole write.
 */
export const ledgerRecordHook: RecordHook = async (tx: TenantDb, change: RecordChange) => {
  const ledgers = await tx.cachedFind<LedgerDoc>(LEDGERS, { sourceFormIds: change.formId });
  if (ledgers.length === 0) return;
  let form: FormDoc | null | undefined;
  const needsForm = ledgers.some((l) => l.sources.some((s) => s.formId === change.formId && s.filter !== undefined && s.filter !== null));
  if (needsForm) form = await tx.collection<FormDoc>('forms').findOne({ _id: change.formId });
  const before = change.kind === 'updated' || change.kind === 'deleted' ? dataOf(change.before) : undefined;
  const after = change.kind === 'updated' || change.kind === 'created' || change.kind === 'restored' ? dataOf(change.after) : undefined;
  const now = new Date().toISOString();
  for (const ledger of ledgers) {
    const sources = ledger.sources.filter((s) => s.formId === change.formId);
    const was: Contributions = new Map();
    const is: Contributions = new Map();
    for (const source of sources) {
      addContributions(was, ledger, source, before, form ?? undefined);
      addContributions(is, ledger, source, after, form ?? undefined);
    }
    const delta = deltaOf(was, is);
    if (delta.size) await applyDelta(tx, ledger, delta, now, sources[0]?.quantity.split('.')[0]);
  }
};
