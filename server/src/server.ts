import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from './config.ts';
import { createStore } from './store/index.ts';
import { createQueue, OutboxRelay } from './queue/index.ts';
import { buildApp, type AppModule } from './http/app.ts';
import type { Services } from './platform/context.ts';
import { ensureAuthIndexes } from './auth/sessions.ts';
import { registerAuthRoutes } from './auth/routes.ts';
import { registerAppRoutes } from './apps/routes.ts';
import { registerFormRoutes } from './forms/routes.ts';
import { registerRecordRoutes } from './records/routes.ts';
import { ensureRecordServiceIndexes, RecordService } from './records/service.ts';
import { registerHealthRoute } from './health.ts';
import { ensureOrgIndexes, registerOrgRoutes } from './org/index.ts';
import { ensurePermissionGroupIndexes, registerPermissionGroupRoutes } from './access/index.ts';
import { audit, ensureAuditIndexes, registerAuditRoutes } from './audit/index.ts';
import { apiTokenResolver, ensureTokenIndexes, registerTokenRoutes } from './tokens/index.ts';
import { WorkflowRuntime } from './workflow/runtime.ts';
import { ensureWorkflowIndexes } from './workflow/store.ts';
import { registerWorkflowDefinitionRoutes } from './workflow/definition-routes.ts';
import { registerTaskRoutes } from './workflow/task-routes.ts';
import { registerWorkflowEventRoutes } from './workflow/events-route.ts';
import { registerImportExportRoutes } from './records/import-export.ts';
import { ensureFileIndexes } from './files/store.ts';
import { registerFileRoutes } from './files/routes.ts';
import { ensurePublicLinkIndexes } from './public-links/model.ts';
import { registerPublicLinkRoutes } from './public-links/routes.ts';
import { registerLinkageRoutes } from './forms/linkage.ts';
import { registerRelatedRoutes } from './forms/related-routes.ts';
import { ensureDashboardIndexes, registerDashboardModule } from './dashboards/index.ts';
import { ensureTemplateIndexes, registerTemplateRoutes } from './templates/index.ts';
import { registerViewRoutes } from './views/index.ts';
import { installIntegration } from './integration/index.ts';

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  workflow: WorkflowRuntime;
  records: RecordService;
  /** Stop accepting requests, drain workers, close the store. */
  close(): Promise<void>;
}

/** Wire the store, the queue, the outbox relay and every module into one Fastify app (not yet listening). */
export async function createServer(overrides: Partial<Config> = {}): Promise<RunningServer> {
  const config = { ...loadConfig(), ...overrides };
  const store = await createStore({ dataDir: config.dataDir, mongodbUrl: config.mongodbUrl });
  const queue = createQueue({ store, redisUrl: config.redisUrl, prefix: config.queuePrefix });
  const relay = new OutboxRelay({ store, queue });
  const services: Services = { config, store, queue, notifyOutbox: () => relay.notify(), recordHooks: [] };

  await ensureAuthIndexes(store);
  await ensureRecordServiceIndexes(services);
  await ensureOrgIndexes(store);
  await ensurePermissionGroupIndexes(services);
  await ensureAuditIndexes(store);
  await ensureTokenIndexes(services);
  await ensureWorkflowIndexes(store);
  await ensureFileIndexes(store);
  await ensurePublicLinkIndexes(store);
  await ensureDashboardIndexes(store);
  await ensureTemplateIndexes(store);

  const records = new RecordService(services);
  const workflow = new WorkflowRuntime(services, records);
  services.recordHooks.push(workflow.onRecordChange);
  workflow.registerJobs();
  // Automations, ledgers, webhooks, batch/changes API and Idempotency-Key (its hook module goes first).
  const integration = await installIntegration(services, records, workflow);

  const modules: AppModule[] = [
    integration.first,
    { register: (app) => registerHealthRoute(app, services, [async () => ({ workflow: workflow.sweepStats })]) },
    { register: (app) => registerAuthRoutes(app, services) },
    { register: (app) => registerAppRoutes(app, services) },
    { register: (app) => registerFormRoutes(app, services) },
    { register: (app) => registerRecordRoutes(app, services, records) },
    { register: (app) => registerImportExportRoutes(app, services, records) },
    { register: (app) => registerFileRoutes(app, services) },
    { register: (app) => registerPublicLinkRoutes(app, services, records) },
    { register: (app) => registerLinkageRoutes(app, services) },
    { register: (app) => registerRelatedRoutes(app, services) },
    { register: (app) => registerOrgRoutes(app, services) },
    { register: (app) => registerPermissionGroupRoutes(app, services) },
    { register: (app) => registerAuditRoutes(app, services) },
    { register: (app) => registerTokenRoutes(app, services) },
    { register: (app) => registerWorkflowDefinitionRoutes(app, services, audit) },
    { register: (app) => registerTaskRoutes(app, services, workflow) },
    { register: (app) => registerWorkflowEventRoutes(app, services) },
    { register: (app) => registerDashboardModule(app, services) },
    ...integration.modules,
    { register: (app) => registerTemplateRoutes(app, services) },
    { register: (app) => registerViewRoutes(app, services) },
  ];
  const app = await buildApp({ services, modules, tokenResolvers: [apiTokenResolver(services)] });

  if (config.runWorkers) await queue.start();
  relay.start();
  integration.start();
  // Every worker sweeps; dispatch is compare-and-set, so two sweepers repairing one instance advance it once.
  const sweeper = config.runWorkers ? setInterval(() => void workflow.sweep().catch((err) => app.log.error({ err }, 'workflow sweep failed')), config.sweepIntervalMs) : null;
  sweeper?.unref();

  return {
    app,
    services,
    workflow,
    records,
    async close() {
      if (sweeper) clearInterval(sweeper);
      await integration.stop();
      await app.close();
      await relay.stop();
      await queue.close();
      await store.close();
    },
  };
}
