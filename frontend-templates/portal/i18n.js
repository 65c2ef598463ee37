// Every visible string comes from a catalogue (locales/<language>/<area>.json, one area per
// part of the portal, merged); Polish first, English switchable. Plural forms, dates and numbers by the language's own rules (Intl).
// A test checks that every key the portal uses is in both catalogues.

export const LANGUAGES = ["pl", "en"];
const AREAS = ["common", "tickets", "account", "print", "billing", "surveys", "search"];
const STORAGE_KEY = "portal-language";

let language = LANGUAGES.includes(localStorage.getItem(STORAGE_KEY)) ? localStorage.getItem(STORAGE_KEY) : "pl";
let messages = {};
const listeners = new Set();

// The app re-renders everything when the language changes.
export function onLanguageChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function loadLanguage(next = language) {
  const parts = await Promise.all(
    AREAS.map((area) => fetch(`locales/${next}/${area}.json`).then((response) => response.json())),
  );
  messages = Object.assign({}, ...parts);
  language = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  for (const listener of listeners) listener(next);
  return next;
}

export function currentLanguage() {
  return language;
}

// t("tickets.count", {count: 3}) reads "tickets.count.few" in Polish ("3 zgłoszenia"),
// "tickets.count.other" in English; {name} placeholders are filled from `params`.
export function t(key, params = {}) {
  let text = messages[key];
  if (typeof params.count === "number" && text === undefined) {
    const form = new Intl.PluralRules(language).select(params.count);
    text = messages[`${key}.${form}`] ?? messages[`${key}.other`];
  }
  if (text === undefined) return key;
  return text.replace(/\{(\w+)\}/g, (_, name) =>
    name in params ? (typeof params[name] === "number" ? formatNumber(params[name]) : params[name]) : `{${name}}`,
  );
}

export function formatDate(value, options = { dateStyle: "long" }) {
  if (!value) return "";
  return new Intl.DateTimeFormat(language, { timeZone: "Europe/Warsaw", ...options }).format(new Date(value));
}

export function formatDateTime(value) {
  return formatDate(value, { dateStyle: "medium", timeStyle: "short" });
}

export function formatNumber(value) {
  return new Intl.NumberFormat(language).format(value);
}

export function formatMoney(value) {
  return new Intl.NumberFormat(language, { style: "currency", currency: "PLN" }).format(Number(value));
}
