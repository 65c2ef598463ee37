// Pieces every page uses: loading and error states, the error summary forms start with,
// links that stay inside the portal, images with srcset, the contact card.

import { h } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import htm from "htm";
import { gql, NetworkError } from "./api.js";
import { currentLanguage, t } from "./i18n.js";
import { navigate } from "./router.js";

export const html = htm.bind(h);

// Runs an operation when the page opens (and again when `deps` change):
// {data, error, loading, reload}. No operation name: nothing to ask yet (a search with
// nothing typed), and nothing loading.
export function useQuery(operationName, variables = {}, deps = []) {
  const [state, setState] = useState({ data: null, language: null, error: null, loading: Boolean(operationName) });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    const language = currentLanguage();
    if (!operationName) {
      setState({ data: null, language, error: null, loading: false });
      return undefined;
    }
    setState((previous) => ({ ...previous, loading: true, error: null }));
    gql(operationName, variables)
      .then((data) => current && setState({ data, language, error: null, loading: false }))
      .catch((error) => current && setState({ data: null, language, error, loading: false }));
    return () => {
      current = false;
    };
    // The language too: the API answers labels in the language the portal asks in.
  }, [...deps, operationName, round, currentLanguage()]);
  // An answer in another language is not shown while the new one loads: its labels
  // (statuses, kinds of message) would stay in the language the reader just left.
  // Until the effect above asks again, it is loading.
  const fresh = state.language === currentLanguage();
  return {
    ...state,
    data: fresh ? state.data : null,
    loading: state.loading || (!fresh && !state.error),
    reload: () => setRound((n) => n + 1),
  };
}

// A list that grows with "show more" (relay connections: first/after). `field` is the
// connection's name in the answer; no operation name: no list yet.
export function useMore(operationName, field, variables) {
  const key = JSON.stringify(variables);
  const first = useQuery(operationName, variables, [key]);
  const [extra, setExtra] = useState({ edges: [], after: null, busy: false, failed: false });
  // New filters start a new list.
  useEffect(() => setExtra({ edges: [], after: null, busy: false, failed: false }), [key, operationName]);
  const connection = first.data?.[field];
  const pageInfo = extra.after ? extra.pageInfo : connection?.pageInfo;
  const more = async () => {
    setExtra({ ...extra, busy: true, failed: false });
    try {
      const data = await gql(operationName, { ...variables, after: pageInfo.endCursor });
      setExtra({
        edges: [...extra.edges, ...data[field].edges],
        after: data[field].pageInfo.endCursor,
        pageInfo: data[field].pageInfo,
        busy: false,
      });
    } catch {
      setExtra({ ...extra, busy: false, failed: true });
    }
  };
  return { query: first, connection, edges: [...(connection?.edges || []), ...extra.edges], pageInfo, more, extra };
}

export function MoreButton({ list }) {
  if (!list.pageInfo?.hasNextPage) return null;
  return html`<p>
    ${list.extra.failed && html`<span class="field__error" role="alert">${t("common.loadFailed")} </span>`}
    <button type="button" class="button button--secondary" onClick=${list.more} disabled=${list.extra.busy}>
      ${list.extra.busy ? t("common.loading") : t("common.more")}
    </button>
  </p>`;
}

export function Loading() {
  return html`<p class="loading" role="status" aria-live="polite">${t("common.loading")}</p>`;
}

export function LoadError({ error, onRetry }) {
  const message = error instanceof NetworkError ? t("common.offline") : t("common.loadFailed");
  return html`<div class="notice notice--error" role="alert">
    <p>${message}</p>
    ${onRetry && html`<button type="button" class="button button--secondary" onClick=${onRetry}>${t("common.retry")}</button>`}
  </div>`;
}

// What a query's state shows: progress, an error with "try again", or `children(data)`.
export function Loaded({ query, children }) {
  if (query.loading && !query.data) return html`<${Loading} />`;
  if (query.error) return html`<${LoadError} error=${query.error} onRetry=${query.reload} />`;
  return children(query.data);
}

// A link inside the portal: changes the address without reloading the page.
export function Link({ href, children, ...rest }) {
  const onClick = (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    if (new URL(href, window.location.href).origin !== window.location.origin) return; // another site: the browser's
    event.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${onClick} ...${rest}>${children}</a>`;
}

// The page's <base href="/portal/"> would take a bare "#field" link to /portal/; the link
// names this very address, and is followed here without leaving the form.
function toField(event, id) {
  const field = document.getElementById(id);
  if (!field) return;
  event.preventDefault();
  field.scrollIntoView({ block: "center" });
  field.focus();
}

// The list of a form's errors at its top, announced and focused when it appears, each
// leading to its field (the GOV.UK pattern).
export function ErrorSummary({ errors, fields }) {
  const entries = Object.entries(errors || {});
  const summary = useRef(null);
  // Focused when the errors change (a new attempt), not on every re-render of the form.
  useEffect(() => summary.current?.focus(), [JSON.stringify(errors || {})]);
  if (!entries.length) return null;
  return html`<div class="error-summary" role="alert" tabindex="-1" ref=${summary}>
    <h2 class="error-summary__title">${t("form.errorSummary")}</h2>
    <ul>
      ${entries.map(
        ([field, message]) =>
          html`<li>${fields?.[field] ? html`<a href=${`${location.pathname}${location.search}#${fields[field]}`} onClick=${(event) => toField(event, fields[field])}>${message}</a>` : message}</li>`,
      )}
    </ul>
  </div>`;
}

export function Field({ id, label, hint, error, children }) {
  return html`<div class=${`field${error ? " field--error" : ""}`}>
    <label for=${id}>${label}</label>
    ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
    ${error && html`<p class="field__error" id=${`${id}-error`}><span class="visually-hidden">${t("form.error")}: </span>${error}</p>`}
    ${children}
  </div>`;
}

export function Picture({ image, rendition, sizes = "(min-width: 48em) 40rem, 100vw", className = "" }) {
  if (!image || !rendition) return null;
  return html`<img
    class=${className}
    src=${rendition.url}
    srcset=${image.srcset || undefined}
    sizes=${image.srcset ? sizes : undefined}
    width=${rendition.width}
    height=${rendition.height}
    alt=${image.alt || ""}
    loading="lazy"
  />`;
}

export function ContactCard({ site }) {
  if (!site) return null;
  const emergency = site.emergencyNumbers || {};
  const numbers = [
    ["gas", t("contact.gas")],
    ["water", t("contact.water")],
    ["electricity", t("contact.electricity")],
    ["lifts", t("contact.lifts")],
  ].filter(([key]) => emergency[key]);
  return html`<section class="card contact" id="kontakt" aria-labelledby="contact-title">
    <h2 id="contact-title">${t("contact.title")}</h2>
    ${numbers.length > 0 &&
    html`<h3>${t("contact.emergency")}</h3>
      <ul class="phones">
        ${numbers.map(
          ([key, label]) => html`<li><a class="phone" href=${`tel:${emergency[key]}`}>${label}: <strong>${emergency[key]}</strong></a></li>`,
        )}
      </ul>`}
    <h3>${site.name}</h3>
    <p>${site.street}<br />${site.postalCode} ${site.city}</p>
    ${site.phone && html`<p><a class="phone" href=${`tel:${site.phone}`}>${t("contact.office")}: <strong>${site.phone}</strong></a></p>`}
    ${site.email && html`<p><a href=${`mailto:${site.email}`}>${site.email}</a></p>`}
    ${site.officeHours && html`<p>${t("contact.hours")}: ${site.officeHours}</p>`}
  </section>`;
}
