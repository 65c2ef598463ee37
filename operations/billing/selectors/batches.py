"""The figures of many accounts at once, for a page of a list (the API's lists of accounts
ask them of each account of a page): each is the query `ledger` runs for one account,
grouped by account, so a page costs the same number of queries whatever its length.
The caller passes the ids of accounts it got from `accounts_visible_to` (or a narrower
selector); nothing here decides who sees what.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db.models import F, QuerySet, Sum
from django.db.models.functions import TruncMonth

from ..models import BillingConsent, LedgerEntry
from ..money import from_grosze
from .ledger import Balance, CalendarDay, Turnover, _sum_grosze, debit_side, debts_outstanding


def turnovers(
    account_ids: Iterable[int], *, start: date, end: date
) -> dict[int, tuple[Balance, list[Turnover], Balance]]:
    """`ledger.account_turnover` of each account: two queries for all of them."""
    ids = list(account_ids)
    debit = debit_side()
    entries = LedgerEntry.objects.filter(account_id__in=ids)
    before = {
        row["account_id"]: row
        for row in entries.filter(booking_date__lt=start)
        .order_by()
        .values("account_id")
        .annotate(debits=_sum_grosze(filter=debit), credits=_sum_grosze(filter=~debit))
    }
    months: dict[int, list[Turnover]] = {}
    for row in (
        entries.filter(booking_date__gte=start, booking_date__lte=end)
        .annotate(month=TruncMonth("booking_date"))
        .order_by()
        .values("account_id", "month")
        .annotate(debits=_sum_grosze(filter=debit), credits=_sum_grosze(filter=~debit))
        .order_by("account_id", "month")
    ):
        months.setdefault(row["account_id"], []).append(
            Turnover(period=row["month"], debits=from_grosze(row["debits"]), credits=from_grosze(-row["credits"]))
        )
    result = {}
    for account_id in ids:
        row = before.get(account_id, {"debits": 0, "credits": 0})
        opening = Balance(debits=from_grosze(row["debits"]), credits=from_grosze(-row["credits"]))
        rows = months.get(account_id, [])
        closing = Balance(
            debits=opening.debits + sum((item.debits for item in rows), Decimal("0.00")),
            credits=opening.credits + sum((item.credits for item in rows), Decimal("0.00")),
        )
        result[account_id] = (opening, rows, closing)
    return result


def payment_calendars(account_ids: Iterable[int], *, today: date) -> dict[int, list[CalendarDay]]:
    """`ledger.payment_calendar` of each account: one query for all of them."""
    ids = list(account_ids)
    result: dict[int, list[CalendarDay]] = {account_id: [] for account_id in ids}
    rows = (
        debts_outstanding(LedgerEntry.objects.filter(account_id__in=ids, effective_due_date__gte=today))
        .filter(outstanding_grosze__gt=0)
        .values("account_id", "due_date", "effective_due_date")
        .annotate(total=Sum("outstanding_grosze"))
        .order_by("account_id", "effective_due_date", "due_date")
    )
    for row in rows:
        result[row["account_id"]].append(
            CalendarDay(due_date=row["due_date"], pay_by=row["effective_due_date"], amount=from_grosze(row["total"]))
        )
    return result


def amounts_due(account_ids: Iterable[int], *, until: date, as_of: date) -> dict[int, Decimal]:
    """What is still to pay on `as_of` of each account's debts payable by `until` (what a
    payment slip asks for): one query. Accounts with nothing to pay are left out."""
    rows = (
        debts_outstanding(
            LedgerEntry.objects.filter(account_id__in=list(account_ids), effective_due_date__lte=until), as_of=as_of
        )
        .filter(outstanding_grosze__gt=0)
        .order_by()
        .values("account_id")
        .annotate(total=Sum(F("outstanding_grosze")))
    )
    return {row["account_id"]: from_grosze(row["total"]) for row in rows if row["total"]}


def entries_of_accounts(
    account_ids: Iterable[int],
    *,
    since: date | None = None,
    until: date | None = None,
    kinds: list[str] | None = None,
) -> QuerySet[LedgerEntry]:
    """`api_reads.account_entries` of many accounts in one query set: each account's
    entries newest booked first (the API pages it per account with a window)."""
    entries = LedgerEntry.objects.filter(account_id__in=list(account_ids))
    if since is not None:
        entries = entries.filter(booking_date__gte=since)
    if until is not None:
        entries = entries.filter(booking_date__lte=until)
    if kinds:
        entries = entries.filter(kind__in=kinds)
    return entries.order_by("-booking_date", "-id")


def consents_of(person, account_ids: Iterable[int]) -> dict[int, BillingConsent]:
    """`person`'s own consent rows on the accounts: one query (none for nobody)."""
    if person is None or not person.is_authenticated:
        return {}
    return {
        consent.account_id: consent
        for consent in BillingConsent.objects.filter(person=person, account_id__in=list(account_ids))
    }
