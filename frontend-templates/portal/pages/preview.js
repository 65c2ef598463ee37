// An editor's unsaved page as residents would see it (/podglad?token=…). The admin's
// preview (the editor's preview panel, "preview in new tab") opens this screen with a
// token that reads the draft through pagePreview(token:): for that editor only, for a few
// minutes. An expired or altered token shows how to get a fresh one, never an error.

import { html, Link, Loaded, Picture, useQuery } from "../components.js";
import { formatDate, formatMoney, t } from "../i18n.js";
import { validity } from "./print.js";

// Shown only here, above the draft: it must never be mistaken for what residents see.
const BANNER_STYLE = "border: 4px solid var(--text); background: var(--focus); padding: 0.5rem 1rem; margin-bottom: 1.5rem;";

function RichText({ value }) {
  return value ? html`<div class="rich-text" dangerouslySetInnerHTML=${{ __html: value }} />` : null;
}

function Validity({ page }) {
  const text = validity(page);
  return text ? html`<p><strong>${t("print.valid")}:</strong> ${text}</p>` : null;
}

function NewsDraft({ page }) {
  const buildings = page.affectedBuildings || [];
  return html`<article class="article">
    <h1 tabindex="-1">${page.title}</h1>
    <p class="meta"><time datetime=${page.date}>${formatDate(page.date)}</time></p>
    <${Validity} page=${page} />
    ${buildings.length > 0 &&
    html`<p><strong>${t("print.buildings")}:</strong> ${buildings.map((building) => building.code).join(", ")}</p>`}
    ${page.lead && html`<p class="lead">${page.lead}</p>`}
    <${Picture} image=${page.leadImage} rendition=${page.leadImage?.rendition} className="article__image" />
    <${RichText} value=${page.body} />
  </article>`;
}

function investmentStatus(status) {
  if (status === "PLANNED") return t("preview.status.planned");
  if (status === "ONGOING") return t("preview.status.ongoing");
  if (status === "FINISHED") return t("preview.status.finished");
  return status;
}

function InvestmentDraft({ page }) {
  return html`<article class="article">
    <h1 tabindex="-1">${page.title}</h1>
    <p class="status">${investmentStatus(page.status)}</p>
    ${page.summary && html`<p class="lead">${page.summary}</p>`}
    <${Picture} image=${page.leadImage} rendition=${page.leadImage?.rendition} className="article__image" />
    ${page.budget && html`<p>${t("investments.budget")}: ${formatMoney(page.budget)}</p>`}
    ${(page.startDate || page.endDate) &&
    html`<p>${t("preview.schedule", { start: formatDate(page.startDate) || "…", end: formatDate(page.endDate) || "…" })}</p>`}
    <p><label>${t("investments.progress", { percent: page.progress })} <progress max="100" value=${page.progress}>${page.progress}%</progress></label></p>
    <${RichText} value=${page.body} />
    ${page.gallery?.length > 0 &&
    html`<ul class="cards">
      ${page.gallery.map(
        (item) => html`<li class="card">
          <${Picture} image=${item.image} rendition=${item.image?.rendition} className="card__image" />
          ${item.caption && html`<p>${item.caption}</p>`}
        </li>`,
      )}
    </ul>`}
  </article>`;
}

function ContractorDraft({ page }) {
  return html`<article class="article">
    <h1 tabindex="-1">${page.title}</h1>
    ${page.trade?.name && html`<p class="status">${page.trade.name}</p>`}
    ${page.services?.length > 0 && html`<ul>${page.services.map((service) => html`<li>${service}</li>`)}</ul>`}
    ${page.areaServed && html`<p>${page.areaServed}</p>`}
    ${page.phone && html`<p><a class="phone" href=${`tel:${page.phone}`}>${page.phone}</a></p>`}
    ${page.email && html`<p><a href=${`mailto:${page.email}`}>${page.email}</a></p>`}
    ${page.website && html`<p><a href=${page.website} rel="noopener">${page.website}</a></p>`}
    ${page.openingHours && html`<p>${page.openingHours}</p>`}
    ${page.notes && html`<p>${page.notes}</p>`}
  </article>`;
}

function SectionDraft({ page }) {
  return html`<article class="article">
    <h1 tabindex="-1">${page.title}</h1>
    <${RichText} value=${page.intro} />
  </article>`;
}

const BY_TYPE = { NewsItem: NewsDraft, Investment: InvestmentDraft, Contractor: ContractorDraft };

export function Preview() {
  const token = new URLSearchParams(window.location.search).get("token") || "";
  const query = useQuery("PagePreview", { token }, [token]);
  return html`<${Loaded} query=${query}>
    ${(data) => {
      const page = data.pagePreview;
      if (!page) {
        return html`<div class="narrow">
          <h1 tabindex="-1">${t("preview.expired")}</h1>
          <p>${t("preview.expiredText")}</p>
          <p><${Link} href="/">${t("notAvailable.home")}<//></p>
        </div>`;
      }
      const Draft = BY_TYPE[page.__typename] || SectionDraft;
      return html`<div role="status" style=${BANNER_STYLE}>
          <p><strong>${t("preview.banner")}</strong> ${t("preview.bannerText")}</p>
        </div>
        <${Draft} page=${page} />`;
    }}
  <//>`;
}
