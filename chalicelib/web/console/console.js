// The agent console: sign in with an agent token, then the work list, a ticket, incidents and
// metrics, one view at a time under a hash route (#/desk/latam/open, #/ticket/<id>,
// #/incidents/open, #/incident/<id>, #/metrics). The token never appears in a URL.

import { TOKEN_REFUSED, request } from "./api.js";
import { announce, clear, field, formatTime, h } from "./dom.js";
import { t } from "./i18n.js";
import { renderIncident, renderIncidents } from "./incidents.js";
import { renderMetrics } from "./metrics.js";
import { currentSession, deskRegions, forgetToken, readClaims, storeToken } from "./session.js";
import { renderTicket } from "./ticket.js";
import { STATES, forgetDetails, renderWorklist } from "./worklist.js";

const main = document.getElementById("view");
const who = document.getElementById("who");
const nav = document.getElementById("nav");
let cleanup = null;
let lastDesk = null;

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function route() {
  if (cleanup) cleanup();
  cleanup = null;
  announce("");
  const session = currentSession();
  showSession(session);
  if (!session) {
    document.title = `${t("login.heading")} · ${t("app.title")}`;
    cleanup = renderLogin(main);
    return;
  }
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodePart);
  const [view, first, second] = parts;
  const context = { session, navigate };
  if (view === "ticket" && first) {
    cleanup = renderTicket(main, { ...context, ticketId: first, backTo: lastDesk || "#/desk" });
  } else if (view === "incidents") {
    cleanup = renderIncidents(main, { ...context, listing: first });
  } else if (view === "incident" && first) {
    cleanup = renderIncident(main, { ...context, incidentId: first });
  } else if (view === "metrics") {
    cleanup = renderMetrics(main, context);
  } else {
    const regions = deskRegions(session.claims);
    const region = regions.includes(first) ? first : regions[0];
    const state = STATES.includes(second) ? second : "open";
    lastDesk = `#/desk/${region}/${state}`;
    cleanup = renderWorklist(main, { ...context, region, state });
  }
  markCurrentSection(view || "desk");
}

function decodePart(part) {
  try {
    return decodeURIComponent(part);
  } catch {
    return "";
  }
}

function markCurrentSection(view) {
  const section = { incident: "incidents", ticket: "desk", metrics: "metrics", incidents: "incidents" }[view] || "desk";
  document.title = `${t(`nav.${section === "desk" ? "worklist" : section}`)} · ${t("app.title")}`;
  for (const link of nav.querySelectorAll("a")) {
    if (link.dataset.section === "desk" && lastDesk) link.setAttribute("href", lastDesk);
    if (link.dataset.section === section) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function showSession(session) {
  nav.hidden = !session;
  if (!session) {
    clear(who);
    return;
  }
  const { claims } = session;
  const signOut = h("button", { type: "button", testid: "sign-out" }, t("session.sign_out"));
  signOut.addEventListener("click", () => signOutNow(t("session.ended")));
  who.replaceChildren(
    h(
      "p",
      { testid: "signed-in" },
      h("strong", t("session.signed_in", { name: claims.name })),
      h("span", { class: "muted" }, ` · ${t("session.regions", { regions: claims.regions.join(", ") })}`),
      h("span", { class: "muted" }, ` · ${t("session.languages", { languages: claims.languages.join(", ") || "—" })}`),
      h("span", { class: "muted" }, ` · ${t("session.expires", { when: formatTime(claims.expiresAt) })}`),
    ),
    signOut,
  );
}

function signOutNow(message) {
  forgetToken();
  forgetDetails();
  lastDesk = null;
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  route();
  announce(message);
}

function renderLogin(container) {
  const token = h("input", {
    type: "password",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
    testid: "login-token",
  });
  const error = h("p", { class: "error", role: "alert", testid: "login-error" });
  const submit = h("button", { type: "submit", class: "primary", testid: "login-submit" }, t("login.submit"));
  const form = h(
    "form",
    { class: "login", "aria-labelledby": "view-heading" },
    h("h1", { id: "view-heading", tabindex: "-1" }, t("login.heading")),
    h("p", { class: "muted", id: "login-intro" }, t("login.intro")),
    field(t("login.token"), token),
    submit,
    error,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const value = token.value.trim();
    const claims = readClaims(value);
    if (!claims) return void (error.textContent = t("login.malformed"));
    if (claims.expiresAt <= Date.now()) return void (error.textContent = t("login.expired"));
    const region = deskRegions(claims)[0];
    submit.disabled = true;
    error.textContent = t("login.checking");
    try {
      // One call with the token decides: the API checks its signature and expiry.
      await request("GET", `/desk/${region}/tickets`, { query: { state: "open" }, token: value });
    } catch (refused) {
      submit.disabled = false;
      error.textContent = refused.status === 401 || refused.status === 403 ? t("login.refused") : refused.message;
      return;
    }
    storeToken(value);
    token.value = "";
    navigate(`#/desk/${region}/open`);
  });
  clear(container).append(form);
  token.focus();
  return null;
}

window.addEventListener(TOKEN_REFUSED, () => signOutNow(t("session.refused")));
window.addEventListener("hashchange", route);
const skipLink = document.getElementById("skip-link");
skipLink.textContent = t("app.skip");
skipLink.addEventListener("click", (event) => {
  // Not a hash change: the hash is the console's route.
  event.preventDefault();
  document.getElementById("main").focus();
});
for (const link of nav.querySelectorAll("a")) link.textContent = t(`nav.${link.dataset.word}`);
nav.setAttribute("aria-label", t("nav.label"));
route();
