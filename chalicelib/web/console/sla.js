// The SLA countdown of a ticket: time left to its running deadline (the first response until it
// is answered, then the resolution), amber from 80% of the time elapsed since the ticket was
// created, red past the deadline. Pure: the same answer for the same inputs and `now`.

import { formatDuration, formatTime, parseTime } from "./dom.js";
import { t } from "./i18n.js";

export const AMBER_AT = 0.8;

// {which, due} of the running deadline, or null when the clock is stopped (waiting, resolved).
export function runningDeadline({ state, firstResponseDue, resolutionDue, firstRespondedAt }) {
  if (state === "waiting" || state === "resolved") return null;
  if (!firstRespondedAt && firstResponseDue) return { which: "first_response", due: firstResponseDue };
  if (resolutionDue) return { which: "resolution", due: resolutionDue };
  return null;
}

// {level: "ok"|"amber"|"red"|"paused", label, elapsed (0..), title}.
export function slaStatus(input, now = Date.now()) {
  const deadline = runningDeadline(input);
  if (!deadline) return { level: "paused", label: t("sla.paused"), elapsed: null, title: t("sla.paused") };
  const due = parseTime(deadline.due);
  const created = parseTime(input.createdAt);
  if (due === null) return { level: "paused", label: t("sla.none"), elapsed: null, title: "" };
  const total = created === null ? null : due - created;
  const elapsed = total && total > 0 ? (now - created) / total : now >= due ? 1 : 0;
  const which = t(deadline.which === "first_response" ? "sla.first_response" : "sla.resolution");
  const title = t("sla.running", { which, when: formatTime(due) });
  if (now >= due) return { level: "red", label: t("sla.overdue", { late: formatDuration(now - due) }), elapsed, title };
  const level = elapsed >= AMBER_AT ? "amber" : "ok";
  return { level, label: t("sla.due_in", { left: formatDuration(due - now) }), elapsed, title };
}

// The requester's ETA window as agents see it ("12 Mar, 10:00 – 12 Mar, 14:00"), or a dash.
export function etaText(sla) {
  const eta = sla && sla.eta;
  if (!eta) return t("eta.none");
  return t("eta.window", { from: formatTime(eta.from), to: formatTime(eta.to) });
}

// An element's SLA countdown: the class names the level, the text says the time.
export function paintSla(node, input, now = Date.now()) {
  const status = slaStatus(input, now);
  node.textContent = status.label;
  node.className = `sla sla-${status.level}`;
  node.title = status.title;
  node.dataset.level = status.level;
  return status;
}
