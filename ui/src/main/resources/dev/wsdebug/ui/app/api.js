// The app's only door to the server: every request carries the run's token (header, and query
// for URLs the browser fetches by itself: EventSource and downloads), and every failure becomes
// one sentence shown in the status area.

const params = new URLSearchParams(location.search);
const token = params.get('token') || sessionStorage.getItem('wsdebug-token') || '';
if (params.has('token')) {
  // The cookie already carries it; keep it for this tab only so reloads work without cookies,
  // and take it out of the address bar (and thus out of screenshots and shared links).
  sessionStorage.setItem('wsdebug-token', token);
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', location.pathname + (rest ? '?' + rest : '') + location.hash);
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** A URL the browser loads by itself (links, EventSource), with the token in the query. */
export function withToken(path) {
  if (!token) return path;
  return path + (path.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token);
}

async function request(method, path, body, headers = {}) {
  const h = { ...headers };
  if (token) h['X-Wsdebug-Token'] = token;
  let payload = body;
  if (body !== undefined && !(body instanceof Blob) && !(body instanceof ArrayBuffer)) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, { method, headers: h, body: payload, credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, 'The wsdebug server does not answer (is it still running?).');
  }
  if (!res.ok) {
    let msg = `${method} ${path.split('?')[0]} failed with status ${res.status}.`;
    try {
      const j = await res.json();
      if (j && j.error) msg = j.error;
    } catch (_) { /* not JSON: keep the generic sentence */ }
    throw new ApiError(res.status, msg);
  }
  return res;
}

export async function getJson(path) {
  return (await request('GET', path)).json();
}

export async function postJson(path, body, headers) {
  const res = await request('POST', path, body, headers);
  const text = await res.text();
  return text ? JSON.parse(text) : {};
}

export async function getBytes(path) {
  return new Uint8Array(await (await request('GET', path)).arrayBuffer());
}

/** Builds a query string, leaving out empty values. */
export function query(obj) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(obj)) {
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  }
  const s = p.toString();
  return s ? '?' + s : '';
}

export const enc = encodeURIComponent;
