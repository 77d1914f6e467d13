import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Caller, Services } from '../platform/context.ts';
import { TenantDb } from '../platform/tenant-db.ts';
import { resolveSession } from '../auth/sessions.ts';
import { installErrorHandling, sendProblem } from './errors.ts';
import { unauthorized } from './problem.ts';

export type TokenResolver = (token: string) => Promise<Caller | null>;

/** A route as registered, for tools that must cover every route (the isolation test walks them all). */
export interface RegisteredRoute {
  method: string;
  url: string;
  public: boolean;
  /** The JSON Schema of the body, if any (lets a walker build a request that passes validation). */
  bodySchema?: unknown;
}

declare module 'fastify' {
  interface FastifyInstance {
    registeredRoutes: RegisteredRoute[];
  }
}

export interface AppModule {
  /** Register routes; called in order after the core plugins. */
  register(app: FastifyInstance, services: Services): void | Promise<void>;
}

export interface BuildOptions {
  services: Services;
  modules: AppModule[];
  /** Extra bearer-token resolvers (API tokens); sessions are always tried first. */
  tokenResolvers?: TokenResolver[];
  logger?: boolean | object;
}

export async function buildApp({ services, modules, tokenResolvers = [], logger }: BuildOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ?? { level: services.config.logLevel },
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    ajv: { customOptions: { allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: true } },
    routerOptions: { maxParamLength: 200 },
  });

  installErrorHandling(app);
  const registeredRoutes: RegisteredRoute[] = [];
  app.decorate('registeredRoutes', registeredRoutes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      registeredRoutes.push({ method, url: route.url, public: (route.config as { public?: boolean } | undefined)?.public === true, bodySchema: route.schema?.body });
    }
  });
  await app.register(helmet, {
    // The SPA loads its own bundles and inline styles from antd; keep the rest of helmet's defaults.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        // ajv compiles validators with new Function in the browser too (the form engine validates as you type).
        scriptSrc: ["'self'", "'unsafe-eval'"],
        connectSrc: ["'self'"],
      },
    },
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Qiao API', version: '1.0.0', description: 'Low-code forms, workflows and template apps' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  const resolvers: TokenResolver[] = [(token) => resolveSession(services.store, token), ...tokenResolvers];
  app.decorateRequest('caller', null as unknown as Caller);
  app.decorateRequest('db', null as unknown as TenantDb);

  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/v1/')) return;
    if (request.routeOptions.config?.public) return;
    if (!request.routeOptions.url) return; // unknown route: let the 404 handler answer
    const header = request.headers.authorization;
    if (!header || !/^bearer /i.test(header)) throw unauthorized();
    const token = header.slice(7).trim();
    let caller: Caller | null = null;
    for (const resolve of resolvers) {
      caller = await resolve(token);
      if (caller) break;
    }
    if (!caller) throw unauthorized('invalid or expired token');
    request.caller = caller;
    request.db = new TenantDb(services.store, caller.tenantId);
  });

  for (const module of modules) await module.register(app, services);

  app.get('/api/docs/json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());

  const webDist = services.config.webDist;
  const hasWeb = existsSync(join(webDist, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, { root: webDist, wildcard: false, index: false });
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    if (path.startsWith('/api/') || request.method !== 'GET') {
      return sendProblem(reply, 404, 'not_found', `no route ${request.method} ${path}`);
    }
    if (hasWeb && !path.startsWith('/assets/')) return reply.type('text/html').sendFile('index.html');
    if (!hasWeb && path === '/') {
      return reply.type('text/html').send('<!doctype html><title>Qiao</title><h1>Qiao 桥</h1><p>The web app is not built yet: run <code>npm run build:web</code>.</p>');
    }
    return sendProblem(reply, 404, 'not_found', `no route ${request.method} ${path}`);
  });

  return app;
}
