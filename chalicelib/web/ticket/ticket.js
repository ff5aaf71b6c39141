// The requester's ticket page: /t/{ticket_id}#token=<access token or link token>.
//
// The token comes in the URL fragment, which browsers never send to a server. It is moved to
// sessionStorage (this tab only) and cleared from the address bar before anything else happens,
// then sent only as `Authorization: Bearer` to the API. The page's words come from
// i18n/<language>.json, in the ticket's language (then the browser's, then English).

import { callApi } from "../shared/api.js";
import { announce, byTestId, localize } from "../shared/dom.js";
import { applyLanguage, loadLanguage } from "../shared/i18n.js";
import { wireForms } from "./actions.js";
import { renderTicket, wantsRating } from "./view.js";

const FAST_POLL_MS = 5_000; // just after a change, or while the pipeline or a translation works
const SLOW_POLL_MS = 30_000;
const FAST_FOR_MS = 120_000;

const ticketId = decodeURIComponent(location.pathname.replace(/\/+$/, "").split("/").pop() || "");
const storageKey = `polyglot-desk:ticket-token:${ticketId}`;

function takeToken() {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ""));
  const fromLink = fragment.get("token");
  const survey = fragment.has("survey_token");
  if (location.hash) history.replaceState(history.state, "", location.pathname + location.search);
  let token = fromLink;
  try {
    if (fromLink) sessionStorage.setItem(storageKey, fromLink);
    else token = sessionStorage.getItem(storageKey);
  } catch {
    // Storage refused (a privacy mode): the page still works for as long as it stays open.
  }
  return { token, survey };
}

const { token, survey } = takeToken();

const page = {
  ticketId,
  token,
  lang: null,
  t: (key) => key,
  expanded: new Set(), // messages whose original the reader opened: kept across refreshes
  view: null,
  shown: "",
  activeUntil: Date.now() + FAST_FOR_MS,
  timer: null,
  onLanguage: [], // what redraws its own words when the language changes
  touched() {
    page.activeUntil = Date.now() + FAST_FOR_MS;
  },
  refresh,
};

async function useLanguage(candidates) {
  const chosen = await loadLanguage(candidates);
  if (chosen.lang === page.lang) return false;
  page.lang = chosen.lang;
  page.t = chosen.t;
  applyLanguage(chosen.lang);
  document.title = `${page.t("page_title")} · polyglot-desk`;
  localize(document, page.t);
  for (const redraw of page.onLanguage) redraw();
  return true;
}

function showProblem(key) {
  document.getElementById("ticket").hidden = true;
  announce(byTestId("page-message"), page.t(key), "error");
  document.getElementById("main").setAttribute("aria-busy", "false");
}

function settled(view) {
  const pipelineDone = view.status === "routed";
  const translating = (view.messages || []).some((message) => message.translation_status === "pending");
  return pipelineDone && !translating;
}

async function refresh() {
  let view;
  try {
    view = await callApi("GET", `tickets/${ticketId}`, { token });
  } catch (error) {
    if (error.status === 404) showProblem("errors.not_found");
    else if (!page.view) showProblem(error.status === 0 ? "errors.network" : "errors.send");
    return;
  }
  const languageChanged = await useLanguage([view.language && view.language.code, ...navigator.languages]);
  const json = JSON.stringify(view);
  if (json !== page.shown || languageChanged) {
    const firstTime = !page.view;
    page.view = view;
    page.shown = json;
    renderTicket(page, view);
    announce(byTestId("page-message"), "");
    document.getElementById("ticket").hidden = false;
    document.getElementById("main").setAttribute("aria-busy", "false");
    if (firstTime && survey && wantsRating(view)) document.getElementById("csat-heading").focus();
  }
}

function schedule() {
  clearTimeout(page.timer);
  const fast = Date.now() < page.activeUntil || (page.view && !settled(page.view));
  page.timer = setTimeout(poll, fast ? FAST_POLL_MS : SLOW_POLL_MS);
}

async function poll() {
  if (!document.hidden) await refresh();
  schedule();
}

async function start() {
  await useLanguage(navigator.languages);
  if (!token) {
    showProblem("errors.no_token");
    return;
  }
  announce(byTestId("page-message"), page.t("loading"));
  wireForms(page);
  await refresh();
  schedule();
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) poll();
  });
}

start();
