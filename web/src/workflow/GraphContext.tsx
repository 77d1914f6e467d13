import { createContext, useContext } from 'react';
import type { Problem } from './model.ts';

/**
 * What canvas nodes and edges need beyond their own data. Passed by context rather than through node data, so
 * that a new validation result re-renders the nodes without rebuilding 300 node objects.
 */
export interface GraphContextValue {
  nodeProblems: Map<string, Problem[]>;
  edgeProblems: Map<string, Problem[]>;
  problemText: (p: Problem) => string;
  /** One line under the node's name: who acts there, which form a subprocess starts... */
  summary: (type: string, data: Record<string, unknown>) => string;
  /** Text on each edge: its name, its condition in words, or "default". */
  edgeLabels: Map<string, string>;
  /** Read-only graphs (approval page, old versions): nodes the instance waits at, and nodes it went through. */
  current?: Set<string>;
  visited?: Set<string>;
  readOnly?: boolean;
}

export const GraphContext = createContext<GraphContextValue>({
  nodeProblems: new Map(),
  edgeProblems: new Map(),
  problemText: (p) => p.message,
  summary: () => '',
  edgeLabels: new Map(),
});

export const useGraphContext = () => useContext(GraphContext);
