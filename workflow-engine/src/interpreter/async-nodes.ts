import { isActiveMember } from '../org.ts';
import type { NodeOfType } from '../schema.ts';
import type { NodeVisit } from '../state.ts';
import type { AutomationDoneEvent, AutomationFailedEvent, SubprocessFinishedEvent } from '../events.ts';
import { completeVisit, fail, finish } from './flow.ts';
import { emit, findVisit, log, newId, type Run } from './run.ts';

export function enterAutomation(run: Run, visit: NodeVisit, node: NodeOfType<'automation'>): void {
  runJob(run, visit, node, 1);
}

function runJob(run: Run, visit: NodeVisit, node: NodeOfType<'automation'>, attempt: number): void {
  const jobId = newId(run, 'j');
  run.state.jobs.push({ jobId, visitId: visit.id, nodeId: node.id, attempt });
  run.state.sideEffectsStarted = true;
  emit(run, { type: 'runAutomation', jobId, nodeId: node.id, visitId: visit.id, attempt, action: node.data.action as Record<string, unknown> & { kind: string } });
  log(run, { kind: 'system', nodeId: node.id, visitId: visit.id, action: 'automation_started', detail: { jobId, attempt } });
}

/** Returns false when the job is unknown or no longer pending (a redelivery or a stale result). */
export function onAutomationResult(run: Run, event: AutomationDoneEvent | AutomationFailedEvent): boolean {
  const job = run.state.jobs.find((j) => j.jobId === event.jobId);
  const visit = findVisit(run, job?.visitId);
  if (!job || !visit || visit.status !== 'active') return false;
  run.state.jobs = run.state.jobs.filter((j) => j !== job);
  const node = run.graph.nodes.get(job.nodeId) as NodeOfType<'automation'>;
  if (event.type === 'automationDone') {
    log(run, { kind: 'system', nodeId: node.id, visitId: visit.id, action: 'automation_done', detail: { jobId: job.jobId } });
    completeVisit(run, visit, 'done');
    return true;
  }
  const error = event.error ?? 'unknown error';
  const retries = node.data.retry?.attempts ?? 0;
  if (job.attempt <= retries) {
    log(run, { kind: 'system', nodeId: node.id, visitId: visit.id, action: 'automation_retry', reason: error, detail: { jobId: job.jobId, attempt: job.attempt } });
    runJob(run, visit, node, job.attempt + 1);
    return true;
  }
  if (node.data.onFailure === 'continue') {
    log(run, { kind: 'system', nodeId: node.id, visitId: visit.id, action: 'automation_failed_continue', reason: error, detail: { jobId: job.jobId } });
    completeVisit(run, visit, 'done');
    return true;
  }
  fail(run, `automation ${node.id} failed after ${job.attempt} attempt(s): ${error}`, node.id);
  return true;
}

export function enterSubprocess(run: Run, visit: NodeVisit, node: NodeOfType<'subprocess'>): void {
  const { data } = node;
  const subprocessId = newId(run, 's');
  const childData: Record<string, unknown> = {};
  for (const [childField, parentField] of Object.entries(data.mapping ?? {})) {
    if (run.state.record[parentField] !== undefined) childData[childField] = run.state.record[parentField];
  }
  const initiatorId = childInitiator(run, data.initiatorField);
  const isAsync = data.async === true;
  run.state.sideEffectsStarted = true;
  emit(run, { type: 'startSubprocess', subprocessId, nodeId: node.id, formId: data.formId, initiatorId, data: childData, async: isAsync });
  log(run, { kind: 'system', nodeId: node.id, visitId: visit.id, action: 'subprocess_started', detail: { subprocessId, formId: data.formId, async: isAsync } });
  if (isAsync) return completeVisit(run, visit, 'done');
  run.state.subprocesses.push({ subprocessId, visitId: visit.id, nodeId: node.id, formId: data.formId });
}

/** The first active member of the initiator field, else the parent's initiator. */
function childInitiator(run: Run, field: string | undefined): string {
  const value = field ? run.state.record[field] : undefined;
  const candidates = Array.isArray(value) ? value : [value];
  const found = candidates.find((v): v is string => typeof v === 'string' && isActiveMember(run.org, v));
  return found ?? run.state.initiatorId;
}

export function onSubprocessFinished(run: Run, event: SubprocessFinishedEvent): boolean {
  const sub = run.state.subprocesses.find((s) => s.subprocessId === event.subprocessId);
  const visit = findVisit(run, sub?.visitId);
  if (!sub || !visit || visit.status !== 'active') return false;
  run.state.subprocesses = run.state.subprocesses.filter((s) => s !== sub);
  log(run, { kind: 'system', nodeId: sub.nodeId, visitId: visit.id, action: 'subprocess_finished', reason: event.reason, detail: { subprocessId: sub.subprocessId, outcome: event.outcome } });
  if (event.outcome === 'approved') {
    completeVisit(run, visit, 'approved');
  } else if (event.outcome === 'rejected') {
    visit.status = 'completed';
    visit.outcome = 'rejected';
    visit.leftAt = run.now;
    finish(run, 'rejected', `subprocess at ${sub.nodeId} was rejected`);
  } else {
    fail(run, `subprocess at ${sub.nodeId} ended ${event.outcome}${event.reason ? `: ${event.reason}` : ''}`, sub.nodeId);
  }
  return true;
}
