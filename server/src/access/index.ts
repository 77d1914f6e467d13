export { accessFor, accessForCaller, stripHidden, FormAccess, MATCH_NONE } from './access.ts';
export { callerOrg, loadCallerOrg, CallerOrg } from './caller-org.ts';
export { visibilityFor, appVisible, formVisible, assertAppVisible, type Visibility } from './visibility.ts';
export { registerPermissionGroupRoutes, ensurePermissionGroupIndexes } from './groups.ts';
export { ACTIONS, FIELD_MODES, SCOPES, PERMISSION_GROUPS, publicGroup, type Action, type FieldMode, type Scope, type PermissionGroupDoc } from './model.ts';
export { conditionFieldIds, prefixFilter } from './effective.ts';
