import type { FastifyRequest } from 'fastify';
import type { Store } from '../store/port.ts';
import type { TenantDoc } from '../auth/sessions.ts';
import { validTimeZone } from './time-buckets.ts';

const perRequest = new WeakMap<FastifyRequest, Promise<string>>();

/** The caller's tenant's time zone (Asia/Shanghai unless the tenant says otherwise), read once per request. */
export function tenantZone(store: Store, request: FastifyRequest): Promise<string> {
  let zone = perRequest.get(request);
  if (!zone) {
    zone = store
      .collection<TenantDoc>('tenants')
      .findOne({ _id: request.caller.tenantId }, { projection: { timeZone: 1 } })
      .then((t) => validTimeZone(t?.timeZone));
    perRequest.set(request, zone);
  }
  return zone;
}
