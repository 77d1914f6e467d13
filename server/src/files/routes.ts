import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import multipart from '@fastify/multipart';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Services } from '../platform/context.ts';
import { notFound } from '../http/problem.ts';
import { FILES, filePath, MAX_FILE_BYTES, publicFile, type FileDoc } from './store.ts';
import { saveUpload, uploadedPart } from './upload.ts';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } } } as const;

/** Shown in the browser; everything else is downloaded (an uploaded HTML or SVG page never runs on our origin). */
const INLINE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'application/pdf']);

function disposition(kind: 'inline' | 'attachment', name: string) {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** The multipart parser, registered per module scope with the upload limits. */
export const multipartOptions = { limits: { fileSize: MAX_FILE_BYTES, files: 1, fields: 20, fieldSize: 1024 * 1024, parts: 30 } };

export async function registerFileRoutes(app: FastifyInstance, services: Services) {
  await app.register(async (scope) => {
    await scope.register(multipart, multipartOptions);
    scope.post('/api/v1/files', { schema: { tags: ['files'], consumes: ['multipart/form-data'] } }, async (request, reply) => {
      const part = await uploadedPart(request);
      const doc = await saveUpload(services, request.db, part, { createdBy: request.caller.userId });
      return reply.status(201).send(publicFile(doc));
    });
  });

  app.get<{ Params: FromSchema<typeof idParams> }>('/api/v1/files/:id', { schema: { tags: ['files'], params: idParams } }, async (request, reply) => {
    const doc = await request.db.collection<FileDoc>(FILES).findOne({ _id: request.params.id });
    if (!doc) throw notFound('file');
    const path = filePath(services.config.dataDir, request.db.tenantId, doc._id);
    const size = await stat(path).then((s) => s.size).catch(() => null);
    if (size === null) throw notFound('file');
    const inline = INLINE.has(doc.type);
    return reply
      .type(inline ? doc.type : doc.type || 'application/octet-stream')
      .header('content-length', size)
      .header('content-disposition', disposition(inline ? 'inline' : 'attachment', doc.name))
      .header('cache-control', 'private, max-age=3600')
      .send(createReadStream(path));
  });
}
