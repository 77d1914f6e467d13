/** A field id is used as an object key, a Mongo path segment and a formula name, so it must be plain. */
export const SAFE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Record-level names a field may not shadow (they are addressed as system fields in filters and formulas). */
export const SYSTEM_FIELD_IDS = ['id', 'createdAt', 'updatedAt', 'createdBy'] as const;
export type SystemFieldId = (typeof SYSTEM_FIELD_IDS)[number];

const RESERVED = new Set<string>([
  ...SYSTEM_FIELD_IDS,
  'updatedBy',
  'version',
  'prototype',
  // Every Object.prototype member: a field named `toString` would read the inherited function from plain objects.
  ...Object.getOwnPropertyNames(Object.prototype),
]);

/** Formula literals: a field named `true` could never be referenced. */
const RESERVED_CASE_INSENSITIVE = new Set(['true', 'false']);

export type IdentifierProblem = 'invalid_id' | 'reserved_id';

export function identifierProblem(id: unknown): IdentifierProblem | undefined {
  if (typeof id !== 'string' || !SAFE_IDENTIFIER.test(id)) return 'invalid_id';
  if (RESERVED.has(id) || RESERVED_CASE_INSENSITIVE.has(id.toLowerCase())) return 'reserved_id';
  return undefined;
}

export function isSystemFieldId(name: string): name is SystemFieldId {
  return (SYSTEM_FIELD_IDS as readonly string[]).includes(name);
}
