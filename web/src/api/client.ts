// One fetch wrapper for the whole app: bearer token from localStorage, JSON in and out, problem+json errors
// turned into ApiError so screens can map `errors[]` back onto fields.

const TOKEN_KEY = 'qiao.token';

export interface FieldError {
  field: string;
  row?: number;
  column?: string;
  message: string;
  code?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: FieldError[];
  readonly body: Record<string, unknown>;

  constructor(status: number, body: Record<string, unknown>) {
    super(typeof body.title === 'string' ? body.title : `HTTP ${status}`);
    this.status = status;
    this.code = typeof body.code === 'string' ? body.code : String(status);
    this.errors = Array.isArray(body.errors) ? (body.errors as FieldError[]) : [];
    this.body = body;
  }
}

export function getToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

type UnauthorizedListener = () => void;
let onUnauthorized: UnauthorizedListener | null = null;

/** The auth layer registers here so any 401 on a protected call sends the user through the login form. */
export function setUnauthorizedListener(listener: UnauthorizedListener | null): void {
  onUnauthorized = listener;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
  /** Skip the global 401 handling (login and signup answer 401 for a wrong password). */
  anonymous?: boolean;
}

export function buildUrl(path: string, query?: RequestOptions['query']): string {
  const url = path.startsWith('/api/') ? path : `/api/v1${path}`;
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${url}?${qs}` : url;
}

function authHeaders(): Record<string, string> {
  const token = getToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function parseBody(res: Response): Promise<unknown> {
  if (res.status === 204) return undefined;
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) return res.json();
  const text = await res.text();
  return text ? { title: text } : undefined;
}

async function send<T>(method: string, path: string, body: BodyInit | undefined, headers: Record<string, string>, opts: RequestOptions): Promise<T> {
  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), { method, body, headers: { ...authHeaders(), ...headers }, signal: opts.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, { code: 'network_error', title: (err as Error).message });
  }
  const payload = await parseBody(res);
  if (!res.ok) {
    if (res.status === 401 && !opts.anonymous && onUnauthorized) onUnauthorized();
    throw new ApiError(res.status, (payload as Record<string, unknown>) ?? {});
  }
  return payload as T;
}

export function api<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const hasBody = body !== undefined;
  return send<T>(method, path, hasBody ? JSON.stringify(body) : undefined, hasBody ? { 'Content-Type': 'application/json' } : {}, opts);
}

export function apiUpload<T>(path: string, form: FormData, opts: RequestOptions = {}): Promise<T> {
  return send<T>('POST', path, form, {}, opts);
}

/** Downloads a binary answer (exports) and hands it to the browser as a file. */
export async function apiDownload(path: string, query: RequestOptions['query'], fallbackName: string): Promise<void> {
  const res = await fetch(buildUrl(path, query), { headers: authHeaders() });
  if (!res.ok) throw new ApiError(res.status, ((await parseBody(res)) as Record<string, unknown>) ?? {});
  const disposition = res.headers.get('content-disposition') ?? '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = match ? decodeURIComponent(match[1]) : fallbackName;
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
