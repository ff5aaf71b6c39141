// What an agent does on a ticket: reply in their language, after seeing the preview of what the
// requester will read (POST /tickets/{id}/replies/preview runs the real reply's translation
// chain and stores nothing); set waiting, resolve, reopen with an optional note; link the ticket
// to an open incident.

import { api } from "./api.js";
import { announce, field, h, select, userText } from "./dom.js";
import { languageName, t } from "./i18n.js";
import { currentSession } from "./session.js";

const PREVIEW_DELAY_MS = 700;
const CHANGES = [
  ["waiting", "desk.waiting", ["open", "claimed"]],
  ["resolve", "desk.resolve", ["open", "claimed", "waiting"]],
  ["reopen", "desk.reopen", ["resolved"]],
];

export function renderActions(ticket, { reload }) {
  return h("div", { class: "actions" }, replyForm(ticket, reload), deskForm(ticket, reload), linkForm(ticket, reload));
}

function replyForm(ticket, reload) {
  const session = currentSession();
  const own = session ? session.claims.languages : [];
  const text = h("textarea", { rows: "5", testid: "reply-text", maxlength: "10000", required: true });
  const language = select(
    { testid: "reply-language" },
    [["", t("reply.detect")], ...own.map((code) => [code, languageName(code)])],
    "",
  );
  const previewButton = h("button", { type: "button", testid: "reply-preview" }, t("reply.preview"));
  const send = h("button", { type: "submit", class: "primary", testid: "reply-send", disabled: true }, t("reply.send"));
  const previewStatus = h("p", { class: "muted", testid: "reply-preview-status" }, t("reply.preview_needed"));
  const previewText = userText("p", "", null, { class: "preview-text", testid: "reply-preview-text", hidden: true });
  const preview = h(
    "section",
    { class: "preview", "aria-labelledby": "preview-heading", "aria-live": "polite", testid: "reply-preview-panel" },
    h("h3", { id: "preview-heading" }, t("reply.preview_heading")),
    previewStatus,
    previewText,
  );
  // The draft the preview on screen was made for: sending is allowed for exactly that draft.
  let previewed = null;
  let timer = null;
  let sequence = 0;

  const draft = () => ({ text: text.value.trim(), language: language.value || null });
  const same = (a, b) => a && b && a.text === b.text && a.language === b.language;

  async function runPreview() {
    clearTimeout(timer);
    const current = draft();
    if (!current.text) return resetPreview();
    if (same(previewed, current)) return;
    const mine = ++sequence;
    send.disabled = true;
    previewStatus.textContent = t("reply.previewing");
    try {
      const answer = await api.preview(ticket.ticket_id, current.text, current.language);
      if (mine !== sequence) return;
      showPreview(answer.data);
      previewed = current;
      send.disabled = !same(previewed, draft());
    } catch (error) {
      if (mine !== sequence) return;
      previewStatus.textContent = t("common.error", { message: error.message });
    }
  }

  function showPreview(result) {
    const names = { from: languageName(result.language), to: languageName(result.target) };
    const reason = result.reason || t("common.unknown");
    const line = {
      done: () => t("reply.preview_done", { ...names, provider: result.provider || "" }),
      skipped: () => t("reply.preview_skipped", names),
      pending: () => t("reply.preview_pending", { reason }),
      failed: () => t("reply.preview_failed", { reason }),
    }[result.status];
    previewStatus.textContent = line ? line() : result.status;
    preview.dataset.status = result.status;
    const reads = result.status === "done" ? result.text : draft().text;
    previewText.textContent = reads;
    previewText.setAttribute("lang", result.status === "done" ? result.target : result.language);
    previewText.hidden = false;
  }

  function resetPreview() {
    sequence += 1;
    previewed = null;
    send.disabled = true;
    previewText.hidden = true;
    previewText.textContent = "";
    previewStatus.textContent = t("reply.preview_needed");
  }

  const changed = () => {
    if (!same(previewed, draft())) send.disabled = true;
    clearTimeout(timer);
    timer = setTimeout(runPreview, PREVIEW_DELAY_MS);
  };
  text.addEventListener("input", changed);
  language.addEventListener("change", changed);
  previewButton.addEventListener("click", runPreview);

  const form = h(
    "form",
    { class: "reply", "aria-labelledby": "reply-heading", novalidate: true },
    h("h2", { id: "reply-heading" }, t("reply.heading")),
    field(t("reply.text"), text),
    field(t("reply.language"), language),
    h("div", { class: "buttons" }, previewButton, send),
    preview,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const current = draft();
    if (!same(previewed, current)) {
      await runPreview();
      return;
    }
    send.disabled = true;
    try {
      await api.reply(ticket.ticket_id, current.text, current.language);
      text.value = "";
      resetPreview();
      announce(t("reply.sent"));
      reload();
    } catch (error) {
      send.disabled = false;
      announce(t("common.error", { message: error.message }), "error");
    }
  });
  return form;
}

function deskForm(ticket, reload) {
  const state = ticket.desk ? ticket.desk.state : null;
  const note = h("input", { type: "text", maxlength: "1000", testid: "desk-note", autocomplete: "off" });
  const buttons = CHANGES.map(([action, label, from]) => {
    const button = h("button", { type: "button", testid: `desk-${action}`, disabled: !from.includes(state) }, t(label));
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const answer = await api.deskChange(ticket.ticket_id, action, note.value.trim() || null);
        announce(t("desk.done", { state: t(`state.${answer.data.desk.state}`) }));
        reload();
      } catch (error) {
        button.disabled = false;
        announce(t("common.error", { message: error.message }), "error");
      }
    });
    return button;
  });
  return h(
    "section",
    { class: "desk-actions", "aria-labelledby": "desk-heading" },
    h("h2", { id: "desk-heading" }, t("desk.heading")),
    field(t("desk.note"), note),
    h("div", { class: "buttons" }, buttons),
  );
}

function linkForm(ticket, reload) {
  const section = h(
    "section",
    { class: "link-incident", "aria-labelledby": "link-heading" },
    h("h2", { id: "link-heading" }, t("link.heading")),
  );
  const status = h("p", { class: "muted" }, t("common.loading"));
  section.append(status);
  api
    .incidents("open")
    .then(({ data }) => {
      const incidents = data.incidents || [];
      if (!incidents.length) {
        status.textContent = t("link.none");
        return;
      }
      const choice = select(
        { testid: "link-incident-select" },
        incidents.map((incident) => [incident.incident_id, `${incident.title} (${t(`istatus.${incident.status}`)})`]),
        ticket.incident ? ticket.incident.id : incidents[0].incident_id,
      );
      const submit = h("button", { type: "button", testid: "link-incident" }, t("link.submit"));
      submit.addEventListener("click", async () => {
        submit.disabled = true;
        try {
          const answer = await api.linkTickets(choice.value, [ticket.ticket_id]);
          const skipped = answer.data.skipped || [];
          if (skipped.length) announce(t("link.skipped", { reason: skipped[0].reason }), "error");
          else announce(t("link.done"));
          reload();
        } catch (error) {
          announce(t("common.error", { message: error.message }), "error");
        } finally {
          submit.disabled = false;
        }
      });
      status.replaceWith(h("div", { class: "toolbar" }, field(t("link.incident"), choice), submit));
    })
    .catch((error) => {
      status.textContent = t("common.error", { message: error.message });
    });
  return section;
}
