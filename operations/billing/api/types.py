"""GraphQL types of billing: an account as its household or the cooperative's accountants
see it (its number, unit, payer, balance, overdue amount, aged debt, turnover, ledger
entries and payment calendar), and the totals per building.

Amounts are `Decimal` (serialized as a string such as "-123.45", to the grosz; never a
float). A balance follows the glossary: positive an overpayment, negative arrears; an
entry's amount is positive for a debit (what the payer owes more) and negative for a credit.

A list of accounts reads the balance, the overdue amount and the aged debt with its rows
(`selectors.api_reads`' annotations, added by the optimizer only when asked), so a page
of accounts costs the same number of queries whatever its length. Turnover, the entries
and the calendar take arguments or are lists of their own: a fixed number of queries per
account, whatever the number of entries (a household has one or two accounts).
"""

from __future__ import annotations

import datetime
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

from cms.core.graphql.context import request_of
from cms.core.graphql.enums import graphql_enum
from cms.core.graphql.errors import bad_input
from cms.core.graphql.fields import instance_field, model_type
from cms.core.graphql.pagination import HubConnection
from operations.residents.api import BuildingType, UnitType

from .. import selectors
from ..account_numbers import format_account_number
from ..models import BillingAccount, LedgerEntry, month_of
from ..money import from_grosze
from ..selectors import api_reads

User = get_user_model()

LedgerEntryKind = graphql_enum(LedgerEntry.Kind, "LedgerEntryKind", "What a ledger entry records.")
ChargeComponent = graphql_enum(LedgerEntry.Component, "ChargeComponent", "What a charge is for.")

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
            f"At most {MAX_TURNOVER_MONTHS} months. Two queries per account."
        )
    )
    def turnover(
        self,
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
        opening, months, closing = selectors.account_turnover(self, start=since, end=until)
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
    def entries(self, filter: LedgerEntryFilter | None = None) -> Iterable[LedgerEntry]:
        filter = filter or LedgerEntryFilter()
        return api_reads.account_entries(
            self,
            since=month_of(filter.since_month) if filter.since_month else None,
            until=_end_of_month(filter.until_month) if filter.until_month else None,
            kinds=[kind.value for kind in filter.kinds] if filter.kinds else None,
        )

    @strawberry_django.field(
        description=(
            "Coming due dates (payable today or later) with what is still to pay by each. One query per account."
        )
    )
    def payment_calendar(self, info: Info) -> list[PaymentDueType]:
        return [
            PaymentDueType(due_date=day.due_date, pay_by=day.pay_by, amount=day.amount)
            for day in selectors.payment_calendar(self, today=today(info))
        ]


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
        HubConnection[BillingAccountType],
        max_results=settings.GRAPHQL_MAX_PAGE_SIZE,
        description=(
            "The accounts of the units the viewer holds (as owner or board member; as tenant when the "
            "cooperative allows it; a named account when named on it), by building and unit. Staff find "
            "every account in the root field `billingAccounts`."
        ),
    )
    def billing_accounts(self) -> Iterable[BillingAccount]:
        return api_reads.household_accounts_of(self)
