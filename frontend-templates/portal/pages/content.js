// Every page of the site by its address (page(urlPath:)), so links in rich text and in
// messages open here: news and their index, investments, contractors, documents.

import { useEffect, useRef, useState } from "preact/hooks";
import { html, Link, Loaded, MoreButton, Picture, useMore, useQuery } from "../components.js";
import { formatDate, formatDateTime, formatMoney, formatNumber, t } from "../i18n.js";
import { navigate, useLocation } from "../router.js";
import { NewsCard } from "./home.js";
import { NotAvailable } from "./not-available.js";
import { ContractorFacts, facetValues, NoResults, ResultTitle, Snippets } from "./search.js";

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
      <div class="field">
        <label for="document-search">${t("documents.search")}</label>
        <input id="document-search" name="search" type="search" value=${filter.search || ""} maxlength="200" autocomplete="off" spellcheck=${false} />
      </div>
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

// "Znajdź wykonawcę": the directory grouped by trade as it is, or, once something is
// typed, the firms the search finds (words without Polish letters and with a typo
// too), narrowed by trade and area with the counts the search gives.
function ContractorIndex({ page }) {
  const { path, search } = useLocation();
  const text = (new URLSearchParams(search).get("q") || "").trim();
  const [filter, setFilter] = useState({});
  const hrefFor = (words) => `${path}?${new URLSearchParams({ q: words })}`;
  const onSearch = (event) => {
    event.preventDefault();
    const words = new FormData(event.target).get("q").trim();
    navigate(words ? hrefFor(words) : path);
  };
  return html`<h1 tabindex="-1">${page.title}</h1>
    <form class="search-again" role="search" aria-label=${t("contractors.search")} onSubmit=${onSearch}>
      <div class="field">
        <label for="contractor-search">${t("contractors.searchLabel")}</label>
        <p class="hint" id="contractor-search-hint">${t("contractors.searchHint")}</p>
        <div class="search-row">
          <input
            id="contractor-search"
            name="q"
            type="search"
            value=${text}
            maxlength="200"
            autocomplete="off"
            spellcheck=${false}
            aria-describedby="contractor-search-hint"
          />
          <button type="submit" class="button">${t("search.submit")}</button>
        </div>
      </div>
    </form>
    ${text
      ? html`<${ContractorSearch} key=${text} text=${text} path=${path} hrefFor=${hrefFor} />`
      : html`<${ContractorDirectory} filter=${filter} setFilter=${setFilter} />`}`;
}

function ContractorDirectory({ filter, setFilter }) {
  const list = useMore("Contractors", "contractors", { first: 50, filter });
  const trades = list.query.data?.trades || [];
  return html`<${FilterForm} onApply=${setFilter}>
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

// A facet's choices as checkboxes, "Hydraulik (4)"; a value chosen stays listed even
// when the narrowed answer no longer counts it, so that it can be unticked.
function FacetChoices({ id, legend, values, chosen, onToggle }) {
  const listed = [...values];
  for (const value of chosen) {
    if (!listed.some((entry) => entry.value === value)) listed.push({ value, label: value, count: null });
  }
  if (!listed.length) return null;
  return html`<fieldset class="facet">
    <legend>${legend}</legend>
    ${listed.map(
      (entry, index) => html`<div class="choice" key=${entry.value}>
        <input
          type="checkbox"
          id=${`${id}-${index}`}
          checked=${chosen.includes(entry.value)}
          onChange=${() => onToggle(entry.value)}
        />
        <label for=${`${id}-${index}`}>
          ${entry.count === null ? entry.label : t("search.kindCount", { label: entry.label, count: entry.count })}
        </label>
      </div>`,
    )}
  </fieldset>`;
}

function ContractorSearch({ text, path, hrefFor }) {
  const [trades, setTrades] = useState([]);
  const [areas, setAreas] = useState([]);
  const filter = { ...(trades.length ? { trades } : {}), ...(areas.length ? { areas } : {}) };
  const variables = { query: text, kinds: ["CONTRACTOR"], first: 20, ...(trades.length || areas.length ? { filter } : {}) };
  const list = useMore("Search", "search", variables);
  // The facets as the last answer gave them: kept while a narrower one loads, so that
  // the ticked box stays where it was (and keeps the keyboard's focus). Read in the same
  // render as the results (not set by an effect, a render later), so that the count of
  // results is never shown beside the facets of the answer before.
  const lastAnswer = useRef(null);
  if (list.connection) lastAnswer.current = list.connection;
  const facets = lastAnswer.current;
  const toggle = (values, setValues) => (value) =>
    setValues(values.includes(value) ? values.filter((entry) => entry !== value) : [...values, value]);
  return html`<p><${Link} href=${path}>${t("contractors.all")}<//></p>
    <div class="search-layout">
      <div class="facets">
        <${FacetChoices}
          id="facet-trade"
          legend=${t("contractors.trade")}
          values=${facetValues(facets, "trade")}
          chosen=${trades}
          onToggle=${toggle(trades, setTrades)}
        />
        <${FacetChoices}
          id="facet-area"
          legend=${t("contractors.area")}
          values=${facetValues(facets, "area")}
          chosen=${areas}
          onToggle=${toggle(areas, setAreas)}
        />
      </div>
      <div class="search-layout__results">
        <${Loaded} query=${list.query}>
          ${(data) =>
            data.search.totalCount
              ? html`<p role="status">${t("contractors.found", { count: data.search.totalCount })}</p>
                  <ul class="list results">
                    ${list.edges.map(
                      ({ node: result }) => html`<li class="result">
                        <h2 class="h3 result__title"><${ResultTitle} result=${result} /></h2>
                        <${ContractorFacts} result=${result} />
                        <${Snippets} result=${result} />
                        ${result.node.phone &&
                        html`<p><a class="phone" href=${`tel:${result.node.phone}`}>${result.node.phone}</a></p>`}
                      </li>`,
                    )}
                  </ul>
                  <${MoreButton} list=${list} />`
              : html`<${NoResults} text=${text} suggestion=${data.search.suggestion} hrefFor=${hrefFor} />`}
        <//>
      </div>
    </div>`;
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
