import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client.ts';
import { sameStructure, toDefinition, type FlowDoc } from './flow.ts';
import type { Problem } from './model.ts';

const DEBOUNCE_MS = 250;

export interface CheckState {
  problems: Problem[];
  /** A change is waiting for its answer: publishing waits too. */
  checking: boolean;
  error: unknown;
}

/**
 * The engine's problems of the definition being edited, as the server's `validate` reports them (the page's
 * CSP keeps the engine's schema compiler out of the browser). Moving nodes does not re-check: positions are
 * no part of validity.
 */
export function useWorkflowCheck(formId: string, doc: FlowDoc): CheckState {
  const [state, setState] = useState<CheckState>({ problems: [], checking: true, error: null });
  const scheduled = useRef<FlowDoc | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const inFlight = useRef<AbortController | null>(null);

  useEffect(() => {
    if (sameStructure(scheduled.current, doc)) return;
    scheduled.current = doc;
    clearTimeout(timer.current);
    inFlight.current?.abort();
    setState((s) => (s.checking ? s : { ...s, checking: true }));
    timer.current = setTimeout(() => {
      const controller = new AbortController();
      inFlight.current = controller;
      api<{ problems: Problem[] }>('POST', `/forms/${formId}/workflow/check`, toDefinition(doc), { signal: controller.signal })
        .then((answer) => {
          if (scheduled.current === doc) setState({ problems: answer.problems, checking: false, error: null });
        })
        .catch((error: unknown) => {
          if ((error as Error).name === 'AbortError') return;
          if (scheduled.current === doc) setState((s) => ({ ...s, checking: false, error }));
        });
    }, DEBOUNCE_MS);
  }, [doc, formId]);

  useEffect(
    () => () => {
      clearTimeout(timer.current);
      inFlight.current?.abort();
    },
    [],
  );

  return state;
}
