// One ticket: where it stands (status, reference number, dates), what was reported (place,
// category, photos), the conversation and the history, and what the viewer may do now as
// the API says (`actions`): comment, confirm the work and rate it, or reopen it.

import { useEffect, useState } from "preact/hooks";
import { ApiError, gql } from "../api.js";
import { Field, html, Link, Loaded, useQuery } from "../components.js";
import { formatDate, formatDateTime, t } from "../i18n.js";
import { NotAvailable } from "./not-available.js";
import { apiErrors, described, failure, PhotoPicker, Summary, withPhotos } from "./report.js";
import { placeLabel, Status, STATUS_LABELS, WINDOW_LABELS } from "./tickets.js";

const EVENT_LABELS = {
  CREATED: () => t("tickets.event.created"),
  STATUS: () => t("tickets.event.status"),
  ASSIGNED: () => t("tickets.event.assigned"),
  DEADLINE: () => t("tickets.event.deadline"),
  RATED: () => t("tickets.event.rated"),
  ESCALATED: () => t("tickets.event.escalated"),
};

const RATING_LABELS = {
  5: () => t("tickets.rate.5"),
  4: () => t("tickets.rate.4"),
  3: () => t("tickets.rate.3"),
  2: () => t("tickets.rate.2"),
  1: () => t("tickets.rate.1"),
};

function Paragraphs({ text }) {
  return text
    .split(/\n+/)
    .filter((line) => line.trim())
    .map((line) => html`<p>${line}</p>`);
}

function Time({ value, withTime = true }) {
  return html`<time datetime=${value}>${withTime ? formatDateTime(value) : formatDate(value)}</time>`;
}

function Facts({ ticket }) {
  const rows = [
    [t("tickets.detail.category"), ticket.category.name],
    [
      t("tickets.detail.place"),
      html`${placeLabel(ticket)}, ${ticket.building.address}${ticket.location ? html`<br />${ticket.location}` : ""}`,
    ],
    ticket.latitude != null && [
      t("tickets.detail.position"),
      html`<a href=${`geo:${ticket.latitude},${ticket.longitude}`}>${t("tickets.detail.openMap")}</a>`,
    ],
    [t("tickets.detail.reported"), html`<${Time} value=${ticket.createdAt} />`],
    !ticket.firstResponseAt && !ticket.closedAt && [t("tickets.detail.responseDue"), html`<${Time} value=${ticket.responseDueAt} />`],
    !ticket.doneAt && !ticket.closedAt && ticket.status !== "REJECTED" && [t("tickets.detail.due"), html`<${Time} value=${ticket.dueAt} />`],
    ticket.preferredDate && [
      t("tickets.detail.visit"),
      `${formatDate(ticket.preferredDate)}, ${WINDOW_LABELS[ticket.preferredWindow]?.() || ""}`,
    ],
    !ticket.preferredDate && ticket.preferredWindow !== "ANY" && [t("tickets.detail.visit"), WINDOW_LABELS[ticket.preferredWindow]?.()],
    ticket.contractor && [
      t("tickets.detail.contractor"),
      html`${ticket.contractor.name}${ticket.workerName ? ` (${ticket.workerName})` : ""}${ticket.contractor.phone &&
        html`<br /><a class="phone" href=${`tel:${ticket.contractor.phone}`}>${ticket.contractor.phone}</a>`}`,
    ],
    ticket.doneAt && [t("tickets.detail.done"), html`<${Time} value=${ticket.doneAt} />`],
    ticket.closedAt && [t("tickets.detail.closed"), html`<${Time} value=${ticket.closedAt} />`],
  ].filter(Boolean);
  return html`<dl>
    ${rows.map(([term, value]) => html`<dt><strong>${term}</strong></dt><dd>${value}</dd>`)}
  </dl>`;
}

function Photos({ photos }) {
  if (!photos.length) return null;
  return html`<section class="section" aria-labelledby="photos-title">
    <h2 id="photos-title">${t("tickets.detail.photos", { count: photos.length })}</h2>
    <ul class="cards">
      ${photos.map(
        (photo, index) => html`<li>
          <a href=${photo.url}>
            <img class="card__image" src=${photo.thumbnailUrl} width=${photo.thumbnailWidth} height=${photo.thumbnailHeight}
              alt=${t("tickets.detail.photo", { number: index + 1, total: photos.length })} loading="lazy" />
          </a>
        </li>`,
      )}
    </ul>
  </section>`;
}

// --- What the viewer may do -------------------------------------------------------------------

function Done({ ticket }) {
  return html`<div class="card">
    <p><strong>${t("tickets.detail.doneCheck")}</strong></p>
    ${ticket.reopenableUntil && html`<p>${t("tickets.detail.reopenUntil", { date: formatDateTime(ticket.reopenableUntil) })}</p>`}
  </div>`;
}

function RateForm({ ticket, onChanged }) {
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const onSubmit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const rating = Number(form.get("rating"));
    if (!rating) {
      setErrors({ rating: t("tickets.rate.missing") });
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const answer = (
        await gql("TicketRate", { ticketId: ticket.id, rating, comment: String(form.get("comment") || "").trim() })
      ).ticketRate;
      if (answer.errors.length) setErrors(apiErrors(answer.errors, ["rating", "comment"]));
      else onChanged(t("tickets.rate.thanks"));
    } catch (error) {
      setErrors(failure(error));
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="section" aria-labelledby="rate-title">
    <h2 id="rate-title">${t("tickets.rate.title")}</h2>
    <${Summary} errors=${errors} fields=${{ rating: "rating-5", comment: "rate-comment" }} />
    <form onSubmit=${onSubmit} novalidate>
      <fieldset class=${errors.rating ? "field--error" : undefined} aria-describedby=${errors.rating ? "rating-error" : undefined}>
        <legend><strong>${t("tickets.rate.legend")}</strong></legend>
        ${errors.rating &&
        html`<p class="field__error" id="rating-error"><span class="visually-hidden">${t("form.error")}: </span>${errors.rating}</p>`}
        ${[5, 4, 3, 2, 1].map(
          (value) => html`<p>
            <label class="button button--secondary">
              <input type="radio" id=${`rating-${value}`} name="rating" value=${value} />${"\u00a0"}${RATING_LABELS[value]()}
            </label>
          </p>`,
        )}
      </fieldset>
      <${Field} id="rate-comment" label=${t("tickets.rate.comment")} error=${errors.comment}>
        <textarea id="rate-comment" name="comment" rows="3"
          aria-invalid=${errors.comment ? "true" : undefined} aria-describedby=${described("rate-comment", { error: errors.comment })}></textarea>
      <//>
      <button type="submit" class="button" disabled=${busy} aria-busy=${busy ? "true" : undefined}>
        ${busy ? t("common.wait") : t("tickets.rate.submit")}
      </button>
    </form>
  </section>`;
}

function ReopenForm({ ticket, onChanged }) {
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const onSubmit = async (event) => {
    event.preventDefault();
    const reason = String(new FormData(event.currentTarget).get("reason") || "").trim();
    if (!reason) {
      setErrors({ reason: t("tickets.reopen.missing") });
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const answer = (await gql("TicketReopen", { ticketId: ticket.id, reason })).ticketReopen;
      if (answer.errors.length) setErrors(apiErrors(answer.errors, ["reason"]));
      else onChanged(t("tickets.reopen.done"));
    } catch (error) {
      setErrors(failure(error));
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="section" aria-labelledby="reopen-title">
    <h2 id="reopen-title">${t("tickets.reopen.title")}</h2>
    <${Summary} errors=${errors} fields=${{ reason: "reopen-reason" }} />
    <form onSubmit=${onSubmit} novalidate>
      <${Field} id="reopen-reason" label=${t("tickets.reopen.reason")} hint=${t("tickets.reopen.hint")} error=${errors.reason}>
        <textarea id="reopen-reason" name="reason" rows="3"
          aria-invalid=${errors.reason ? "true" : undefined} aria-describedby=${described("reopen-reason", { hint: true, error: errors.reason })}></textarea>
      <//>
      <button type="submit" class="button button--secondary" disabled=${busy} aria-busy=${busy ? "true" : undefined}>
        ${busy ? t("common.wait") : t("tickets.reopen.submit")}
      </button>
    </form>
  </section>`;
}

function CommentForm({ ticket, onChanged }) {
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const [photos, setPhotos] = useState([]);
  const onSubmit = async (event) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const body = String(new FormData(formElement).get("body") || "").trim();
    if (!body && !photos.length) {
      setErrors({ body: t("tickets.comment.missing") });
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const [variables, options] = await withPhotos({ ticketId: ticket.id, body }, photos);
      const answer = (await gql("TicketCommentAdd", variables, options)).ticketCommentAdd;
      if (answer.errors.length) setErrors(apiErrors(answer.errors, ["body", "photos"]));
      else {
        formElement.reset();
        setPhotos([]);
        onChanged(t("tickets.comment.added"));
      }
    } catch (error) {
      setErrors(failure(error));
    } finally {
      setBusy(false);
    }
  };
  return html`<${Summary} errors=${errors} fields=${{ body: "comment-body", photos: "comment-photos" }} />
    <form onSubmit=${onSubmit} novalidate>
      <${Field} id="comment-body" label=${t("tickets.comment.label")} error=${errors.body}>
        <textarea id="comment-body" name="body" rows="3"
          aria-invalid=${errors.body ? "true" : undefined} aria-describedby=${described("comment-body", { error: errors.body })}></textarea>
      <//>
      <${PhotoPicker} id="comment-photos" files=${photos} onChange=${setPhotos} error=${errors.photos} />
      ${busy && html`<p role="status">${t("common.wait")} <progress aria-label=${t("common.wait")}></progress></p>`}
      <button type="submit" class="button" disabled=${busy} aria-busy=${busy ? "true" : undefined}>
        ${busy ? t("common.wait") : t("tickets.comment.submit")}
      </button>
    </form>`;
}

function Comments({ ticket, onChanged }) {
  const comments = ticket.comments.filter((comment) => !comment.isInternal);
  return html`<section class="section" aria-labelledby="comments-title">
    <h2 id="comments-title">${t("tickets.comment.title")}</h2>
    ${comments.length === 0 && html`<p>${t("tickets.comment.none")}</p>`}
    <ul class="tickets">
      ${comments.map(
        (comment) => html`<li class="ticket">
          <div>
            <p class="meta">
              <strong>${comment.isMine ? t("tickets.comment.you") : comment.authorName || t("tickets.comment.someone")}</strong>,
              ${" "}<${Time} value=${comment.createdAt} />
            </p>
            <${Paragraphs} text=${comment.body} />
            ${comment.photos.map(
              (photo) => html`<a href=${photo.url}><img class="ticket__thumb" src=${photo.thumbnailUrl} alt=${t("tickets.comment.photo")} loading="lazy" /></a> `,
            )}
          </div>
        </li>`,
      )}
    </ul>
    ${ticket.actions.comment && html`<${CommentForm} ticket=${ticket} onChanged=${onChanged} />`}
  </section>`;
}

function History({ events }) {
  return html`<section class="section" aria-labelledby="history-title">
    <h2 id="history-title">${t("tickets.history.title")}</h2>
    <ol class="list">
      ${events.map(
        (event) => html`<li>
          <${Time} value=${event.at} />: ${EVENT_LABELS[event.kind]?.() || event.kind}${event.kind === "STATUS" && event.toStatus
            ? html` ${event.fromStatus ? `${STATUS_LABELS[event.fromStatus]?.()} → ` : ""}<strong>${STATUS_LABELS[event.toStatus]?.()}</strong>`
            : ""}${event.actorName ? ` (${event.actorName})` : ""}
          ${event.note && html`<br />${event.note}`}
        </li>`,
      )}
    </ol>
  </section>`;
}

function TicketView({ ticket, notice, onChanged }) {
  const { actions } = ticket;
  return html`<article>
    <p><${Link} href="/zgloszenia">${t("tickets.detail.back")}<//></p>
    <h1 tabindex="-1">${ticket.title}</h1>
    ${notice && html`<div class="card" role="status"><p><strong>${notice}</strong></p></div>`}
    <p class="h3">${t("tickets.detail.referenceIs")} <strong>${ticket.reference}</strong></p>
    <p class="h3">${t("tickets.statusIs")} <${Status} ticket=${ticket} /></p>
    ${ticket.rating &&
    html`<p>${t("tickets.detail.rating", { rating: ticket.rating })}${ticket.ratingComment ? ` – ${ticket.ratingComment}` : ""}</p>`}
    ${ticket.status === "DONE" && (actions.rate || actions.reopen) && html`<${Done} ticket=${ticket} />`}
    ${actions.rate && html`<${RateForm} ticket=${ticket} onChanged=${onChanged} />`}
    ${actions.reopen && html`<${ReopenForm} ticket=${ticket} onChanged=${onChanged} />`}
    <section class="section" aria-labelledby="about-title">
      <h2 id="about-title">${t("tickets.detail.about")}</h2>
      <${Facts} ticket=${ticket} />
      <${Paragraphs} text=${ticket.description} />
    </section>
    <${Photos} photos=${ticket.photos.filter((photo) => !photo.isInternal)} />
    <${Comments} ticket=${ticket} onChanged=${onChanged} />
    <${History} events=${ticket.history} />
  </article>`;
}

export function TicketDetail({ params }) {
  const query = useQuery("Ticket", { id: params.id }, [params.id]);
  const justSent = new URLSearchParams(window.location.search).get("wyslano") === "1";
  const [notice, setNotice] = useState(justSent ? t("tickets.detail.sent") : "");
  useEffect(() => {
    // The thanks are said once: not again when the page is reloaded or bookmarked.
    if (justSent) window.history.replaceState(window.history.state, "", window.location.pathname);
  }, []);
  const onChanged = (message) => {
    setNotice(message);
    query.reload();
  };
  // An address that is no ticket's (a mistyped id) is "not available", as one not theirs.
  if (query.error instanceof ApiError && query.error.code === "BAD_USER_INPUT")
    return html`<${NotAvailable} path=${window.location.pathname} />`;
  return html`<${Loaded} query=${query}>
    ${(data) =>
      data.ticket
        ? html`<${TicketView} ticket=${data.ticket} notice=${notice} onChanged=${onChanged} />`
        : html`<${NotAvailable} path=${window.location.pathname} />`}
  <//>`;
}
