import { TransactionConflictError } from '../port.ts';

/** SQLITE_BUSY past busy_timeout means another process held the write lock: a retryable conflict. */
export function mapSqliteError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT') {
    return new TransactionConflictError(`database is locked by another writer: ${(error as Error).message}`);
  }
  return error;
}
