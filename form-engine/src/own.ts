/**
 * Helpers for reading and writing untrusted objects by key without touching prototypes:
 * record data comes straight from JSON.parse, so it may carry own `__proto__` or `constructor` keys.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function getOwn(obj: unknown, key: string): unknown {
  if (obj === null || typeof obj !== 'object') return undefined;
  return Object.prototype.hasOwnProperty.call(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

export function hasOwn(obj: unknown, key: string): boolean {
  return obj !== null && typeof obj === 'object' && Object.prototype.hasOwnProperty.call(obj, key);
}

/** Sets `key` as a plain data property, so `__proto__` stays an ordinary key instead of changing the prototype. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  // Only `__proto__` has an inherited setter on plain objects; plain assignment is much faster for every other key.
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** A shallow copy that keeps hostile keys as data. */
export function copyOwn(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) setOwn(out, key, obj[key]);
  return out;
}

/** Empty in the user's sense: nothing was entered. Used by `required`, `empty` conditions and ISEMPTY. */
export function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isPlainObject(value)) return Object.keys(value).every((k) => isEmptyValue(value[k]));
  return false;
}
