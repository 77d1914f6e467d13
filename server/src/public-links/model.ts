import type { Store } from '../store/port.ts';
import type { FieldDef, FormDoc } from '../forms/store.ts';
import { conditionFields } from '@qiao/form-engine';

/** A public link 外链: an unguessable token opening one form, restricted to some fields, for anonymous submission. */
export interface PublicLinkDoc {
  _id: string;
  tenantId?: string;
  formId: string;
  appId: string;
  token: string;
  name?: string;
  fields: string[];
  expiresAt?: string;
  createdAt: string;
  createdBy: string;
  [key: string]: unknown;
}

export const PUBLIC_LINKS = 'public_links';
/** Who anonymous submissions are created by. */
export const PUBLIC_ACTOR = 'public';

/** Types an anonymous visitor cannot fill: pickers over the tenant's people and records, and live lists. */
export const NOT_EXPOSABLE = new Set(['member', 'members', 'department', 'departments', 'relation', 'query']);
const COMPUTED = new Set(['formula', 'serial', 'query', 'divider', 'description']);

export const linkUrl = (token: string) => `/public/forms/${token}`;

export const publicLinkView = (l: PublicLinkDoc) => ({
  id: l._id,
  formId: l.formId,
  name: l.name,
  token: l.token,
  url: linkUrl(l.token),
  apiUrl: `/api/v1/public/forms/${l.token}`,
  fields: l.fields,
  expiresAt: l.expiresAt ?? null,
  createdAt: l.createdAt,
  createdBy: l.createdBy,
});

/** Fields a visitor may write through the link (exposed and not computed). */
export const writableFields = (form: FormDoc, link: PublicLinkDoc) =>
  new Set(form.fields.filter((f) => link.fields.includes(f.id) && !COMPUTED.has(f.type)).map((f) => f.id));

/** A field the record cannot do without: required with nothing to fill it but the person submitting. */
export const needsInput = (f: FieldDef) => f.required === true && !COMPUTED.has(f.type) && f.default === undefined && f.formula === undefined && f.linkage === undefined;

/**
 * The form as a visitor sees it: only the exposed fields (a subform with all its columns), without data-linkage
 * settings (they read other forms), and only the rules whose fields are all exposed.
 */
export function exposedDefinition(form: FormDoc, link: PublicLinkDoc) {
  const exposed = new Set(link.fields);
  const fields = form.fields
    .filter((f) => exposed.has(f.id))
    .map((f) => {
      const { linkage: _linkage, ...rest } = f;
      return f.type === 'subform' ? { ...rest, fields: (f.fields ?? []).map(({ linkage: _l, ...c }) => c) } : rest;
    });
  const columnIds = new Set(fields.flatMap((f) => (f.fields ?? []).map((c) => c.id)));
  const known = (id: string) => exposed.has(id.split('.')[0]) || columnIds.has(id);
  const rules = ((form.rules ?? []) as { when?: unknown; show?: string[]; hide?: string[]; require?: string[] }[]).filter(
    (r) => conditionFields(r.when).every(known) && [...(r.show ?? []), ...(r.hide ?? []), ...(r.require ?? [])].every(known),
  );
  return { id: form._id, name: form.name, description: form.description, version: form.version, fields, rules };
}

export async function ensurePublicLinkIndexes(store: Store) {
  const col = store.collection(PUBLIC_LINKS);
  await col.createIndex({ keys: { token: 1 }, unique: true, name: 'public_links_token' });
  await col.createIndex({ keys: { tenantId: 1, formId: 1 }, name: 'public_links_by_form' });
}
