// Building the page with DOM APIs only. Every piece of text, the ticket's above all (hostile
// input: a ticket may contain <script> or <img onerror>), becomes a Text node: nothing here
// parses HTML, and no attribute named on* or style is ever set.

const SVG_NS = "http://www.w3.org/2000/svg";
const FORBIDDEN_ATTRIBUTE = /^(on|style$|srcdoc$)/i;

function setAttributes(node, attributes) {
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (FORBIDDEN_ATTRIBUTE.test(name)) throw new Error(`refusing attribute ${name}`);
    if (name === "dataset") {
      for (const [key, data] of Object.entries(value)) node.dataset[key] = String(data);
    } else if (name === "testid") {
      node.setAttribute("data-testid", String(value));
    } else if (name === "hidden" || name === "disabled" || name === "checked" || name === "required") {
      node[name] = Boolean(value);
    } else if (name === "value") {
      node.value = String(value);
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// h("p", {class: "x"}, "text", otherNode, ["a", "list"]): attributes first (optional), then children.
export function h(tag, attributes, ...children) {
  const node = document.createElement(tag);
  if (attributes instanceof Node || typeof attributes !== "object" || Array.isArray(attributes)) {
    children.unshift(attributes);
  } else {
    setAttributes(node, attributes);
  }
  return append(node, children);
}

export function svg(tag, attributes, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttributes(node, attributes);
  return append(node, children);
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

let uniqueCounter = 0;
export function uniqueId(prefix) {
  uniqueCounter += 1;
  return `${prefix}-${uniqueCounter}`;
}

// A labelled control: <div class="field"><label for=id>label</label>control</div>.
export function field(label, control, hint) {
  if (!control.id) control.id = uniqueId("field");
  const parts = [h("label", { for: control.id }, label), control];
  if (hint) {
    const hintId = uniqueId("hint");
    control.setAttribute("aria-describedby", hintId);
    parts.push(h("p", { class: "hint", id: hintId }, hint));
  }
  return h("div", { class: "field" }, parts);
}

export function select(attributes, options, selected) {
  const node = h("select", attributes);
  for (const [value, label] of options) {
    const option = h("option", { value }, label);
    if (value === selected) option.selected = true;
    node.append(option);
  }
  return node;
}

// Text written by a requester or an agent: its own language and direction.
export function userText(tag, text, language, attributes = {}) {
  return h(tag, { ...attributes, lang: language && language !== "und" ? language : null, dir: "auto" }, text ?? "");
}

// --- time ------------------------------------------------------------------------------------

export function parseTime(value) {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : time;
}

export function formatTime(value) {
  const time = typeof value === "number" ? value : parseTime(value);
  if (time === null) return "—";
  return new Date(time).toLocaleString("en-GB", {
    day: "2-digit",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  });
}

// 90061000 ms -> "1d 1h", 3720000 -> "1h 2m", 59000 -> "59s".
export function formatDuration(milliseconds) {
  let seconds = Math.max(0, Math.round(Math.abs(milliseconds) / 1000));
  const days = Math.floor(seconds / 86400);
  seconds -= days * 86400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (days) return `${days}d ${hours}h`;
  if (hours) return `${hours}h ${minutes}m`;
  if (minutes) return `${minutes}m ${seconds}s`;
  return `${seconds}s`;
}

export function formatBytes(size) {
  if (typeof size !== "number" || !Number.isFinite(size)) return "—";
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

// Announce something to screen readers and sighted users alike, in the page's status line.
export function announce(message, kind = "info") {
  const status = document.getElementById("status");
  if (!status) return;
  status.dataset.kind = kind;
  status.textContent = message;
}
