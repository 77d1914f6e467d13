import type { Services } from '../../platform/context.ts';
import type { TenantDb } from '../../platform/tenant-db.ts';
import { DEPARTMENTS, MEMBERS, usersById, type DepartmentDoc, type MemberDoc } from '../../org/model.ts';
import { recordsCollection, type FieldDef, type FormDoc } from '../../forms/store.ts';
import { titleFieldsOf } from '../../forms/related-fields.ts';
import { FILES, fileIdFromUrl, publicFile, type FileDoc } from '../../files/store.ts';
import type { Converted, Lookups } from './convert.ts';

const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
const ID_LIKE = /^[A-Za-z0-9_-]{1,128}$/;

/** name → ids, so a name two people share is reported as ambiguous instead of guessed. */
function addName(map: Map<string, string[]>, name: string | undefined, id: string) {
  if (!name) return;
  const key = norm(name);
  const ids = map.get(key) ?? [];
  if (!ids.includes(id)) ids.push(id);
  map.set(key, ids);
}

function pick(map: Map<string, string[]>, text: string, what: string): Converted {
  const ids = map.get(norm(text)) ?? [];
  if (ids.length === 1) return { value: ids[0] };
  if (ids.length > 1) return { error: `"${text}" names ${ids.length} ${what}s: use the id or email`, code: 'ambiguous' };
  return { error: `no ${what} "${text}"`, code: 'not_found' };
}

/**
 * Store look-ups for one import: members by id, email or name; departments by id, name or path ("Sales/East");
 * related records by id or by their title field; uploaded files by link. Org data is read once, records per value.
 */
export function importLookups(services: Services, db: TenantDb): Lookups {
  let people: Promise<Map<string, string[]>> | undefined;
  let departments: Promise<Map<string, string[]>> | undefined;
  const relationCache = new Map<string, Promise<Converted>>();
  const targets = new Map<string, Promise<FormDoc | null>>();

  const loadPeople = async () => {
    const members = await db.collection<MemberDoc>(MEMBERS).find({});
    const users = await usersById(services.store, members.map((m) => m.userId));
    const map = new Map<string, string[]>();
    for (const m of members) {
      const user = users.get(m.userId);
      addName(map, m.userId, m.userId);
      addName(map, user?.email, m.userId);
      addName(map, m.name ?? user?.name, m.userId);
    }
    return map;
  };

  const loadDepartments = async () => {
    const all = await db.collection<DepartmentDoc>(DEPARTMENTS).find({}, { projection: { _id: 1, name: 1, parentId: 1 } });
    const byId = new Map(all.map((d) => [d._id, d]));
    const pathOf = (d: DepartmentDoc, depth = 0): string => {
      const parent = d.parentId ? byId.get(d.parentId) : undefined;
      return parent && depth < 50 ? `${pathOf(parent, depth + 1)}/${d.name}` : d.name;
    };
    const map = new Map<string, string[]>();
    for (const d of all) {
      addName(map, d._id, d._id);
      addName(map, d.name, d._id);
      addName(map, pathOf(d), d._id);
    }
    return map;
  };

  const targetForm = (formId: string) => {
    let p = targets.get(formId);
    if (!p) targets.set(formId, (p = db.collection<FormDoc>('forms').findOne({ _id: formId })));
    return p;
  };

  const findRelated = async (field: FieldDef, text: string): Promise<Converted> => {
    const target = field.form ? await targetForm(field.form) : null;
    if (!target) return { error: 'the related form does not exist', code: 'relation_missing' };
    const col = db.collection(recordsCollection(target._id));
    if (ID_LIKE.test(text) && (await col.findOne({ _id: text }, { projection: { _id: 1 } }))) return { value: text };
    const titles = titleFieldsOf(field, target);
    const hits = titles.length
      ? await col.find({ $or: titles.map((f) => ({ [`data.${f.id}`]: text })) }, { projection: { _id: 1 }, limit: 2 })
      : [];
    if (hits.length === 1) return { value: hits[0]._id };
    if (hits.length > 1) return { error: `"${text}" matches several related records: use the record id`, code: 'ambiguous' };
    return { error: `no related record "${text}"`, code: 'relation_missing' };
  };

  return {
    async member(text) {
      people ??= loadPeople();
      return pick(await people, text, 'member');
    },
    async department(text) {
      departments ??= loadDepartments();
      return pick(await departments, text, 'department');
    },
    relation(field, text) {
      const key = `${field.form}|${field.id}|${text}`;
      let p = relationCache.get(key);
      if (!p) {
        if (relationCache.size > 50_000) relationCache.clear();
        relationCache.set(key, (p = findRelated(field, text)));
      }
      return p;
    },
    async file(text) {
      const id = fileIdFromUrl(text);
      if (id) {
        const doc = await db.collection<FileDoc>(FILES).findOne({ _id: id });
        if (!doc) return { error: `file ${id} does not exist`, code: 'file_missing' };
        return { value: publicFile(doc) };
      }
      if (/^https?:\/\/\S+$/i.test(text) && text.length <= 2048) {
        let name = 'file';
        try {
          name = decodeURIComponent(new URL(text).pathname.split('/').pop() || 'file').slice(0, 255) || 'file';
        } catch {
          /* keep the generic name */
        }
        return { value: { url: text, name } };
      }
      return { error: `"${text}" is not a file link`, code: 'format' };
    },
  };
}
