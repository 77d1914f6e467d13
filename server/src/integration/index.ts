import type { AppModule } from '../http/app.ts';
import type { Services } from '../platform/context.ts';
import type { RecordService } from '../records/service.ts';
import type { WorkflowRuntime } from '../workflow/runtime.ts';
import { Automations, ensureAutomationIndexes } from '../automations/index.ts';
import { ensureLedgerIndexes, ledgerRecordHook, registerLedgerRoutes } from '../ledgers/index.ts';
import { ensureWebhookIndexes, registerWebhookJobs, registerWebhookRoutes, webhookRecordHook } from '../webhooks/index.ts';
import { registerBatchRoutes } from './batch-routes.ts';
import { registerChangesRoutes } from './changes-routes.ts';
import { IDEMPOTENCY_KEYS, registerIdempotency } from './idempotency.ts';
import { sweepLostJobs } from './sweeper.ts';

const SWEEP_EVERY_MS = 60_000;

export { registerIdempotency } from './idempotency.ts';

/**
 * Automations, ledgers, webhooks and the integration API, wired into a server: indexes, record hooks (ledgers first,
 * so a refused write costs little; webhooks last, so they announce what the other hooks decided), queue handlers,
 * the scheduler and the routes. `first` must be the first app module: its hook (Idempotency-Key) covers every route.
 */
export async function installIntegration(services: Services, records: RecordService, workflow: WorkflowRuntime) {
  const { store } = services;
  await ensureLedgerIndexes(store);
  await ensureWebhookIndexes(store);
  await ensureAutomationIndexes(store);
  await store.collection(IDEMPOTENCY_KEYS).createIndex({ keys: { expiresAt: 1 }, name: 'idempotency_expiry' });
  await store.collection('automation_runs').createIndex({ keys: { status: 1, createdAt: 1 }, name: 'runs_waiting' });
  await store.collection('webhook_deliveries').createIndex({ keys: { status: 1, createdAt: 1 }, name: 'deliveries_waiting' });
  await store.collection('record_history').createIndex({ keys: { tenantId: 1, formId: 1, at: 1, _id: 1 }, name: 'history_changes_feed' });

  const automations = new Automations(services, records, workflow);
  services.recordHooks.unshift(ledgerRecordHook);
  automations.install();
  services.recordHooks.push(webhookRecordHook);
  registerWebhookJobs(services);

  let sweeper: NodeJS.Timeout | undefined;
  const first: AppModule = { register: (app) => registerIdempotency(app, store) };
  const modules: AppModule[] = [
    { register: (app) => automations.register(app) },
    { register: (app) => registerLedgerRoutes(app, services) },
    { register: (app) => registerWebhookRoutes(app, services) },
    { register: (app) => registerBatchRoutes(app, services, records) },
    { register: (app) => registerChangesRoutes(app, services) },
  ];
  return {
    automations,
    first,
    modules,
    start() {
      automations.start();
      if (!services.config.runWorkers) return;
      sweeper = setInterval(() => void sweepLostJobs(services).catch((err) => console.error('[integration] sweep failed', err)), SWEEP_EVERY_MS);
      sweeper.unref();
    },
    async stop() {
      if (sweeper) clearInterval(sweeper);
      await automations.stop();
    },
  };
}
