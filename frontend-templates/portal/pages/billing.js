// "Moje opłaty": each of the viewer's billing accounts (one per unit and payer): the balance
// in residents' words, what is overdue and for how long, the individual account number with
// a copy button, the payment QR code, the coming due dates, the ledger month by month, the
// documents (statements, demands, interest notes) and the viewer's consents and installment
// request. Also the balance at a glance the home page shows (BillingGlance).
//
// Operations: BillingAccounts (the screen), BillingAccount (one month of the ledger),
// BillingDocuments (more documents), BillingConsentsUpdate, BillingGlance (the home page).
//
// Amounts come from the API as decimal strings ("-412.50": credits less debits, so negative
// is a debt) and are only ever formatted here, never added up.

import { useMemo, useRef, useState } from "preact/hooks";
import { fieldErrors, gql } from "../api.js";
import { Field, html, Link, LoadError, Loaded, Loading, useQuery } from "../components.js";
import { formatDate, formatDateTime, formatMoney, t } from "../i18n.js";
import { useViewer } from "../session.js";
import { Choice, Choices, Done, SubmitButton, useErrorSummary, useSending } from "./account.js";
import { NotAvailable } from "./not-available.js";

export const BILLING_PATH = "/oplaty";
const LEDGER_PAGE = 50;
const DOCUMENTS_PAGE = 10;
const MAX_INSTALLMENT_NOTE = 2000;
// How far back the month picker reaches (the API's turnover allows 120 months).
const MONTHS_BACK = 60;

// --- Words for amounts and dates ---------------------------------------------------------------

function amountOf(value) {
  const number = Number(value);
  return Number.isFinite(number) ? number : 0;
}

// The balance as a resident says it: "Do zapłaty 412,50 zł", "Nadpłata 20,00 zł", "Rozliczone".
export function balanceText(balance) {
  const number = amountOf(balance);
  if (number < 0) return t("billing.balance.due", { amount: formatMoney(-number) });
  if (number > 0) return t("billing.balance.overpaid", { amount: formatMoney(number) });
  return t("billing.balance.settled");
}

export function unitLabel(account) {
  return t("billing.unit", { building: account.unit.building.code, number: account.unit.number });
}

// Where a viewer has several accounts (several units, or a unit's parking space settled
// apart), each is named by its unit and its payer.
function accountLabel(account) {
  return `${unitLabel(account)} – ${account.payerName}`;
}

// "2026-11-01" for any day of that month.
function monthOf(day) {
  return `${day.slice(0, 7)}-01`;
}

// Today in the cooperative's time zone, as YYYY-MM-DD.
function today() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Warsaw" }).format(new Date());
}

function monthLabel(month) {
  return formatDate(month, { month: "long", year: "numeric" });
}

// The months an account has (newest first): from its opening to this month, or to its
// closing, at most MONTHS_BACK of them.
function accountMonths(account) {
  const last = monthOf(account.closedOn && account.closedOn < today() ? account.closedOn : today());
  const first = monthOf(account.openedOn);
  const months = [];
  let [year, month] = last.split("-").map(Number);
  for (let i = 0; i < MONTHS_BACK; i += 1) {
    const value = `${year}-${String(month).padStart(2, "0")}-01`;
    if (value < first) break;
    months.push(value);
    month -= 1;
    if (month === 0) {
      month = 12;
      year -= 1;
    }
  }
  return months.length ? months : [first];
}

// The coming due dates, soonest first.
function calendarOf(account) {
  return [...(account.paymentCalendar || [])].sort((a, b) => (a.payBy < b.payBy ? -1 : a.payBy > b.payBy ? 1 : 0));
}

function DueDate({ due }) {
  return html`<time datetime=${due.payBy}>${formatDate(due.payBy)}</time>${due.payBy !== due.dueDate &&
    html`<br /><span class="meta">${t("billing.calendar.moved", { date: formatDate(due.dueDate) })}</span>`}`;
}

// --- On the home page ---------------------------------------------------------------------------

// The balance at a glance: one line per account, what is overdue, the next due date and a
// link to the screen. Nothing at all for a viewer without accounts (or while loading).
export function BillingGlance() {
  const accounts = useQuery("BillingGlance");
  if (accounts.error) {
    return html`<section class="section" aria-labelledby="billing-glance">
      <h2 id="billing-glance">${t("billing.title")}</h2>
      <${LoadError} error=${accounts.error} onRetry=${accounts.reload} />
    </section>`;
  }
  const edges = accounts.data?.viewer?.billingAccounts?.edges || [];
  if (!edges.length) return null;
  const several = edges.length > 1;
  return html`<section class="section billing-glance" aria-labelledby="billing-glance">
    <h2 id="billing-glance">${t("billing.title")}</h2>
    <ul class="billing-glance__list">
      ${edges.map(({ node }) => {
        const next = calendarOf(node)[0];
        const overdue = amountOf(node.overdue);
        return html`<li key=${node.id}>
          ${several && html`<p class="billing-glance__unit">${accountLabel(node)}</p>`}
          <p class="billing-balance">${balanceText(node.balance)}</p>
          ${overdue > 0 && html`<p><strong>${t("billing.overdue", { amount: formatMoney(overdue) })}</strong></p>`}
          ${next
            ? html`<p>${t("billing.nextDue", { date: formatDate(next.payBy), amount: formatMoney(next.amount) })}</p>`
            : html`<p>${t("billing.noComingDue")}</p>`}
        </li>`;
      })}
    </ul>
    <p><${Link} class="button" href=${BILLING_PATH}>${t("billing.glance.link")}<//></p>
  </section>`;
}

// --- The account number -------------------------------------------------------------------------

// The number to pay to, and a button that copies it: the Clipboard API where the browser
// allows it, else a selected text field and the old copy command, else the number is
// selected for the resident to copy. What happened is announced (role=status).
function AccountNumber({ account, index }) {
  const [message, setMessage] = useState("");
  const number = useRef(null);
  const id = `account-number-${index}`;
  // Polish transfer forms take the 26 digits; some refuse the "PL" in front.
  const digits = account.number.electronic.replace(/^PL/, "");
  const copied = () => {
    // Said again on a second click: the text changes, so the live region speaks.
    setMessage((previous) => (previous === t("billing.copied") ? `${t("billing.copied")}\u00a0` : t("billing.copied")));
  };
  const fallback = () => {
    const field = document.createElement("textarea");
    field.value = digits;
    field.setAttribute("readonly", "");
    field.style.position = "fixed";
    field.style.top = "0";
    field.style.left = "-9999px";
    document.body.appendChild(field);
    field.select();
    let done = false;
    try {
      done = document.execCommand("copy");
    } catch {
      done = false;
    }
    field.remove();
    return done;
  };
  const copy = async () => {
    try {
      if (!navigator.clipboard?.writeText) throw new Error("no clipboard");
      await navigator.clipboard.writeText(digits);
      copied();
      return;
    } catch {
      // Permission refused or no Clipboard API (an older browser, a page not served securely).
    }
    if (fallback()) {
      copied();
      return;
    }
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.selectAllChildren(number.current);
    setMessage(t("billing.copyManually"));
  };
  return html`<section aria-labelledby=${`${id}-title`}>
    <h3 id=${`${id}-title`}>${t("billing.number.title")}</h3>
    <p class="hint">${t("billing.number.hint")}</p>
    <p class="billing-number"><span id=${id} ref=${number}>${account.number.formatted}</span></p>
    <p>
      <button type="button" class="button button--secondary" onClick=${copy} aria-describedby=${id}>
        ${t("billing.copy")}
      </button>
    </p>
    <p class="billing-copy-status" role="status" aria-live="polite">${message}</p>
  </section>`;
}

// --- Overdue and coming ------------------------------------------------------------------------

const AGED_ROWS = [
  ["days1To30", () => t("billing.aged.days1To30")],
  ["days31To60", () => t("billing.aged.days31To60")],
  ["days61To90", () => t("billing.aged.days61To90")],
  ["over90Days", () => t("billing.aged.over90Days")],
];

// Shown only when something is overdue (the balance card says so when nothing is).
function AgedDebt({ account, index }) {
  const aged = account.agedDebt;
  const id = `aged-${index}`;
  return html`<section aria-labelledby=${`${id}-title`}>
    <h3 id=${`${id}-title`}>${t("billing.aged.title")}</h3>
    <div class="billing-table-box">
      <table class="billing-table billing-table--two">
        <caption>${t("billing.aged.caption")}</caption>
        <thead>
          <tr><th scope="col">${t("billing.aged.when")}</th><th scope="col" class="billing-amount">${t("billing.amount")}</th></tr>
        </thead>
        <tbody>
          ${AGED_ROWS.filter(([key]) => amountOf(aged[key]) > 0).map(
            ([key, label]) => html`<tr key=${key}>
              <th scope="row">${label()}</th>
              <td class="billing-amount">${formatMoney(aged[key])}</td>
            </tr>`,
          )}
        </tbody>
        <tfoot>
          <tr><th scope="row">${t("billing.aged.overdue")}</th><td class="billing-amount"><strong>${formatMoney(aged.overdue)}</strong></td></tr>
          ${amountOf(aged.notDue) > 0 &&
          html`<tr><th scope="row">${t("billing.aged.notDue")}</th><td class="billing-amount">${formatMoney(aged.notDue)}</td></tr>`}
        </tfoot>
      </table>
    </div>
  </section>`;
}

function PaymentCalendar({ account, index }) {
  const calendar = calendarOf(account);
  const id = `calendar-${index}`;
  return html`<section aria-labelledby=${`${id}-title`}>
    <h3 id=${`${id}-title`}>${t("billing.calendar.title")}</h3>
    ${calendar.length
      ? html`<div class="billing-table-box">
          <table class="billing-table billing-table--two">
            <caption>${t("billing.calendar.caption")}</caption>
            <thead>
              <tr><th scope="col">${t("billing.calendar.payBy")}</th><th scope="col" class="billing-amount">${t("billing.calendar.amount")}</th></tr>
            </thead>
            <tbody>
              ${calendar.map(
                (due) => html`<tr key=${`${due.dueDate}-${due.payBy}`}>
                  <td><${DueDate} due=${due} /></td>
                  <td class="billing-amount">${formatMoney(due.amount)}</td>
                </tr>`,
              )}
            </tbody>
          </table>
        </div>`
      : html`<p>${t("billing.calendar.none")}</p>`}
  </section>`;
}

// --- The ledger ---------------------------------------------------------------------------------

function entryLabel(entry) {
  const kind = t(`billing.kind.${entry.kind}`);
  return entry.component ? `${kind}: ${t(`billing.component.${entry.component}`)}` : kind;
}

// One entry as a table row; on a phone the row stands as a block with each cell's name
// (the .billing-cell-label spans, hidden from screen readers, which have the headers).
function EntryRow({ entry, corrected }) {
  const amount = amountOf(entry.amount);
  const isCorrection = entry.kind === "CORRECTION";
  const cell = (label) => html`<span class="billing-cell-label" aria-hidden="true">${label}: </span>`;
  return html`<tr role="row" class=${isCorrection ? "billing-correction" : undefined}>
    <td role="cell" class="billing-date">${cell(t("billing.ledger.date"))}<time datetime=${entry.bookingDate}>${formatDate(entry.bookingDate, { dateStyle: "medium" })}</time></td>
    <td role="cell">
      ${cell(t("billing.ledger.what"))}<strong>${entryLabel(entry)}</strong>
      ${entry.title && html`<br /><span>${entry.title}</span>`}
      ${isCorrection &&
      html`<br /><span class="meta">${corrected
        ? t("billing.ledger.corrects", {
            what: corrected.title || entryLabel(corrected),
            date: formatDate(corrected.bookingDate, { dateStyle: "medium" }),
          })
        : t("billing.ledger.correctsEarlier")}</span>`}
    </td>
    <td role="cell" class=${entry.payBy ? "billing-date" : "billing-date billing-date--none"}>
      ${entry.payBy
        ? html`${cell(t("billing.ledger.due"))}<time datetime=${entry.payBy}>${formatDate(entry.payBy, { dateStyle: "medium" })}</time>`
        : html`<span aria-hidden="true">—</span><span class="visually-hidden">${t("billing.ledger.noDue")}</span>`}
    </td>
    <td role="cell" class="billing-amount">${amount > 0 ? html`${cell(t("billing.ledger.debit"))}${formatMoney(amount)}` : null}</td>
    <td role="cell" class="billing-amount">${amount < 0 ? html`${cell(t("billing.ledger.credit"))}${formatMoney(-amount)}` : null}</td>
  </tr>`;
}

function MonthSummary({ turnover }) {
  const month = turnover.months[0] || { debits: "0", credits: "0" };
  return html`<dl class="billing-summary">
    <div><dt>${t("billing.ledger.opening")}</dt><dd>${balanceText(turnover.opening.balance)}</dd></div>
    <div><dt>${t("billing.ledger.charged")}</dt><dd>${formatMoney(month.debits)}</dd></div>
    <div><dt>${t("billing.ledger.paid")}</dt><dd>${formatMoney(month.credits)}</dd></div>
    <div><dt>${t("billing.ledger.closing")}</dt><dd>${balanceText(turnover.closing.balance)}</dd></div>
  </dl>`;
}

function LedgerTable({ data, month, variables }) {
  const account = data.billingAccount;
  const [more, setMore] = useState({ edges: [], pageInfo: null, busy: false, failed: false, for: null });
  const extra = more.for === month ? more : { edges: [], pageInfo: null, busy: false, failed: false };
  const edges = [...account.entries.edges, ...extra.edges];
  const pageInfo = extra.pageInfo || account.entries.pageInfo;
  const byId = Object.fromEntries(edges.map(({ node }) => [node.id, node]));
  const loadMore = async () => {
    setMore({ ...extra, busy: true, failed: false, for: month });
    try {
      // The month shown, which may not be the one just chosen while it loads.
      const shown = { ...variables, from: month, to: month, filter: { sinceMonth: month, untilMonth: month } };
      const next = (await gql("BillingAccount", { ...shown, after: pageInfo.endCursor })).billingAccount;
      setMore({ edges: [...extra.edges, ...next.entries.edges], pageInfo: next.entries.pageInfo, busy: false, failed: false, for: month });
    } catch {
      setMore({ ...extra, busy: false, failed: true, for: month });
    }
  };
  const label = monthLabel(month);
  return html`
    <${MonthSummary} turnover=${account.turnover} />
    <p role="status" aria-live="polite">${t("billing.ledger.count", { count: account.entries.totalCount ?? edges.length, month: label })}</p>
    ${edges.length > 0 &&
    html`<div class="billing-table-box">
      <table class="billing-table billing-ledger" role="table">
        <caption>${t("billing.ledger.caption", { month: label })}</caption>
        <thead>
          <tr role="row">
            <th role="columnheader" scope="col">${t("billing.ledger.date")}</th>
            <th role="columnheader" scope="col">${t("billing.ledger.what")}</th>
            <th role="columnheader" scope="col">${t("billing.ledger.due")}</th>
            <th role="columnheader" scope="col" class="billing-amount">${t("billing.ledger.debit")}</th>
            <th role="columnheader" scope="col" class="billing-amount">${t("billing.ledger.credit")}</th>
          </tr>
        </thead>
        <tbody>
          ${edges.map(({ node }) => html`<${EntryRow} key=${node.id} entry=${node} corrected=${node.correctsId ? byId[node.correctsId] : null} />`)}
        </tbody>
      </table>
    </div>`}
    ${pageInfo?.hasNextPage &&
    html`<p>
      ${extra.failed && html`<span class="field__error" role="alert">${t("common.loadFailed")} </span>`}
      <button type="button" class="button button--secondary" disabled=${extra.busy} aria-busy=${extra.busy ? "true" : undefined} onClick=${loadMore}>
        ${extra.busy ? t("common.loading") : t("common.more")}
      </button>
    </p>`}
  `;
}

function Ledger({ account, index }) {
  const months = accountMonths(account);
  const [month, setMonth] = useState(months[0]);
  const [choice, setChoice] = useState(months[0]);
  const id = `ledger-${index}`;
  const variables = {
    id: account.id,
    from: month,
    to: month,
    first: LEDGER_PAGE,
    filter: { sinceMonth: month, untilMonth: month },
  };
  const ledger = useQuery("BillingAccount", variables, [account.id, month]);
  const onSubmit = (event) => {
    event.preventDefault();
    setMonth(choice);
  };
  // The answer shown is of the month its turnover covers (a newer month may be loading).
  const shown = ledger.data?.billingAccount?.turnover?.since;
  return html`<section aria-labelledby=${`${id}-title`} aria-busy=${ledger.loading ? "true" : undefined}>
    <h3 id=${`${id}-title`}>${t("billing.ledger.title")}</h3>
    <form class="filters" onSubmit=${onSubmit}>
      <div class="field">
        <label for=${`${id}-month`}>${t("billing.ledger.month")}</label>
        <select id=${`${id}-month`} value=${choice} onChange=${(event) => setChoice(event.target.value)}>
          ${months.map((value) => html`<option key=${value} value=${value}>${monthLabel(value)}</option>`)}
        </select>
      </div>
      <button type="submit" class="button button--secondary">${t("billing.ledger.show")}</button>
    </form>
    ${ledger.loading && ledger.data && html`<${Loading} />`}
    <${Loaded} query=${ledger}>
      ${(data) =>
        data.billingAccount
          ? html`<${LedgerTable} data=${data} month=${shown ? monthOf(shown) : month} variables=${variables} />`
          : html`<p>${t("billing.ledger.unavailable")}</p>`}
    <//>
  </section>`;
}

// --- Paying by QR code -------------------------------------------------------------------------

// The API's inline <svg> as an image's address: shown as a picture (nothing in it runs),
// named by the image's alt text.
function svgSource(svg) {
  const tag = svg.slice(0, svg.indexOf(">"));
  const standalone = tag.includes("xmlns=") ? svg : svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"');
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(standalone)}`;
}

function PaymentQr({ account, index }) {
  const qr = account.paymentQr;
  if (!qr) return null;
  const id = `qr-${index}`;
  const amount = qr.amount !== null && qr.amount !== undefined && amountOf(qr.amount) > 0 ? formatMoney(qr.amount) : null;
  return html`<section class="billing-qr" aria-labelledby=${`${id}-title`}>
    <h3 id=${`${id}-title`}>${t("billing.qr.title")}</h3>
    <p class="hint">${t("billing.qr.hint")}</p>
    <img class="billing-qr__code" src=${svgSource(qr.svg)}
      alt=${amount ? t("billing.qr.alt", { amount }) : t("billing.qr.altNoAmount")} />
    <dl class="billing-qr__details">
      <div><dt>${t("billing.qr.recipient")}</dt><dd>${qr.recipient}</dd></div>
      <div><dt>${t("billing.qr.transferTitle")}</dt><dd>${qr.title}</dd></div>
      <div><dt>${t("billing.qr.amount")}</dt><dd>${amount || t("billing.qr.noAmount")}</dd></div>
    </dl>
  </section>`;
}

// --- Documents ----------------------------------------------------------------------------------

function DocumentItem({ node }) {
  const kind = t(`billing.document.${node.kind}`);
  const details = [t("billing.documents.issued", { date: formatDate(node.issuedOn) })];
  if (node.periodFrom && node.periodTo) {
    details.push(t("billing.documents.period", { from: formatDate(node.periodFrom), to: formatDate(node.periodTo) }));
  }
  // A demand's or an interest note's amount is what it asks to pay.
  if (node.kind !== "STATEMENT" && node.amount !== null && node.amount !== undefined) {
    details.push(t("billing.documents.amount", { amount: formatMoney(node.amount) }));
  }
  return html`<li>
    <strong>${kind}</strong> ${t("billing.documents.number", { number: node.number })}<br />
    <span class="meta">${details.join(" · ")}</span>
    <br /><a href=${node.downloadUrl} download aria-label=${t("billing.documents.downloadNamed", { kind, number: node.number })}>
      ${t("billing.documents.download")}
    </a>
  </li>`;
}

function Documents({ account, index }) {
  const start = account.documents;
  const [more, setMore] = useState({ edges: [], pageInfo: null, busy: false, failed: false });
  const id = `documents-${index}`;
  const edges = [...start.edges, ...more.edges];
  const pageInfo = more.pageInfo || start.pageInfo;
  const loadMore = async () => {
    setMore({ ...more, busy: true, failed: false });
    try {
      const next = (await gql("BillingDocuments", { id: account.id, first: DOCUMENTS_PAGE, after: pageInfo.endCursor }))
        .billingAccount.documents;
      setMore({ edges: [...more.edges, ...next.edges], pageInfo: next.pageInfo, busy: false, failed: false });
    } catch {
      setMore({ ...more, busy: false, failed: true });
    }
  };
  return html`<section aria-labelledby=${`${id}-title`}>
    <h3 id=${`${id}-title`}>${t("billing.documents.title")}</h3>
    ${edges.length
      ? html`<p class="hint">${t("billing.documents.hint")}</p>
          <ul class="list billing-documents">
            ${edges.map(({ node }) => html`<${DocumentItem} key=${node.id} node=${node} />`)}
          </ul>`
      : html`<p>${t("billing.documents.none")}</p>`}
    ${pageInfo?.hasNextPage &&
    html`<p>
      ${more.failed && html`<span class="field__error" role="alert">${t("common.loadFailed")} </span>`}
      <button type="button" class="button button--secondary" disabled=${more.busy} aria-busy=${more.busy ? "true" : undefined} onClick=${loadMore}>
        ${more.busy ? t("common.loading") : t("common.more")}
      </button>
    </p>`}
  </section>`;
}

// --- Consents -----------------------------------------------------------------------------------

// The viewer's own choices for the account: documents by message, reminders, and asking the
// office for an installment agreement (with a note). Only what the form holds is sent.
function Consents({ account, index }) {
  const id = `consents-${index}`;
  const fields = useMemo(
    () => ({
      electronicDocuments: `${id}-documents`,
      reminders: `${id}-reminders`,
      requestInstallment: `${id}-installment`,
      installmentNote: `${id}-note`,
    }),
    [id],
  );
  const form = useSending();
  const summary = useErrorSummary(form.errors, fields);
  const [saved, setSaved] = useState(null);
  const [current, setCurrent] = useState(account.consents);
  const [documents, setDocuments] = useState(current.electronicDocuments);
  const [reminders, setReminders] = useState(current.reminders);
  const [installment, setInstallment] = useState(!!current.installmentRequestedAt);
  const [note, setNote] = useState(current.installmentNote || "");
  const onSubmit = (event) => {
    event.preventDefault();
    setSaved(null);
    const missing = {};
    if (installment && note.length > MAX_INSTALLMENT_NOTE) {
      missing.installmentNote = t("billing.consents.noteTooLong", { count: MAX_INSTALLMENT_NOTE });
    }
    form.send(async () => {
      const input = { accountId: account.id, electronicDocuments: documents, reminders, requestInstallment: installment };
      if (installment) input.installmentNote = note;
      const answer = (await gql("BillingConsentsUpdate", { input })).billingConsentsUpdate;
      if (answer.errors.length) return fieldErrors(answer.errors);
      const next = answer.consents;
      setCurrent(next);
      setDocuments(next.electronicDocuments);
      setReminders(next.reminders);
      setInstallment(!!next.installmentRequestedAt);
      setNote(next.installmentNote || "");
      setSaved(next);
    }, missing);
  };
  const { errors, busy } = form;
  return html`<section aria-labelledby=${`${id}-title`}>
    <h3 id=${`${id}-title`}>${t("billing.consents.title")}</h3>
    ${summary}
    ${saved && html`<${Done} title=${t("billing.consents.saved")}>
      <p>${saved.installmentRequestedAt ? t("billing.consents.installmentSent") : t("billing.consents.savedText")}</p>
    <//>`}
    <form onSubmit=${onSubmit} novalidate>
      <${Choices} id=${`${id}-choices`} legend=${t("billing.consents.legend")} error=${errors.electronicDocuments || errors.reminders}>
        <${Choice} id=${fields.electronicDocuments} type="checkbox" label=${t("billing.consents.documents")}
          hint=${t("billing.consents.documentsHint")} checked=${documents}
          onChange=${(event) => setDocuments(event.target.checked)} />
        <${Choice} id=${fields.reminders} type="checkbox" label=${t("billing.consents.reminders")}
          hint=${t("billing.consents.remindersHint")} checked=${reminders}
          onChange=${(event) => setReminders(event.target.checked)} />
      <//>
      <${Choices} id=${`${id}-installments`} legend=${t("billing.consents.installmentLegend")}
        hint=${current.installmentRequestedAt
          ? t("billing.consents.installmentRequested", { date: formatDateTime(current.installmentRequestedAt) })
          : t("billing.consents.installmentHint")}
        error=${errors.requestInstallment}>
        <${Choice} id=${fields.requestInstallment} type="checkbox" label=${t("billing.consents.installment")}
          checked=${installment} onChange=${(event) => setInstallment(event.target.checked)} />
      <//>
      ${installment &&
      html`<${Field} id=${fields.installmentNote} label=${t("billing.consents.note")} hint=${t("billing.consents.noteHint")}
        error=${errors.installmentNote}>
        <textarea id=${fields.installmentNote} name="installmentNote" rows="4" value=${note}
          onInput=${(event) => setNote(event.target.value)}
          aria-invalid=${errors.installmentNote ? "true" : undefined}
          aria-describedby=${[`${fields.installmentNote}-hint`, errors.installmentNote && `${fields.installmentNote}-error`].filter(Boolean).join(" ")}></textarea>
      <//>`}
      <${SubmitButton} busy=${busy} label=${t("billing.consents.save")} />
    </form>
  </section>`;
}

// --- One account --------------------------------------------------------------------------------

function Account({ account, index, several }) {
  const id = `account-${index}`;
  const overdue = amountOf(account.overdue);
  const next = calendarOf(account)[0];
  const building = account.unit.building;
  return html`<section class="billing-account" id=${id} aria-labelledby=${`${id}-title`}>
    <h2 id=${`${id}-title`} tabindex="-1">
      ${several ? accountLabel(account) : unitLabel(account)}${building.address &&
      html`<span class="billing-account__address">, ${building.address}</span>`}
    </h2>
    <p class="meta">
      ${t("billing.payer", { name: account.payerName })}
      ${account.isOpen
        ? ""
        : html` · <strong>${t("billing.closed", { date: formatDate(account.closedOn) })}</strong>`}
    </p>
    <div class="card billing-card">
      <p class="billing-card__label">${t("billing.balance.label")}</p>
      <p class="billing-balance">${balanceText(account.balance)}</p>
      <p>${overdue > 0 ? html`<strong>${t("billing.overdue", { amount: formatMoney(overdue) })}</strong>` : t("billing.noOverdue")}</p>
      <p>
        ${next
          ? t("billing.nextDue", { date: formatDate(next.payBy), amount: formatMoney(next.amount) })
          : t("billing.noComingDue")}
      </p>
      <p class="hint">${t("billing.balance.hint")}</p>
    </div>
    <${AccountNumber} account=${account} index=${index} />
    ${account.paymentQr && html`<${PaymentQr} account=${account} index=${index} />`}
    ${overdue > 0 && html`<${AgedDebt} account=${account} index=${index} />`}
    <${PaymentCalendar} account=${account} index=${index} />
    <${Ledger} account=${account} index=${index} />
    ${account.documents && html`<${Documents} account=${account} index=${index} />`}
    ${account.consents && html`<${Consents} account=${account} index=${index} />`}
  </section>`;
}

function NoAccounts() {
  return html`<div class="billing-empty">
    <p>${t("billing.empty")}</p>
    <p>${t("billing.emptyHint")}</p>
    <p class="links"><${Link} href="/dolacz-do-lokalu">${t("billing.emptyJoin")}<//> · <a href="/#kontakt">${t("billing.emptyContact")}</a></p>
  </div>`;
}

export function Billing() {
  const viewer = useViewer();
  const accounts = useQuery("BillingAccounts", {}, [viewer?.id]);
  if (viewer === undefined) return html`<${Loading} />`;
  if (viewer === null) return html`<${NotAvailable} path=${BILLING_PATH} />`;
  return html`<h1 tabindex="-1">${t("billing.title")}</h1>
    <${Loaded} query=${accounts}>
      ${(data) => {
        const edges = data.viewer?.billingAccounts?.edges || [];
        if (!edges.length) return html`<${NoAccounts} />`;
        return html`
          ${edges.length > 1 &&
          html`<nav aria-label=${t("billing.accounts")}>
            <p>${t("billing.accountsCount", { count: edges.length })}</p>
            <ul class="list">
              ${edges.map(
                ({ node }, index) => html`<li key=${node.id}><a href=${`${location.pathname}#account-${index}`}
                  onClick=${(event) => {
                    event.preventDefault();
                    document.getElementById(`account-${index}`)?.scrollIntoView();
                    document.getElementById(`account-${index}-title`)?.focus();
                  }}>${accountLabel(node)}</a>: ${balanceText(node.balance)}</li>`,
              )}
            </ul>
          </nav>`}
          ${edges.map(({ node }, index) => html`<${Account} key=${node.id} account=${node} index=${index} several=${edges.length > 1} />`)}
        `;
      }}
    <//>`;
}
