// The console's own words, in one place so they can be localized later (agents read the pivot
// language, English). `t("key", {name: "ana"})` fills {name}; an unknown key shows itself, so a
// missing word is visible rather than blank. Ticket text never goes through here.

export const LOCALE = "en";

const WORDS = {
  "app.title": "polyglot-desk · agent console",
  "app.name": "polyglot-desk",
  "app.skip": "Skip to the content",

  "login.heading": "Sign in",
  "login.intro":
    "Paste your agent token (python -m chalicelib.cli agent-token --agent NAME --regions REGION). It stays in this tab only and is forgotten when the tab closes.",
  "login.token": "Agent token",
  "login.submit": "Sign in",
  "login.malformed": "That is not an agent token: it should be two base64url parts joined by a dot.",
  "login.expired": "That token has expired. Mint a new one.",
  "login.refused": "The desk refused that token (wrong stage secret, or expired).",
  "login.checking": "Checking the token…",

  "session.signed_in": "Signed in as {name}",
  "session.regions": "Regions: {regions}",
  "session.languages": "Languages: {languages}",
  "session.expires": "Token expires {when}",
  "session.sign_out": "Sign out",
  "session.ended": "You are signed out.",
  "session.refused": "Your token was refused or has expired; sign in again.",

  "nav.label": "Console sections",
  "nav.worklist": "Work list",
  "nav.incidents": "Incidents",
  "nav.metrics": "Metrics",

  "worklist.heading": "Work list",
  "worklist.region": "Region",
  "worklist.states": "Desk state",
  "worklist.claim_next": "Claim next",
  "worklist.claimed_none": "Nothing open to claim in {region}.",
  "worklist.empty": "No tickets here.",
  "worklist.refreshed": "Updated {time}",
  "worklist.refresh": "Refresh now",
  "worklist.caption": "{state} tickets of {region}, most urgent first",
  "worklist.keyboard": "Rows are focusable: Tab or the arrow keys move, Enter opens.",
  "col.priority": "Priority",
  "col.language": "Language",
  "col.subject": "Subject",
  "col.category": "Category",
  "col.sla": "SLA",
  "col.eta": "ETA",
  "col.assignee": "Assignee",
  "col.translation": "Translation",

  "state.open": "Open",
  "state.claimed": "Claimed",
  "state.waiting": "Waiting",
  "state.resolved": "Resolved",

  "priority.urgent": "Urgent",
  "priority.high": "High",
  "priority.normal": "Normal",
  "priority.low": "Low",

  "sla.due_in": "{left} left",
  "sla.overdue": "{late} overdue",
  "sla.paused": "Paused",
  "sla.none": "—",
  "sla.first_response": "First response due",
  "sla.resolution": "Resolution due",
  "sla.running": "{which} {when}",
  "sla.answered": "First response {when}",
  "eta.window": "{from} – {to}",
  "eta.none": "—",

  "ticket.back": "Back to the work list",
  "ticket.heading": "Ticket {id}",
  "ticket.loading": "Loading the ticket…",
  "ticket.not_found": "No such ticket on your desks.",
  "ticket.facts": "Facts",
  "ticket.status": "Status",
  "ticket.desk_state": "Desk state",
  "ticket.priority": "Priority",
  "ticket.region": "Region",
  "ticket.category": "Category",
  "ticket.assignee": "Assignee",
  "ticket.unassigned": "Nobody",
  "ticket.created": "Created",
  "ticket.sla": "SLA",
  "ticket.eta": "ETA for the requester",
  "ticket.language": "Requester's language",
  "ticket.confidence": "{language} · {confidence}% confident ({source})",
  "ticket.low_confidence": "Low confidence: check the original.",
  "ticket.original": "Original ({language})",
  "ticket.translation": "Translation ({language})",
  "ticket.translation_pending": "Translation {status}: {reason}",
  "ticket.translation_skipped": "Written in the pivot language: no translation needed.",
  "ticket.translation_on_demand":
    "Your desk reads {language}: no machine translation. An agent who does not read it gets one on opening the ticket.",
  "ticket.no_subject": "(no subject)",
  "ticket.evidence": "Evidence",
  "ticket.evidence_none": "No evidence attached.",
  "ticket.evidence_file": "{name} · {type} · {size}",
  "ticket.download": "Download",
  "ticket.conversation": "Conversation",
  "ticket.conversation_empty": "No messages yet.",
  "ticket.events": "Desk events",
  "ticket.events_none": "No desk events yet.",
  "ticket.event": "{by}: {from} → {to}",
  "ticket.satisfaction": "Satisfaction",
  "ticket.satisfaction_value": "{status} · rating {rating} (resolution {resolution})",
  "ticket.incident": "Incident",
  "ticket.notifications": "Notifications",
  "ticket.notification": "{type} · {channel} · {language} · {status}",

  "message.requester": "Requester",
  "message.agent": "Agent {name}",
  "message.original": "Original ({language})",
  "message.requester_reads": "The requester reads ({language}, {status})",
  "message.translation_status": "translation {status}",

  "reply.heading": "Reply",
  "reply.text": "Your reply (in your language)",
  "reply.language": "Language of your reply",
  "reply.detect": "Detect it",
  "reply.preview": "Preview",
  "reply.send": "Send reply",
  "reply.preview_heading": "What the requester will read",
  "reply.preview_needed": "Preview the reply before sending it.",
  "reply.previewing": "Translating the preview…",
  "reply.preview_done": "{from} → {to} by {provider}",
  "reply.preview_skipped": "Already in the requester's language ({to}): they read it as written.",
  "reply.preview_pending": "No translation now ({reason}). It is sent as written and translated when a provider answers.",
  "reply.preview_failed": "It cannot be translated ({reason}). The requester would read it as written.",
  "reply.sent": "Reply sent; it is translated for the requester in the background.",

  "desk.heading": "Desk state",
  "desk.note": "Note (optional, kept in the audit trail)",
  "desk.waiting": "Waiting on the requester",
  "desk.resolve": "Resolve",
  "desk.reopen": "Reopen",
  "desk.done": "The ticket is now {state}.",

  "link.heading": "Link to an incident",
  "link.incident": "Open incident",
  "link.none": "No open incidents.",
  "link.submit": "Link",
  "link.done": "Linked to the incident.",
  "link.skipped": "Not linked: {reason}.",

  "incidents.heading": "Incidents",
  "incidents.status": "Show",
  "incidents.open": "Open",
  "incidents.resolved": "Resolved",
  "incidents.empty": "No incidents.",
  "incidents.new": "New incident",
  "incidents.title": "Title",
  "incidents.description": "What is happening (in the pivot language)",
  "incidents.regions": "Regions affected",
  "incidents.categories": "Categories (comma-separated, optional)",
  "incidents.create": "Create incident",
  "incidents.created": "Incident created.",
  "incidents.caption": "{status} incidents of your regions, newest first",
  "col.title": "Title",
  "col.status": "Status",
  "col.regions": "Regions",
  "col.updated": "Updated",
  "col.link": "Link",
  "col.score": "Similarity",
  "col.ticket": "Ticket",
  "incident.back": "Back to the incidents",
  "incident.heading": "Incident: {title}",
  "incident.linked": "Linked tickets: {count}",
  "incident.updates": "Updates",
  "incident.updates_none": "No updates yet.",
  "incident.update_by": "{status} · {author} · {when}",
  "incident.post": "Post an update",
  "incident.update_status": "Status",
  "incident.update_text": "Update (told to every linked requester in their language)",
  "incident.update_submit": "Post update",
  "incident.update_posted": "Update posted; the linked requesters are told in their languages.",
  "incident.candidates": "Candidate tickets",
  "incident.candidates_none": "No candidates: no unlinked tickets of these regions and categories.",
  "incident.candidates_caption": "Tickets that may report this incident, most alike first",
  "incident.select": "Link ticket {id}",
  "incident.link_selected": "Link the selected tickets",
  "incident.linked_now": "{linked} linked, {skipped} skipped.",
  "incident.pick_some": "Select at least one ticket.",
  "incident.all_regions": "All regions",

  "istatus.investigating": "Investigating",
  "istatus.identified": "Identified",
  "istatus.monitoring": "Monitoring",
  "istatus.resolved": "Resolved",

  "metrics.heading": "Metrics",
  "metrics.from": "From",
  "metrics.to": "To",
  "metrics.region": "Region",
  "metrics.language": "Language",
  "metrics.all_regions": "All my regions",
  "metrics.all_languages": "Every language",
  "metrics.show": "Show",
  "metrics.period": "{from} to {to} ({days} days)",
  "metrics.totals": "Totals",
  "metrics.created": "Tickets created",
  "metrics.resolved": "Resolved",
  "metrics.deflected": "Deflected by the help center",
  "metrics.fr_p50": "First response p50",
  "metrics.fr_p90": "First response p90",
  "metrics.within_sla": "First responses within SLA",
  "metrics.res_p50": "Resolution p50",
  "metrics.res_p90": "Resolution p90",
  "metrics.backlog_open": "Backlog open",
  "metrics.backlog_waiting": "Backlog waiting",
  "metrics.backlog_breached": "Breached",
  "metrics.csat": "CSAT average",
  "metrics.csat_satisfied": "Satisfied (4–5)",
  "metrics.csat_responses": "Survey answers",
  "metrics.by_region": "By region",
  "metrics.by_language": "By language",
  "metrics.chart_fr": "First response time, p50 and p90",
  "metrics.chart_sla": "First responses within SLA (%)",
  "metrics.chart_res": "Resolution time, p50",
  "metrics.chart_backlog": "Backlog now (open, waiting)",
  "metrics.chart_csat": "CSAT average (1–5)",
  "metrics.no_data": "no data",
  "metrics.loading": "Loading the metrics…",

  "common.loading": "Loading…",
  "common.error": "Something went wrong: {message}",
  "common.none": "—",
  "common.unknown": "unknown",
  "common.yes": "yes",
  "common.no": "no",
};

export function t(key, values = {}) {
  const word = Object.prototype.hasOwnProperty.call(WORDS, key) ? WORDS[key] : key;
  return word.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole,
  );
}

const languageNames = (() => {
  try {
    return new Intl.DisplayNames([LOCALE], { type: "language" });
  } catch {
    return null;
  }
})();

// "es" -> "Spanish (es)"; "und" or null -> "unknown".
export function languageName(code) {
  if (!code || code === "und") return t("common.unknown");
  let name = null;
  try {
    name = languageNames ? languageNames.of(code) : null;
  } catch {
    name = null;
  }
  return name && name !== code ? `${name} (${code})` : code;
}
