import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import type { Services } from '../platform/context.ts';
import { newId } from '../platform/ids.ts';
import { ApiError, unauthorized, conflict, badRequest } from '../http/problem.ts';
import { DuplicateKeyError } from '../store/port.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { LoginThrottle } from './login-throttle.ts';
import { issueSession, membershipId, revokeSession, type MembershipDoc, type TenantDoc, type UserDoc } from './sessions.ts';

const email = { type: 'string', format: 'email', maxLength: 254 } as const;
const password = { type: 'string', minLength: 8, maxLength: 256 } as const;

const signupBody = {
  type: 'object',
  required: ['email', 'password', 'name', 'tenantName'],
  additionalProperties: false,
  properties: {
    email,
    password,
    name: { type: 'string', minLength: 1, maxLength: 100 },
    tenantName: { type: 'string', minLength: 1, maxLength: 100 },
  },
} as const;

const loginBody = {
  type: 'object',
  required: ['email', 'password'],
  additionalProperties: false,
  properties: { email: { type: 'string', maxLength: 254 }, password: { type: 'string', maxLength: 256 }, tenantId: { type: 'string', maxLength: 64 } },
} as const;

const switchBody = {
  type: 'object',
  required: ['tenantId'],
  additionalProperties: false,
  properties: { tenantId: { type: 'string', maxLength: 64 } },
} as const;

export const publicUser = (u: UserDoc) => ({ id: u._id, email: u.email, name: u.name });
export const publicTenant = (t: TenantDoc) => ({ id: t._id, name: t.name, timeZone: t.timeZone });

export async function tenantsOf(services: Services, userId: string) {
  const memberships = await services.store.collection<MembershipDoc>('memberships').find({ userId, disabled: { $ne: true } }, { sort: { joinedAt: 1 } });
  const tenants = await services.store.collection<TenantDoc>('tenants').find({ _id: { $in: memberships.map((m) => m.tenantId) } });
  const byId = new Map(tenants.map((t) => [t._id, t]));
  return memberships
    .filter((m) => byId.has(m.tenantId))
    .map((m) => ({ ...publicTenant(byId.get(m.tenantId)!), role: m.role }));
}

export function registerAuthRoutes(app: FastifyInstance, services: Services) {
  const { store, config } = services;
  const throttle = new LoginThrottle();
  // A real hash to compare against when the account does not exist, so timing does not reveal which emails exist.
  const decoyHash = hashPassword('decoy-password-for-timing');

  app.post<{ Body: FromSchema<typeof signupBody> }>(
    '/api/v1/auth/signup',
    { config: { public: true }, schema: { tags: ['auth'], body: signupBody } },
    async (request, reply) => {
      const { name, tenantName } = request.body;
      const emailLower = request.body.email.trim().toLowerCase();
      const passwordHash = await hashPassword(request.body.password);
      const now = new Date().toISOString();
      const user: UserDoc = { _id: newId(), email: emailLower, name, passwordHash, createdAt: now };
      const tenant: TenantDoc = { _id: newId(), name: tenantName, ownerId: user._id, timeZone: 'Asia/Shanghai', createdAt: now };
      try {
        await store.transaction(async (tx) => {
          await tx.collection<UserDoc>('users').insertOne(user);
          await tx.collection<TenantDoc>('tenants').insertOne(tenant);
          await tx.collection<MembershipDoc>('memberships').insertOne({
            _id: membershipId(tenant._id, user._id),
            tenantId: tenant._id,
            userId: user._id,
            role: 'owner',
            joinedAt: now,
          });
        });
      } catch (err) {
        if (err instanceof DuplicateKeyError) throw conflict('email_taken', 'an account with this email already exists', { field: 'email' });
        throw err;
      }
      const token = await issueSession(store, user._id, tenant._id, config.tokenTtlMs);
      return reply.status(201).send({ token, user: publicUser(user), tenant: { ...publicTenant(tenant), role: 'owner' } });
    },
  );

  app.post<{ Body: FromSchema<typeof loginBody> }>(
    '/api/v1/auth/login',
    { config: { public: true }, schema: { tags: ['auth'], body: loginBody } },
    async (request) => {
      const account = request.body.email.trim().toLowerCase();
      const refusal = throttle.check(account, request.ip);
      if (refusal) throw new ApiError(429, refusal, 'too many failed login attempts; try again later');
      const user = await store.collection<UserDoc>('users').findOne({ email: account });
      const ok = user?.passwordHash
        ? await verifyPassword(user.passwordHash, request.body.password)
        : (await verifyPassword(await decoyHash, request.body.password), false);
      if (!user || !ok) {
        throttle.recordFailure(account, request.ip);
        throw new ApiError(401, 'invalid_credentials', 'wrong email or password');
      }
      const tenants = await tenantsOf(services, user._id);
      const wanted = request.body.tenantId;
      const tenant = wanted ? tenants.find((t) => t.id === wanted) : tenants.find((t) => t.role === 'owner') ?? tenants[0];
      if (!tenant) throw new ApiError(401, wanted ? 'not_a_member' : 'no_active_tenant', 'this account has no active membership in that tenant');
      const token = await issueSession(store, user._id, tenant.id, config.tokenTtlMs);
      return { token, user: publicUser(user), tenant, tenants };
    },
  );

  app.get('/api/v1/auth/me', { schema: { tags: ['auth'] } }, async (request) => {
    const user = await store.collection<UserDoc>('users').findOne({ _id: request.caller.userId });
    if (!user) throw unauthorized();
    const tenants = await tenantsOf(services, user._id);
    return { user: publicUser(user), tenant: tenants.find((t) => t.id === request.caller.tenantId), tenants, role: request.caller.role };
  });

  app.post<{ Body: FromSchema<typeof switchBody> }>('/api/v1/auth/switch', { schema: { tags: ['auth'], body: switchBody } }, async (request) => {
    if (request.caller.via !== 'session') throw badRequest('not_a_session', 'only signed-in users can switch tenants');
    const tenants = await tenantsOf(services, request.caller.userId);
    const tenant = tenants.find((t) => t.id === request.body.tenantId);
    if (!tenant) throw new ApiError(404, 'not_found', 'tenant not found');
    const token = await issueSession(store, request.caller.userId, tenant.id, config.tokenTtlMs);
    return { token, tenant };
  });

  app.post('/api/v1/auth/logout', { schema: { tags: ['auth'] } }, async (request, reply) => {
    const header = request.headers.authorization ?? '';
    if (request.caller.via === 'session') await revokeSession(store, header.slice(7).trim());
    return reply.status(204).send();
  });
}
