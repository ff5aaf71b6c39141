// The pages' words are data: chalicelib/web/i18n/<language>.json, one file per served language
// (English the fallback for a missing file or key). Dates, numbers, sizes and language names come
// from the browser's Intl in the same language; nothing here is ever ticket text.

import { getAsset } from "./api.js";

export const FALLBACK = "en";
export const RTL_LANGUAGES = new Set(["ar", "fa", "he"]);
const CODE = /^[a-z]{2,3}$/;

const loaded = new Map();

async function strings(lang) {
  if (!loaded.has(lang)) loaded.set(lang, getAsset(`i18n/${lang}.json`).catch(() => null));
  return loaded.get(lang);
}

function lookup(table, key) {
  let value = table;
  for (const part of key.split(".")) value = value && typeof value === "object" ? value[part] : undefined;
  return typeof value === "string" ? value : undefined;
}

// The first of `candidates` that has a word file, and t(key, {name: value}) in it.
export async function loadLanguage(candidates) {
  const fallback = (await strings(FALLBACK)) || {};
  for (const candidate of candidates) {
    const lang = String(candidate || "").toLowerCase().split("-")[0];
    if (!CODE.test(lang)) continue;
    const table = lang === FALLBACK ? fallback : await strings(lang);
    if (table) return { lang, t: translator(table, fallback) };
  }
  return { lang: FALLBACK, t: translator(fallback, fallback) };
}

export function translator(table, fallback) {
  return (key, params = {}) => {
    const template = lookup(table, key) ?? lookup(fallback, key) ?? key;
    return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
  };
}

// <html lang dir>: right to left for Arabic, Persian and Hebrew.
export function applyLanguage(lang) {
  document.documentElement.lang = lang;
  document.documentElement.dir = RTL_LANGUAGES.has(lang) ? "rtl" : "ltr";
}

export function formatDateTime(lang, iso, options = { dateStyle: "medium", timeStyle: "short" }) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(lang, options).format(date);
}

export function formatSize(lang, bytes) {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte"];
  let value = Number(bytes) || 0;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const format = new Intl.NumberFormat(lang, {
    style: "unit",
    unit: units[unit],
    unitDisplay: "short",
    maximumFractionDigits: unit === 0 ? 0 : 1,
  });
  return format.format(value);
}

// "español" for es in Spanish, "Spanish" in English; the code itself if Intl does not know it.
export function languageName(lang, code) {
  if (!code) return "";
  try {
    return new Intl.DisplayNames([lang], { type: "language" }).of(code) || code;
  } catch {
    return code;
  }
}
