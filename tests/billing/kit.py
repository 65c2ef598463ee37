"""Helpers for the billing tests: an account and postings made through the services, as
an import or a member of staff would make them, and amounts written as text."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Permission

from operations.billing import services
from operations.billing.models import Allocation, BillingAccount, LedgerEntry
from tests.factories.residents import UnitFactory

PROCESS = "tests"
D = Decimal


def grant(user, *dotted: str):
    """`user` (reloaded) with the permissions named "app_label.codename"."""
    for name in dotted:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return type(user).objects.get(pk=user.pk)


def open_account(unit=None, *, payer_name="Anna Nowak", opened_on=date(2025, 12, 1), **fields) -> BillingAccount:
    return services.account_open(unit=unit or UnitFactory(), payer_name=payer_name, opened_on=opened_on, **fields)


def charge(account, amount, *, due, booked=None, component="maintenance", **fields) -> LedgerEntry:
    return services.entry_post(
        account=account,
        kind=LedgerEntry.Kind.CHARGE,
        amount=D(amount),
        booking_date=booked or due.replace(day=1),
        due_date=due,
        component=component,
        process=PROCESS,
        **fields,
    )


def pay(account, amount, *, on, designated=(), **fields) -> LedgerEntry:
    return services.payment_record(
        account=account, amount=D(amount), booking_date=on, designated=designated, process=PROCESS, **fields
    )


def correct(entry, amount, *, on, **fields) -> LedgerEntry:
    return services.entry_post(
        account=entry.account,
        kind=LedgerEntry.Kind.CORRECTION,
        amount=D(amount),
        booking_date=on,
        corrects=entry,
        process=PROCESS,
        **fields,
    )


def opening(account, amount, *, on, **fields) -> LedgerEntry:
    return services.entry_post(
        account=account, kind=LedgerEntry.Kind.OPENING, amount=D(amount), booking_date=on, process=PROCESS, **fields
    )


def allocations(entry) -> list[tuple]:
    """(credit, debt, amount, reason) of every allocation touching `entry`, in order."""
    rows = Allocation.objects.filter(credit=entry) | Allocation.objects.filter(debt=entry)
    return [(row.credit_id, row.debt_id, row.amount, row.reason) for row in rows.order_by("pk")]


def paid_to(debt) -> Decimal:
    """Net allocated to `debt`."""
    return sum((row.amount for row in Allocation.objects.filter(debt=debt)), D("0.00"))


def kept(account) -> Decimal:
    """The account's overpayment kept as credit."""
    return sum((row.amount for row in Allocation.objects.kept().filter(credit__account=account)), D("0.00"))
