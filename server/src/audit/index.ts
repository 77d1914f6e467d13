export { audit, ensureAuditIndexes, publicAuditEntry, AUDIT_COLLECTION, type AuditEntryDoc, type AuditTarget, type AuditActor } from './audit.ts';
export { registerAuditRoutes } from './routes.ts';
