/**
 * Per collection, the JSON kinds ever stored at each dotted path (never shrinks).
 * The filter translator uses it to know when plain SQL over json_extract is exact:
 * a path that never held an array needs no "array contains" semantics, a path that never mixed
 * booleans with numbers needs no type guard, and so on. Kept in memory and in `_qiao_paths`
 * (written in the same transaction as the documents), so it is always a superset of the truth.
 */
export const KIND_ARRAY = 1;
export const KIND_OBJECT = 2;
export const KIND_BOOL = 4;
export const KIND_NUMBER = 8;
export const KIND_STRING = 16;

export type PathKindChange = { collection: string; path: string; kinds: number };

export class PathKinds {
  private readonly byCollection = new Map<string, Map<string, number>>();

  kindsAt(collection: string, path: string): number {
    return this.byCollection.get(collection)?.get(path) ?? 0;
  }

  /** True when neither the path nor any of its prefixes ever held an array. */
  arrayFree(collection: string, path: string): boolean {
    const paths = this.byCollection.get(collection);
    if (!paths) return true;
    let prefix = '';
    for (const key of path.split('.')) {
      prefix = prefix ? `${prefix}.${key}` : key;
      if ((paths.get(prefix) ?? 0) & KIND_ARRAY) return false;
    }
    return true;
  }

  /** Merge kinds found in `doc`; returns the entries that grew (to persist). */
  record(collection: string, doc: Record<string, unknown>): PathKindChange[] {
    let paths = this.byCollection.get(collection);
    if (!paths) this.byCollection.set(collection, (paths = new Map()));
    const changes: PathKindChange[] = [];
    const visit = (value: Record<string, unknown>, prefix: string) => {
      for (const key in value) {
        const child = value[key];
        const path = prefix ? `${prefix}.${key}` : key;
        const kind = kindOf(child);
        if (kind !== 0) {
          const before = paths.get(path) ?? 0;
          if ((before & kind) === 0) {
            paths.set(path, before | kind);
            changes.push({ collection, path, kinds: before | kind });
          }
        }
        // Paths below an array are never translated to SQL, so there is nothing to learn inside arrays.
        if (kind === KIND_OBJECT) visit(child as Record<string, unknown>, path);
      }
    };
    visit(doc, '');
    return changes;
  }

  merge(collection: string, path: string, kinds: number): void {
    let paths = this.byCollection.get(collection);
    if (!paths) this.byCollection.set(collection, (paths = new Map()));
    paths.set(path, (paths.get(path) ?? 0) | kinds);
  }
}

function kindOf(value: unknown): number {
  switch (typeof value) {
    case 'boolean':
      return KIND_BOOL;
    case 'number':
      return KIND_NUMBER;
    case 'string':
      return KIND_STRING;
    case 'object':
      if (value === null) return 0;
      return Array.isArray(value) ? KIND_ARRAY : KIND_OBJECT;
    default:
      return 0;
  }
}
