// GET /metrics as totals and bar charts per region and per language: first-response p50/p90,
// first responses within the SLA, resolution time, the backlog now and CSAT.

import { api } from "./api.js";
import { barChart } from "./charts.js";
import { announce, clear, field, h, select } from "./dom.js";
import { languageName, t } from "./i18n.js";
import { deskRegions } from "./session.js";

export const LANGUAGES = [
  "ar", "bn", "cs", "de", "el", "en", "es", "fa", "fr", "he", "hi", "hu", "id", "it", "ja",
  "ko", "ms", "nl", "pl", "pt", "ro", "ru", "sv", "sw", "th", "tl", "tr", "uk", "vi", "zh",
];

export function renderMetrics(container, { session }) {
  let stopped = false;
  const from = h("input", { type: "date", testid: "metrics-from" });
  const to = h("input", { type: "date", testid: "metrics-to" });
  const region = select(
    { testid: "metrics-region" },
    [["", t("metrics.all_regions")], ...deskRegions(session.claims).map((name) => [name, name])],
    "",
  );
  const language = select(
    { testid: "metrics-language" },
    [["", t("metrics.all_languages")], ...LANGUAGES.map((code) => [code, languageName(code)])],
    "",
  );
  const report = h("div", { class: "report", testid: "metrics-report", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "toolbar", testid: "metrics-form" },
    field(t("metrics.from"), from),
    field(t("metrics.to"), to),
    field(t("metrics.region"), region),
    field(t("metrics.language"), language),
    h("button", { type: "submit", class: "primary", testid: "metrics-show" }, t("metrics.show")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  clear(container).append(h("h1", { id: "view-heading", tabindex: "-1" }, t("metrics.heading")), form, report);

  async function load() {
    report.replaceChildren(h("p", { class: "muted" }, t("metrics.loading")));
    try {
      const answer = await api.metrics({ from: from.value, to: to.value, region: region.value, language: language.value });
      if (stopped) return;
      // Empty dates meant the API's default period: show which one it chose.
      from.value = from.value || answer.data.period.from;
      to.value = to.value || answer.data.period.to;
      showReport(report, answer.data);
    } catch (error) {
      if (stopped) return;
      report.replaceChildren(h("p", { class: "error" }, t("common.error", { message: error.message })));
      announce(t("common.error", { message: error.message }), "error");
    }
  }

  load();
  return () => {
    stopped = true;
  };
}

function showReport(report, data) {
  const period = data.period;
  const byRegion = Object.entries(data.by_region || {});
  const byLanguage = Object.entries(data.by_language || {});
  report.replaceChildren(
    h("p", { class: "muted", testid: "metrics-period" }, t("metrics.period", period)),
    h("h2", t("metrics.totals")),
    totals(data.totals),
    h("h2", t("metrics.by_region")),
    charts(byRegion, (name) => name, "region"),
    h("h2", t("metrics.by_language")),
    charts(byLanguage, languageName, "language"),
  );
}

function totals(figures) {
  const cards = [
    ["metrics.created", figures.tickets.created],
    ["metrics.resolved", figures.tickets.resolved],
    ["metrics.deflected", figures.tickets.deflected],
    ["metrics.fr_p50", minutes(figures.first_response.p50_minutes)],
    ["metrics.fr_p90", minutes(figures.first_response.p90_minutes)],
    ["metrics.within_sla", percent(figures.first_response.within_sla_percent)],
    ["metrics.res_p50", minutes(figures.resolution.p50_minutes)],
    ["metrics.res_p90", minutes(figures.resolution.p90_minutes)],
    ["metrics.backlog_open", figures.backlog.open],
    ["metrics.backlog_waiting", figures.backlog.waiting],
    ["metrics.backlog_breached", figures.backlog.breached],
    ["metrics.csat", figures.csat.average ?? t("metrics.no_data")],
    ["metrics.csat_satisfied", percent(figures.csat.satisfied_percent)],
    ["metrics.csat_responses", figures.csat.responses],
  ];
  return h(
    "dl",
    { class: "cards", testid: "metrics-totals" },
    cards.map(([key, value]) => h("div", { class: "card" }, h("dt", t(key)), h("dd", String(value)))),
  );
}

function charts(entries, label, kind) {
  const rows = (pick) => entries.map(([name, figures]) => ({ label: label(name), values: pick(figures) }));
  return h(
    "div",
    { class: "charts" },
    barChart({
      title: t("metrics.chart_fr"),
      series: [{ name: "p50" }, { name: "p90" }],
      rows: rows((f) => [f.first_response.p50_minutes, f.first_response.p90_minutes]),
      format: minutes,
      testid: `chart-${kind}-first-response`,
    }),
    barChart({
      title: t("metrics.chart_sla"),
      series: [{ name: "%" }],
      rows: rows((f) => [f.first_response.within_sla_percent]),
      format: (value) => `${value}%`,
      max: 100,
      testid: `chart-${kind}-sla`,
    }),
    barChart({
      title: t("metrics.chart_res"),
      series: [{ name: "p50" }],
      rows: rows((f) => [f.resolution.p50_minutes]),
      format: minutes,
      testid: `chart-${kind}-resolution`,
    }),
    barChart({
      title: t("metrics.chart_backlog"),
      series: [{ name: t("metrics.backlog_open") }, { name: t("metrics.backlog_waiting") }],
      rows: rows((f) => [f.backlog.open, f.backlog.waiting]),
      testid: `chart-${kind}-backlog`,
    }),
    barChart({
      title: t("metrics.chart_csat"),
      series: [{ name: "CSAT" }],
      rows: rows((f) => [f.csat.average]),
      max: 5,
      testid: `chart-${kind}-csat`,
    }),
  );
}

function minutes(value) {
  if (typeof value !== "number") return t("metrics.no_data");
  return value < 120 ? `${Math.round(value)} min` : `${(value / 60).toFixed(1)} h`;
}

function percent(value) {
  return typeof value === "number" ? `${value}%` : t("metrics.no_data");
}
