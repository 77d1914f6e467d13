/** A saved data view of one form: personal to its owner, or shared by an admin with permission groups or everyone. */
export interface ViewDoc {
  _id: string;
  tenantId?: string;
  formId: string;
  appId: string;
  ownerId: string;
  name: string;
  config: Record<string, unknown>;
  /** `null`: personal; `'all'`: everyone who may view the form's records; otherwise the members of these groups. */
  shared: 'all' | { groupIds: string[] } | null;
  createdAt: string;
  updatedAt: string;
  [key: string]: unknown;
}

export const VIEWS = 'views';

export const publicView = (v: ViewDoc, callerId: string) => ({
  id: v._id,
  formId: v.formId,
  name: v.name,
  config: v.config,
  shared: v.shared,
  ownerId: v.ownerId,
  mine: v.ownerId === callerId,
  createdAt: v.createdAt,
  updatedAt: v.updatedAt,
});
