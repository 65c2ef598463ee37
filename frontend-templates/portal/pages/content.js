// Every page of the site by its address (page(urlPath:)), so links in rich text and in
// messages open here: news and their index, investments, contractors, documents.

import { useEffect, useState } from "preact/hooks";
import { gql } from "../api.js";
import { html, Link, Loaded, Picture, useQuery } from "../components.js";
import { formatDate, formatDateTime, formatMoney, formatNumber, t } from "../i18n.js";
import { NewsCard } from "./home.js";
import { NotAvailable } from "./not-available.js";

// A list that grows with "show more" (relay connections: first/after).
function useMore(operationName, field, variables) {
  const key = JSON.stringify(variables);
  const first = useQuery(operationName, variables, [key]);
  const [extra, setExtra] = useState({ edges: [], after: null, busy: false, failed: false });
  // New filters start a new list.
  useEffect(() => setExtra({ edges: [], after: null, busy: false, failed: false }), [key]);
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
  return { query: first, edges: [...(connection?.edges || []), ...extra.edges], pageInfo, more, extra };
}

function MoreButton({ list }) {
  if (!list.pageInfo?.hasNextPage) return null;
  return html`<p>
    ${list.extra.failed && html`<span class="field__error" role="alert">${t("common.loadFailed")} </span>`}
    <button type="button" class="button button--secondary" onClick=${list.more} disabled=${list.extra.busy}>
      ${list.extra.busy ? t("common.loading") : t("common.more")}
    </button>
  </p>`;
}

function NewsIndex({ page }) {
  const list = useMore("News", "news", { first: 10 });
  return html`<h1 tabindex="-1">${page.title}</h1>
    ${page.intro && html`<div class="rich-text" dangerouslySetInnerHTML=${{ __html: page.intro }} />`}
    <${Loaded} query=${list.query}>
      ${() => html`<ul class="cards">${list.edges.map(({ node }) => html`<${NewsCard} node=${node} />`)}</ul>
        <${MoreButton} list=${list} />`}
    <//>`;
}

function NewsArticle({ page }) {
  return html`<article class="article">
    <h1 tabindex="-1">${page.title}</h1>
    <p class="meta"><time datetime=${page.date}>${formatDate(page.date)}</time></p>
    ${page.affectedBuildings?.length > 0 &&
    html`<p>${t("home.buildings")}: ${page.affectedBuildings.map((building) => building.code).join(", ")}</p>`}
    ${page.validFrom && html`<p>${t("news.validFrom", { date: formatDateTime(page.validFrom) })}</p>`}
    ${page.validUntil && html`<p>${t("home.validUntil", { date: formatDateTime(page.validUntil) })}</p>`}
    <p class="lead">${page.lead}</p>
    <${Picture} image=${page.leadImage} rendition=${page.leadImage?.rendition} className="article__image" />
    <div class="rich-text" dangerouslySetInnerHTML=${{ __html: page.body }} />
    <p class="print-link"><a href=${`${page.urlPath}?druk=1`} onClick=${(event) => (event.preventDefault(), window.print())}>${t("news.print")}</a></p>
  </article>`;
}

const DOCUMENT_CATEGORIES = ["STATUTE", "REGULATIONS", "FORM", "MINUTES", "FINANCIAL", "TECHNICAL", "OTHER"];
const INVESTMENT_STATUSES = ["PLANNED", "ONGOING", "FINISHED"];

// A filter form whose choices apply when sent (one request, not one per keystroke).
function FilterForm({ onApply, children }) {
  const onSubmit = (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    onApply(Object.fromEntries([...form.entries()].filter(([, value]) => value !== "")));
  };
  return html`<form class="filters" onSubmit=${onSubmit} role="search" aria-label=${t("filters.label")}>
    ${children}
    <button type="submit" class="button button--secondary">${t("filters.apply")}</button>
  </form>`;
}

function Select({ id, label, name, options, value }) {
  return html`<div class="field">
    <label for=${id}>${label}</label>
    <select id=${id} name=${name}>
      <option value="">${t("filters.all")}</option>
      ${options.map(([optionValue, text]) => html`<option value=${optionValue} selected=${optionValue === value}>${text}</option>`)}
    </select>
  </div>`;
}

function DocumentIndex({ page }) {
  const [filter, setFilter] = useState({});
  const variables = { first: 20, filter: { ...filter, year: filter.year ? Number(filter.year) : undefined } };
  const list = useMore("Documents", "documents", variables);
  return html`<h1 tabindex="-1">${page.title}</h1>
    <${FilterForm} onApply=${setFilter}>
      <${Select}
        id="document-category"
        label=${t("documents.category")}
        name="category"
        value=${filter.category}
        options=${DOCUMENT_CATEGORIES.map((category) => [category, t(`documents.category.${category}`)])}
      />
      <div class="field">
        <label for="document-year">${t("documents.year")}</label>
        <input id="document-year" name="year" type="number" inputmode="numeric" min="1950" max="2100" value=${filter.year || ""} />
      </div>
    <//>
    <${Loaded} query=${list.query}>
      ${() => html`<p role="status">${t("documents.count", { count: list.query.data.documents.totalCount })}</p>
        <ul class="list documents">
          ${list.edges.map(
            ({ node }) => html`<li>
              <a href=${node.downloadUrl} download>${node.title}</a>
              <span class="meta">
                ${" "}${t(`documents.category.${node.category}`)}, ${node.fileExtension.toUpperCase()},
                ${" "}${formatNumber(Math.max(1, Math.round(node.fileSize / 1024)))} kB${node.year ? `, ${node.year}` : ""}
              </span>
              ${node.description && html`<p>${node.description}</p>`}
            </li>`,
          )}
        </ul>
        <${MoreButton} list=${list} />`}
    <//>`;
}

function InvestmentIndex({ page }) {
  const [filter, setFilter] = useState({});
  const list = useMore("Investments", "investments", { first: 10, filter });
  return html`<h1 tabindex="-1">${page.title}</h1>
    <${FilterForm} onApply=${setFilter}>
      <${Select}
        id="investment-status"
        label=${t("investments.status")}
        name="status"
        value=${filter.status}
        options=${INVESTMENT_STATUSES.map((status) => [status, t(`investments.status.${status}`)])}
      />
    <//>
    <${Loaded} query=${list.query}>
      ${() => html`<ul class="cards">
          ${list.edges.map(
            ({ node }) => html`<li class="card">
              <${Picture} image=${node.leadImage} rendition=${node.leadImage?.rendition} className="card__image" />
              <h2 class="h3"><${Link} href=${node.urlPath}>${node.title}<//></h2>
              <p class="status">${t(`investments.status.${node.status}`)}</p>
              <p>${node.summary}</p>
              ${node.budget && html`<p>${t("investments.budget")}: ${formatMoney(node.budget)}</p>`}
              <${Progress} value=${node.progress} />
            </li>`,
          )}
        </ul>
        <${MoreButton} list=${list} />`}
    <//>`;
}

function Progress({ value }) {
  if (typeof value !== "number") return null;
  return html`<p><label>${t("investments.progress", { percent: value })}
    <progress max="100" value=${value}>${value}%</progress></label></p>`;
}

function InvestmentPage({ page }) {
  return html`<article class="article">
    <h1 tabindex="-1">${page.title}</h1>
    <p class="status">${t(`investments.status.${page.status}`)}</p>
    ${page.summary && html`<p class="lead">${page.summary}</p>`}
    ${page.budget && html`<p>${t("investments.budget")}: ${formatMoney(page.budget)}</p>`}
    <${Progress} value=${page.progress} />
    ${page.body && html`<div class="rich-text" dangerouslySetInnerHTML=${{ __html: page.body }} />`}
    ${page.gallery?.length > 0 &&
    html`<h2>${t("investments.gallery")}</h2>
      <ul class="gallery">
        ${page.gallery.map(
          (item) => html`<li><figure>
            ${item.image?.rendition && html`<img src=${item.image.rendition.url} alt=${item.image.alt || ""} loading="lazy" />`}
            ${item.caption && html`<figcaption>${item.caption}</figcaption>`}
          </figure></li>`,
        )}
      </ul>`}
  </article>`;
}

function ContractorIndex({ page }) {
  const [filter, setFilter] = useState({});
  const list = useMore("Contractors", "contractors", { first: 50, filter });
  const trades = list.query.data?.trades || [];
  return html`<h1 tabindex="-1">${page.title}</h1>
    <${FilterForm} onApply=${setFilter}>
      <${Select}
        id="contractor-trade"
        label=${t("contractors.trade")}
        name="trade"
        value=${filter.trade}
        options=${trades.map((trade) => [trade.slug, trade.name])}
      />
    <//>
    <${Loaded} query=${list.query}>
      ${() => html`<ul class="list">
          ${list.edges.map(
            ({ node }) => html`<li>
              <h2 class="h3">${node.title}</h2>
              <p>${node.trade?.name}${node.areaServed ? ` · ${node.areaServed}` : ""}</p>
              ${node.services?.length > 0 && html`<p>${node.services.join(", ")}</p>`}
              ${node.phone && html`<p><a class="phone" href=${`tel:${node.phone}`}>${node.phone}</a></p>`}
              ${node.openingHours && html`<p class="meta">${node.openingHours}</p>`}
            </li>`,
          )}
        </ul>
        <${MoreButton} list=${list} />`}
    <//>`;
}

function ContractorPage({ page }) {
  return html`<article class="article">
    <h1 tabindex="-1">${page.title}</h1>
    <p class="lead">${page.trade?.name}${page.areaServed ? ` · ${page.areaServed}` : ""}</p>
    ${page.services?.length > 0 && html`<p>${t("contractors.services")}: ${page.services.join(", ")}</p>`}
    ${page.phone && html`<p><a class="phone" href=${`tel:${page.phone}`}>${page.phone}</a></p>`}
    ${page.email && html`<p><a href=${`mailto:${page.email}`}>${page.email}</a></p>`}
    ${page.website && html`<p><a href=${page.website} rel="noopener">${page.website}</a></p>`}
    ${page.openingHours && html`<p>${t("contractors.openingHours")}: ${page.openingHours}</p>`}
    ${page.notes && html`<p class="meta">${page.notes}</p>`}
  </article>`;
}

function Generic({ page }) {
  return html`<article class="article">
    <h1 tabindex="-1">${page.title}</h1>
    ${page.summary && html`<p class="lead">${page.summary}</p>`}
    ${page.body && html`<div class="rich-text" dangerouslySetInnerHTML=${{ __html: page.body }} />`}
    ${page.phone && html`<p><a class="phone" href=${`tel:${page.phone}`}>${page.phone}</a></p>`}
  </article>`;
}

const BY_TYPE = {
  NewsIndexPage: NewsIndex,
  NewsItem: NewsArticle,
  DocumentIndexPage: DocumentIndex,
  InvestmentIndexPage: InvestmentIndex,
  ContractorIndexPage: ContractorIndex,
  Investment: InvestmentPage,
  Contractor: ContractorPage,
};

export function ContentPage({ path }) {
  const urlPath = path.endsWith("/") ? path : `${path}/`;
  const query = useQuery("Page", { urlPath }, [urlPath]);
  return html`<${Loaded} query=${query}>
    ${(data) => {
      if (!data.page) return html`<${NotAvailable} path=${path} />`;
      const Component = BY_TYPE[data.page.__typename] || Generic;
      return html`<${Component} page=${data.page} />`;
    }}
  <//>`;
}
