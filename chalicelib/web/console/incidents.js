// Incidents: the list (open or resolved), a form to open one, and one incident with its updates,
// a form to post an update, and its candidate tickets with checkboxes to link them in one go.

import { api } from "./api.js";
import { announce, clear, field, formatTime, h, select, userText } from "./dom.js";
import { languageName, t } from "./i18n.js";
import { deskRegions } from "./session.js";

const STATUSES = ["investigating", "identified", "monitoring", "resolved"];

export function renderIncidents(container, { session, listing, navigate }) {
  const status = listing === "resolved" ? "resolved" : "open";
  let stopped = false;
  const tabs = ["open", "resolved"].map((name) => {
    const button = h(
      "button",
      { type: "button", class: "tab", "aria-pressed": String(name === status), testid: `incidents-${name}` },
      t(`incidents.${name}`),
    );
    button.addEventListener("click", () => navigate(`#/incidents/${name}`));
    return button;
  });
  const listArea = h("div", h("p", { class: "muted" }, t("common.loading")));
  clear(container).append(
    h("h1", { id: "view-heading", tabindex: "-1" }, t("incidents.heading")),
    h("div", { class: "tabs", role: "group", "aria-label": t("incidents.status") }, tabs),
    listArea,
    newIncidentForm(session, navigate),
  );
  api
    .incidents(status)
    .then(({ data }) => {
      if (!stopped) listArea.replaceChildren(incidentTable(data.incidents || [], status));
    })
    .catch((error) => {
      if (!stopped) listArea.replaceChildren(h("p", { class: "error" }, t("common.error", { message: error.message })));
    });
  return () => {
    stopped = true;
  };
}

function incidentTable(incidents, status) {
  if (!incidents.length) return h("p", { class: "muted", testid: "incidents-empty" }, t("incidents.empty"));
  return h(
    "table",
    { testid: "incidents" },
    h("caption", t("incidents.caption", { status: t(`incidents.${status}`) })),
    h("thead", h("tr", ["col.title", "col.status", "col.regions", "col.updated"].map((key) => h("th", { scope: "col" }, t(key))))),
    h(
      "tbody",
      incidents.map((incident) =>
        h(
          "tr",
          { testid: "incident-row" },
          h("td", h("a", { href: `#/incident/${encodeURIComponent(incident.incident_id)}` }, userText("span", incident.title, null))),
          h("td", t(`istatus.${incident.status}`)),
          h("td", incident.regions.length ? incident.regions.join(", ") : t("incident.all_regions")),
          h("td", formatTime(incident.updated_at)),
        ),
      ),
    ),
  );
}

function newIncidentForm(session, navigate) {
  const title = h("input", { type: "text", maxlength: "200", required: true, testid: "incident-title", autocomplete: "off" });
  const description = h("textarea", { rows: "3", maxlength: "5000", required: true, testid: "incident-description" });
  const categories = h("input", { type: "text", testid: "incident-categories", autocomplete: "off" });
  const regions = deskRegions(session.claims);
  const boxes = regions.map((region, index) => {
    const box = h("input", { type: "checkbox", value: region, id: `incident-region-${region}`, checked: index === 0 && regions.length === 1 });
    return h("label", { class: "check" }, box, ` ${region}`);
  });
  const form = h(
    "form",
    { class: "new-incident", "aria-labelledby": "new-incident-heading", testid: "incident-form" },
    h("h2", { id: "new-incident-heading" }, t("incidents.new")),
    field(t("incidents.title"), title),
    field(t("incidents.description"), description),
    h("fieldset", h("legend", t("incidents.regions")), boxes),
    field(t("incidents.categories"), categories),
    h("button", { type: "submit", class: "primary", testid: "incident-create" }, t("incidents.create")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = [...form.querySelectorAll("input[type=checkbox]:checked")].map((box) => box.value);
    const named = categories.value.split(",").map((name) => name.trim()).filter(Boolean);
    const body = { title: title.value.trim(), description: description.value.trim() };
    if (chosen.length) body.regions = chosen;
    if (named.length) body.categories = named;
    try {
      const answer = await api.openIncident(body);
      navigate(`#/incident/${answer.data.incident_id}`);
      announce(t("incidents.created"));
    } catch (error) {
      announce(t("common.error", { message: error.message }), "error");
    }
  });
  return form;
}

export function renderIncident(container, { incidentId, navigate }) {
  let stopped = false;
  clear(container).append(h("p", { class: "muted" }, t("common.loading")));

  async function load(focusHeading = true) {
    try {
      const [incident, candidates] = await Promise.all([api.incident(incidentId), api.candidates(incidentId)]);
      if (stopped) return;
      show(incident.data, candidates.data.candidates || [], focusHeading);
    } catch (error) {
      if (!stopped) {
        clear(container).append(backLink(), h("p", { class: "error", role: "alert" }, t("common.error", { message: error.message })));
      }
    }
  }

  function show(incident, candidates, focusHeading) {
    const heading = h("h1", { id: "view-heading", tabindex: "-1" }, t("incident.heading", { title: incident.title }));
    clear(container).append(
      backLink(),
      heading,
      h(
        "p",
        { testid: "incident-summary" },
        h("span", { class: "badge" }, t(`istatus.${incident.status}`)),
        ` · ${incident.regions.length ? incident.regions.join(", ") : t("incident.all_regions")} · `,
        h("span", { testid: "incident-linked" }, t("incident.linked", { count: incident.linked_tickets })),
      ),
      userText("p", incident.description, null, { class: "body" }),
      updates(incident),
      updateForm(incident, () => load(false)),
      candidateList(incident, candidates, () => load(false)),
    );
    if (focusHeading) heading.focus();
  }

  function backLink() {
    return h("p", h("a", { href: "#/incidents/open", class: "back" }, `← ${t("incident.back")}`));
  }

  load();
  return () => {
    stopped = true;
  };
}

function updates(incident) {
  const list = incident.updates || [];
  return h(
    "section",
    { "aria-labelledby": "updates-heading" },
    h("h2", { id: "updates-heading" }, t("incident.updates")),
    list.length
      ? h(
          "ol",
          { class: "events" },
          list.map((update) =>
            h(
              "li",
              { testid: "incident-update" },
              h(
                "p",
                { class: "meta" },
                t("incident.update_by", { status: t(`istatus.${update.status}`), author: update.author, when: formatTime(update.created_at) }),
              ),
              userText("p", update.text, null),
            ),
          ),
        )
      : h("p", { class: "muted" }, t("incident.updates_none")),
  );
}

function updateForm(incident, reload) {
  const status = select({ testid: "update-status" }, STATUSES.map((name) => [name, t(`istatus.${name}`)]), incident.status);
  const text = h("textarea", { rows: "3", maxlength: "2000", required: true, testid: "update-text" });
  const form = h(
    "form",
    { "aria-labelledby": "post-update-heading" },
    h("h2", { id: "post-update-heading" }, t("incident.post")),
    field(t("incident.update_status"), status),
    field(t("incident.update_text"), text),
    h("button", { type: "submit", class: "primary", testid: "update-submit" }, t("incident.update_submit")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api.postUpdate(incident.incident_id, status.value, text.value.trim());
      announce(t("incident.update_posted"));
      reload();
    } catch (error) {
      announce(t("common.error", { message: error.message }), "error");
    }
  });
  return form;
}

function candidateList(incident, candidates, reload) {
  const section = h(
    "section",
    { "aria-labelledby": "candidates-heading" },
    h("h2", { id: "candidates-heading" }, t("incident.candidates")),
  );
  if (!candidates.length) {
    section.append(h("p", { class: "muted", testid: "candidates-empty" }, t("incident.candidates_none")));
    return section;
  }
  const rows = candidates.map((candidate) => {
    const box = h("input", {
      type: "checkbox",
      value: candidate.ticket_id,
      testid: "candidate-check",
      "aria-label": t("incident.select", { id: candidate.ticket_id }),
    });
    return h(
      "tr",
      { testid: "candidate-row" },
      h("td", box),
      h("td", h("a", { href: `#/ticket/${encodeURIComponent(candidate.ticket_id)}` }, candidate.ticket_id)),
      h(
        "td",
        userText("strong", candidate.subject || t("ticket.no_subject"), null),
        h("br"),
        userText("span", candidate.summary, null, { class: "small" }),
      ),
      h("td", languageName(candidate.language)),
      h("td", `${Math.round(candidate.score * 100)}%`),
    );
  });
  const submit = h("button", { type: "button", class: "primary", testid: "link-selected" }, t("incident.link_selected"));
  submit.addEventListener("click", async () => {
    const ids = [...section.querySelectorAll("input[type=checkbox]:checked")].map((box) => box.value);
    if (!ids.length) return announce(t("incident.pick_some"), "error");
    submit.disabled = true;
    try {
      const answer = await api.linkTickets(incident.incident_id, ids);
      announce(t("incident.linked_now", { linked: answer.data.linked, skipped: (answer.data.skipped || []).length }));
      reload();
    } catch (error) {
      submit.disabled = false;
      announce(t("common.error", { message: error.message }), "error");
    }
  });
  section.append(
    h(
      "table",
      { testid: "candidates" },
      h("caption", t("incident.candidates_caption")),
      h(
        "thead",
        h("tr", ["col.link", "col.ticket", "col.subject", "col.language", "col.score"].map((key) => h("th", { scope: "col" }, t(key)))),
      ),
      h("tbody", rows),
    ),
    submit,
  );
  return section;
}
