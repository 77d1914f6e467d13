import { CronExpressionParser } from 'cron-parser';
import { compileConditionToMongo } from '@qiao/form-engine';
import type { Services } from '../platform/context.ts';
import { TenantDb } from '../platform/tenant-db.ts';
import { recordsCollection, type FormDoc } from '../forms/store.ts';
import type { RecordDoc } from '../records/service.ts';
import { Pump } from '../queue/pump.ts';
import type { Filter } from '../store/port.ts';
import { cronOf } from './check.ts';
import { AUTOMATIONS, type AutomationDoc, type Trigger } from './model.ts';
import { recordRun } from './runs.ts';
import { compileScopedFilter, conditionHolds, recordScopeOf, triggerScope } from './scope.ts';
import { addDays, dayIn, tenantTimeZone } from './tenant-time.ts';
import type { Logger } from './triggers.ts';

/** Longest sleep: bounds how late a schedule saved by another process is noticed. */
const MAX_SLEEP_MS = 5_000;
const MAX_RECORDS_PER_FIRING = 5_000;
const RUNS_PER_TRANSACTION = 100;

export function nextFireAt(trigger: Trigger, timeZone: string, after: number): number {
  return CronExpressionParser.parse(cronOf(trigger), { currentDate: new Date(after), tz: timeZone }).next().getTime();
}

/**
 * Fires schedule triggers. Each automation keeps its next firing time; a worker claims a due firing by moving
 * that time forward with a compare-and-set, so with several workers each firing happens once. A firing over a
 * form makes one run per matching record, with run ids derived from the firing so a repeated firing adds nothing
 * (a date schedule, "3 days before dueDate", runs once per record and day however often its cron fires).
 */
export class AutomationScheduler {
  private readonly pump: Pump;

  constructor(
    private readonly services: Services,
    private readonly log: () => Logger,
  ) {
    this.pump = new Pump(() => this.tick(), (err) => this.log().error({ err }, 'automation scheduler failed'), MAX_SLEEP_MS);
  }

  start() {
    this.pump.start();
  }

  wake() {
    this.pump.wake();
  }

  stop() {
    return this.pump.stop();
  }

  async tick(): Promise<number> {
    const automations = this.services.store.collection<AutomationDoc>(AUTOMATIONS);
    const now = Date.now();
    const due = await automations.find({ triggerKind: 'schedule', enabled: true, nextRunAt: { $lte: now } }, { sort: { nextRunAt: 1 }, limit: 20 });
    for (const automation of due) {
      const tz = await tenantTimeZone(this.services.store, automation.tenantId as string);
      const next = nextFireAt(automation.trigger, tz, Math.max(now, automation.nextRunAt ?? now));
      const claim = await automations.updateOne({ _id: automation._id, nextRunAt: automation.nextRunAt }, { $set: { nextRunAt: next } });
      if (claim.matchedCount === 0) continue;
      try {
        await this.fire(automation, automation.nextRunAt ?? now, tz);
      } catch (err) {
        this.log().error({ err, automationId: automation._id }, 'a scheduled automation could not fire');
      }
    }
    const upcoming = await automations.findOne({ triggerKind: 'schedule', enabled: true, nextRunAt: { $gt: 0 } }, { sort: { nextRunAt: 1 }, projection: { nextRunAt: 1 } });
    if (!upcoming?.nextRunAt) return MAX_SLEEP_MS;
    return Math.min(Math.max(upcoming.nextRunAt - Date.now(), 20), MAX_SLEEP_MS);
  }

  /** One firing at `firedAt`: one run, or one per matching record of the trigger's form. */
  async fire(automation: AutomationDoc, firedAt: number, timeZone: string) {
    const db = new TenantDb(this.services.store, automation.tenantId as string);
    const trigger = automation.trigger;
    const firedIso = new Date(firedAt).toISOString();
    const base = { kind: 'schedule' as const, firedAt: firedIso };
    if (!trigger.formId) {
      await db.transaction((tx) =>
        recordRun(tx, automation, { runId: `${automation._id}.${firedAt}`, trigger: base, record: null, depth: 0, actorId: automation.createdBy, initiatorId: automation.createdBy, triggerRecords: [] }),
      );
      this.services.notifyOutbox();
      return;
    }
    const form = await db.collection<FormDoc>('forms').findOne({ _id: trigger.formId });
    if (!form) throw new Error(`form ${trigger.formId} of scheduled automation ${automation._id} does not exist`);
    const ctx = { now: new Date(firedAt), timeZone, userId: automation.createdBy };
    const filters: Filter[] = [];
    if (trigger.filter) filters.push(compileScopedFilter(form, trigger.filter, {}, ctx));
    let targetDay: string | undefined;
    if (trigger.dateField) {
      // Fire on day D for records dated D − offset: offsetDays −3 is "three days before the date".
      targetDay = addDays(dayIn(firedAt, timeZone), -(trigger.offsetDays ?? 0));
      filters.push(compileConditionToMongo({ field: trigger.dateField, op: 'eq', value: targetDay }, form as never, { timeZone }, { pathPrefix: 'data.' }) as Filter);
    }
    const filter = filters.length === 0 ? {} : filters.length === 1 ? filters[0] : { $and: filters };
    const records = await db.collection<RecordDoc>(recordsCollection(form._id)).find(filter, { sort: { _id: 1 }, limit: MAX_RECORDS_PER_FIRING });
    const matching = records.filter((r) => {
      try {
        return conditionHolds(automation.condition, triggerScope(recordScopeOf(r), null), form, ctx);
      } catch {
        return false;
      }
    });
    for (let i = 0; i < matching.length; i += RUNS_PER_TRANSACTION) {
      const chunk = matching.slice(i, i + RUNS_PER_TRANSACTION);
      await db.transaction(async (tx) => {
        for (const r of chunk) {
          await recordRun(tx, automation, {
            runId: targetDay ? `${automation._id}.${r._id}.${targetDay}` : `${automation._id}.${firedAt}.${r._id}`,
            trigger: { ...base, formId: form._id, recordId: r._id, recordVersion: r.version },
            record: recordScopeOf(r),
            depth: 0,
            actorId: r.createdBy,
            initiatorId: r.createdBy,
            triggerRecords: [{ formId: form._id, recordId: r._id }],
          });
        }
      });
      this.services.notifyOutbox();
    }
  }
}
