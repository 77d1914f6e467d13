import type { FieldTemplate, FormTemplate } from './types.ts';

/**
 * Which parts of a form template can be installed, given the ids of the forms that exist. A relation or query
 * field (or subform column) pointing at a form that is not installed is left out ("deferred") and added when that
 * form arrives with a later install; a data linkage to such a form is left out the same way.
 */
export interface ShapedForm {
  key: string;
  name: FormTemplate['name'];
  description?: FormTemplate['description'];
  fields: FieldTemplate[];
  rules: unknown[];
  settings: Record<string, unknown>;
  /** Paths (`customer`, `items.product`, `items.price#linkage`) left out because their target form is missing. */
  deferred: string[];
}

/** Target forms a field needs: its relation/query target and its linkage source. */
export function fieldTargets(field: FieldTemplate): string[] {
  const out: string[] = [];
  if ((field.type === 'relation' || field.type === 'query') && typeof field.form === 'string') out.push(field.form);
  if (field.linkage && typeof field.linkage.form === 'string') out.push(field.linkage.form);
  for (const column of field.fields ?? []) out.push(...fieldTargets(column));
  return out;
}

/** Forms of the same install a form must be created after. */
export function formDependencies(form: FormTemplate): Set<string> {
  const out = new Set<string>();
  for (const field of form.fields) for (const target of fieldTargets(field)) if (target !== form.key) out.add(target);
  return out;
}

/** Creation order: every form after the forms its fields point at; a cycle is reported by name. */
export function creationOrder(forms: FormTemplate[]): FormTemplate[] {
  const byKey = new Map(forms.map((f) => [f.key, f]));
  const done = new Set<string>();
  const visiting: string[] = [];
  const out: FormTemplate[] = [];
  const visit = (form: FormTemplate) => {
    if (done.has(form.key)) return;
    if (visiting.includes(form.key)) throw new Error(`forms refer to each other in a cycle: ${[...visiting, form.key].join(' → ')}`);
    visiting.push(form.key);
    for (const dep of formDependencies(form)) {
      const target = byKey.get(dep);
      if (target) visit(target);
    }
    visiting.pop();
    done.add(form.key);
    out.push(form);
  };
  for (const form of forms) visit(form);
  return out;
}

type Resolve = (formKey: string) => string | undefined;

function shapeField(field: FieldTemplate, resolve: Resolve, path: string, deferred: string[]): FieldTemplate | null {
  if ((field.type === 'relation' || field.type === 'query') && typeof field.form === 'string' && !resolve(field.form)) {
    deferred.push(path);
    return null;
  }
  const out: FieldTemplate = { ...field };
  if (typeof out.form === 'string') out.form = resolve(out.form)!;
  if (out.linkage) {
    const source = resolve(out.linkage.form);
    if (source) out.linkage = { ...out.linkage, form: source };
    else {
      deferred.push(`${path}#linkage`);
      delete out.linkage;
    }
  }
  if (field.fields) {
    out.fields = field.fields.flatMap((column) => {
      const shaped = shapeField(column, resolve, `${path}.${column.id}`, deferred);
      return shaped ? [shaped] : [];
    });
  }
  return out;
}

/** The form as it can be installed now, with template keys replaced by the ids `resolve` knows. */
export function shapeForm(form: FormTemplate, resolve: Resolve): ShapedForm {
  const deferred: string[] = [];
  const fields = form.fields.flatMap((field) => {
    const shaped = shapeField(field, resolve, field.id, deferred);
    return shaped ? [shaped] : [];
  });
  return {
    key: form.key,
    name: form.name,
    ...(form.description ? { description: form.description } : {}),
    fields,
    rules: form.rules ?? [],
    settings: form.settings ?? {},
    deferred,
  };
}

type StoredField = { id: string; type: string; fields?: StoredField[]; linkage?: unknown; [key: string]: unknown };

/**
 * The stored fields with the deferred parts that can now be resolved added back at their template position.
 * Fields the tenant added or changed since are kept as they are; only the named `paths` are added.
 */
export function addDeferred(stored: StoredField[], shaped: FieldTemplate[], paths: ReadonlySet<string>): StoredField[] {
  const merge = (current: StoredField[], template: FieldTemplate[], prefix: string): StoredField[] => {
    const byId = new Map(current.map((f) => [f.id, f]));
    const out: StoredField[] = [];
    for (const t of template) {
      const path = `${prefix}${t.id}`;
      const existing = byId.get(t.id);
      if (!existing) {
        if (paths.has(path)) out.push(t as StoredField);
        continue;
      }
      byId.delete(t.id);
      let next: StoredField = existing;
      if (paths.has(`${path}#linkage`) && t.linkage) next = { ...next, linkage: t.linkage };
      if (t.fields && existing.fields) next = { ...next, fields: merge(existing.fields, t.fields, `${path}.`) };
      out.push(next);
    }
    // Fields the tenant added after the install stay, after the template's.
    for (const rest of byId.values()) out.push(rest);
    return out;
  };
  return merge(stored, shaped, '');
}
