import type { TenantDb } from '../platform/tenant-db.ts';
import { MEMBERS, type MemberDoc } from './model.ts';

/**
 * Make exactly `memberIds` hold `groupId` in their `key` list (a department's or a role's members), keeping the
 * order of each member's other entries: a department added to a member goes last, so their main one stays first.
 */
export async function setGroupMembers(db: TenantDb, key: 'departmentIds' | 'roleIds', groupId: string, memberIds: readonly string[]) {
  const col = db.collection<MemberDoc>(MEMBERS);
  const wanted = new Set(memberIds);
  const holders = await col.find({ [key]: groupId }, { projection: { _id: 1, userId: 1, [key]: 1 } });
  for (const m of holders) {
    if (wanted.has(m.userId)) wanted.delete(m.userId);
    else await col.updateOne({ _id: m._id }, { $set: { [key]: (m[key] ?? []).filter((id) => id !== groupId) } });
  }
  if (wanted.size === 0) return;
  const joining = await col.find({ userId: { $in: [...wanted] } }, { projection: { _id: 1, [key]: 1 } });
  for (const m of joining) await col.updateOne({ _id: m._id }, { $set: { [key]: [...(m[key] ?? []), groupId] } });
}
