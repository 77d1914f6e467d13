import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { buildUrl, getToken } from '../api/client.ts';
import { taskKeys } from './api.ts';

const RETRY_MS = [1000, 3000, 10_000];

/**
 * Follows `GET /tasks/events` (server-sent events) and refreshes every task list and count when the server says
 * the caller's to-do list changed. EventSource cannot send the bearer token, so the stream is read with fetch.
 * Answers whether the stream is up; callers poll while it is not.
 */
export function useTaskEvents(): boolean {
  const queryClient = useQueryClient();
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    let attempt = 0;

    const read = async () => {
      while (!controller.signal.aborted) {
        try {
          const token = getToken();
          const res = await fetch(buildUrl('/tasks/events'), { headers: token ? { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } : {}, signal: controller.signal });
          if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
          setConnected(true);
          attempt = 0;
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value;
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              // The first event describes the state at connection time, which may be newer than what is shown.
              if (/^event: tasks$/m.test(block)) void queryClient.invalidateQueries({ queryKey: taskKeys.all });
            }
          }
        } catch {
          if (controller.signal.aborted) return;
        }
        setConnected(false);
        await new Promise((r) => setTimeout(r, RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]));
      }
    };
    void read();
    return () => controller.abort();
  }, [queryClient]);

  return connected;
}
