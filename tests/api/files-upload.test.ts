import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { getBinary, postMultipart } from '../support/multipart.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(async () => {
  await api?.close();
});

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

describe('files', () => {
  it('uploads a file and streams it back to the same tenant only', async () => {
    const a = await api.signup('A', 'FilesA');
    const b = await api.signup('B', 'FilesB');
    const up = await postMultipart(api, '/api/v1/files', { file: { data: PNG, filename: 'pixel.png', type: 'image/png' } }, a.token);
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect(up.body).toEqual({ id: expect.any(String), url: `/api/v1/files/${up.body.id}`, name: 'pixel.png', size: PNG.length, type: 'image/png' });
    expect(existsSync(join(api.dataDir, 'files', a.tenantId, up.body.id))).toBe(true);

    const got = await getBinary(api, up.body.url, a.token);
    expect(got.status).toBe(200);
    expect(got.body.equals(PNG)).toBe(true);
    expect(got.headers['content-type']).toBe('image/png');
    expect(String(got.headers['content-disposition'])).toMatch(/^inline;/);

    expect((await getBinary(api, up.body.url, b.token)).status).toBe(404);
    expect((await getBinary(api, up.body.url)).status).toBe(401);
    expect((await getBinary(api, '/api/v1/files/nope', a.token)).status).toBe(404);
    expect((await getBinary(api, '/api/v1/files/..%2F..%2Fetc', a.token)).status).not.toBe(200);
  });

  it('downloads active content as an attachment and strips paths from names', async () => {
    const a = await api.signup('A', 'FilesC');
    const up = await postMultipart(api, '/api/v1/files', { file: { data: '<script>alert(1)</script>', filename: '..\\..\\evil.html', type: 'text/html' } }, a.token);
    expect(up.status).toBe(201);
    expect(up.body.name).toBe('evil.html');
    const got = await getBinary(api, up.body.url, a.token);
    expect(String(got.headers['content-disposition'])).toMatch(/^attachment;/);
    expect(got.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses files over 20 MiB and keeps nothing of them, and requests without a file', async () => {
    const a = await api.signup('A', 'FilesD');
    const big = Buffer.alloc(20 * 1024 * 1024 + 1, 1);
    const res = await postMultipart(api, '/api/v1/files', { file: { data: big, filename: 'big.bin' } }, a.token);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('file_too_large');
    const dir = join(api.dataDir, 'files', a.tenantId);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    expect((await postMultipart(api, '/api/v1/files', { note: 'no file' }, a.token)).status).toBe(422);
    expect((await api.post('/api/v1/files', { file: 'x' }, a.token)).status).toBe(415);
  });

  it('lets image and attachment values reference uploaded files of the tenant only', async () => {
    const a = await api.signup('A', 'FilesE');
    const b = await api.signup('B', 'FilesF');
    const app = await api.post('/api/v1/apps', { name: 'Docs' }, a.token);
    const form = await api.post(
      `/api/v1/apps/${app.body.id}/forms`,
      {
        name: 'Docs',
        fields: [
          { id: 'photo', type: 'image', label: 'Photo' },
          { id: 'files', type: 'subform', label: 'Files', fields: [{ id: 'doc', type: 'attachment', label: 'Doc' }] },
        ],
      },
      a.token,
    );
    const mine = (await postMultipart(api, '/api/v1/files', { file: { data: PNG, filename: 'a.png', type: 'image/png' } }, a.token)).body;
    const theirs = (await postMultipart(api, '/api/v1/files', { file: { data: 'x', filename: 'b.txt', type: 'text/plain' } }, b.token)).body;
    const ok = await api.post(`/api/v1/forms/${form.body.id}/records`, { data: { photo: [mine, { url: 'https://cdn.example.com/x.png', name: 'x.png' }], files: [{ doc: [{ id: mine.id, name: 'a.png' }] }] } }, a.token);
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    const bad = await api.post(`/api/v1/forms/${form.body.id}/records`, { data: { photo: [{ id: 'missing1', name: 'm.png' }], files: [{ doc: [{ ...theirs }] }] } }, a.token);
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'photo', code: 'file_missing' }),
        expect.objectContaining({ field: 'files', row: 0, column: 'doc', code: 'file_missing' }),
      ]),
    );
  });
});
