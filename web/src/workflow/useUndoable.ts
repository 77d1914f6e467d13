import { useCallback, useMemo, useRef, useState } from 'react';

const LIMIT = 100;
/** Edits with the same key this close together (typing a name) are one step of undo. */
const COALESCE_MS = 1000;

interface History<T> {
  past: T[];
  present: T;
  future: T[];
}

export interface SetOptions {
  /** False for transient states (a node in mid-drag, a selection change): they are not a step of undo. */
  record?: boolean;
  key?: string;
}

/** Undo/redo over whole snapshots of a value; snapshots share structure, so they are cheap. */
export function useUndoable<T>(initial: () => T) {
  const [history, setHistory] = useState<History<T>>(() => ({ past: [], present: initial(), future: [] }));
  const last = useRef<{ key?: string; at: number }>({ at: 0 });

  const set = useCallback((next: T | ((prev: T) => T), options: SetOptions = {}) => {
    const record = options.record ?? true;
    const now = Date.now();
    const coalesce = record && options.key !== undefined && last.current.key === options.key && now - last.current.at < COALESCE_MS;
    if (record) last.current = { key: options.key, at: now };
    setHistory((h) => {
      const value = typeof next === 'function' ? (next as (prev: T) => T)(h.present) : next;
      if (value === h.present) return h;
      if (!record || coalesce) return { ...h, present: value, future: record ? [] : h.future };
      return { past: [...h.past.slice(-LIMIT + 1), h.present], present: value, future: [] };
    });
  }, []);

  /** Makes `before` the step undo returns to (a drag recorded once, from where it started). */
  const pushPast = useCallback((before: T) => {
    last.current = { at: 0 };
    setHistory((h) => ({ past: [...h.past.slice(-LIMIT + 1), before], present: h.present, future: [] }));
  }, []);

  const undo = useCallback(() => {
    last.current = { at: 0 };
    setHistory((h) => (h.past.length ? { past: h.past.slice(0, -1), present: h.past[h.past.length - 1], future: [h.present, ...h.future] } : h));
  }, []);

  const redo = useCallback(() => {
    last.current = { at: 0 };
    setHistory((h) => (h.future.length ? { past: [...h.past, h.present], present: h.future[0], future: h.future.slice(1) } : h));
  }, []);

  const reset = useCallback((value: T) => {
    last.current = { at: 0 };
    setHistory({ past: [], present: value, future: [] });
  }, []);

  return useMemo(
    () => ({ present: history.present, set, pushPast, undo, redo, reset, canUndo: history.past.length > 0, canRedo: history.future.length > 0 }),
    [history, set, pushPast, undo, redo, reset],
  );
}
