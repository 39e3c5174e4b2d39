// The one HTTP client: same-origin, the token as a Bearer header (never a cookie); errors keep the API's shape.
import { authHeaders } from './token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/api${path}`, {
    method,
    headers: { ...authHeaders(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  // The whole dashboard says so when the token is missing or wrong, or when the page's own entity is gone.
  if (res.status === 401) window.dispatchEvent(new CustomEvent('vloop:unauthorized'));
  if (res.status === 404 && method === 'GET' && /^\/[a-z]+\/[^/]+$/.test(path))
    window.dispatchEvent(
      new CustomEvent('vloop:not-found', { detail: data?.error?.message ?? `${path} was not found` }),
    );
  if (!res.ok)
    throw new ApiError(
      res.status,
      data?.error?.code ?? 'error',
      data?.error?.message ?? `HTTP ${res.status}`,
      data?.error?.details?.problems ?? [],
    );
  return data as T;
}

export const http = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  del: <T>(path: string) => request<T>('DELETE', path),
  /** Save what a GET answers as a file (a link would carry no token): the answer becomes a blob URL. */
  async download(path: string, filename: string): Promise<void> {
    const res = await fetch(`/api${path}`, { headers: authHeaders() });
    if (res.status === 401) window.dispatchEvent(new CustomEvent('vloop:unauthorized'));
    if (!res.ok) throw new ApiError(res.status, 'error', `HTTP ${res.status} for ${path}`);
    const url = URL.createObjectURL(await res.blob());
    const a = Object.assign(document.createElement('a'), { href: url, download: filename });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  },
  /** The names in a list answer (providers, components, datasets…), for pickers. */
  names: async (path: string) => (await request<Array<{ name: string }>>('GET', path)).map((x) => x.name),
};
