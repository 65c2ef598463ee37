// The print view of a news item or outage alert (/druk/<the item's path>): an A4 sheet for
// the notice board in the staircase, in large type, with the cooperative's name, the dates
// it is valid, the buildings it concerns and a QR code leading to the item in the portal.
// Staff open it from the admin ("Print for the notice board" next to the item). The QR
// code is made here, in the browser (vendor/uqr.mjs): nothing leaves the hub.

import { useEffect } from "preact/hooks";
import { encode } from "../vendor/uqr.mjs";
import { html, Link, Loaded, useQuery } from "../components.js";
import { formatDate, t } from "../i18n.js";
import { NotAvailable } from "./not-available.js";

// Only while this view is open: the sheet's look on screen and on paper.
const STYLE = `
@page { size: A4; margin: 10mm 12mm; }
.print-sheet { max-width: 48rem; padding: 1.5rem; border: 2px solid var(--text); color: #000; background: #fff; font-size: 1.25rem; line-height: 1.5; }
.print-sheet__from { margin: 0 0 1rem; padding-bottom: 0.5rem; border-bottom: 4px solid #000; }
.print-sheet__name { display: block; font-size: 1.5rem; font-weight: 700; }
.print-sheet__contact { display: block; font-size: 1rem; }
.print-sheet__kind { margin: 0; font-size: 1.25rem; font-weight: 700; text-transform: uppercase; letter-spacing: 0.04em; }
.print-sheet h1 { margin: 0.25rem 0 0.75rem; font-size: 2.25rem; line-height: 1.2; }
.print-sheet__facts { margin: 0 0 1rem; padding: 0.75rem 1rem; border: 2px solid #000; }
.print-sheet__facts dt { font-weight: 700; }
.print-sheet__facts dd { margin: 0 0 0.5rem; }
.print-sheet__facts dd:last-child { margin-bottom: 0; }
.print-sheet__facts ul { margin: 0; padding-left: 1.25em; }
.print-sheet__lead { font-weight: 700; }
.print-sheet__qr { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; margin-top: 1.5rem; padding-top: 1rem; border-top: 2px solid #000; break-inside: avoid; }
.print-sheet__qr p { flex: 1 1 14rem; margin: 0; }
.print-sheet__address { display: block; font-family: ui-monospace, monospace; font-size: 1rem; overflow-wrap: anywhere; }
.qr { flex: none; width: 10rem; height: 10rem; }
.print-tools { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; margin: 0 0 1.5rem; }
@media screen and (max-width: 40rem) {
  .print-sheet { padding: 0.75rem; font-size: 1.125rem; }
  .print-sheet h1 { font-size: 1.75rem; }
  .print-sheet__name { font-size: 1.25rem; }
}
@media print {
  .print-tools { display: none; }
  .main { margin: 0; padding: 0; max-width: none; }
  /* Large print (16 pt and more), on one sheet for a typical notice. */
  .print-sheet { max-width: none; padding: 0; border: 0; font-size: 16pt; line-height: 1.35; }
  .print-sheet .rich-text { max-width: none; }
  .print-sheet__name { font-size: 18pt; }
  .print-sheet__kind { font-size: 16pt; }
  .print-sheet h1 { font-size: 28pt; }
  .print-sheet__lead { font-size: 18pt; }
  .print-sheet__qr { margin-top: 1rem; padding-top: 0.75rem; }
  .print-sheet__address, .print-sheet__contact { font-size: 12pt; }
  .qr { width: 38mm; height: 38mm; }
}
`;

function usePrintStyle() {
  useEffect(() => {
    const style = document.createElement("style");
    style.textContent = STYLE;
    document.head.append(style);
    return () => style.remove();
  }, []);
}

// A QR code as an SVG drawing: one square per dark module, a white quiet zone around it.
export function QrCode({ text, label }) {
  const { data, size } = encode(text, { ecc: "M", border: 4 });
  let path = "";
  data.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) path += `M${x} ${y}h1v1h-1z`;
    }),
  );
  return html`<svg class="qr" role="img" aria-label=${label} viewBox=${`0 0 ${size} ${size}`} shape-rendering="crispEdges">
    <rect width=${size} height=${size} fill="#fff" />
    <path d=${path} fill="#000" />
  </svg>`;
}

function kindLabel(page) {
  if (page.__typename !== "NewsItem") return null;
  if (page.kind === "OUTAGE") return page.priority === "URGENT" ? t("print.kind.outageUrgent") : t("print.kind.outage");
  return page.priority === "NORMAL" ? t("print.kind.announcement") : t("print.kind.important");
}

// Dates in full, with the time: "5 grudnia 2026 14:00".
const LONG_DATE_TIME = { dateStyle: "long", timeStyle: "short" };

// "from … until …" of an alert, or null when it has no dates (also used by the preview).
export function validity(page) {
  const from = page.validFrom && formatDate(page.validFrom, LONG_DATE_TIME);
  const until = page.validUntil && formatDate(page.validUntil, LONG_DATE_TIME);
  if (from && until) return t("print.validFromUntil", { from, until });
  if (from) return t("print.validFrom", { from });
  if (until) return t("print.validUntil", { until });
  return null;
}

// The cooperative's address and phone, on one line under its name.
function contactLine(site) {
  const place = [site.street, [site.postalCode, site.city].filter(Boolean).join(" ")].filter(Boolean).join(", ");
  return [place, site.phone && t("print.phone", { phone: site.phone })].filter(Boolean).join(" · ");
}

function Sheet({ site, page, address }) {
  const kind = kindLabel(page);
  const valid = validity(page);
  const buildings = page.affectedBuildings || [];
  return html`<article class="print-sheet" aria-labelledby="print-title">
    <p class="print-sheet__from">
      <span class="print-sheet__name">${site?.name || t("app.name")}</span>
      ${site && html`<span class="print-sheet__contact">${contactLine(site)}</span>`}
    </p>
    ${kind && html`<p class="print-sheet__kind">${kind}</p>`}
    <h1 id="print-title" tabindex="-1">${page.title}</h1>
    ${(valid || buildings.length > 0 || page.date) &&
    html`<dl class="print-sheet__facts">
      ${valid && html`<dt>${t("print.valid")}</dt><dd>${valid}</dd>`}
      ${buildings.length > 0 &&
      html`<dt>${t("print.buildings")}</dt>
        <dd>
          <ul>
            ${buildings.map((building) => html`<li>${t("print.building", { code: building.code, address: building.address })}</li>`)}
          </ul>
        </dd>`}
      ${!valid && page.date && html`<dt>${t("print.published")}</dt><dd><time datetime=${page.date}>${formatDate(page.date)}</time></dd>`}
    </dl>`}
    ${page.lead && html`<p class="print-sheet__lead">${page.lead}</p>`}
    ${page.body && html`<div class="rich-text" dangerouslySetInnerHTML=${{ __html: page.body }} />`}
    <div class="print-sheet__qr">
      <${QrCode} text=${address} label=${t("print.qrLabel", { address })} />
      <p>${t("print.qrHint")} <span class="print-sheet__address">${address}</span></p>
    </div>
  </article>`;
}

export function PrintView({ params }) {
  usePrintStyle();
  const rest = (params.rest || "").replace(/^\/+/, "");
  const urlPath = `/${rest}${rest && !rest.endsWith("/") ? "/" : ""}`;
  const query = useQuery("PrintPage", { urlPath }, [urlPath]);
  return html`<${Loaded} query=${query}>
    ${(data) => {
      if (!data.page) return html`<${NotAvailable} path=${urlPath} />`;
      // The item in the portal: where the QR code leads.
      const address = `${window.location.origin}${data.page.urlPath}`;
      return html`<div class="print-tools">
          <button type="button" class="button" onClick=${() => window.print()}>${t("print.print")}</button>
          <${Link} href=${data.page.urlPath}>${t("print.back")}<//>
        </div>
        <${Sheet} site=${data.site} page=${data.page} address=${address} />`;
    }}
  <//>`;
}
