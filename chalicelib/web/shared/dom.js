// Building pages with DOM APIs only. Every piece of text, ticket text above all (hostile input:
// a ticket may hold <script> or <img onerror>), becomes a Text node or textContent: nothing here
// parses HTML, and no event-handler or style attribute is ever set from data.

const REFUSED_ATTRIBUTE = /^(on|style$|srcdoc$|formaction$)/i;

// el("p", {class: "note", testid: "eta"}, "text", child, ...): attributes, then children.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (REFUSED_ATTRIBUTE.test(name)) throw new Error(`refusing attribute ${name}`);
    if (name === "testid") node.setAttribute("data-testid", String(value));
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name === "hidden" || name === "disabled" || name === "checked") node[name] = Boolean(value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Replace a node's children (text is always text).
export function fill(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

export function byTestId(testid, root = document) {
  return root.querySelector(`[data-testid="${testid}"]`);
}

// The page's own words: every element with data-i18n="key" gets t(key) as its text, and
// data-i18n-label="key" / data-i18n-placeholder="key" set those attributes.
export function localize(root, t) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  }
  for (const node of root.querySelectorAll("[data-i18n-placeholder]")) {
    node.setAttribute("placeholder", t(node.dataset.i18nPlaceholder));
  }
}

// A polite live region's message (role="status"): screen readers hear it, nothing moves focus.
export function announce(region, text, kind = "info") {
  region.dataset.kind = kind;
  region.textContent = text;
}
