import type { FormLike } from './definition/form-index.ts';

const MAX_ENTRIES = 1000;

/**
 * Memoizes work derived from a form (compiled validators, formula plans) per form version.
 * Lookup is by object identity first; a new object for the same `id@version` (a form re-read from the store)
 * reuses the entry when its fields and rules are unchanged, and replaces it when they differ, so an edited but
 * unversioned definition (the designer's live preview) is never served a stale result.
 */
export function perFormCache<T>(build: (form: FormLike, variant: string) => T): (form: FormLike, variant?: string) => T {
  const byObject = new Map<string, WeakMap<object, T>>();
  const byVersion = new Map<string, { fingerprint: string; value: T }>();
  return (form, variant = '') => {
    let objects = byObject.get(variant);
    if (!objects) byObject.set(variant, (objects = new WeakMap()));
    const hit = objects.get(form);
    if (hit !== undefined) return hit;
    const id = form.id ?? form._id;
    const fingerprint = JSON.stringify([form.fields, form.rules ?? null]);
    const key = id !== undefined && form.version !== undefined ? `${variant}|${id}@${form.version}` : `${variant}|#${fingerprint}`;
    const entry = byVersion.get(key);
    let value: T;
    if (entry && entry.fingerprint === fingerprint) {
      value = entry.value;
      byVersion.delete(key);
    } else {
      value = build(form, variant);
    }
    byVersion.set(key, { fingerprint, value });
    if (byVersion.size > MAX_ENTRIES) byVersion.delete(byVersion.keys().next().value!);
    objects.set(form, value);
    return value;
  };
}
