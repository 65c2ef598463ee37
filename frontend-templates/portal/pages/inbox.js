// The viewer's inbox: newest first, unread ones marked in words and with an icon (never
// by colour alone); opening a message shows it and marks it read; one or all can be
// marked read without opening; "show more" reads the next page.

import { useEffect, useState } from "preact/hooks";
import { gql } from "../api.js";
import { html, Link, Loaded, useQuery } from "../components.js";
import { formatDateTime, t } from "../i18n.js";
import { useViewer } from "../session.js";
import { problemText } from "./account.js";
import { NotAvailable } from "./not-available.js";

const PAGE_SIZE = 10;
// Inline until styles.css has message rules.
const MESSAGE = "border-bottom:1px solid #6f7173;padding:0.75rem 0";
const TOGGLE =
  "display:block;width:100%;min-height:44px;padding:0.25rem 0;border:0;background:none;color:#1d4ed8;" +
  "font:inherit;text-align:left;text-decoration:underline;text-underline-offset:0.15em;cursor:pointer";
const BADGE = "display:inline-block;margin-bottom:0.25rem;padding:0 0.5rem;border:2px solid currentColor;font-size:1rem";
const ACTIONS = "display:flex;flex-wrap:wrap;gap:0.5rem;margin:0.5rem 0 0";

function kindLabel(kind) {
  switch (kind) {
    case "ACCOUNT":
      return t("inbox.kind.account");
    case "OUTAGE_ALERT":
      return t("inbox.kind.outageAlert");
    case "ANNOUNCEMENT":
      return t("inbox.kind.announcement");
    case "TICKET_UPDATE":
      return t("inbox.kind.ticketUpdate");
    case "BALANCE_REMINDER":
      return t("inbox.kind.balanceReminder");
    case "METER_READING_REMINDER":
      return t("inbox.kind.meterReadingReminder");
    case "SURVEY_REMINDER":
      return t("inbox.kind.surveyReminder");
    case "OFFERS":
      return t("inbox.kind.offers");
    default:
      return "";
  }
}

// A message's link: a portal address opens here, anything else (a download) as it is.
function MessageLink({ href }) {
  let url;
  try {
    url = new URL(href, window.location.href);
  } catch {
    return null;
  }
  const hubOwn = /^\/(documents|media|messages|tickets|admin|graphql|static)(\/|$)/.test(url.pathname);
  if (url.origin === window.location.origin && !hubOwn) {
    return html`<${Link} class="button button--secondary" href=${url.pathname + url.search + url.hash}>${t("inbox.openLink")}<//>`;
  }
  return html`<a class="button button--secondary" href=${url.href}>${t("inbox.openLink")}</a>`;
}

function Message({ node, index, open, problem, busy, onToggle, onMarkRead }) {
  const bodyId = `message-${index}`;
  return html`<li style=${MESSAGE}>
    <h2 class="h3" style="margin:0">
      <button type="button" style=${TOGGLE} aria-expanded=${open ? "true" : "false"} aria-controls=${bodyId} onClick=${onToggle}>
        <span style=${`${BADGE};color:${node.isRead ? "#484949" : "#0b0c0c"}`}>
          <span aria-hidden="true">${node.isRead ? "✓ " : "● "}</span>${node.isRead ? t("inbox.read") : t("inbox.unread")}<span class="visually-hidden">:</span>
        </span><br />
        <span style=${`font-weight:${node.isRead ? 400 : 700}`}>${node.subject}</span>
      </button>
    </h2>
    <p class="meta" style="margin:0"><time datetime=${node.createdAt}>${formatDateTime(node.createdAt)}</time> · ${kindLabel(node.kind)}</p>
    <div id=${bodyId} hidden=${!open}>
      ${open && html`<div class="rich-text" dangerouslySetInnerHTML=${{ __html: node.bodyHtml || "" }} />`}
      ${open && node.link && html`<p><${MessageLink} href=${node.link} /></p>`}
    </div>
    ${problem && html`<p class="field__error" role="alert">${problem}</p>`}
    ${!node.isRead &&
    html`<p style=${ACTIONS}>
      <button type="button" class="button button--secondary" onClick=${onMarkRead} disabled=${busy} aria-busy=${busy ? "true" : undefined}
        aria-label=${busy ? undefined : t("inbox.markReadNamed", { subject: node.subject })}>
        ${busy ? t("common.wait") : t("inbox.markRead")}
      </button>
    </p>`}
  </li>`;
}

function InboxList({ data }) {
  const inbox = data.viewer.inbox;
  const [nodes, setNodes] = useState(inbox.edges.map((edge) => edge.node));
  const [pageInfo, setPageInfo] = useState(inbox.pageInfo);
  const [unreadCount, setUnreadCount] = useState(inbox.unreadCount);
  const [open, setOpen] = useState({});
  const [busy, setBusy] = useState({}); // message id or "all" -> true while sending
  const [problems, setProblems] = useState({}); // message id or "all" or "more" -> text
  const [moreBusy, setMoreBusy] = useState(false);
  useEffect(() => {
    setNodes(inbox.edges.map((edge) => edge.node));
    setPageInfo(inbox.pageInfo);
    setUnreadCount(inbox.unreadCount);
  }, [data]);

  const mark = async (key, variables) => {
    setBusy((current) => ({ ...current, [key]: true }));
    setProblems((current) => ({ ...current, [key]: null }));
    try {
      const answer = (await gql("MessageMarkRead", variables)).messageMarkRead;
      if (answer.errors.length) {
        setProblems((current) => ({ ...current, [key]: answer.errors.map((error) => error.message).join(" ") }));
        return;
      }
      const changed = Object.fromEntries(answer.messages.map((message) => [message.id, message]));
      setNodes((current) =>
        current.map((node) =>
          variables.all ? { ...node, isRead: true } : changed[node.id] ? { ...node, ...changed[node.id] } : node,
        ),
      );
      setUnreadCount(answer.unreadCount);
    } catch (error) {
      setProblems((current) => ({ ...current, [key]: problemText(error) }));
    } finally {
      setBusy((current) => ({ ...current, [key]: false }));
    }
  };
  const toggle = (node) => {
    const opening = !open[node.id];
    setOpen((current) => ({ ...current, [node.id]: opening }));
    if (opening && !node.isRead) mark(node.id, { ids: [node.id] });
  };
  const more = async () => {
    setMoreBusy(true);
    setProblems((current) => ({ ...current, more: null }));
    try {
      const next = (await gql("Inbox", { first: PAGE_SIZE, after: pageInfo.endCursor })).viewer.inbox;
      const known = new Set(nodes.map((node) => node.id));
      setNodes((current) => [...current, ...next.edges.map((edge) => edge.node).filter((node) => !known.has(node.id))]);
      setPageInfo(next.pageInfo);
      setUnreadCount(next.unreadCount);
    } catch (error) {
      setProblems((current) => ({ ...current, more: problemText(error) }));
    } finally {
      setMoreBusy(false);
    }
  };

  if (!nodes.length) return html`<p>${t("inbox.empty")}</p>`;
  return html`
    <p role="status" aria-live="polite" class="status">${t("inbox.unreadCount", { count: unreadCount })}</p>
    <p class="meta">${t("inbox.total", { count: inbox.totalCount ?? nodes.length })}</p>
    ${unreadCount > 0 &&
    html`<p>
      <button type="button" class="button button--secondary" onClick=${() => mark("all", { all: true })}
        disabled=${busy.all} aria-busy=${busy.all ? "true" : undefined}>
        ${busy.all ? t("common.wait") : t("inbox.markAllRead")}
      </button>
    </p>`}
    ${problems.all && html`<p class="field__error" role="alert">${problems.all}</p>`}
    <ul style="list-style:none;padding:0">
      ${nodes.map(
        (node, index) => html`<${Message} key=${node.id} node=${node} index=${index} open=${!!open[node.id]}
          problem=${problems[node.id]} busy=${!!busy[node.id]} onToggle=${() => toggle(node)}
          onMarkRead=${() => mark(node.id, { ids: [node.id] })} />`,
      )}
    </ul>
    ${problems.more && html`<p class="field__error" role="alert">${problems.more}</p>`}
    ${pageInfo?.hasNextPage &&
    html`<p>
      <button type="button" class="button button--secondary" onClick=${more} disabled=${moreBusy} aria-busy=${moreBusy ? "true" : undefined}>
        ${moreBusy ? t("common.loading") : t("common.more")}
      </button>
    </p>`}
  `;
}

export function Inbox() {
  const viewer = useViewer();
  const inbox = useQuery("Inbox", { first: PAGE_SIZE });
  if (viewer === null) return html`<${NotAvailable} path="/wiadomosci" />`;
  return html`<h1 tabindex="-1">${t("inbox.title")}</h1>
    <${Loaded} query=${inbox}>
      ${(data) => data.viewer && html`<${InboxList} data=${data} />`}
    <//>
    <p><${Link} href="/ustawienia">${t("inbox.settingsLink")}<//></p>`;
}
