import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { createWriteStream } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Services } from '../platform/context.ts';
import type { TenantDb } from '../platform/tenant-db.ts';
import { newId } from '../platform/ids.ts';
import { ApiError } from '../http/problem.ts';
import { cleanFileName, FILES, filePath, MAX_FILE_BYTES, type FileDoc } from './store.ts';

export const tooLarge = () => new ApiError(413, 'file_too_large', `a file may be at most ${MAX_FILE_BYTES / 1024 / 1024} MiB`, { errors: [{ field: 'file', code: 'file_too_large', message: 'the file is too large' }] });
const noFile = () => new ApiError(422, 'validation_failed', 'no file in the upload', { errors: [{ field: 'file', code: 'required', message: 'send the file as multipart/form-data field "file"' }] });

/** The first file part of a multipart request (415 when the request is not multipart, 422 when it has no file). */
export async function uploadedPart(request: FastifyRequest): Promise<MultipartFile> {
  if (!request.isMultipart()) throw new ApiError(415, 'unsupported_media_type', 'send multipart/form-data');
  const part = await request.file({ limits: { fileSize: MAX_FILE_BYTES, files: 1 } });
  if (!part) throw noFile();
  return part;
}

const cleanType = (raw: string | undefined) => {
  const type = (raw ?? '').toLowerCase().trim();
  return /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(type) && type.length <= 127 ? type : 'application/octet-stream';
};

/** Stream an upload to the tenant's folder and record its metadata; nothing is kept when it is too large. */
export async function saveUpload(services: Services, db: TenantDb, part: MultipartFile, owner: Pick<FileDoc, 'createdBy' | 'publicLinkId'>): Promise<FileDoc> {
  const id = newId();
  const path = filePath(services.config.dataDir, db.tenantId, id);
  await mkdir(dirname(path), { recursive: true });
  let size = 0;
  part.file.on('data', (chunk: Buffer) => (size += chunk.length));
  try {
    await pipeline(part.file, createWriteStream(path, { flags: 'wx' }));
    if (part.file.truncated) throw tooLarge();
  } catch (err) {
    await unlink(path).catch(() => undefined);
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
    throw err;
  }
  const doc: FileDoc = {
    _id: id,
    name: cleanFileName(part.filename),
    size,
    type: cleanType(part.mimetype),
    createdAt: new Date().toISOString(),
    createdBy: owner.createdBy,
    ...(owner.publicLinkId ? { publicLinkId: owner.publicLinkId } : {}),
  };
  try {
    await db.collection<FileDoc>(FILES).insertOne(doc);
  } catch (err) {
    await unlink(path).catch(() => undefined);
    throw err;
  }
  return doc;
}
