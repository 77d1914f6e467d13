import type { FastifyInstance } from 'fastify';
import type { Services } from './platform/context.ts';

/** Extra health sections contributed by modules (e.g. the workflow sweeper's stuck instances). */
export type HealthProbe = () => Promise<Record<string, unknown>>;

export function registerHealthRoute(app: FastifyInstance, services: Services, probes: HealthProbe[] = []) {
  app.get('/api/v1/health', { config: { public: true }, schema: { tags: ['health'] } }, async () => {
    const sections = await Promise.all(probes.map((p) => p()));
    return { status: 'ok', store: services.store.kind, queue: services.queue.kind, ...Object.assign({}, ...sections) };
  });
}
