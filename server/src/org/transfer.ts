import type { TenantDb } from '../platform/tenant-db.ts';
import { recordsCollection, type FormDoc } from '../forms/store.ts';
import { memberDepartments, ownership, type MemberDoc } from './model.ts';

/**
 * Hand every record owned by `fromUserId` to `to`: the owner changes and the record now belongs to the new
 * owner's departments (department scopes follow). Records written before owners existed fall back to their creator.
 */
export async function transferRecords(db: TenantDb, fromUserId: string, to: Pick<MemberDoc, 'userId' | 'departmentIds'>) {
  const forms = await db.collection<FormDoc>('forms').find({}, { projection: { _id: 1 } });
  const owned = { $or: [{ ownerId: fromUserId }, { ownerId: { $exists: false }, createdBy: fromUserId }] };
  const perForm: { formId: string; records: number }[] = [];
  let total = 0;
  const owner = ownership(to.userId, memberDepartments(to));
  for (const form of forms) {
    const res = await db
      .collection(recordsCollection(form._id))
      .updateMany(owned, { $set: owner });
    if (res.matchedCount > 0) perForm.push({ formId: form._id, records: res.matchedCount });
    total += res.matchedCount;
  }
  // Deleted records keep their owner too, so a restore lands with the new one.
  await db.collection('recycle_bin').updateMany(
    { 'record.ownerId': fromUserId },
    { $set: { 'record.ownerId': owner.ownerId, 'record.ownerDepartmentIds': owner.ownerDepartmentIds, 'record.ownerDepartments': owner.ownerDepartments } },
  );
  return { total, forms: perForm };
}
