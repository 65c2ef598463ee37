// Every page of the site by its address (page(urlPath:)), so links in rich text and in
// messages open here: news and their index, investments, contractors, documents.

import { useState } from "preact/hooks";
import { gql } from "../api.js";
import { html, Link, Loaded, Picture, useQuery } from "../components.js";
import { formatDate, formatMoney, formatNumber, t } from "../i18n.js";
import { NewsCard } from "./home.js";
import { NotAvailable } from "./not-available.js";

// A list that grows with "show more" (relay connections: first/after).
function useMore(operationName, field, variables) {
  const first = useQuery(operationName, variables, [JSON.stringify(variables)]);
  const [extra, setExtra] = useState({ edges: [], after: null, busy: false, failed: false });
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
    <p class="lead">${page.lead}</p>
    <${Picture} image=${page.leadImage} rendition=${page.leadImage?.rendition} className="article__image" />
    <div class="rich-text" dangerouslySetInnerHTML=${{ __html: page.body }} />
    <p class="print-link"><a href=${`${page.urlPath}?druk=1`} onClick=${(event) => (event.preventDefault(), window.print())}>${t("news.print")}</a></p>
  </article>`;
}

function DocumentIndex({ page }) {
  const list = useMore("Documents", "documents", { first: 20 });
  return html`<h1 tabindex="-1">${page.title}</h1>
    <${Loaded} query=${list.query}>
      ${() => html`<ul class="list documents">
          ${list.edges.map(
            ({ node }) => html`<li>
              <a href=${node.downloadUrl} download>${node.title}</a>
              <span class="meta"> ${node.fileExtension.toUpperCase()}, ${formatNumber(Math.round(node.fileSize / 1024))} kB${node.year ? `, ${node.year}` : ""}</span>
              ${node.description && html`<p>${node.description}</p>`}
            </li>`,
          )}
        </ul>
        <${MoreButton} list=${list} />`}
    <//>`;
}

function InvestmentIndex({ page }) {
  const list = useMore("Investments", "investments", { first: 10 });
  return html`<h1 tabindex="-1">${page.title}</h1>
    <${Loaded} query=${list.query}>
      ${() => html`<ul class="cards">
          ${list.edges.map(
            ({ node }) => html`<li class="card">
              <${Picture} image=${node.leadImage} rendition=${node.leadImage?.rendition} className="card__image" />
              <h2><${Link} href=${node.urlPath}>${node.title}<//></h2>
              <p>${node.summary}</p>
              ${node.budget && html`<p>${t("investments.budget")}: ${formatMoney(node.budget)}</p>`}
              <p><label>${t("investments.progress", { percent: node.progress })} <progress max="100" value=${node.progress}>${node.progress}%</progress></label></p>
            </li>`,
          )}
        </ul>
        <${MoreButton} list=${list} />`}
    <//>`;
}

function ContractorIndex({ page }) {
  const list = useMore("Contractors", "contractors", { first: 50 });
  return html`<h1 tabindex="-1">${page.title}</h1>
    <${Loaded} query=${list.query}>
      ${() => html`<ul class="list">
          ${list.edges.map(
            ({ node }) => html`<li>
              <h2 class="h3">${node.title}</h2>
              <p>${node.trade?.name}</p>
              ${node.phone && html`<p><a class="phone" href=${`tel:${node.phone}`}>${node.phone}</a></p>`}
            </li>`,
          )}
        </ul>
        <${MoreButton} list=${list} />`}
    <//>`;
}

function Generic({ page }) {
  return html`<article class="article">
    <h1 tabindex="-1">${page.title}</h1>
    ${page.summary && html`<p class="lead">${page.summary}</p>`}
    ${typeof page.progress === "number" && html`<p>${t("investments.progress", { percent: page.progress })}</p>`}
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
