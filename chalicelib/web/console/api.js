// The desk API, called with the agent's token in the Authorization header (never in a URL).
// The API's root is two levels above this module (<root>/assets/console/api.js), so the console
// works on the local stack and behind API Gateway's stage prefix alike.

import { storedToken } from "./session.js";

export const API_ROOT = new URL("../../", import.meta.url);

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code || "http_error";
    this.field = field || null;
  }
}

// Fired when the API refuses the token: the console signs the agent out.
export const TOKEN_REFUSED = "polyglot-desk:token-refused";

export function apiUrl(path, query) {
  const url = new URL(path.replace(/^\//, ""), API_ROOT);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== null && value !== undefined && value !== "") url.searchParams.set(name, String(value));
  }
  return url;
}

export async function request(method, path, { body, query, token } = {}) {
  const bearer = token || storedToken();
  const headers = { Accept: "application/json" };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(apiUrl(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer",
    });
  } catch (error) {
    throw new ApiError(0, "network", `the desk API cannot be reached (${error.message})`);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const detail = (data && data.error) || {};
    const error = new ApiError(response.status, detail.code, detail.message || (data && data.Message), detail.field);
    if ((response.status === 401 || response.status === 403) && !token && detail.code !== "forbidden") {
      window.dispatchEvent(new CustomEvent(TOKEN_REFUSED));
    }
    throw error;
  }
  return { status: response.status, data };
}

export const api = {
  deskList: (region, state) => request("GET", `/desk/${encodeURIComponent(region)}/tickets`, { query: { state } }),
  claimNext: (region) => request("POST", `/desk/${encodeURIComponent(region)}/claim`),
  // glance: read it without the on-demand translation that opening it may cost (a work list's
  // rows, a refresh); opening it (the default) translates a ticket in a language the agent does not read.
  ticket: (id, { glance = false } = {}) =>
    request("GET", `/tickets/${encodeURIComponent(id)}`, { query: glance ? { translate: "false" } : {} }),
  preview: (id, text, language) =>
    request("POST", `/tickets/${encodeURIComponent(id)}/replies/preview`, { body: draft(text, language) }),
  reply: (id, text, language) =>
    request("POST", `/tickets/${encodeURIComponent(id)}/replies`, { body: draft(text, language) }),
  deskChange: (id, action, note) =>
    request("POST", `/tickets/${encodeURIComponent(id)}/${action}`, { body: note ? { note } : {} }),
  incidents: (status) => request("GET", "/incidents", { query: { status } }),
  incident: (id) => request("GET", `/incidents/${encodeURIComponent(id)}`),
  openIncident: (fields) => request("POST", "/incidents", { body: fields }),
  candidates: (id) => request("GET", `/incidents/${encodeURIComponent(id)}/candidates`),
  linkTickets: (id, ticketIds) =>
    request("POST", `/incidents/${encodeURIComponent(id)}/tickets`, { body: { ticket_ids: ticketIds } }),
  postUpdate: (id, status, text) =>
    request("POST", `/incidents/${encodeURIComponent(id)}/updates`, { body: { status, text } }),
  metrics: (query) => request("GET", "/metrics", { query }),
};

function draft(text, language) {
  return language ? { text, language } : { text };
}
