// The first page: current outage alerts first and unmissable, then the viewer's balance at
// a glance (when they have billing accounts), the news meant for them, their open tickets
// and unread messages, and the cooperative's contact card.

import { html, Link, Loaded, Picture, useQuery, ContactCard } from "../components.js";
import { formatDate, formatDateTime, t } from "../i18n.js";
import { useViewer } from "../session.js";
import { BillingGlance } from "./billing.js";
import { SurveysGlance } from "./surveys.js";

export function Alerts() {
  const alerts = useQuery("CurrentAlerts");
  if (!alerts.data?.news?.edges?.length) return null;
  return html`<section class="alerts" aria-labelledby="alerts-title">
    <h2 id="alerts-title" class="visually-hidden">${t("home.alerts")}</h2>
    ${alerts.data.news.edges.map(
      ({ node }) => html`<article class="alert" role="alert">
        <p class="alert__label">${t("home.alertLabel")}</p>
        <h3 class="alert__title">${node.title}</h3>
        <p>${node.lead}</p>
        ${node.affectedBuildings.length > 0 &&
        html`<p>${t("home.buildings")}: ${node.affectedBuildings.map((building) => building.code).join(", ")}</p>`}
        ${node.validUntil && html`<p>${t("home.validUntil", { date: formatDateTime(node.validUntil) })}</p>`}
      </article>`,
    )}
  </section>`;
}

export function NewsCard({ node }) {
  return html`<li class="card news-card">
    <${Picture} image=${node.leadImage} rendition=${node.leadImage?.rendition} className="card__image" sizes="(min-width: 48em) 20rem, 100vw" />
    <h3><${Link} href=${node.urlPath}>${node.title}<//></h3>
    <p class="meta"><time datetime=${node.date}>${formatDate(node.date)}</time></p>
    <p>${node.lead}</p>
  </li>`;
}

function MyTickets() {
  const tickets = useQuery("Tickets", { first: 5, filter: { openOnly: true, household: true } });
  return html`<section class="section" aria-labelledby="my-tickets">
    <h2 id="my-tickets">${t("home.myTickets")}</h2>
    <${Loaded} query=${tickets}>
      ${(data) =>
        data.tickets.edges.length
          ? html`<ul class="list">
              ${data.tickets.edges.map(
                ({ node }) => html`<li><${Link} href=${`/zgloszenia/${encodeURIComponent(node.id)}`}>${node.title}<//> <span class="status">${node.statusLabel}</span></li>`,
              )}
            </ul>`
          : html`<p>${t("home.noOpenTickets")}</p>`}
    <//>
    <p><${Link} class="button" href="/zgloszenia">${t("home.allTickets")}<//></p>
  </section>`;
}

function Unread() {
  const inbox = useQuery("Inbox", { first: 3, unreadOnly: true });
  return html`<section class="section" aria-labelledby="unread">
    <h2 id="unread">${t("home.messages")}</h2>
    <${Loaded} query=${inbox}>
      ${(data) => html`<p>${t("home.unread", { count: data.viewer?.inbox.unreadCount ?? 0 })}</p>
        <ul class="list">
          ${(data.viewer?.inbox.edges || []).map(({ node }) => html`<li>${node.subject}</li>`)}
        </ul>`}
    <//>
  </section>`;
}

export function Home({ site }) {
  const viewer = useViewer();
  const news = useQuery("News", { first: 5 });
  return html`
    <h1 tabindex="-1">${viewer ? t("home.greeting", { name: viewer.firstName || viewer.username }) : t("home.title")}</h1>
    <${Alerts} />
    ${viewer && html`<${SurveysGlance} />`}
    ${viewer && html`<${BillingGlance} />`}
    <section class="section" aria-labelledby="latest-news">
      <h2 id="latest-news">${t("home.news")}</h2>
      <${Loaded} query=${news}>
        ${(data) => html`<ul class="cards">${data.news.edges.map(({ node }) => html`<${NewsCard} node=${node} />`)}</ul>`}
      <//>
      <p><${Link} href="/aktualnosci/">${t("home.allNews")}<//></p>
    </section>
    ${viewer && html`<${MyTickets} />`}
    ${viewer && html`<${Unread} />`}
    <${ContactCard} site=${site} />
  `;
}
