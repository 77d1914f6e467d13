import type { FieldDef, FormDoc } from '../forms/store.ts';
import type { FieldError } from '../http/problem.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import { DEPARTMENTS, MEMBERS } from '../org/model.ts';
import { membershipId } from '../auth/sessions.ts';

interface Ref {
  kind: 'member' | 'department';
  id: string;
  field: string;
  row?: number;
  column?: string;
}

const KIND: Record<string, Ref['kind']> = { member: 'member', members: 'member', department: 'department', departments: 'department' };

function collect(def: FieldDef, value: unknown, where: Omit<Ref, 'kind' | 'id'>, out: Ref[]) {
  const kind = KIND[def.type];
  if (!kind) return;
  for (const id of Array.isArray(value) ? value : [value]) if (typeof id === 'string' && id !== '') out.push({ ...where, kind, id });
}

/** Member and department values must name a member of the tenant and one of its departments (top level and rows). */
export async function checkOrgRefs(db: TenantDb, form: FormDoc, data: Record<string, unknown>): Promise<FieldError[]> {
  const refs: Ref[] = [];
  for (const field of form.fields) {
    const value = data[field.id];
    if (field.type === 'subform' && Array.isArray(value)) {
      value.forEach((row, index) => {
        if (!row || typeof row !== 'object') return;
        for (const column of field.fields ?? []) collect(column, (row as Record<string, unknown>)[column.id], { field: field.id, row: index, column: column.id }, refs);
      });
    } else collect(field, value, { field: field.id }, refs);
  }
  if (refs.length === 0) return [];
  const members = [...new Set(refs.filter((r) => r.kind === 'member').map((r) => r.id))];
  const departments = [...new Set(refs.filter((r) => r.kind === 'department').map((r) => r.id))];
  const [foundMembers, foundDepartments] = await Promise.all([
    members.length ? db.collection(MEMBERS).find({ _id: { $in: members.map((id) => membershipId(db.tenantId, id)) } }, { projection: { userId: 1 } }) : [],
    departments.length ? db.collection(DEPARTMENTS).find({ _id: { $in: departments } }, { projection: { _id: 1 } }) : [],
  ]);
  const known = new Set([...foundMembers.map((m) => `member:${m.userId as string}`), ...foundDepartments.map((d) => `department:${d._id}`)]);
  return refs
    .filter((r) => !known.has(`${r.kind}:${r.id}`))
    .map((r) => ({ field: r.field, ...(r.row !== undefined ? { row: r.row, column: r.column } : {}), code: `${r.kind}_missing`, message: `${r.kind} ${r.id} does not exist` }));
}
