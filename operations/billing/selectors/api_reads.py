"""The reads the GraphQL API needs beyond the single-account figures of `ledger`: whose
accounts a list shows, the figures of many accounts at once, an account's entries, and
the totals per building.

The figures are the same sums as `ledger`'s, in whole grosze, written as correlated
subqueries so that a list of accounts reads its balances and aged debt with the list, in
one query whatever its length:
- the balance (saldo, credits less debits) is minus the sum of every entry's amount, since
  debits are positive and credits negative whatever side a correction stands on;
- the aged debt is `aged_debt_of`'s buckets of what is outstanding on `as_of`, and the
  overdue amount the sum of its overdue buckets (payable before `as_of`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import BigIntegerField, Case, Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from operations.residents.models import Building

from ..models import BillingAccount, LedgerEntry
from ..money import from_grosze, to_grosze
from . import Person, _signed_in, accounts_visible_to, is_billing_staff, resident_condition
from .ledger import debts_outstanding, grosze

BUCKETS = ("not_due", "days_1_30", "days_31_60", "days_61_90", "over_90")


def household_accounts_of(person: Person) -> QuerySet[BillingAccount]:
    """The accounts a person sees as a resident (their units' accounts), however much more
    a staff role shows them: what the portal's "my payments" lists."""
    if not _signed_in(person):
        return BillingAccount.objects.none()
    return accounts_visible_to(person).filter(resident_condition(person))


def staff_accounts(
    person: Person,
    *,
    building_id: int | None = None,
    is_open: bool | None = None,
    overdue_above: Decimal | None = None,
    as_of: date,
) -> QuerySet[BillingAccount]:
    """Every account, for billing staff (`is_billing_staff`); nothing for anyone else.
    `overdue_above`: only accounts with more than that payable before `as_of`."""
    if not is_billing_staff(person):
        return BillingAccount.objects.none()
    accounts = accounts_visible_to(person)
    if building_id is not None:
        accounts = accounts.filter(unit__building_id=building_id)
    if is_open is not None:
        accounts = accounts.filter(closed_on__isnull=is_open)
    if overdue_above is not None:
        accounts = accounts.annotate(overdue_filter_grosze=overdue_grosze(as_of)).filter(
            overdue_filter_grosze__gt=to_grosze(overdue_above)
        )
    return accounts


# --- Figures of many accounts, as annotations -----------------------------------------------------


def _total(queryset: QuerySet, aggregate) -> Coalesce:
    summed = queryset.order_by().values("account").annotate(total=aggregate).values("total")
    return Coalesce(Subquery(summed, output_field=BigIntegerField()), Value(0), output_field=BigIntegerField())


def balance_grosze() -> Coalesce:
    """The account's balance in grosze (positive: overpaid), for `annotate`."""
    entries = LedgerEntry.objects.filter(account=OuterRef("pk"))
    return -_total(entries, Sum(grosze(F("amount"))))


def _outstanding_where(condition: Q, as_of: date) -> Coalesce:
    debts = debts_outstanding(LedgerEntry.objects.filter(account=OuterRef("pk")), as_of=as_of)
    bucket = Sum(Case(When(condition, then=F("outstanding_grosze")), default=Value(0), output_field=BigIntegerField()))
    return _total(debts, bucket)


def _bucket_conditions(as_of: date) -> dict[str, Q]:
    due = "effective_due_date"

    def days_ago(days: int) -> date:
        return as_of - timedelta(days=days)

    return {
        "not_due": Q(**{f"{due}__gte": as_of}),
        "days_1_30": Q(**{f"{due}__lt": as_of, f"{due}__gte": days_ago(30)}),
        "days_31_60": Q(**{f"{due}__lt": days_ago(30), f"{due}__gte": days_ago(60)}),
        "days_61_90": Q(**{f"{due}__lt": days_ago(60), f"{due}__gte": days_ago(90)}),
        "over_90": Q(**{f"{due}__lt": days_ago(90)}),
    }


def overdue_grosze(as_of: date) -> Coalesce:
    """What is outstanding on `as_of` of debts payable before it, in grosze, for `annotate`."""
    return _outstanding_where(Q(effective_due_date__lt=as_of), as_of)


def aged_debt_grosze(as_of: date, prefix: str = "aged_") -> dict[str, Coalesce]:
    """`ledger.aged_debt_of`'s buckets for `annotate`, each named `prefix` + bucket."""
    return {
        f"{prefix}{name}": _outstanding_where(condition, as_of) for name, condition in _bucket_conditions(as_of).items()
    }


# --- An account's entries ------------------------------------------------------------------------


def account_entries(
    account: BillingAccount,
    *,
    since: date | None = None,
    until: date | None = None,
    kinds: list[str] | None = None,
) -> QuerySet[LedgerEntry]:
    """The entries of an account (one the caller got from `accounts_visible_to`), newest
    booked first; `since` and `until` bound the booking date, both days included."""
    entries = LedgerEntry.objects.filter(account=account)
    if since is not None:
        entries = entries.filter(booking_date__gte=since)
    if until is not None:
        entries = entries.filter(booking_date__lte=until)
    if kinds:
        entries = entries.filter(kind__in=kinds)
    return entries.order_by("-booking_date", "-id")


# --- Totals per building ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildingTotals:
    building: Building
    accounts: int
    open_accounts: int
    balance: Decimal
    overdue: Decimal


def totals_by_building(person: Person, *, as_of: date) -> list[BuildingTotals]:
    """Per building with accounts, for billing staff (nothing for anyone else): how many
    accounts, the sum of their balances and of what is overdue on `as_of`. Four queries,
    whatever the number of buildings, accounts and entries."""
    if not is_billing_staff(person):
        return []
    counts = {
        row["unit__building"]: row
        for row in BillingAccount.objects.order_by()
        .values("unit__building")
        .annotate(accounts=Count("id"), open_accounts=Count("id", filter=Q(closed_on__isnull=True)))
    }
    balances = dict(
        LedgerEntry.objects.order_by()
        .values("account__unit__building")
        .annotate(total=Sum(grosze(F("amount"))))
        .values_list("account__unit__building", "total")
    )
    overdue = dict(
        debts_outstanding(LedgerEntry.objects.all(), as_of=as_of)
        .filter(effective_due_date__lt=as_of)
        .order_by()
        .values("account__unit__building")
        .annotate(total=Sum("outstanding_grosze"))
        .values_list("account__unit__building", "total")
    )
    buildings = Building.objects.filter(pk__in=counts).select_related("estate").order_by("code", "pk")
    return [
        BuildingTotals(
            building=building,
            accounts=counts[building.pk]["accounts"],
            open_accounts=counts[building.pk]["open_accounts"],
            balance=from_grosze(-(balances.get(building.pk) or 0)),
            overdue=from_grosze(overdue.get(building.pk) or 0),
        )
        for building in buildings
    ]
