// One ticket as an agent reads it: the original and its translation side by side, the
// requester's language and the detector's confidence, evidence, the conversation (originals one
// click away), desk events, satisfaction and the linked incident; then the actions (actions.js).

import { api } from "./api.js";
import { renderActions } from "./actions.js";
import { clear, formatBytes, formatTime, h, userText } from "./dom.js";
import { languageName, t } from "./i18n.js";
import { etaText, paintSla } from "./sla.js";

const REFRESH_MS = 15000;

export function renderTicket(container, { ticketId, backTo, navigate }) {
  let stopped = false;
  let tick = null;
  let shown = null; // what is on screen: {snapshot, state, reading, actions}
  clear(container).append(h("p", { class: "muted" }, t("ticket.loading")));

  // mode: "first" (focus the heading), "after-action" (redraw all), "refresh" (the agent may be
  // typing: redraw what they read only when it changed, the forms only when the desk state did
  // and no reply is being written).
  async function load(mode = "first") {
    try {
      // Opening translates a ticket in a language the agent does not read (once); a refresh only looks.
      const answer = await api.ticket(ticketId, { glance: mode === "refresh" });
      if (!stopped) show(answer.data, mode);
    } catch (error) {
      if (stopped || mode === "refresh") return;
      const message = error.status === 404 ? t("ticket.not_found") : t("common.error", { message: error.message });
      clear(container).append(backLink(backTo), h("p", { class: "error", role: "alert" }, message));
    }
  }

  function show(ticket, mode) {
    const snapshot = JSON.stringify({ ...ticket, sla: null });
    const state = ticket.desk ? ticket.desk.state : null;
    if (mode === "refresh" && shown && shown.snapshot === snapshot) return;
    const reading = readingParts(ticket);
    const drafting = shown && shown.actions.querySelector("[data-testid=reply-text]")?.value.trim();
    const keepForms = mode === "refresh" && shown && (state === shown.state || drafting);
    const actions = keepForms ? shown.actions : renderActions(ticket, { reload: () => load("after-action"), navigate });
    if (!shown || mode !== "refresh") {
      const focused = document.activeElement && document.activeElement.getAttribute("data-testid");
      const heading = h("h1", { id: "view-heading", tabindex: "-1" }, t("ticket.heading", { id: ticket.ticket_id }));
      clear(container).append(backLink(backTo), heading, reading.node, actions);
      if (mode === "first") heading.focus();
      else refocus(container, focused, heading);
    } else {
      shown.reading.replaceWith(reading.node);
      if (actions !== shown.actions) shown.actions.replaceWith(actions);
    }
    shown = { snapshot, state: keepForms ? shown.state : state, reading: reading.node, actions };
    clearInterval(tick);
    tick = setInterval(reading.paint, 1000);
  }

  load();
  const refresh = setInterval(() => load("refresh"), REFRESH_MS);
  return () => {
    stopped = true;
    clearInterval(tick);
    clearInterval(refresh);
  };
}

// After an action redraws the ticket, the keyboard stays where it was (the same control, when it
// is still there and usable), else on the heading, without scrolling.
function refocus(container, testid, heading) {
  const again = testid ? container.querySelector(`[data-testid="${CSS.escape(testid)}"]`) : null;
  if (again && !again.disabled) again.focus({ preventScroll: true });
  else heading.focus({ preventScroll: true });
}

// Everything the agent reads about the ticket, and the SLA countdown's painter.
function readingParts(ticket) {
  const slaNode = h("span", { class: "sla", testid: "ticket-sla" });
  const node = h(
    "div",
    { class: "reading" },
    facts(ticket, slaNode),
    texts(ticket),
    h("div", { class: "columns" }, evidence(ticket), extras(ticket)),
    conversation(ticket),
    events(ticket),
  );
  const input = {
    state: ticket.desk ? ticket.desk.state : null,
    createdAt: ticket.created_at,
    firstResponseDue: ticket.sla ? ticket.sla.first_response_due : null,
    resolutionDue: ticket.sla ? ticket.sla.resolution_due : null,
    firstRespondedAt: ticket.desk ? ticket.desk.first_responded_at : null,
  };
  const paint = () => paintSla(slaNode, input);
  paint();
  return { node, paint };
}

function backLink(backTo) {
  return h("p", h("a", { href: backTo, class: "back" }, `← ${t("ticket.back")}`));
}

function facts(ticket, slaNode) {
  const desk = ticket.desk || {};
  const language = ticket.language;
  const rows = [
    ["ticket.status", h("span", { testid: "ticket-status" }, ticket.status)],
    ["ticket.desk_state", desk.state ? t(`state.${desk.state}`) : t("common.none")],
    ["ticket.priority", ticket.priority ? h("span", { class: `priority priority-${ticket.priority}` }, t(`priority.${ticket.priority}`)) : "—"],
    ["ticket.region", ticket.region || t("common.none")],
    ["ticket.category", ticket.category],
    ["ticket.assignee", desk.assignee || t("ticket.unassigned")],
    ["ticket.created", formatTime(ticket.created_at)],
    ["ticket.sla", slaNode],
    ["ticket.eta", h("span", { testid: "eta" }, etaText(ticket.sla))],
    ["ticket.language", languageLine(language)],
  ];
  return h(
    "section",
    { "aria-labelledby": "facts-heading", class: "facts" },
    h("h2", { id: "facts-heading", class: "visually-hidden" }, t("ticket.facts")),
    h("dl", rows.map(([key, value]) => h("div", h("dt", t(key)), h("dd", value)))),
  );
}

function languageLine(language) {
  if (!language) return h("span", { testid: "ticket-language" }, t("common.unknown"));
  const line = t("ticket.confidence", {
    language: languageName(language.code),
    confidence: Math.round(language.confidence * 100),
    source: language.source,
  });
  return h(
    "span",
    { testid: "ticket-language" },
    line,
    language.low_confidence ? h("strong", { class: "warning" }, ` ${t("ticket.low_confidence")}`) : null,
  );
}

function texts(ticket) {
  const code = ticket.language ? ticket.language.code : null;
  const translation = ticket.translation;
  const original = h(
    "article",
    { class: "text-panel", testid: "ticket-original", "aria-labelledby": "original-heading" },
    h("h2", { id: "original-heading" }, t("ticket.original", { language: languageName(code) })),
    userText("h3", ticket.subject || t("ticket.no_subject"), ticket.subject ? code : null, { class: "subject" }),
    userText("p", ticket.description, code, { class: "body" }),
  );
  const target = translation ? translation.target : "en";
  const translated = h(
    "article",
    { class: "text-panel", testid: "ticket-translation", "aria-labelledby": "translation-heading" },
    h("h2", { id: "translation-heading" }, t("ticket.translation", { language: languageName(target) })),
  );
  if (translation && translation.status === "done") {
    translated.append(
      userText("h3", translation.subject || t("ticket.no_subject"), translation.subject ? target : null, { class: "subject" }),
      userText("p", translation.description, target, { class: "body" }),
      h("p", { class: "muted small" }, translation.provider || ""),
    );
  } else if (translation && translation.status === "skipped") {
    translated.append(h("p", { class: "muted" }, t("ticket.translation_skipped")));
  } else if (translation && translation.status === "on_demand") {
    // The desk reads the language; this agent does too (else opening it would have translated it).
    translated.append(h("p", { class: "muted" }, t("ticket.translation_on_demand", { language: languageName(code) })));
  } else {
    const status = translation ? translation.status : "pending";
    const reason = (translation && translation.reason) || t("common.unknown");
    translated.append(h("p", { class: "warning" }, t("ticket.translation_pending", { status, reason })));
  }
  return h("div", { class: "side-by-side" }, original, translated);
}

function evidence(ticket) {
  const items = Array.isArray(ticket.evidence) ? ticket.evidence : [];
  const files = Array.isArray(ticket.evidence_files) ? ticket.evidence_files : [];
  const list = h("ul", { class: "plain" });
  for (const item of items) {
    list.append(h("li", { testid: "evidence" }, h("span", { class: "muted" }, `${item.kind}: `), userText("span", item.value, null)));
  }
  for (const file of files) {
    const name = file.name || file.filename || file.key || file.evidence_id || "file";
    const label = t("ticket.evidence_file", {
      name,
      type: file.content_type || file.type || "",
      size: formatBytes(file.size ?? file.size_bytes),
    });
    const href = safeHttpUrl(file.download_url);
    list.append(
      h(
        "li",
        { testid: "evidence-file" },
        userText("span", label, null),
        href ? [" ", h("a", { href, rel: "noopener noreferrer", target: "_blank", download: "" }, t("ticket.download"))] : null,
      ),
    );
  }
  return h(
    "section",
    { "aria-labelledby": "evidence-heading" },
    h("h2", { id: "evidence-heading" }, t("ticket.evidence")),
    items.length || files.length ? list : h("p", { class: "muted" }, t("ticket.evidence_none")),
  );
}

// Only http(s) links are followed: a javascript: URL in a ticket is text, never a link.
export function safeHttpUrl(value) {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value, document.baseURI);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

function extras(ticket) {
  const parts = [];
  if (ticket.incident) {
    parts.push(
      h("h2", t("ticket.incident")),
      h(
        "p",
        { testid: "ticket-incident" },
        h("a", { href: `#/incident/${encodeURIComponent(ticket.incident.id)}` }, userText("span", ticket.incident.title, null)),
        ` · ${t(`istatus.${ticket.incident.status}`)}`,
      ),
    );
  }
  if (ticket.satisfaction) {
    const survey = ticket.satisfaction;
    parts.push(
      h("h2", t("ticket.satisfaction")),
      h(
        "p",
        { testid: "ticket-satisfaction" },
        t("ticket.satisfaction_value", { status: survey.status, rating: survey.rating ?? "—", resolution: survey.resolution }),
      ),
    );
  }
  const notifications = ticket.notifications || [];
  if (notifications.length) {
    parts.push(
      h("h2", t("ticket.notifications")),
      h(
        "ul",
        { class: "plain small" },
        notifications.map((note) => h("li", t("ticket.notification", note))),
      ),
    );
  }
  return h("section", { class: "extras" }, parts);
}

function conversation(ticket) {
  const messages = ticket.messages || [];
  const list = h("ol", { class: "conversation" });
  for (const message of messages) list.append(messageEntry(message));
  return h(
    "section",
    { "aria-labelledby": "conversation-heading" },
    h("h2", { id: "conversation-heading" }, t("ticket.conversation")),
    messages.length ? list : h("p", { class: "muted" }, t("ticket.conversation_empty")),
  );
}

function messageEntry(message) {
  const fromAgent = message.author === "agent";
  const who = fromAgent ? t("message.agent", { name: message.author_name || "" }) : t("message.requester");
  const translation = message.translation || {};
  const textLanguage = message.translated ? translation.target : message.original.language;
  const entry = h(
    "li",
    { class: `message message-${message.author}`, testid: "message", dataset: { messageId: message.message_id } },
    h("p", { class: "meta" }, h("strong", who), ` · ${formatTime(message.created_at)}`),
    userText("p", message.text, textLanguage, { class: "body", testid: "message-text" }),
  );
  if (message.translated) {
    entry.append(
      h(
        "details",
        h("summary", t("message.original", { language: languageName(message.original.language) })),
        userText("p", message.original.text, message.original.language, { testid: "message-original" }),
      ),
    );
  } else if (fromAgent) {
    const reads = translation.status === "done" ? translation.text : message.original.text;
    entry.append(
      h(
        "details",
        h("summary", t("message.requester_reads", { language: languageName(translation.target), status: translation.status })),
        userText("p", reads, translation.status === "done" ? translation.target : message.original.language, {
          testid: "message-requester-reads",
        }),
      ),
    );
  } else if (translation.status && translation.status !== "skipped") {
    entry.append(h("p", { class: "muted small" }, t("message.translation_status", { status: translation.status })));
  }
  return entry;
}

function events(ticket) {
  const list = (ticket.desk && ticket.desk.events) || [];
  return h(
    "section",
    { "aria-labelledby": "events-heading" },
    h("h2", { id: "events-heading" }, t("ticket.events")),
    list.length
      ? h(
          "ol",
          { class: "events" },
          list.map((event) =>
            h(
              "li",
              { testid: "desk-event" },
              h("span", { class: "muted" }, `${formatTime(event.at)} · `),
              t("ticket.event", event),
              event.note ? [" — ", userText("q", event.note, null)] : null,
            ),
          ),
        )
      : h("p", { class: "muted" }, t("ticket.events_none")),
  );
}
