import type { Store } from '../store/port.ts';

const DEFAULT_TZ = 'Asia/Shanghai';
const TTL_MS = 60_000;
const cache = new Map<string, { tz: string; until: number }>();

/** The tenant's time zone (schedules and date formulas run in it); cached briefly, it rarely changes. */
export async function tenantTimeZone(store: Store, tenantId: string): Promise<string> {
  const hit = cache.get(tenantId);
  if (hit && hit.until > Date.now()) return hit.tz;
  const tenant = await store.collection('tenants').findOne({ _id: tenantId }, { projection: { timeZone: 1 } });
  const tz = typeof tenant?.timeZone === 'string' && tenant.timeZone ? tenant.timeZone : DEFAULT_TZ;
  cache.set(tenantId, { tz, until: Date.now() + TTL_MS });
  return tz;
}

/** The calendar day (YYYY-MM-DD) of an instant in a time zone. */
export function dayIn(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
