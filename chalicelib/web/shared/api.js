// Calls to the polyglot-desk API from a page. Tokens travel only in the Authorization header,
// never in a URL. The API's root is two levels above this module (<root>/assets/shared/api.js),
// so a page works on the local stack and behind API Gateway's stage prefix alike.

export const API_ROOT = new URL("../../", import.meta.url);

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code || "http_error";
    this.field = field || null;
  }
}

export function apiUrl(path) {
  return new URL(path.replace(/^\//, ""), API_ROOT);
}

// JSON in, JSON out: resolves to the parsed answer (null for an empty one), rejects with an
// ApiError carrying the contract's {"error": {"code", "message", "field"}} (status 0: no network).
export async function callApi(method, path, { token, body } = {}) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(apiUrl(path), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer",
    });
  } catch (error) {
    throw new ApiError(0, "network", String(error && error.message));
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const detail = (data && data.error) || {};
    throw new ApiError(response.status, detail.code, detail.message, detail.field);
  }
  return data;
}

// A static file of the pages, e.g. getAsset("i18n/es.json").
export async function getAsset(path) {
  const response = await fetch(apiUrl(`assets/${path}`), { credentials: "omit" });
  if (!response.ok) throw new ApiError(response.status, "asset_missing", path);
  return response.json();
}
