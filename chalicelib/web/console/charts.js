// Horizontal bar charts drawn as SVG by hand: one group of bars per row (a region, a language),
// one bar per series (p50 and p90, say). Colours come from classes in console.css (bar-0,
// bar-1), so no style attribute is ever written; every figure is also written as text beside its
// bar, and the whole chart has a text alternative.

import { h, svg } from "./dom.js";
import { t } from "./i18n.js";

const LABEL_WIDTH = 120;
const BAR_AREA = 330;
const VALUE_WIDTH = 90;
const BAR_HEIGHT = 16;
const BAR_GAP = 4;
const ROW_GAP = 12;
const TOP = 8;

// series: [{name}], rows: [{label, values: [number|null], texts?: [string]}], format: value -> text.
export function barChart({ title, series, rows, format = (value) => String(value), max = null, testid = null }) {
  const perRow = series.length * (BAR_HEIGHT + BAR_GAP) - BAR_GAP;
  const height = TOP + rows.length * (perRow + ROW_GAP) + (series.length > 1 ? 24 : 0);
  const width = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH;
  const values = rows.flatMap((row) => row.values).filter((value) => typeof value === "number" && Number.isFinite(value));
  const top = max ?? Math.max(1, ...values);
  const describe = [];
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width: String(width),
    height: String(height),
    role: "img",
    class: "chart",
    "aria-label": title,
  });
  chart.append(svg("title", {}, title));

  rows.forEach((row, rowIndex) => {
    const y = TOP + rowIndex * (perRow + ROW_GAP);
    const group = svg("g", { class: "chart-row", "data-label": row.label });
    group.append(
      svg("text", { x: String(LABEL_WIDTH - 8), y: String(y + perRow / 2 + 4), "text-anchor": "end", class: "chart-label" }, row.label),
    );
    const said = [];
    series.forEach((item, seriesIndex) => {
      const value = row.values[seriesIndex];
      const barY = y + seriesIndex * (BAR_HEIGHT + BAR_GAP);
      const known = typeof value === "number" && Number.isFinite(value);
      const text = known ? (row.texts && row.texts[seriesIndex]) || format(value) : t("metrics.no_data");
      const length = known ? Math.max(known && value > 0 ? 2 : 0, Math.round((Math.min(value, top) / top) * BAR_AREA)) : 0;
      const bar = svg("rect", {
        x: String(LABEL_WIDTH),
        y: String(barY),
        width: String(length),
        height: String(BAR_HEIGHT),
        class: `bar bar-${seriesIndex}`,
        "data-value": known ? String(value) : "",
      });
      bar.append(svg("title", {}, `${row.label} · ${item.name}: ${text}`));
      group.append(
        bar,
        svg("text", { x: String(LABEL_WIDTH + length + 6), y: String(barY + BAR_HEIGHT - 4), class: "chart-value" }, text),
      );
      said.push(series.length > 1 ? `${item.name} ${text}` : text);
    });
    describe.push(`${row.label}: ${said.join(", ")}`);
    chart.append(group);
  });

  if (series.length > 1) {
    const y = height - 14;
    series.forEach((item, index) => {
      const x = LABEL_WIDTH + index * 120;
      chart.append(
        svg("rect", { x: String(x), y: String(y - 10), width: "12", height: "12", class: `bar bar-${index}` }),
        svg("text", { x: String(x + 18), y: String(y), class: "chart-legend" }, item.name),
      );
    });
  }
  chart.setAttribute("aria-label", `${title}. ${describe.join("; ")}`);
  return h(
    "figure",
    { class: "chart-figure", testid: testid || "chart" },
    h("figcaption", title),
    rows.length ? chart : h("p", { class: "muted" }, t("metrics.no_data")),
  );
}
