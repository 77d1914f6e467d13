import type { TFunction } from 'i18next';
import type { Problem } from './model.ts';

export interface ProblemIndex {
  byNode: Map<string, Problem[]>;
  byEdge: Map<string, Problem[]>;
  /** Problems of the whole flow (no start, no end...). */
  general: Problem[];
}

export function indexProblems(problems: Problem[]): ProblemIndex {
  const byNode = new Map<string, Problem[]>();
  const byEdge = new Map<string, Problem[]>();
  const general: Problem[] = [];
  for (const p of problems) {
    if (p.nodeId) byNode.set(p.nodeId, [...(byNode.get(p.nodeId) ?? []), p]);
    else if (p.edgeId) byEdge.set(p.edgeId, [...(byEdge.get(p.edgeId) ?? []), p]);
    else general.push(p);
  }
  return { byNode, byEdge, general };
}

/**
 * The engine words its problems in English for logs and API clients; people read them by code in their own
 * language, with the node's name instead of its id. Unknown codes (a newer engine) fall back to the message.
 */
export function problemText(t: TFunction, problem: Problem, nameOf: (nodeId: string) => string): string {
  const node = problem.nodeId ? nameOf(problem.nodeId) : '';
  const detail = problem.message;
  return t(`workflow.problems.${problem.code}`, { node, detail, defaultValue: detail });
}
