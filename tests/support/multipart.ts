import type { ApiResponse, TestApi } from './api.ts';

export type Part = string | { data: Buffer | Uint8Array | string; filename: string; type?: string };

/** Encode parts as multipart/form-data the way a browser does (via the platform's FormData). */
export async function encodeMultipart(parts: Record<string, Part>): Promise<{ payload: Buffer; contentType: string }> {
  const form = new FormData();
  for (const [name, part] of Object.entries(parts)) {
    if (typeof part === 'string') form.append(name, part);
    else form.append(name, new Blob([typeof part.data === 'string' ? part.data : new Uint8Array(part.data)], { type: part.type ?? 'application/octet-stream' }), part.filename);
  }
  const encoded = new Response(form);
  return { payload: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type')! };
}

/** POST a multipart body through the in-process server; JSON answers are parsed, binary ones kept as a Buffer. */
export async function postMultipart<T = any>(api: TestApi, url: string, parts: Record<string, Part>, token?: string, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
  const { payload, contentType } = await encodeMultipart(parts);
  const res = await api.server.app.inject({
    method: 'POST',
    url,
    payload,
    headers: { ...headers, 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  const type = String(res.headers['content-type'] ?? '');
  return { status: res.statusCode, body: type.includes('json') && res.body ? JSON.parse(res.body) : res.body, headers: res.headers };
}

/** GET a binary answer (a download) as a Buffer. */
export async function getBinary(api: TestApi, url: string, token?: string) {
  const res = await api.server.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.statusCode, headers: res.headers, body: res.rawPayload, json: () => JSON.parse(res.body) };
}
