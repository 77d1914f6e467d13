import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../store/port.ts';
import { DuplicateKeyError } from '../store/port.ts';
import { ApiError } from '../http/problem.ts';

export const IDEMPOTENCY_KEYS = 'idempotency_keys';
const TTL_MS = 24 * 60 * 60 * 1000;
/** A key whose request never finished (its process died) is given up after this long. */
const PENDING_MS = 60_000;
const MAX_KEY = 200;
const MAX_STORED_BODY = 2 * 1024 * 1024;

interface KeyDoc {
  _id: string;
  tenantId?: string;
  state: 'pending' | 'done';
  fingerprint: string;
  status?: number;
  contentType?: string;
  body?: string;
  createdAt: number;
  expiresAt: number;
  [key: string]: unknown;
}

const claimed = new WeakMap<FastifyRequest, string>();

function fingerprintOf(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');
}

/**
 * `Idempotency-Key` on POST: the first response per (tenant, key) is kept for 24 hours and replayed to retries
 * (with `Idempotent-Replayed: true`), so a client that lost the answer can retry without creating a duplicate.
 * The same key with another request is refused (422); a retry while the first is still running gets 409.
 * 5xx answers are not kept: the request did not take effect and may be retried.
 */
export function registerIdempotency(app: FastifyInstance, store: Store) {
  let nextPrune = 0;
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'POST') return;
    const header = request.headers['idempotency-key'];
    if (typeof header !== 'string' || header === '' || !request.caller) return;
    if (header.length > MAX_KEY) throw new ApiError(400, 'invalid_idempotency_key', `an Idempotency-Key has at most ${MAX_KEY} characters`);
    const keys = request.db.collection<KeyDoc>(IDEMPOTENCY_KEYS);
    const id = `${request.caller.tenantId}:${header}`;
    const fingerprint = fingerprintOf(request);
    const now = Date.now();
    if (now >= nextPrune) {
      nextPrune = now + 60_000;
      await store.collection(IDEMPOTENCY_KEYS).deleteMany({ expiresAt: { $lt: now } });
    }
    const existing = await keys.findOne({ _id: id });
    if (existing) {
      const abandoned = existing.state === 'pending' && existing.createdAt + PENDING_MS < now;
      if (existing.expiresAt > now && !abandoned) {
        if (existing.fingerprint !== fingerprint) {
          throw new ApiError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for another request', { errors: [{ field: 'Idempotency-Key', code: 'idempotency_key_reused', message: 'use a new key for a new request' }] });
        }
        if (existing.state === 'pending') throw new ApiError(409, 'idempotency_in_progress', 'a request with this Idempotency-Key is still being processed');
        reply.header('idempotent-replayed', 'true');
        if (existing.contentType) reply.header('content-type', existing.contentType);
        return reply.code(existing.status ?? 200).send(existing.body ?? '');
      }
      await keys.deleteOne({ _id: id, createdAt: existing.createdAt });
    }
    try {
      await keys.insertOne({ _id: id, state: 'pending', fingerprint, createdAt: now, expiresAt: now + TTL_MS });
    } catch (err) {
      if (err instanceof DuplicateKeyError) throw new ApiError(409, 'idempotency_in_progress', 'a request with this Idempotency-Key is still being processed');
      throw err;
    }
    claimed.set(request, id);
  });

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const id = claimed.get(request);
    if (!id) return payload;
    claimed.delete(request);
    const keys = request.db.collection<KeyDoc>(IDEMPOTENCY_KEYS);
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
    if (reply.statusCode >= 500 || body === null || body.length > MAX_STORED_BODY) {
      await keys.deleteOne({ _id: id });
      return payload;
    }
    const contentType = reply.getHeader('content-type');
    await keys.updateOne({ _id: id }, { $set: { state: 'done', status: reply.statusCode, body, ...(contentType ? { contentType: String(contentType) } : {}) } });
    return payload;
  });
}
