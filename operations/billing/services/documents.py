"""Issuing billing documents as PDF (`document_issue`) and sending them (`document_send`).

A document is a statement of an account for a period (zestawienie rozliczeń), a payment
demand (wezwanie do zapłaty: the overdue debts, interest to the day of issue, a deadline
and the transfer's QR code) or an interest note (nota odsetkowa: the lines of
`selectors.interest_note`). Issuing one, in one transaction with the account's row
locked:

1. policy: `billing.issue_billingdocument`, or a process (`by=None`, its name in `process`);
2. the number, per kind and year without gaps: "RK/2026/0001" (statement), "WZ/…"
   (demand), "NO/…" (interest note): the last number of that kind and year plus one,
   under a lock (PostgreSQL: a transaction-scoped advisory lock per kind and year; other
   databases serialise writers) and the number's unique constraint, retried on a clash;
   a refused or failed issue leaves no number behind, so the next one takes it;
3. the snapshot: plain JSON of what the document shows (money as Decimal strings, dates
   ISO), made in Polish, and never changed afterwards;
4. the PDF (`documents.render`), its SHA-256, and the row;
5. the file is written to the storage only when the transaction commits: a refusal, a
   failed render or a rollback further out leaves neither a row nor a file. Should the
   write itself fail after the commit, the download view renders the snapshot again
   (the same bytes, checked against the hash).

Sending (`document_send`) writes one message per person to messaging's outbox with the
download link: to the account's viewers now (`selectors.viewers_now`) who chose documents
electronically (`BillingConsent.electronic_documents`). The others get it on paper: the
hub sends them nothing, and the result names them (`paper`) for the office to post.
Sending twice sends nothing more (messaging's `dedupe_key`).
"""

from __future__ import annotations

import hashlib
import logging
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Length
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from cms.home.models import CooperativeContact
from operations.messaging import services as messaging
from operations.messaging.kinds import MessageKind

from .. import policy, selectors
from ..documents.links import document_download_url
from ..documents.payment_qr import RECIPIENT_MAX, payment_qr_payload
from ..documents.render import TITLES, RenderError, render_pdf
from ..errors import BillingErrorCode
from ..interest import RateMissing
from ..models import BillingAccount, BillingDocument, LedgerEntry, document_file_name
from ..money import ZERO, format_pln, from_grosze, money
from ._common import _creator, _locked, _refuse

logger = logging.getLogger(__name__)

Kind = BillingDocument.Kind
PREFIXES = {Kind.STATEMENT: "RK", Kind.DEMAND: "WZ", Kind.INTEREST_NOTE: "NO"}
SNAPSHOT_VERSION = 1
NUMBER_ATTEMPTS = 5
# Days a demand or an interest note gives to pay, unless settings say otherwise.
DEFAULT_PAYMENT_DAYS = 7
TEMPLATE_KEY = "billing-document"


def payment_days() -> int:
    return int(getattr(settings, "BILLING_DOCUMENT_PAYMENT_DAYS", DEFAULT_PAYMENT_DAYS))


# --- Numbering ---------------------------------------------------------------------------


def _number_prefix(kind: str, year: int) -> str:
    return f"{PREFIXES[kind]}/{year}/"


def _lock_numbering(prefix: str) -> None:
    """Serialise issuers of one kind and year until the transaction ends (PostgreSQL; on
    SQLite a writing transaction holds the database anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # One bigint key: "BILL" in the high half, the prefix's CRC-32 in the low one.
            key = (0x42494C4C << 32) | zlib.crc32(prefix.encode())
            cursor.execute("SELECT pg_advisory_xact_lock(%s::bigint)", [key])


def next_number(kind: str, year: int) -> str:
    """The next number of `kind` in `year`: "WZ/2026/0001" for the first, the last one plus
    one after (ordered by length first, so that 10000 follows 9999)."""
    prefix = _number_prefix(kind, year)
    last = (
        BillingDocument.objects.filter(number__startswith=prefix)
        .order_by(Length("number").desc(), F("number").desc())
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last.rsplit("/", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


# --- Snapshots ---------------------------------------------------------------------------


def _issuer() -> dict:
    """The cooperative as its contact card (the default site's) names it; the NIP from
    `BILLING_ISSUER_NIP`."""
    contact = None
    try:
        from wagtail.models import Site

        site = Site.objects.filter(is_default_site=True).first()
        if site is not None:
            contact = CooperativeContact.for_site(site)
    except Exception:  # pragma: no cover - a site without settings: the defaults below
        logger.exception("Billing documents: the contact card could not be read")
    name = (contact.name if contact else "") or getattr(settings, "WAGTAIL_SITE_NAME", "")
    city_line = " ".join(part for part in ((contact.postal_code, contact.city) if contact else ()) if part)
    return {
        "name": name,
        "address_lines": [line for line in ((contact.street if contact else ""), city_line) if line],
        "city": contact.city if contact else "",
        "phone": contact.phone if contact else "",
        "email": contact.email if contact else "",
        "nip": getattr(settings, "BILLING_ISSUER_NIP", ""),
        "qr_recipient": (getattr(settings, "BILLING_QR_RECIPIENT", "") or name)[:RECIPIENT_MAX],
    }


def _base_snapshot(account: BillingAccount, kind: str, number: str, on: date) -> dict:
    unit = account.unit
    building = unit.building
    return {
        "version": SNAPSHOT_VERSION,
        "kind": kind,
        "number": number,
        "issued_on": on.isoformat(),
        "issuer": _issuer(),
        "account": {
            "id": account.pk,
            "identifier": account.identifier,
            "iban": account.iban,
            "iban_formatted": account.iban_formatted,
        },
        "unit": {"id": unit.pk, "label": str(unit), "address": building.address},
        "payer": {
            "name": account.payer_name,
            "address_lines": [
                f"{building.street} {building.number}/{unit.number}",
                f"{building.postal_code} {building.city}",
            ],
        },
    }


def _entry_title(entry: LedgerEntry) -> str:
    if entry.title:
        return entry.title
    label = entry.get_component_display() if entry.component else entry.get_kind_display()
    return f"{label} {entry.period:%m/%Y}"


def _debit_side(entry: LedgerEntry) -> bool:
    """As `selectors.ledger.debit_side`: debts, debit opening balances, and their corrections."""
    subject = entry.corrects if entry.kind == LedgerEntry.Kind.CORRECTION else entry
    if subject.kind in (LedgerEntry.Kind.CHARGE, LedgerEntry.Kind.INTEREST):
        return True
    return subject.kind == LedgerEntry.Kind.OPENING and subject.amount > 0


def _statement(snapshot: dict, account: BillingAccount, start: date, end: date) -> Decimal:
    opening, _months, closing = selectors.account_turnover(account, start=start, end=end)
    entries = (
        LedgerEntry.objects.filter(account=account, booking_date__gte=start, booking_date__lte=end)
        .select_related("corrects")
        .order_by("booking_date", "pk")
    )
    rows = []
    for entry in entries:
        debit = _debit_side(entry)
        rows.append(
            {
                "date": entry.booking_date.isoformat(),
                "kind": entry.kind,
                "title": _entry_title(entry),
                "debit": str(entry.amount) if debit else "",
                "credit": "" if debit else str(-entry.amount),
            }
        )
    snapshot.update(
        period={"from": start.isoformat(), "to": end.isoformat()},
        opening_balance=str(opening.balance),
        entries=rows,
        debits=str(closing.debits - opening.debits),
        credits=str(closing.credits - opening.credits),
        closing_balance=str(closing.balance),
    )
    return closing.balance


def _interest_note(account: BillingAccount, on: date):
    try:
        return selectors.interest_note(account, until=on)
    except RateMissing as missing:
        raise _refuse(
            BillingErrorCode.RATE_MISSING,
            gettext("No interest rate is known for %(day)s; add it in the admin first.")
            % {"day": date_format(missing.day, "d.m.Y")},
        ) from missing


def _nothing_due(message: str) -> Exception:
    return _refuse(BillingErrorCode.NOTHING_TO_DEMAND, message, "kind")


def _payment_part(snapshot: dict, account: BillingAccount, number: str, on: date, total: Decimal) -> None:
    title = f"{number} lokal {snapshot['unit']['label']}"
    snapshot.update(
        interest_until=on.isoformat(),
        pay_by=(on + timedelta(days=payment_days())).isoformat(),
        total=str(total),
        transfer_title=title,
        qr_payload=payment_qr_payload(
            iban=account.iban,
            recipient=snapshot["issuer"]["qr_recipient"],
            amount=total,
            title=title,
            nip=snapshot["issuer"]["nip"],
        ),
    )


def _demand(snapshot: dict, account: BillingAccount, number: str, on: date) -> Decimal:
    note = _interest_note(account, on)
    interest_by_debt = {
        debt_id: sum((line.amount for line in lines), ZERO) for debt_id, lines in note.by_debt().items()
    }
    overdue = {
        debt.pk: debt
        for debt in selectors.debts_outstanding(LedgerEntry.objects.filter(account=account), as_of=on).filter(
            outstanding_grosze__gt=0, effective_due_date__lt=on
        )
    }
    # Debts paid late keep their interest on the demand (with nothing left of the debt).
    late = LedgerEntry.objects.filter(pk__in=[pk for pk in interest_by_debt if pk not in overdue])
    debts = sorted([*overdue.values(), *late], key=lambda debt: (debt.effective_due_date, debt.booking_date, debt.pk))
    rows = []
    principal = interest = ZERO
    for debt in debts:
        outstanding = from_grosze(getattr(debt, "outstanding_grosze", 0))
        debt_interest = interest_by_debt.get(debt.pk, ZERO)
        principal += outstanding
        interest += debt_interest
        rows.append(
            {
                "id": debt.pk,
                "due_date": debt.due_date.isoformat(),
                "title": _entry_title(debt),
                "outstanding": str(outstanding),
                "interest": str(debt_interest),
            }
        )
    total = money(principal + interest)
    if total <= 0:
        raise _nothing_due(gettext("Nothing is overdue on this account on that day."))
    snapshot.update(debts=rows, principal=str(principal), interest=str(interest))
    _payment_part(snapshot, account, number, on, total)
    return total


def _interest_note_snapshot(snapshot: dict, account: BillingAccount, number: str, on: date) -> Decimal:
    note = _interest_note(account, on)
    if note.total <= 0:
        raise _nothing_due(gettext("No interest is due on this account on that day."))
    debts = LedgerEntry.objects.in_bulk([line.debt_id for line in note.lines if line.debt_id])
    snapshot["lines"] = [
        {
            "debt_id": line.debt_id,
            "debt": _entry_title(debts[line.debt_id]) if line.debt_id in debts else "",
            "start": line.start.isoformat(),
            "end": line.end.isoformat(),
            "days": line.days,
            "base": str(line.base),
            "rate": str(line.rate),
            "amount": str(line.amount),
        }
        for line in note.lines
    ]
    _payment_part(snapshot, account, number, on, note.total)
    return note.total


def document_snapshot(
    *, account: BillingAccount, kind: str, number: str, on: date, period_from=None, period_to=None
) -> tuple[dict, Decimal]:
    """The snapshot of a document and the amount it states (the statement's closing
    balance, the demand's or the note's total), in Polish whatever the caller's language."""
    with translation.override("pl"):
        snapshot = _base_snapshot(account, kind, number, on)
        if kind == Kind.STATEMENT:
            amount = _statement(snapshot, account, period_from, period_to)
        elif kind == Kind.DEMAND:
            amount = _demand(snapshot, account, number, on)
        else:
            amount = _interest_note_snapshot(snapshot, account, number, on)
    return snapshot, amount


# --- Issuing -----------------------------------------------------------------------------


def _checked(kind, on, period_from, period_to, account: BillingAccount) -> tuple[date | None, date | None]:
    if kind not in Kind.values:
        raise _refuse(
            BillingErrorCode.KIND_INVALID, gettext("Choose a statement, a demand or an interest note."), "kind"
        )
    if not isinstance(on, date):
        raise _refuse(BillingErrorCode.DATE_INVALID, gettext("Give the day of issue."), "on")
    if kind != Kind.STATEMENT:
        return None, None
    if period_from is None or period_to is None:
        raise _refuse(BillingErrorCode.DATE_INVALID, gettext("Give the statement's period."), "period_from")
    if period_from > period_to:
        raise _refuse(BillingErrorCode.DATE_INVALID, gettext("The period ends before it begins."), "period_to")
    if period_to > on:
        raise _refuse(
            BillingErrorCode.DATE_INVALID, gettext("The period cannot end after the day of issue."), "period_to"
        )
    return period_from, period_to


def _store_after_commit(name: str, pdf: bytes, document_pk: int) -> None:
    storage = BillingDocument._meta.get_field("file").storage
    try:
        saved = storage.save(name, ContentFile(pdf))
    except Exception:
        # The row stays; the download view renders the snapshot again (same bytes).
        logger.exception("Billing document %s: the PDF could not be written to %s", document_pk, name)
        return
    if saved != name:  # pragma: no cover - random names do not collide
        logger.error("Billing document %s: the PDF was stored as %s, not %s", document_pk, saved, name)


@transaction.atomic
def document_issue(
    *,
    account: BillingAccount,
    kind: str,
    on: date,
    period_from: date | None = None,
    period_to: date | None = None,
    by: AbstractBaseUser | None = None,
    process: str = "",
) -> BillingDocument:
    """Issue a statement (for `period_from`–`period_to`), a demand or an interest note of
    `account` on the day `on` (see the module's docstring). Refuses with FORBIDDEN,
    CREATOR_REQUIRED, KIND_INVALID, DATE_INVALID, RATE_MISSING, NOTHING_TO_DEMAND (a
    demand with nothing overdue, a note with no interest) or DOCUMENT_RENDER_FAILED."""
    if refusal := policy.document_issue_refusal(by):
        raise refusal
    creator = _creator(by, process)
    period_from, period_to = _checked(kind, on, period_from, period_to, account)
    account = _locked(account)
    prefix = _number_prefix(kind, on.year)
    _lock_numbering(prefix)
    for attempt in range(NUMBER_ATTEMPTS):
        number = next_number(kind, on.year)
        snapshot, amount = document_snapshot(
            account=account, kind=kind, number=number, on=on, period_from=period_from, period_to=period_to
        )
        try:
            pdf = render_pdf(snapshot)
        except RenderError as error:
            logger.exception("Billing document %s could not be rendered", number)
            raise _refuse(
                BillingErrorCode.DOCUMENT_RENDER_FAILED, gettext("The document could not be made; try again later.")
            ) from error
        document = BillingDocument(
            account=account,
            kind=kind,
            number=number,
            issued_on=on,
            period_from=period_from,
            period_to=period_to,
            amount=amount,
            snapshot=snapshot,
            sha256=hashlib.sha256(pdf).hexdigest(),
            **creator,
        )
        storage = BillingDocument._meta.get_field("file").storage
        document.file.name = storage.generate_filename(document_file_name(document, "document.pdf"))
        try:
            with transaction.atomic():  # a savepoint: a clash on the number is retried
                document.save(force_insert=True)
        except IntegrityError:
            if attempt + 1 == NUMBER_ATTEMPTS or not BillingDocument.objects.filter(number=number).exists():
                raise
            continue
        transaction.on_commit(partial(_store_after_commit, document.file.name, pdf, document.pk))
        return document
    raise AssertionError("unreachable")  # pragma: no cover


# --- Sending -----------------------------------------------------------------------------


@dataclass
class DocumentSendResult:
    """Who got the document as a message (`sent_to`), and who gets it on paper (`paper`:
    the account's viewers who did not choose electronic documents; the hub sends them
    nothing)."""

    document: BillingDocument
    sent_to: list = field(default_factory=list)
    paper: list = field(default_factory=list)


DOCUMENT_TEMPLATES = [
    {
        "key": TEMPLATE_KEY,
        "language": "pl",
        "kind": MessageKind.BALANCE_REMINDER.value,
        "name": "Nowy dokument rozliczeniowy",
        "subject": "{{ title }} {{ number }} – lokal {{ unit }}",
        "body_text": "Dzień dobry {{ recipient.name }},\n\nw portalu mieszkańca czeka nowy dokument: {{ title }} "
        "nr {{ number }} z dnia {{ issued_on }} dla lokalu {{ unit }}.{% if amount %} Kwota: {{ amount }}.{% endif %}"
        "{% if pay_by %} Termin zapłaty: {{ pay_by }}.{% endif %}\n\nDokument pobierzesz po zalogowaniu, "
        "klikając przycisk poniżej.\n\n{{ cooperative }}",
        "sms_text": "Nowy dokument {{ number }} dla lokalu {{ unit }} czeka w portalu mieszkanca.",
    },
    {
        "key": TEMPLATE_KEY,
        "language": "en",
        "kind": MessageKind.BALANCE_REMINDER.value,
        "name": "New billing document",
        "subject": "{{ title_en }} {{ number }} – unit {{ unit }}",
        "body_text": "Hello {{ recipient.name }},\n\na new document is waiting in the resident portal: {{ title_en }} "
        "no. {{ number }} of {{ issued_on }} for unit {{ unit }}.{% if amount %} Amount: {{ amount }}.{% endif %}"
        "{% if pay_by %} Pay by: {{ pay_by }}.{% endif %}\n\nSign in and use the button below to download it."
        "\n\n{{ cooperative }}",
        "sms_text": "New document {{ number }} for unit {{ unit }} is waiting in the resident portal.",
    },
]
TITLES_EN = {Kind.STATEMENT: "Statement", Kind.DEMAND: "Payment demand", Kind.INTEREST_NOTE: "Interest note"}


def _context(document: BillingDocument) -> dict:
    snapshot = document.snapshot
    pay_by = snapshot.get("pay_by")
    return {
        "title": TITLES[document.kind],
        "title_en": TITLES_EN[document.kind],
        "number": document.number,
        "unit": snapshot.get("unit", {}).get("label", ""),
        "issued_on": document.issued_on.strftime("%d.%m.%Y"),
        "amount": format_pln(Decimal(snapshot["total"]), space=" ") if snapshot.get("total") else "",
        "pay_by": date.fromisoformat(pay_by).strftime("%d.%m.%Y") if pay_by else "",
    }


@transaction.atomic
def document_send(*, document: BillingDocument, by: AbstractBaseUser | None = None) -> DocumentSendResult:
    """Send `document` to the account's viewers who chose electronic documents (see the
    module's docstring); records `sent_at` when anyone got it. FORBIDDEN for a person who
    may not issue documents (a process passes `by=None`)."""
    if refusal := policy.document_issue_refusal(by):
        raise refusal
    account = _locked(document.account)
    viewers = selectors.viewers_now(account)
    electronic = selectors.electronic_recipients(account, viewers)
    chosen = {person.pk for person in electronic}
    result = DocumentSendResult(
        document=document, sent_to=electronic, paper=[person for person in viewers if person.pk not in chosen]
    )
    if not electronic:
        return result
    messaging.templates_ensure(DOCUMENT_TEMPLATES)
    messaging.message_send(
        kind=MessageKind.BALANCE_REMINDER,
        template_key=TEMPLATE_KEY,
        recipients=electronic,
        context=_context(document),
        dedupe_key=f"billing-document:{document.pk}",
        link=document_download_url(document, absolute=True),
    )
    if document.sent_at is None:
        document.sent_at = timezone.now()
        BillingDocument.objects.filter(pk=document.pk).update(sent_at=document.sent_at)
    return result
