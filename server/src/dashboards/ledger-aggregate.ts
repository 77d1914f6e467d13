import type { FastifyRequest } from 'fastify';
import type { Filter, Store } from '../store/port.ts';
import { isAdmin } from '../platform/context.ts';
import { ApiError, forbidden, notFound } from '../http/problem.ts';
import type { FieldDef, FormDoc } from '../forms/store.ts';
import { compileFilter } from '../records/query.ts';
import { accessFor, callerOrg, type FormAccess } from '../access/index.ts';
import { LEDGER_BALANCES, LEDGERS, type LedgerDoc } from '../ledgers/index.ts';
import type { AggregateSpec } from './aggregate-spec.ts';
import { buildPlan, type AggregatePlan } from './aggregate-plan.ts';
import { runAggregate, type AggregateResult } from './aggregate-run.ts';
import type { AggregateSource, ValueKind } from './source-fields.ts';
import { and } from './form-aggregate.ts';
import { tenantZone } from './tenant-zone.ts';
import { collectFieldRefs } from './dashboard-filter.ts';

export interface ReadableLedger {
  ledger: LedgerDoc;
  forms: Map<string, FormDoc>;
  /** The caller's access to each source form they may view (every source form for admins). */
  viewable: FormAccess[];
}

/**
 * A ledger the caller may read, under the ledger module's rule for its balances: admins, and members who may
 * view at least one of its source forms; outside an API token's apps or the tenant it does not exist.
 */
export async function readableLedger(request: FastifyRequest, ledgerId: string): Promise<ReadableLedger> {
  const ledger = await request.db.collection<LedgerDoc>(LEDGERS).findOne({ _id: ledgerId });
  const tokenApps = request.caller.scope?.appIds;
  if (!ledger || (tokenApps && !tokenApps.includes(ledger.appId))) throw notFound('ledger');
  const forms = new Map((await request.db.collection<FormDoc>('forms').find({ _id: { $in: ledger.sourceFormIds } })).map((f) => [f._id, f]));
  const viewable: FormAccess[] = [];
  for (const form of forms.values()) {
    const access = await accessFor(request, form);
    if (access.can('view')) viewable.push(access);
  }
  if (!isAdmin(request.caller) && viewable.length === 0) throw forbidden('you have no access to this ledger');
  return { ledger, forms, viewable };
}

const LEDGER_COLUMNS: Record<string, { path: string; kind: ValueKind }> = {
  balance: { path: 'balance', kind: 'number' },
  updatedAt: { path: 'updatedAt', kind: 'datetime' },
};

function sourceFieldOf(form: FormDoc | undefined, path: string): FieldDef | undefined {
  if (!form) return undefined;
  const [head, column] = path.split('.');
  const field = form.fields.find((f) => f.id === head);
  return column === undefined ? field : field?.fields?.find((c) => c.id === column);
}

/** A key's values take the kind of the field feeding it in the first source (dates can then be bucketed). */
function keyKind(r: ReadableLedger, key: string): ValueKind {
  for (const source of r.ledger.sources) {
    const field = sourceFieldOf(r.forms.get(source.formId), source.keys[key] ?? '');
    if (!field) continue;
    if (field.type === 'date') return 'date';
    if (field.type === 'number' || field.type === 'money') return 'number';
    return field.type === 'formula' ? 'any' : field.type === 'member' || field.type === 'department' || field.type === 'relation' ? 'id' : 'text';
  }
  return 'any';
}

/** Balances of one ledger: its keys (`product`), `balance` and `updatedAt`. */
export function ledgerSource(r: ReadableLedger): AggregateSource {
  return {
    collection: LEDGER_BALANCES,
    lookup(ref) {
      if (r.ledger.keys.includes(ref)) return { ok: true, field: { ref, kind: keyKind(r, ref), path: `keys.${ref}`, multi: false } };
      const column = Object.prototype.hasOwnProperty.call(LEDGER_COLUMNS, ref) ? LEDGER_COLUMNS[ref] : undefined;
      if (column) return { ok: true, field: { ref, ...column, multi: false } };
      return { ok: false, code: 'unknown_field', message: `the ledger has no key or column ${ref} (keys: ${r.ledger.keys.join(', ')}; columns: balance, updatedAt)` };
    },
  };
}

/**
 * Hidden fields stay hidden through a ledger: grouping by a key, or aggregating the balance, is refused when the
 * form field feeding it is hidden from the caller in a source form they view.
 */
export function assertLedgerFieldsVisible(r: ReadableLedger, refs: string[]) {
  const refused = new Set<string>();
  for (const access of r.viewable) {
    for (const source of r.ledger.sources.filter((s) => s.formId === access.formId)) {
      for (const ref of refs) {
        const feeding = ref === 'balance' ? source.quantity : source.keys[ref];
        if (feeding && access.isHidden(feeding.split('.')[0])) refused.add(ref);
      }
    }
  }
  if (refused.size) {
    throw new ApiError(403, 'forbidden_field', `you cannot query by ${[...refused].join(', ')}`, {
      errors: [...refused].map((field) => ({ field, code: 'forbidden_field', message: 'a field feeding this column is hidden from you' })),
    });
  }
}

/** A stand-in form over the balance documents so ledger filters use the one condition compiler. */
function ledgerForm(r: ReadableLedger): FormDoc {
  const typeOf = (kind: ValueKind) => (kind === 'number' ? 'number' : kind === 'date' ? 'date' : 'text');
  const fields: FieldDef[] = r.ledger.keys.map((k) => ({ id: k, type: typeOf(keyKind(r, k)), label: k }));
  if (!r.ledger.keys.includes('balance')) fields.push({ id: 'balance', type: 'number', label: 'balance' });
  return { _id: r.ledger._id, appId: r.ledger.appId, name: r.ledger.name, version: 1, fields, createdAt: '', updatedAt: '', createdBy: '' };
}

/** Re-root a compiled filter from `data.<x>` to where balances keep it (`keys.<key>`, `balance`). */
function rerootLedgerFilter(filter: unknown, keys: readonly string[]): unknown {
  if (Array.isArray(filter)) return filter.map((f) => rerootLedgerFilter(f, keys));
  if (!filter || typeof filter !== 'object') return filter;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(filter)) {
    if (k.startsWith('data.')) {
      const name = k.slice(5);
      out[keys.includes(name) ? `keys.${name}` : name] = v;
    } else out[k] = k.startsWith('$') ? rerootLedgerFilter(v, keys) : v;
  }
  return out;
}

export async function ledgerMatch(store: Store, request: FastifyRequest, r: ReadableLedger, conditions: unknown[]): Promise<Filter> {
  const present = conditions.filter((c) => c !== undefined && c !== null);
  const refs = new Set<string>();
  for (const c of present) collectFieldRefs(c, refs);
  assertLedgerFieldsVisible(r, [...refs]);
  const [org, zone] = await Promise.all([callerOrg(request), tenantZone(store, request)]);
  const ctx = { userId: request.caller.userId, departmentIds: [...org.departmentIds], now: new Date(), timeZone: zone };
  const form = ledgerForm(r);
  const compiled = present.map((c) => rerootLedgerFilter(compileFilter(form, c, ctx), r.ledger.keys) as Filter);
  return and([{ ledgerId: r.ledger._id }, ...compiled]);
}

export interface LedgerAggregate extends AggregateResult {
  plan: AggregatePlan;
}

/** Aggregate a ledger's balances (group by its keys, metrics over `balance`). */
export async function aggregateLedger(store: Store, request: FastifyRequest, r: ReadableLedger, spec: AggregateSpec, extraConditions: unknown[] = []): Promise<LedgerAggregate> {
  const source = ledgerSource(r);
  const plan = buildPlan(source, spec);
  assertLedgerFieldsVisible(r, [...plan.dimensions.map((d) => d.field.ref), ...plan.measures.flatMap((m) => (m.field ? [m.field.ref] : []))]);
  const match = await ledgerMatch(store, request, r, [spec.filter, ...extraConditions]);
  const zone = await tenantZone(store, request);
  return { ...(await runAggregate(request.db, source.collection, plan, match, zone)), plan };
}

