// A region's work list: state tabs, a row per ticket with its priority, language, subject, SLA
// countdown and ETA, refreshed every 15 s without reloading; claim next. Rows are focusable and
// open with Enter; the arrow keys move between them.

import { api } from "./api.js";
import { announce, clear, field, h, select, userText } from "./dom.js";
import { languageName, t } from "./i18n.js";
import { deskRegions } from "./session.js";
import { etaText, paintSla } from "./sla.js";

export const STATES = ["open", "claimed", "waiting"];
const REFRESH_MS = 15000;
const DETAIL_MAX_AGE_MS = 60000;
const DETAIL_PARALLEL = 4;

// What the work list row does not carry (subject, ETA, first response), read from the ticket
// itself once a minute at most: ticket id -> {at, ticket}.
const details = new Map();

export function renderWorklist(container, { session, region, state, navigate }) {
  const regions = deskRegions(session.claims);
  const current = { region: regions.includes(region) ? region : regions[0], state: STATES.includes(state) ? state : "open" };
  let rows = new Map(); // ticket id -> {row, ticket}
  let stopped = false;

  const regionSelect = select(
    { name: "region" },
    regions.map((name) => [name, name]),
    current.region,
  );
  regionSelect.addEventListener("change", () => navigate(`#/desk/${regionSelect.value}/${current.state}`));

  const stateButtons = STATES.map((name) => {
    const button = h(
      "button",
      { type: "button", class: "tab", "aria-pressed": String(name === current.state), testid: `state-${name}` },
      t(`state.${name}`),
    );
    button.addEventListener("click", () => navigate(`#/desk/${current.region}/${name}`));
    return button;
  });

  const claimButton = h("button", { type: "button", class: "primary", testid: "claim-next" }, t("worklist.claim_next"));
  claimButton.addEventListener("click", () => claimNext());
  const refreshButton = h("button", { type: "button", testid: "worklist-refresh" }, t("worklist.refresh"));
  refreshButton.addEventListener("click", () => refresh());
  const updated = h("p", { class: "muted", testid: "worklist-updated" });

  const tbody = h("tbody");
  const caption = h("caption", t("worklist.caption", { state: t(`state.${current.state}`), region: current.region }));
  const empty = h("p", { class: "empty", hidden: true, testid: "worklist-empty" }, t("worklist.empty"));
  const table = h(
    "table",
    { class: "worklist", testid: "worklist" },
    caption,
    h(
      "thead",
      h(
        "tr",
        ["col.priority", "col.language", "col.subject", "col.sla", "col.eta", "col.assignee"].map((key) =>
          h("th", { scope: "col" }, t(key)),
        ),
      ),
    ),
    tbody,
  );

  clear(container).append(
    h("h1", { id: "view-heading", tabindex: "-1" }, t("worklist.heading")),
    h(
      "div",
      { class: "toolbar" },
      field(t("worklist.region"), regionSelect),
      h("div", { class: "tabs", role: "group", "aria-label": t("worklist.states") }, stateButtons),
      claimButton,
      refreshButton,
      updated,
    ),
    h("p", { class: "hint", id: "worklist-keys" }, t("worklist.keyboard")),
    table,
    empty,
  );

  async function claimNext() {
    claimButton.disabled = true;
    try {
      const answer = await api.claimNext(current.region);
      if (answer.status === 204 || !answer.data) {
        announce(t("worklist.claimed_none", { region: current.region }));
        return;
      }
      details.set(answer.data.ticket_id, { at: Date.now(), ticket: answer.data });
      navigate(`#/ticket/${answer.data.ticket_id}`);
    } catch (error) {
      announce(t("common.error", { message: error.message }), "error");
    } finally {
      claimButton.disabled = false;
    }
  }

  async function refresh() {
    try {
      const answer = await api.deskList(current.region, current.state);
      if (stopped) return;
      showTickets(answer.data.tickets);
      updated.textContent = t("worklist.refreshed", { time: new Date().toLocaleTimeString("en-GB") });
      loadDetails(answer.data.tickets.map((ticket) => ticket.ticket_id));
    } catch (error) {
      if (!stopped) announce(t("common.error", { message: error.message }), "error");
    }
  }

  function showTickets(tickets) {
    const focusedId = document.activeElement && document.activeElement.dataset.ticketId;
    const next = new Map();
    for (const ticket of tickets) {
      const known = rows.get(ticket.ticket_id);
      const row = known ? known.row : buildRow(ticket.ticket_id);
      next.set(ticket.ticket_id, { row, ticket });
      fillRow(row, ticket);
    }
    rows = next;
    tbody.replaceChildren(...[...next.values()].map((entry) => entry.row));
    empty.hidden = tickets.length > 0;
    table.hidden = tickets.length === 0;
    if (focusedId && next.has(focusedId)) next.get(focusedId).row.focus();
  }

  function buildRow(ticketId) {
    const row = h("tr", {
      tabindex: "0",
      testid: "ticket-row",
      dataset: { ticketId },
      "aria-describedby": "worklist-keys",
    });
    row.addEventListener("click", () => navigate(`#/ticket/${ticketId}`));
    row.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        navigate(`#/ticket/${ticketId}`);
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const sibling = event.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling;
        if (sibling) sibling.focus();
      }
    });
    return row;
  }

  function fillRow(row, ticket) {
    const detail = details.get(ticket.ticket_id);
    const full = detail ? detail.ticket : null;
    const subject = subjectOf(ticket, full);
    const slaCell = h("td", h("span", { class: "sla", testid: "sla" }));
    row.replaceChildren(
      h("td", h("span", { class: `priority priority-${ticket.priority}` }, t(`priority.${ticket.priority}`))),
      h("td", { class: "language" }, languageName(ticket.language)),
      h(
        "td",
        { class: "subject" },
        userText("span", subject.text, subject.language, { class: "subject-text" }),
        h("span", { class: "muted small" }, ` · ${ticket.category} · ${ticket.ticket_id}`),
      ),
      slaCell,
      h("td", { class: "eta", testid: "eta" }, full ? etaText(full.sla) : t("eta.none")),
      h("td", ticket.assignee || t("ticket.unassigned")),
    );
    row.setAttribute("aria-label", `${t(`priority.${ticket.priority}`)}: ${subject.text}`);
    paintRowSla(row, ticket);
  }

  function paintRowSla(row, ticket) {
    const detail = details.get(ticket.ticket_id);
    const desk = detail && detail.ticket.desk;
    paintSla(row.querySelector("[data-testid=sla]"), {
      state: ticket.state,
      createdAt: ticket.created_at,
      firstResponseDue: ticket.first_response_due,
      resolutionDue: ticket.resolution_due,
      firstRespondedAt: desk ? desk.first_responded_at : null,
    });
  }

  async function loadDetails(ids) {
    const stale = ids.filter((id) => {
      const detail = details.get(id);
      return !detail || Date.now() - detail.at > DETAIL_MAX_AGE_MS;
    });
    const queue = [...stale];
    const worker = async () => {
      while (queue.length && !stopped) {
        const id = queue.shift();
        try {
          const answer = await api.ticket(id, { glance: true }); // filling a row must not translate it
          details.set(id, { at: Date.now(), ticket: answer.data });
          const entry = rows.get(id);
          if (entry && !stopped) fillRow(entry.row, entry.ticket);
        } catch {
          // the row keeps what the work list said
        }
      }
    };
    await Promise.all(Array.from({ length: DETAIL_PARALLEL }, worker));
  }

  refresh();
  const refreshTimer = setInterval(refresh, REFRESH_MS);
  const tickTimer = setInterval(() => {
    for (const { row, ticket } of rows.values()) paintRowSla(row, ticket);
  }, 1000);

  return () => {
    stopped = true;
    clearInterval(refreshTimer);
    clearInterval(tickTimer);
  };
}

// The row's subject, in the pivot language when translated: the subject, else the description's start.
function subjectOf(row, ticket) {
  if (!ticket) return { text: row.category, language: null };
  const translation = ticket.translation;
  const translated = translation && translation.status === "done";
  const language = translated ? translation.target : ticket.language ? ticket.language.code : null;
  const subject = translated ? translation.subject || translation.description : ticket.subject || ticket.description;
  const text = subject || t("ticket.no_subject");
  return { text: text.length > 120 ? `${text.slice(0, 117)}…` : text, language };
}

export function forgetDetails() {
  details.clear();
}
