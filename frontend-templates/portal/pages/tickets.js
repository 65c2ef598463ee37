// The viewer's tickets: what they reported and those of their units (and, for staff and
// firms, what they handle), newest first, open ones or all, each leading to its page.
// Also the words every ticket screen shares: statuses, visit windows, places.

import { useState } from "preact/hooks";
import { gql } from "../api.js";
import { html, Link, Loaded, Loading, useQuery } from "../components.js";
import { formatDate, t } from "../i18n.js";
import { navigate, useLocation } from "../router.js";
import { useViewer } from "../session.js";
import { NotAvailable } from "./not-available.js";

// Written out key by key: the catalogue test finds the keys in the code.
export const STATUS_LABELS = {
  NEW: () => t("tickets.status.new"),
  ACCEPTED: () => t("tickets.status.accepted"),
  ASSIGNED: () => t("tickets.status.assigned"),
  IN_PROGRESS: () => t("tickets.status.inProgress"),
  WAITING: () => t("tickets.status.waiting"),
  DONE: () => t("tickets.status.done"),
  CLOSED: () => t("tickets.status.closed"),
  REJECTED: () => t("tickets.status.rejected"),
};

export const WINDOW_LABELS = {
  ANY: () => t("tickets.window.any"),
  MORNING: () => t("tickets.window.morning"),
  AFTERNOON: () => t("tickets.window.afternoon"),
  EVENING: () => t("tickets.window.evening"),
};

// Not done, closed or rejected, and done ones awaiting the resident's confirmation.
const OPEN_STATUSES = ["NEW", "ACCEPTED", "ASSIGNED", "IN_PROGRESS", "WAITING", "DONE"];
const PAGE_SIZE = 20;

export function ticketHref(id) {
  return `/zgloszenia/${encodeURIComponent(id)}`;
}

// "Flat A/12" or "Common area of building A".
export function placeLabel(ticket) {
  return ticket.unit
    ? t("tickets.place.unit", { building: ticket.building.code, number: ticket.unit.number })
    : t("tickets.place.common", { building: ticket.building.code });
}

export function Status({ ticket }) {
  return html`<span class="status">${ticket.statusLabel || STATUS_LABELS[ticket.status]?.()}</span>${ticket.isOverdue &&
    html` · <strong>${t("tickets.overdue")}</strong>`}`;
}

function TicketItem({ node }) {
  const photo = node.photos[0];
  return html`<li class="ticket">
    ${photo &&
    html`<div class="ticket__thumb">
      <img src=${photo.thumbnailUrl} width=${photo.thumbnailWidth} height=${photo.thumbnailHeight} alt="" loading="lazy" />
    </div>`}
    <div>
      <h2 class="h3"><${Link} href=${ticketHref(node.id)}>${node.title}<//></h2>
      <p class="meta">
        ${t("tickets.reference", { reference: node.reference })}${" · "}<time datetime=${node.createdAt}>${formatDate(node.createdAt)}</time>
      </p>
      <p>${t("tickets.statusIs")} <${Status} ticket=${node} /></p>
      <p>${node.category.name} · ${placeLabel(node)}</p>
    </div>
  </li>`;
}

export function TicketList() {
  const viewer = useViewer();
  const { search } = useLocation();
  const all = new URLSearchParams(search).get("wszystkie") === "1";
  // The household's tickets only: staff and firms work theirs in the admin.
  const variables = { first: PAGE_SIZE, filter: all ? { household: true } : { household: true, statuses: OPEN_STATUSES } };
  const tickets = useQuery("Tickets", variables, [all, viewer?.id]);
  const [more, setMore] = useState({ edges: [], pageInfo: null, busy: false, failed: false, for: null });
  const extra = more.for === all ? more : { edges: [], pageInfo: null };
  if (viewer === undefined) return html`<${Loading} />`;
  if (viewer === null) return html`<${NotAvailable} path="/zgloszenia" />`;

  const choose = (event) => navigate(event.target.value === "all" ? "/zgloszenia?wszystkie=1" : "/zgloszenia", { replace: true });
  const loadMore = async (pageInfo) => {
    setMore({ ...extra, busy: true, failed: false, for: all });
    try {
      const data = await gql("Tickets", { ...variables, after: pageInfo.endCursor });
      setMore({ edges: [...extra.edges, ...data.tickets.edges], pageInfo: data.tickets.pageInfo, busy: false, for: all });
    } catch {
      setMore({ ...extra, busy: false, failed: true, for: all });
    }
  };

  return html`<h1 tabindex="-1">${t("tickets.title")}</h1>
    <p><${Link} class="button" href="/zgloszenia/nowe">${t("tickets.reportFault")}<//></p>
    <fieldset>
      <legend>${t("tickets.filter.legend")}</legend>
      <label class="button button--secondary"
        ><input type="radio" name="which" value="open" checked=${!all} onChange=${choose} />${"\u00a0"}${t("tickets.filter.open")}</label
      >
      ${" "}
      <label class="button button--secondary"
        ><input type="radio" name="which" value="all" checked=${all} onChange=${choose} />${"\u00a0"}${t("tickets.filter.all")}</label
      >
    </fieldset>
    <${Loaded} query=${tickets}>
      ${(data) => {
        const edges = [...data.tickets.edges, ...extra.edges];
        const pageInfo = extra.pageInfo || data.tickets.pageInfo;
        return html`<p role="status">
            ${all ? t("tickets.count", { count: data.tickets.totalCount }) : t("tickets.countOpen", { count: data.tickets.totalCount })}
          </p>
          ${edges.length === 0 && html`<p>${all ? t("tickets.none") : t("tickets.noneOpen")}</p>`}
          <ul class="list tickets">
            ${edges.map(({ node }) => html`<${TicketItem} key=${node.id} node=${node} />`)}
          </ul>
          ${pageInfo?.hasNextPage &&
          html`<p>
            ${extra.failed && html`<span class="field__error" role="alert">${t("common.loadFailed")} </span>`}
            <button type="button" class="button button--secondary" disabled=${extra.busy} onClick=${() => loadMore(pageInfo)}>
              ${extra.busy ? t("common.loading") : t("common.more")}
            </button>
          </p>`}`;
      }}
    <//>`;
}
