// The JSON API of this origin (GET /api/v1/openapi.json describes it) and the
// signed-in session: its JWT is kept in localStorage so that a reload, or an
// upload resumed after one, stays signed in until the token expires.
const SESSION_KEY = 'streamgate.session';

export const session = {
  get() {
    try {
      const s = JSON.parse(localStorage.getItem(SESSION_KEY));
      if (s && Date.parse(s.expires_at) > Date.now()) return s;
    } catch { /* nothing stored, or not ours */ }
    return null;
  },
  set(s) {
    localStorage.setItem(SESSION_KEY, JSON.stringify(s));
    window.dispatchEvent(new Event('session'));
  },
  clear() {
    localStorage.removeItem(SESSION_KEY);
    window.dispatchEvent(new Event('session'));
  },
  authorization() {
    const s = this.get();
    return s ? { Authorization: `Bearer ${s.token}` } : {};
  },
};

/** A refusal of the API: its status and the problem+json body's detail. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function api(path, { method = 'GET', body, signal } = {}) {
  const headers = { ...session.authorization() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401 && headers.Authorization) session.clear();  // revoked or expired
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { detail: text.slice(0, 200) }; }
  if (!res.ok) throw new ApiError(res.status, data || {});
  return data;
}

/** `?a=1&b=…` of the defined, non-empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The catalogue's categories, fetched once per page load. */
let categories;
export function listCategories() {
  categories ||= api('/api/v1/categories').then((r) => r.items ?? r).catch(() => {
    categories = undefined;
    return [];
  });
  return categories;
}
