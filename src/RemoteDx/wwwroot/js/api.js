// fetch wrapper for /api: JSON in and out, the CSRF header on every state-changing request, and one place that
// notices an expired session (401) so the app can return to the login screen.

let csrfToken = null;
let unauthorizedHandler = () => {};

export class ApiError extends Error {
  constructor(status, message, retryAfter = null) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

export function setCsrfToken(token) { csrfToken = token ?? null; }
export function onUnauthorized(fn) { unauthorizedHandler = fn; }

export const seg = (s) => encodeURIComponent(s);

/** api('/api/worklist', { query: {status: 'new'} }) or api(path, { method: 'POST', body: {...} }). Extra `headers`
 * carry what must not go into the URL (e.g. worklist search text). */
export async function api(path, { method = 'GET', body, query, signal, quiet401 = false, headers: extra } = {}) {
  const headers = { Accept: 'application/json', ...extra };
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let url = path;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  const res = await fetch(url, {
    method, headers, signal, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return null;
  let data = null;
  const type = res.headers.get('Content-Type') ?? '';
  if (type.includes('json')) {
    try { data = await res.json(); } catch { data = null; }
  }
  if (!res.ok) {
    if (res.status === 401 && !quiet401) unauthorizedHandler();
    const retry = Number.parseInt(res.headers.get('Retry-After') ?? '', 10);
    throw new ApiError(res.status, data?.error ?? `HTTP ${res.status}`, Number.isFinite(retry) ? retry : null);
  }
  return data;
}
