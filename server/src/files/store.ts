import { join } from 'node:path';
import type { Store } from '../store/port.ts';

/** Metadata of an uploaded file; the bytes live on disk under `${dataDir}/files/<tenantId>/<id>`. */
export interface FileDoc {
  _id: string;
  tenantId?: string;
  name: string;
  size: number;
  type: string;
  createdAt: string;
  /** A user id, or 'public' for an upload through a public link (then `publicLinkId`). */
  createdBy: string;
  publicLinkId?: string;
  [key: string]: unknown;
}

export const FILES = 'files';
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const fileUrl = (id: string) => `/api/v1/files/${id}`;

export const publicFile = (f: FileDoc) => ({ id: f._id, url: fileUrl(f._id), name: f.name, size: f.size, type: f.type });

/** Where a file's bytes are kept; ids are checked so a crafted id can never leave the tenant's folder. */
export function filePath(dataDir: string, tenantId: string, id: string): string {
  if (!SAFE_ID.test(tenantId) || !SAFE_ID.test(id)) throw new Error('unsafe file path');
  return join(dataDir, 'files', tenantId, id);
}

/** A file id inside a link to this server's file route (`/api/v1/files/<id>`, absolute or not). */
export function fileIdFromUrl(url: string): string | undefined {
  const m = /(?:^|\/\/[^/]+)\/api\/v1\/files\/([A-Za-z0-9_-]{1,64})(?:[?#].*)?$/.exec(url.trim());
  return m?.[1];
}

/** Upload names are shown to other users and sent back in headers: no paths, no control characters, bounded. */
export function cleanFileName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 255);
  return cleaned || 'file';
}

export async function ensureFileIndexes(store: Store) {
  await store.collection(FILES).createIndex({ keys: { tenantId: 1, createdAt: -1 }, name: 'files_by_time' });
}
