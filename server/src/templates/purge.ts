import type { TenantDb } from '../platform/tenant-db.ts';
import { recordsCollection } from '../forms/store.ts';

/**
 * Remove a form an aborted install created, with everything that hangs off it. The public API has no way to
 * delete a form or an app (on purpose: data would go with them), so the rollback of a half-done install does it
 * here, for resources that exist only because the install made them a moment ago.
 */
export async function purgeForm(db: TenantDb, formId: string) {
  await db.collection(recordsCollection(formId)).deleteMany({});
  for (const name of ['form_versions', 'workflow_versions', 'permission_groups', 'record_history', 'recycle_bin', 'wf_instances', 'wf_tasks', 'wf_cc']) {
    await db.collection(name).deleteMany({ formId });
  }
  await db.collection('workflows').deleteOne({ _id: formId });
  await db.collection('forms').deleteOne({ _id: formId });
}

export async function purgeApp(db: TenantDb, appId: string) {
  await db.collection('apps').deleteOne({ _id: appId });
}
