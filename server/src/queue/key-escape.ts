/**
 * Reversible escaping for strings used inside ':'-separated keys (BullMQ queue names and job ids,
 * the inline queue's `name:jobId` document ids). Only '%' and ':' change, so ids stay readable,
 * and distinct inputs always give distinct outputs.
 */
export function escapeKeyPart(value: string): string {
  return value.replace(/[%:]/g, (c) => (c === '%' ? '%25' : '%3A'));
}

export function unescapeKeyPart(value: string): string {
  return value.replace(/%25|%3A/g, (m) => (m === '%25' ? '%' : ':'));
}
