import type { FastifyInstance } from 'fastify';
import type { Services } from '../platform/context.ts';
import type { Store } from '../store/port.ts';
import type { RecordService } from '../records/service.ts';
import { JOB_AUTOMATION, type WorkflowRuntime } from '../workflow/runtime.ts';
import { ActionExecutor } from './executor.ts';
import { AUTOMATION_RUNS, AUTOMATIONS, JOB_AUTOMATION_RUN } from './model.ts';
import { WorkflowNodeRunner } from './node-runner.ts';
import { registerAutomationRoutes } from './routes.ts';
import { AutomationRunner } from './runner.ts';
import { AutomationScheduler } from './scheduler.ts';
import { AutomationTriggers, type Logger } from './triggers.ts';

export { AUTOMATIONS, AUTOMATION_RUNS, JOB_AUTOMATION_RUN, MAX_DEPTH, type AutomationDoc, type RunDoc } from './model.ts';
export { checkAutomation, type AutomationInput } from './check.ts';

export async function ensureAutomationIndexes(store: Store) {
  await store.collection(AUTOMATIONS).createIndex({ keys: { tenantId: 1, triggerFormId: 1, triggerKind: 1 }, name: 'automations_by_trigger' });
  await store.collection(AUTOMATIONS).createIndex({ keys: { tenantId: 1, appId: 1 }, name: 'automations_by_app' });
  await store.collection(AUTOMATIONS).createIndex({ keys: { triggerKind: 1, enabled: 1, nextRunAt: 1 }, name: 'automations_due' });
  await store.collection(AUTOMATION_RUNS).createIndex({ keys: { tenantId: 1, automationId: 1, createdAt: -1 }, name: 'runs_by_automation' });
  await store.collection(AUTOMATION_RUNS).createIndex({ keys: { tenantId: 1, recordIds: 1, createdAt: -1 }, name: 'runs_by_record' });
}

/** Automations wired into the server: record and workflow hooks, the run and node jobs, the scheduler and the routes. */
export class Automations {
  private logger: Logger = { error: (o, m) => console.error('[automations]', m, o), warn: (o, m) => console.warn('[automations]', m, o) };
  readonly executor: ActionExecutor;
  readonly triggers: AutomationTriggers;
  readonly runner: AutomationRunner;
  readonly nodeRunner: WorkflowNodeRunner;
  readonly scheduler: AutomationScheduler;

  constructor(
    private readonly services: Services,
    records: RecordService,
    private readonly workflow: WorkflowRuntime,
  ) {
    const log = () => this.logger;
    this.executor = new ActionExecutor(records, workflow);
    this.triggers = new AutomationTriggers(services, log);
    this.runner = new AutomationRunner(services, this.executor, log);
    this.nodeRunner = new WorkflowNodeRunner(services, this.executor, workflow);
    this.scheduler = new AutomationScheduler(services, log);
  }

  /** Hooks and job handlers; call before the queue starts. */
  install() {
    this.services.recordHooks.push(this.triggers.onRecordChange);
    this.workflow.finishedHooks.push(this.triggers.onWorkflowFinished);
    this.workflow.nodeHooks.push(this.triggers.onWorkflowNode);
    this.services.queue.process(JOB_AUTOMATION_RUN, this.runner.handle, { concurrency: 4 });
    this.services.queue.process(JOB_AUTOMATION, this.nodeRunner.handle, { concurrency: 2 });
  }

  register(app: FastifyInstance) {
    this.logger = app.log;
    registerAutomationRoutes(app, this.services, () => this.scheduler.wake());
  }

  start() {
    if (this.services.config.runWorkers) this.scheduler.start();
  }

  stop() {
    return this.scheduler.stop();
  }
}
