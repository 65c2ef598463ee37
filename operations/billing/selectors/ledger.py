"""The ledger's figures, each computed by the database in a fixed number of queries
whatever the number of entries, and summed in whole grosze (`grosze`): SQLite keeps a
decimal column as a binary float, so 0.10 summed a thousand times must not be trusted to
come back as 100.00; integers add up exactly on both databases.

Sides (what the kartoteka shows as Wn and Ma): charges, interest and debit opening
balances are debits, payments and credit opening balances credits, and a correction
stands on the side of the entry it corrects with the sign of its effect (a charge reduced
by 50 zł is a debit of -50 zł, the "red reversal" Polish books use), so a corrected charge
never shows as a payment. Balance (saldo) is credits less debits: positive is an
overpayment, negative arrears, as the glossary says.

An item's outstanding amount is what it counts for (its amount with its corrections) less
what was allocated to it; aged debt buckets what is outstanding by days past the
effective due date (the due date moved to a working day): 1-30, 31-60, 61-90, over 90
days, and what is not yet due (a debt is overdue from the day after it was payable).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Round, TruncMonth
from django.utils import timezone

from ..models import Allocation, BillingAccount, LedgerEntry
from ..money import from_grosze

K = LedgerEntry.Kind
DEBT_KINDS = [K.CHARGE, K.INTEREST]


def grosze(expression) -> Cast:
    """`expression` (an amount in PLN) as whole grosze, in the database. Rounded before the
    cast: SQLite holds 0.29 as 0.28999…, which a bare cast would cut to 28."""
    return Cast(Round(expression * Value(100)), output_field=BigIntegerField())


def _sum_grosze(expression=None, **filter_kwargs) -> Coalesce:
    total = Sum(grosze(expression if expression is not None else F("amount")), **filter_kwargs)
    return Coalesce(total, Value(0), output_field=BigIntegerField())


def _subquery_sum(queryset: QuerySet, group_by: str) -> Coalesce:
    """The grosze summed over `queryset`'s rows (already filtered on the outer row)."""
    summed = queryset.order_by().values(group_by).annotate(total=Sum(grosze(F("amount")))).values("total")
    return Coalesce(Subquery(summed, output_field=BigIntegerField()), Value(0), output_field=BigIntegerField())


def debit_side(prefix: str = "") -> Q:
    """Entries on the debit side: debts, and the corrections of debts."""
    own = Q(**{f"{prefix}kind__in": DEBT_KINDS}) | Q(**{f"{prefix}kind": K.OPENING, f"{prefix}amount__gt": 0})
    corrected = Q(**{f"{prefix}corrects__kind__in": DEBT_KINDS}) | Q(
        **{f"{prefix}corrects__kind": K.OPENING, f"{prefix}corrects__amount__gt": 0}
    )
    return own | Q(**{f"{prefix}kind": K.CORRECTION}) & corrected


@dataclass(frozen=True)
class Balance:
    debits: Decimal  # Wn
    credits: Decimal  # Ma

    @property
    def balance(self) -> Decimal:
        """Saldo as the glossary has it: positive an overpayment, negative arrears."""
        return self.credits - self.debits

    @property
    def owed(self) -> Decimal:
        """What the payer owes all told (negative: what they have paid in advance)."""
        return self.debits - self.credits


def account_balance(account: BillingAccount, *, as_of: date | None = None) -> Balance:
    """Debits, credits and the balance of the entries booked up to `as_of` (all by default): one query."""
    entries = LedgerEntry.objects.filter(account=account)
    if as_of is not None:
        entries = entries.filter(booking_date__lte=as_of)
    debit = debit_side()
    totals = entries.aggregate(debits=_sum_grosze(filter=debit), credits=_sum_grosze(filter=~debit))
    return Balance(debits=from_grosze(totals["debits"]), credits=from_grosze(-totals["credits"]))


@dataclass(frozen=True)
class Turnover:
    period: date  # the month's first day
    debits: Decimal
    credits: Decimal


def account_turnover(account: BillingAccount, *, start: date, end: date) -> tuple[Balance, list[Turnover], Balance]:
    """Obroty: the opening balance on `start`, debits and credits of each month with entries
    booked from `start` to `end` (by booking date, the accounting period), and the closing
    balance on `end`. Two queries."""
    debit = debit_side()
    entries = LedgerEntry.objects.filter(account=account)
    before = entries.filter(booking_date__lt=start).aggregate(
        debits=_sum_grosze(filter=debit), credits=_sum_grosze(filter=~debit)
    )
    months = (
        entries.filter(booking_date__gte=start, booking_date__lte=end)
        .annotate(month=TruncMonth("booking_date"))
        .values("month")
        .annotate(debits=_sum_grosze(filter=debit), credits=_sum_grosze(filter=~debit))
        .order_by("month")
    )
    rows = [
        Turnover(period=row["month"], debits=from_grosze(row["debits"]), credits=from_grosze(-row["credits"]))
        for row in months
    ]
    opening = Balance(debits=from_grosze(before["debits"]), credits=from_grosze(-before["credits"]))
    closing = Balance(
        debits=opening.debits + sum((row.debits for row in rows), Decimal("0.00")),
        credits=opening.credits + sum((row.credits for row in rows), Decimal("0.00")),
    )
    return opening, rows, closing


def debts_outstanding(entries: QuerySet[LedgerEntry] | None = None, *, as_of: date | None = None) -> QuerySet:
    """Debts annotated with `value_grosze` (amount with corrections), `allocated_grosze` and
    `outstanding_grosze`. With `as_of`, only what was booked by then counts: the debt, its
    corrections, and allocations of credits that had arrived by then."""
    entries = LedgerEntry.objects.all() if entries is None else entries
    corrections = LedgerEntry.objects.filter(corrects=OuterRef("pk"))
    allocations = Allocation.objects.filter(debt=OuterRef("pk"))
    if as_of is not None:
        entries = entries.filter(booking_date__lte=as_of)
        corrections = corrections.filter(booking_date__lte=as_of)
        allocations = allocations.filter(credit__booking_date__lte=as_of, cause__booking_date__lte=as_of)
    return (
        entries.debts()
        .annotate(
            value_grosze=grosze(F("amount")) + _subquery_sum(corrections, "corrects"),
            allocated_grosze=_subquery_sum(allocations, "debt"),
        )
        .annotate(outstanding_grosze=F("value_grosze") - F("allocated_grosze"))
    )


@dataclass(frozen=True)
class AgedDebt:
    not_due: Decimal
    days_1_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    over_90: Decimal

    @property
    def overdue(self) -> Decimal:
        return self.days_1_30 + self.days_31_60 + self.days_61_90 + self.over_90

    @property
    def total(self) -> Decimal:
        return self.not_due + self.overdue


def _bucket(condition: Q) -> Coalesce:
    return Coalesce(
        Sum(Case(When(condition, then=F("outstanding_grosze")), default=Value(0), output_field=BigIntegerField())),
        Value(0),
        output_field=BigIntegerField(),
    )


def aged_debt_of(entries: QuerySet[LedgerEntry], *, as_of: date | None = None) -> AgedDebt:
    """What is outstanding of `entries`' debts on `as_of` (today), by days past due: one query."""
    as_of = as_of or timezone.localdate()
    due = "effective_due_date"

    def days_ago(days: int) -> date:
        return as_of - timedelta(days=days)

    totals = debts_outstanding(entries, as_of=as_of).aggregate(
        not_due=_bucket(Q(**{f"{due}__gte": as_of})),
        days_1_30=_bucket(Q(**{f"{due}__lt": as_of, f"{due}__gte": days_ago(30)})),
        days_31_60=_bucket(Q(**{f"{due}__lt": days_ago(30), f"{due}__gte": days_ago(60)})),
        days_61_90=_bucket(Q(**{f"{due}__lt": days_ago(60), f"{due}__gte": days_ago(90)})),
        over_90=_bucket(Q(**{f"{due}__lt": days_ago(90)})),
    )
    return AgedDebt(**{name: from_grosze(value) for name, value in totals.items()})


def account_aged_debt(account: BillingAccount, *, as_of: date | None = None) -> AgedDebt:
    return aged_debt_of(LedgerEntry.objects.filter(account=account), as_of=as_of)


def open_debts(account: BillingAccount) -> list[LedgerEntry]:
    """The account's debts with something outstanding, in the order art. 451 § 3 pays them:
    the earliest (effective) due date first, then the earliest booked. Each carries
    `outstanding_grosze`. One query."""
    return list(
        debts_outstanding(LedgerEntry.objects.filter(account=account))
        .filter(outstanding_grosze__gt=0)
        .order_by("effective_due_date", "booking_date", "pk")
    )


def kept_credits(account: BillingAccount) -> list[LedgerEntry]:
    """The account's credits with something kept as credit (not on any debt), oldest first,
    each with `kept_grosze`. One query."""
    kept = Allocation.objects.kept().filter(credit=OuterRef("pk"))
    return list(
        LedgerEntry.objects.filter(account=account)
        .credits()
        .filter(Exists(kept))
        .annotate(kept_grosze=_subquery_sum(kept, "credit"))
        .filter(kept_grosze__gt=0)
        .order_by("booking_date", "pk")
    )


@dataclass(frozen=True)
class CalendarDay:
    due_date: date  # as charged
    pay_by: date  # moved past a Saturday, Sunday or public holiday
    amount: Decimal  # still outstanding

    @property
    def moved(self) -> bool:
        return self.pay_by != self.due_date


def payment_calendar(account: BillingAccount, *, today: date | None = None) -> list[CalendarDay]:
    """The coming due dates (payable today or later) with what is still to pay by each:
    one query."""
    today = today or timezone.localdate()
    rows = (
        debts_outstanding(LedgerEntry.objects.filter(account=account, effective_due_date__gte=today))
        .filter(outstanding_grosze__gt=0)
        .values("due_date", "effective_due_date")
        .annotate(total=Sum("outstanding_grosze"))
        .order_by("effective_due_date", "due_date")
    )
    return [
        CalendarDay(due_date=row["due_date"], pay_by=row["effective_due_date"], amount=from_grosze(row["total"]))
        for row in rows
    ]
