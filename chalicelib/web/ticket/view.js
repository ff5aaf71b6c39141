// Drawing the ticket as its requester sees it (GET /tickets/{id}), in the page's language.
// Ticket text (subject, description, messages, incident title, file names) is hostile input:
// it only ever becomes textContent, never markup.

import { el, fill, byTestId } from "../shared/dom.js";
import { formatDateTime, formatSize, languageName } from "../shared/i18n.js";

const DESK_STATES = new Set(["open", "claimed", "waiting", "resolved"]);
const INCIDENT_STATES = new Set(["investigating", "identified", "monitoring", "resolved"]);
const DELIVERY_KIND = { sent: "ok", queued: "", failed: "bad" };

// The status in plain words: the pipeline's until the ticket is on a desk, then the desk's;
// "answered" while the conversation's last word is the agent's on a ticket still being worked.
export function statusKey(view) {
  const state = view.desk && view.desk.state;
  if (view.status !== "routed" || !DESK_STATES.has(state)) return "received";
  const messages = view.messages || [];
  const last = messages[messages.length - 1];
  if ((state === "open" || state === "claimed") && last && last.author === "agent") return "answered";
  return state;
}

export function wantsRating(view) {
  const survey = view.satisfaction;
  if (survey && survey.status === "answered") return false;
  const resolved = Boolean(view.desk && view.desk.state === "resolved");
  return Boolean(survey && survey.status === "requested") || resolved;
}

export function renderTicket(page, view) {
  const { t } = page;
  fill(byTestId("ticket-ref"), t("ticket_ref", { id: view.ticket_id }));
  renderStatus(page, view);
  renderIncident(page, view.incident);
  renderSatisfaction(page, view);
  renderConversation(page, view);
  renderEvidence(page, view);
  renderNotifications(page, view.notifications || []);
}

function renderStatus({ t, lang }, view) {
  const key = statusKey(view);
  const card = byTestId("ticket-status").closest("section");
  card.dataset.state = key;
  fill(byTestId("ticket-status"), t(`status.${key}`));
  const eta = view.sla && view.sla.eta;
  const box = byTestId("eta");
  box.hidden = !eta;
  if (eta) {
    const text = t("eta.window", { from: formatDateTime(lang, eta.from), to: formatDateTime(lang, eta.to) });
    fill(box.querySelector(".eta-window"), text);
  }
  fill(byTestId("updated"), t("status.updated", { time: formatDateTime(lang, view.updated_at) }));
}

function renderIncident({ t }, incident) {
  const box = byTestId("incident");
  box.hidden = !incident;
  if (!incident) return;
  box.dataset.status = incident.status;
  fill(box.querySelector(".incident-title"), incident.title);
  const status = INCIDENT_STATES.has(incident.status) ? t(`incident.statuses.${incident.status}`) : "";
  fill(box.querySelector(".incident-status"), status ? t("incident.status", { status }) : "");
}

function renderSatisfaction({ t }, view) {
  const box = byTestId("csat");
  const survey = view.satisfaction;
  const answered = Boolean(survey && survey.status === "answered");
  const asking = wantsRating(view);
  box.hidden = !asking && !answered;
  box.querySelector("form").hidden = !asking;
  const done = byTestId("csat-done");
  done.hidden = !answered;
  if (answered) fill(done, t("csat.thanks", { rating: survey.rating }));
}

// --- the conversation -------------------------------------------------------------------------

function renderConversation(page, view) {
  const list = byTestId("conversation");
  const focused = document.activeElement && document.activeElement.closest("[data-message-id]");
  const refocus = focused && list.contains(focused) ? focused.dataset.messageId : null;
  const request = requestEntry(page, view);
  fill(list, request, (view.messages || []).map((message) => messageEntry(page, message)));
  if (refocus) {
    const again = list.querySelector(`[data-message-id="${CSS.escape(refocus)}"] [data-testid="show-original"]`);
    if (again) again.focus();
  }
}

function requestEntry({ t, lang }, view) {
  return el(
    "li",
    { class: "message from-requester", testid: "message", dataset: { author: "requester", kind: "request" } },
    meta(t("conversation.you"), t("conversation.request"), view.created_at, lang),
    view.subject ? el("p", { class: "message-subject", dir: "auto" }, view.subject) : null,
    el("p", { class: "message-text", dir: "auto" }, view.description),
  );
}

function messageEntry(page, message) {
  const { t, lang } = page;
  const fromAgent = message.author === "agent";
  const original = message.original || {};
  const item = el("li", {
    class: `message ${fromAgent ? "from-agent" : "from-requester"}`,
    testid: "message",
    dataset: { author: fromAgent ? "agent" : "requester", messageId: message.message_id },
  });
  item.append(
    meta(fromAgent ? t("conversation.support") : t("conversation.you"), null, message.created_at, lang),
    el("p", { class: "message-text", lang: message.language || null, dir: "auto" }, message.text),
  );
  const pending = fromAgent && !message.translated && ["pending", "failed"].includes(message.translation_status);
  if (pending) item.append(el("p", { class: "message-note" }, t("conversation.pending")));
  if (message.translated && original.text) item.append(...originalToggle(page, message.message_id, original));
  return item;
}

function meta(author, label, at, lang) {
  return el(
    "p",
    { class: "message-meta" },
    el("span", { class: "message-author" }, author),
    label ? el("span", {}, label) : null,
    at ? el("time", { datetime: at }, formatDateTime(lang, at)) : null,
  );
}

function originalToggle({ t, lang, expanded }, messageId, original) {
  const id = `original-${messageId}`;
  const open = expanded.has(messageId);
  const button = el(
    "button",
    { type: "button", class: "quiet", testid: "show-original", "aria-expanded": String(open), "aria-controls": id },
    t(open ? "conversation.hide_original" : "conversation.show_original"),
  );
  const label = t("conversation.original", { language: languageName(lang, original.language) || "?" });
  const box = el(
    "div",
    { class: "original", id, testid: "original", hidden: !open },
    el("p", { class: "original-label" }, label),
    el("p", { class: "message-text", lang: original.language || null, dir: "auto" }, original.text),
  );
  button.addEventListener("click", () => {
    const now = box.hidden;
    box.hidden = !now;
    button.setAttribute("aria-expanded", String(now));
    button.textContent = t(now ? "conversation.hide_original" : "conversation.show_original");
    if (now) expanded.add(messageId);
    else expanded.delete(messageId);
  });
  return [button, box];
}

// --- evidence and notifications ---------------------------------------------------------------

function safeLink(url) {
  try {
    const parsed = new URL(url, location.href);
    return ["http:", "https:"].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

function renderEvidence({ t, lang }, view) {
  const section = byTestId("evidence");
  // Shown once the API lists evidence (a build without evidence uploads has no such field).
  section.hidden = !Array.isArray(view.evidence_files);
  if (section.hidden) return;
  const files = view.evidence_files;
  document.getElementById("evidence-empty").hidden = files.length > 0;
  const items = files.map((file) => {
    const link = file.download_url ? safeLink(file.download_url) : null;
    const name = link
      ? el("a", { class: "evidence-name", href: link, rel: "noopener noreferrer", target: "_blank", dir: "auto" }, file.filename)
      : el("span", { class: "evidence-name", dir: "auto" }, file.filename);
    const details = [file.content_type, formatSize(lang, file.size)].filter(Boolean).join(" · ");
    const waiting = file.status === "pending" ? el("span", { class: "badge warn" }, t("evidence.pending")) : null;
    return el("li", { testid: "evidence-item", dataset: { status: file.status || "" } }, name, el("span", { class: "muted" }, details), waiting);
  });
  fill(byTestId("evidence-list"), items);
}

function renderNotifications({ t, lang }, notifications) {
  document.getElementById("notifications-empty").hidden = notifications.length > 0;
  const items = notifications.map((notification) =>
    el(
      "li",
      { testid: "notification", dataset: { type: notification.type, status: notification.status } },
      el("span", { class: "notification-type" }, t(`notifications.types.${String(notification.type).replace(".", "_")}`)),
      el("span", {}, t(`notifications.channels.${notification.channel}`)),
      el("span", { class: `badge ${DELIVERY_KIND[notification.status] || ""}` }, t(`notifications.delivery.${notification.status}`)),
      el("time", { datetime: notification.at }, formatDateTime(lang, notification.at)),
    ),
  );
  fill(byTestId("notifications"), items);
}
