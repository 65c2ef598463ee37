"""GraphQL types of billing: an account as its household or the cooperative's accountants
see it (its number, unit, payer, balance, overdue amount, aged debt, turnover, ledger
entries and payment calendar), and the totals per building.

Amounts are `Decimal` (serialized as a string such as "-123.45", to the grosz; never a
float). A balance follows the glossary: positive an overpayment, negative arrears; an
entry's amount is positive for a debit (what the payer owes more) and negative for a credit.

A list of accounts reads the balance, the overdue amount and the aged debt with its rows
(`selectors.api_reads`' annotations, added by the optimizer only when asked). Turnover,
the entries, the calendar, the documents, the viewer's consents and the payment code take
arguments or are lists of their own: the first account of a page to be asked answers for
the whole page (`batching`, `selectors.batches`), so a page of accounts costs the same
number of queries whatever its length and whatever the number of entries.

Documents are read through `selectors.documents.documents_visible_to` (those who see the
account) and downloaded at `downloadUrl`, which checks again. The viewer's `consents` are
their own row (defaults when they chose nothing); `billingConsentsUpdate` changes them.
The payment code (`paymentQr`) is the Polish banks' 2D code of a transfer to the
account's individual number, for what is to pay by `BILLING_QR_DAYS_AHEAD` days from
today (overdue and the coming due date; none when nothing is), to the cooperative as its
contact card names it (`BILLING_QR_RECIPIENT` overrides), titled with the unit.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated

import strawberry
import strawberry_django
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext
from strawberry import Info, relay
from strawberry_django.permissions import HasPerm

from cms.core.graphql.context import request_of, signed_in_user
from cms.core.graphql.enums import graphql_enum
from cms.core.graphql.errors import bad_input
from cms.core.graphql.fields import instance_field, model_type
from cms.core.graphql.pagination import HubConnection
from operations.residents.api import BuildingType, UnitType

from .. import selectors
from ..account_numbers import format_account_number
from ..models import BillingAccount, BillingDocument, LedgerEntry, PaymentReminder, month_of
from ..money import from_grosze
from ..selectors import api_reads, batches
from ..selectors.documents import documents_visible_to
from . import batching

logger = logging.getLogger(__name__)

User = get_user_model()

LedgerEntryKind = graphql_enum(LedgerEntry.Kind, "LedgerEntryKind", "What a ledger entry records.")
ChargeComponent = graphql_enum(LedgerEntry.Component, "ChargeComponent", "What a charge is for.")
BillingDocumentKind = graphql_enum(
    BillingDocument.Kind, "BillingDocumentKind", "A statement, a payment demand or an interest note."
)

# How far ahead the payment code's amount reaches: overdue debts and those payable within
# this many days (the coming monthly due date).
DEFAULT_QR_DAYS_AHEAD = 31

# The longest period a turnover may span, in months.
MAX_TURNOVER_MONTHS = 120


def today(info: Info) -> datetime.date:
    """The cooperative's date, read once per request so that every figure of an answer is of the same day."""
    request = request_of(info)
    if not hasattr(request, "_hub_billing_today"):
        request._hub_billing_today = timezone.localdate()
    return request._hub_billing_today


# --- Plain figures ---------------------------------------------------------------------------------


@strawberry.type(name="BillingAccountNumber", description="An account's individual number for transfers.")
class AccountNumberType:
    formatted: str = strawberry.field(description="In groups of four, as printed: PL61 1090 1014 0000 0712 1981 2874.")
    electronic: str = strawberry.field(
        description="Without spaces, as banking apps take it: PL61109010140000071219812874."
    )


@strawberry.type(
    name="AgedDebt",
    description=(
        "What is still to pay, by days past the day it was payable (a due date on a weekend or holiday "
        "moves to the next working day)."
    ),
)
class AgedDebtType:
    not_due: Decimal = strawberry.field(description="Not yet payable.")
    days_1_30: Decimal = strawberry.field(name="days1To30")
    days_31_60: Decimal = strawberry.field(name="days31To60")
    days_61_90: Decimal = strawberry.field(name="days61To90")
    over_90: Decimal = strawberry.field(name="over90Days")
    overdue: Decimal = strawberry.field(description="Everything past its day: the sum of the four overdue buckets.")
    total: Decimal = strawberry.field(description="Everything still to pay, due or not.")

    @classmethod
    def of(cls, aged: selectors.AgedDebt) -> AgedDebtType:
        return cls(
            not_due=aged.not_due,
            days_1_30=aged.days_1_30,
            days_31_60=aged.days_31_60,
            days_61_90=aged.days_61_90,
            over_90=aged.over_90,
            overdue=aged.overdue,
            total=aged.total,
        )


@strawberry.type(name="BillingBalance", description="Debits (Wn), credits (Ma) and the balance of a day.")
class BalanceType:
    debits: Decimal = strawberry.field(description="What was charged (Wn).")
    credits: Decimal = strawberry.field(description="What was paid or credited (Ma).")
    balance: Decimal = strawberry.field(description="Credits less debits: positive an overpayment, negative arrears.")

    @classmethod
    def of(cls, balance: selectors.Balance) -> BalanceType:
        return cls(debits=balance.debits, credits=balance.credits, balance=balance.balance)


@strawberry.type(name="TurnoverMonth", description="Debits and credits booked in one month.")
class TurnoverMonthType:
    month: datetime.date = strawberry.field(description="The month's first day.")
    debits: Decimal
    credits: Decimal


@strawberry.type(
    name="BillingTurnover", description="Obroty: the opening balance, each month's turnover, the closing balance."
)
class TurnoverType:
    since: datetime.date = strawberry.field(description="The first day of the first month.")
    until: datetime.date = strawberry.field(description="The last day of the last month.")
    opening: BalanceType = strawberry.field(description="Everything booked before the period.")
    months: list[TurnoverMonthType] = strawberry.field(description="The months with entries, oldest first.")
    closing: BalanceType = strawberry.field(description="Everything booked up to the period's end.")


@strawberry.type(name="PaymentDue", description="A coming due date and what is still to pay by it.")
class PaymentDueType:
    due_date: datetime.date = strawberry.field(description="As charged.")
    pay_by: datetime.date = strawberry.field(
        description="The day paying is still on time: the due date moved past a weekend or public holiday."
    )
    amount: Decimal = strawberry.field(description="Still to pay by that day.")


# --- The ledger ------------------------------------------------------------------------------------


@strawberry.input(description="Narrow an account's ledger entries; every condition given must hold.")
class LedgerEntryFilter:
    since_month: datetime.date | None = strawberry.field(
        default=None, description="Booked in this month (any day of it) or later."
    )
    until_month: datetime.date | None = strawberry.field(
        default=None, description="Booked in this month (any day of it) or earlier."
    )
    kinds: list[LedgerEntryKind] | None = None  # type: ignore[valid-type]


def _end_of_month(day: datetime.date) -> datetime.date:
    # December ends on the 31st: working it out through the next month's first day overflowed
    # for December 9999 (a client's `to: "9999-12-31"` was an INTERNAL_SERVER_ERROR; review).
    if day.month == 12:
        return day.replace(day=31)
    first_of_next = (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return first_of_next - datetime.timedelta(days=1)


@model_type(LedgerEntry, name="LedgerEntry", description="One line of an account's ledger; never changed once booked.")
class LedgerEntryType(relay.Node):
    id: relay.NodeID[int]
    booking_date: datetime.date
    due_date: datetime.date | None = instance_field(description="As charged; null for payments.")
    effective_due_date: datetime.date | None = instance_field(
        name="payBy", description="The due date moved past a weekend or public holiday; null for payments."
    )
    period: datetime.date = instance_field(description="The month the entry is for (its first day).")
    amount: Decimal = instance_field(description="Debit positive (charges, interest), credit negative (payments).")
    title: str

    @instance_field(name="id", description="The Globally Unique ID of this object")
    def _id(self) -> relay.GlobalID:
        return relay.GlobalID("LedgerEntry", str(self.pk))

    @instance_field(only=["kind"])
    def kind(self) -> LedgerEntryKind:  # type: ignore[valid-type]
        return LedgerEntryKind(self.kind)

    @instance_field(only=["component"], description="What a charge is for; null for other entries.")
    def component(self) -> ChargeComponent | None:  # type: ignore[valid-type]
        return ChargeComponent(self.component) if self.component else None

    @instance_field(only=["corrects_id"], description="The id of the entry a correction corrects; null otherwise.")
    def corrects_id(self) -> relay.GlobalID | None:
        return None if self.corrects_id is None else relay.GlobalID("LedgerEntry", str(self.corrects_id))


# --- Consents, the payment code, documents -------------------------------------------------------


@strawberry.type(name="BillingConsents", description="What the viewer chose for one account.")
class ConsentsType:
    electronic_documents: bool = strawberry.field(description="Documents by message instead of on paper.")
    reminders: bool = strawberry.field(description="Reminders before and after due dates.")
    installment_requested_at: datetime.datetime | None = strawberry.field(
        description="When an installment agreement was asked for; null when none is asked for."
    )
    installment_note: str = strawberry.field(description="What the viewer wrote with the request.")

    @classmethod
    def of(cls, consent) -> ConsentsType:
        if consent is None:
            return cls(electronic_documents=False, reminders=False, installment_requested_at=None, installment_note="")
        return cls(
            electronic_documents=consent.electronic_documents,
            reminders=consent.reminders,
            installment_requested_at=consent.installment_requested_at,
            installment_note=consent.installment_note,
        )


@strawberry.type(name="BillingPaymentQr", description="A transfer to the account as a 2D code.")
class PaymentQrType:
    payload: str = strawberry.field(description="The code's text (the Polish Bank Association's 2D standard).")
    svg: str = strawberry.field(description="The code as an inline <svg> element.")
    amount: Decimal | None = strawberry.field(description="The amount the code asks for; null: the payer types it.")
    recipient: str
    title: str


def _qr_recipient(info: Info) -> str:
    request = request_of(info)
    if not hasattr(request, "_hub_billing_qr_recipient"):
        name = getattr(settings, "BILLING_QR_RECIPIENT", "")
        if not name:
            from cms.home.models import CooperativeContact

            try:
                name = CooperativeContact.for_request(request).name
            except Exception:  # no site for the request's host: the site's name
                name = ""
        request._hub_billing_qr_recipient = name or settings.WAGTAIL_SITE_NAME
    return request._hub_billing_qr_recipient


def _payment_qr(info: Info, account: BillingAccount) -> PaymentQrType | None:
    from ..documents.payment_qr import payment_qr_payload, qr_svg

    day = today(info)
    ahead = int(getattr(settings, "BILLING_QR_DAYS_AHEAD", DEFAULT_QR_DAYS_AHEAD))
    amount = batching.answer(
        info,
        account,
        ("qr-amount", day, ahead),
        lambda page: batches.amounts_due(page, until=day + datetime.timedelta(days=ahead), as_of=day),
    )
    if account.closed_on is not None and amount is None:
        return None
    unit = account.unit
    title = gettext("Charges for unit %(unit)s") % {"unit": f"{unit.building.code}/{unit.number}"}
    recipient = _qr_recipient(info)
    try:
        payload = payment_qr_payload(
            iban=account.iban,
            recipient=recipient,
            amount=amount,
            title=title,
            nip=getattr(settings, "BILLING_ISSUER_NIP", ""),
        )
    except ValueError:
        logger.exception("Billing: no payment code for account %s", account.pk)
        return None
    return PaymentQrType(
        payload=payload,
        svg=qr_svg(payload, title=gettext("Payment QR code")),
        amount=amount,
        recipient=recipient,
        title=title,
    )


@model_type(BillingDocument, name="BillingDocument", description="A statement, payment demand or interest note (PDF).")
class BillingDocumentType(relay.Node):
    id: relay.NodeID[int]
    number: str = instance_field(description="As printed, e.g. WZ/2026/0001.")
    issued_on: datetime.date
    period_from: datetime.date | None = instance_field(description="A statement's first day; null otherwise.")
    period_to: datetime.date | None = instance_field(description="A statement's last day; null otherwise.")
    amount: Decimal | None = instance_field(
        description="What a demand or an interest note asks to pay, or a statement's closing balance."
    )

    @instance_field(name="id", description="The Globally Unique ID of this object")
    def _id(self) -> relay.GlobalID:
        return relay.GlobalID("BillingDocument", str(self.pk))

    @instance_field(only=["kind"])
    def kind(self) -> BillingDocumentKind:  # type: ignore[valid-type]
        return BillingDocumentKind(self.kind)

    @strawberry_django.field(only=["id"], description="Where the PDF is downloaded (signed in, by those who see it).")
    def download_url(self, info: Info) -> str:
        from ..documents.links import document_download_url

        return request_of(info).build_absolute_uri(document_download_url(self))


@model_type(PaymentReminder, name="PaymentReminder", description="A payment reminder sent to one person at one step.")
class PaymentReminderType(relay.Node):
    id: relay.NodeID[int]
    step: int = instance_field(description="Days from the day the debt was payable by (negative: before it).")
    outstanding: Decimal = instance_field(description="What was still to pay of the debt when reminded.")
    sent_at: datetime.datetime

    @instance_field(name="id", description="The Globally Unique ID of this object")
    def _id(self) -> relay.GlobalID:
        return relay.GlobalID("PaymentReminder", str(self.pk))

    @instance_field(only=["debt_id"], description="The ledger entry (a charge or interest) reminded of.")
    def debt_id(self) -> relay.GlobalID:
        return relay.GlobalID("LedgerEntry", str(self.debt_id))

    @instance_field(only=["document_id"], description="The payment demand issued with it; null for a plain reminder.")
    def demand_id(self) -> relay.GlobalID | None:
        return None if self.document_id is None else relay.GlobalID("BillingDocument", str(self.document_id))

    @strawberry_django.field(
        only=["person__first_name", "person__last_name", "person__username"],
        select_related=["person"],
        description="Who was reminded, by name.",
    )
    def recipient_name(self) -> str:
        person = self.person
        return f"{person.first_name} {person.last_name}".strip() or person.username


# --- The account -----------------------------------------------------------------------------------


def _balance(info: Info):
    return api_reads.balance_grosze()


def _overdue(info: Info):
    return api_reads.overdue_grosze(today(info))


def _aged_bucket(name: str):
    return lambda info: api_reads.aged_debt_grosze(today(info))[f"aged_{name}"]


# One annotation per bucket: the optimizer takes a name and an expression (or a callable of `info`).
_AGED = {f"aged_{name}": _aged_bucket(name) for name in api_reads.BUCKETS}


@model_type(
    BillingAccount,
    name="BillingAccount",
    description="What one payer settles for one unit, with its own account number for transfers.",
)
class BillingAccountType(relay.Node):
    id: relay.NodeID[int]
    payer_name: str = instance_field(description="As the accounting system names the payer.")
    opened_on: datetime.date
    closed_on: datetime.date | None = instance_field(description="Null while the account is open.")
    unit: UnitType

    @instance_field(name="id", description="The Globally Unique ID of this object")
    def _id(self) -> relay.GlobalID:
        return relay.GlobalID("BillingAccount", str(self.pk))

    @instance_field(only=["iban"], description="The individual account number to pay to.")
    def number(self) -> AccountNumberType:
        return AccountNumberType(formatted=format_account_number(self.iban), electronic=self.iban)

    @instance_field(only=["closed_on"])
    def is_open(self) -> bool:
        return self.closed_on is None

    @strawberry_django.field(
        annotate={"balance_grosze": _balance},
        description="Credits less debits of everything booked: positive an overpayment, negative arrears.",
    )
    def balance(self) -> Decimal:
        if hasattr(self, "balance_grosze"):
            return from_grosze(self.balance_grosze)
        return selectors.account_balance(self).balance

    @strawberry_django.field(
        annotate={"overdue_grosze": _overdue},
        description="What is still to pay of debts past the day they were payable (today).",
    )
    def overdue(self) -> Decimal:
        if hasattr(self, "overdue_grosze"):
            return from_grosze(self.overdue_grosze)
        return selectors.account_aged_debt(self).overdue

    @strawberry_django.field(annotate=_AGED, description="What is still to pay, by days overdue (today).")
    def aged_debt(self) -> AgedDebtType:
        if hasattr(self, "aged_not_due"):
            return AgedDebtType.of(
                selectors.AgedDebt(**{name: from_grosze(getattr(self, f"aged_{name}")) for name in api_reads.BUCKETS})
            )
        return AgedDebtType.of(selectors.account_aged_debt(self))

    @strawberry_django.field(
        description=(
            "Obroty from the first day of `from`'s month to the last day of `to`'s month (booking dates). "
            f"At most {MAX_TURNOVER_MONTHS} months. Two queries for a page of accounts."
        )
    )
    def turnover(
        self,
        info: Info,
        from_: Annotated[datetime.date, strawberry.argument(name="from", description="Any day of the first month.")],
        to: Annotated[datetime.date, strawberry.argument(description="Any day of the last month.")],
    ) -> TurnoverType:
        since, until = month_of(from_), _end_of_month(to)
        if since > until:
            raise bad_input(gettext("The period must start before it ends."), field="from")
        if (until.year - since.year) * 12 + until.month - since.month >= MAX_TURNOVER_MONTHS:
            raise bad_input(
                gettext("A period is at most %(months)d months long.") % {"months": MAX_TURNOVER_MONTHS}, field="to"
            )
        opening, months, closing = batching.answer(
            info, self, ("turnover", since, until), lambda page: batches.turnovers(page, start=since, end=until)
        )
        return TurnoverType(
            since=since,
            until=until,
            opening=BalanceType.of(opening),
            months=[TurnoverMonthType(month=row.period, debits=row.debits, credits=row.credits) for row in months],
            closing=BalanceType.of(closing),
        )

    @strawberry_django.connection(
        HubConnection[LedgerEntryType],
        max_results=settings.GRAPHQL_MAX_PAGE_SIZE,
        description="The account's ledger, newest booked first.",
    )
    def entries(self, info: Info, filter: LedgerEntryFilter | None = None) -> Iterable[LedgerEntry]:
        filter = filter or LedgerEntryFilter()
        conditions = {
            "since": month_of(filter.since_month) if filter.since_month else None,
            "until": _end_of_month(filter.until_month) if filter.until_month else None,
            "kinds": [kind.value for kind in filter.kinds] if filter.kinds else None,
        }
        page = batching.windowed(
            info,
            self,
            ("entries", conditions["since"], conditions["until"], tuple(conditions["kinds"] or ())),
            lambda ids: batches.entries_of_accounts(ids, **conditions),
            max_results=settings.GRAPHQL_MAX_PAGE_SIZE,
        )
        return page if page is not None else api_reads.account_entries(self, **conditions)

    @strawberry_django.field(
        description=(
            "Coming due dates (payable today or later) with what is still to pay by each. One query for a page of "
            "accounts."
        )
    )
    def payment_calendar(self, info: Info) -> list[PaymentDueType]:
        return [
            PaymentDueType(due_date=day.due_date, pay_by=day.pay_by, amount=day.amount)
            for day in batching.answer(
                info, self, "calendar", lambda page: batches.payment_calendars(page, today=today(info))
            )
        ]

    @strawberry_django.field(
        description=(
            "The viewer's own choices for this account (documents electronically, reminders, an installment "
            "request); all off when they chose nothing. Changed with `billingConsentsUpdate`."
        )
    )
    def consents(self, info: Info) -> ConsentsType:
        viewer = signed_in_user(info)
        consent = batching.answer(info, self, "consents", lambda page: batches.consents_of(viewer, page))
        return ConsentsType.of(consent)

    @strawberry_django.field(
        only=["iban", "closed_on", "unit__number", "unit__building__code"],
        select_related=["unit__building"],
        description=(
            "The transfer's 2D code Polish banking apps read: to this account's number, for what is to pay now "
            "(overdue, and what falls due within the coming month; no amount when nothing is), to the "
            "cooperative, titled with the unit. Null when the code cannot be made (a closed account with nothing "
            "to pay, or the cooperative's bank details misconfigured)."
        ),
    )
    def payment_qr(self, info: Info) -> PaymentQrType | None:
        return _payment_qr(info, self)

    @strawberry_django.connection(
        HubConnection[PaymentReminderType],
        max_results=settings.GRAPHQL_MAX_PAGE_SIZE,
        # Declared, so the schema shows who may read it; anyone else gets an empty list.
        extensions=[HasPerm("billing.view_billingaccount", fail_silently=True)],
        description=(
            "The payment reminders sent of the account's debts, newest first: for the cooperative's accountants "
            "and board only (empty for anyone else, the household included)."
        ),
    )
    def reminders(self, info: Info) -> Iterable[PaymentReminder]:
        staff = batching.memo(info, "billing-staff", lambda: selectors.is_billing_staff(signed_in_user(info)))

        def rows_of(ids):
            if not staff:
                return PaymentReminder.objects.none()
            return (
                PaymentReminder.objects.filter(account_id__in=ids).select_related("person").order_by("-sent_at", "-id")
            )

        page = batching.windowed(info, self, "reminders", rows_of, max_results=settings.GRAPHQL_MAX_PAGE_SIZE)
        return page if page is not None else rows_of((self.pk,))

    @strawberry_django.connection(
        HubConnection[BillingDocumentType],
        max_results=settings.GRAPHQL_MAX_PAGE_SIZE,
        description="Statements, payment demands and interest notes issued for the account, newest first.",
    )
    def documents(self, info: Info) -> Iterable[BillingDocument]:
        # The viewer's documents, built once per request (who the viewer is costs a query).
        visible = batching.memo(info, "documents", lambda: documents_visible_to(signed_in_user(info)))

        def rows_of(ids):
            return visible.filter(account_id__in=ids).order_by("-issued_on", "-id")

        page = batching.windowed(info, self, "documents", rows_of, max_results=settings.GRAPHQL_MAX_PAGE_SIZE)
        return page if page is not None else rows_of((self.pk,))


@strawberry.type(name="BillingAccountConnection", description="A page of a list, with cursors and the total count.")
class BillingAccountConnection(HubConnection[BillingAccountType]):
    """The accounts' connection: remembers its page, so that each account's lists and
    figures are read for the whole page at once (`batching`)."""

    @classmethod
    def resolve_connection(cls, nodes, *, info, **kwargs):
        connection = super().resolve_connection(nodes, info=info, **kwargs)
        batching.remember_connection_page(info, connection)
        return connection


# --- Totals per building ------------------------------------------------------------------------------


@strawberry.type(name="BillingBuildingTotals", description="The accounts of one building, summed.")
class BuildingTotalsType:
    building: BuildingType
    accounts: int = strawberry.field(description="Accounts of the building's units, open and closed.")
    open_accounts: int
    balance: Decimal = strawberry.field(description="The sum of the accounts' balances (negative: arrears).")
    overdue: Decimal = strawberry.field(description="The sum of what is overdue today.")

    @classmethod
    def of(cls, totals: api_reads.BuildingTotals) -> BuildingTotalsType:
        return cls(
            building=totals.building,
            accounts=totals.accounts,
            open_accounts=totals.open_accounts,
            balance=totals.balance,
            overdue=totals.overdue,
        )


# --- The viewer's field -------------------------------------------------------------------------------


@model_type(User, name="ViewerBillingFields")
class ViewerBillingFields:
    """Billing's fields of `Viewer`; never a type of its own in the schema. The residents app
    cannot inherit them (billing imports residents, and apps import no cycle), so the root
    schema adds them to `Viewer` (`cms/schema.py`). `self` is the person who asked."""

    @strawberry_django.connection(
        BillingAccountConnection,
        max_results=settings.GRAPHQL_MAX_PAGE_SIZE,
        description=(
            "The accounts of the units the viewer holds (as owner or board member; as tenant when the "
            "cooperative allows it; a named account when named on it), by building and unit. Staff find "
            "every account in the root field `billingAccounts`."
        ),
    )
    def billing_accounts(self) -> Iterable[BillingAccount]:
        return api_reads.household_accounts_of(self)
