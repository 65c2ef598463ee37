"""The reads of the accountants' admin screens (issue 14, "Admin (accountants)"), for
billing staff only (`is_billing_staff`: `billing.view_billingaccount`, never a
contractor's worker); anyone else gets nothing.

- `account_rows`: every account with its balance and overdue amount annotated, in grosze,
  by `api_reads`' expressions (`balance_grosze`, `overdue_grosze`), so a list of any length
  and its filters (balance below or above, overdue above) are one query;
- `ledger_rows`: an account's entries, newest booked first, with their allocations (which
  credit paid which debt, how much, why) and the bank line a payment came from, in a fixed
  number of queries per page;
- `statement_rows`, `transaction_rows`, `queue_rows`: bank statements (with their line
  counts), their lines, and the lines waiting in the unmatched-payments queue (suggested
  and unmatched, oldest first);
- `account_search`: accounts a person looks for by unit ("A/12", "12"), payer, account
  number or identifier, when settling a line of the queue;
- `billing_situation`: the situation centre's figures, four numbers in three queries,
  each counted by the same condition as the list it links to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, IntegerField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import Allocation, BankStatement, BankTransaction, BillingAccount, LedgerEntry
from ..money import from_grosze, to_grosze
from . import Person, _signed_in, is_billing_staff, is_contractor_worker
from .api_reads import account_entries, balance_grosze, overdue_grosze, staff_accounts

# The annotations `account_rows` adds (whole grosze).
BALANCE = "balance_value"
OVERDUE = "overdue_value"

QUEUE_STATES = (BankTransaction.State.SUGGESTED, BankTransaction.State.UNMATCHED)
FLAGS = ("balance_mismatch", "number_gap", "totals_mismatch")


def is_firm_worker(person: Person) -> bool:
    """`selectors.is_contractor_worker`, asked once per person object (a request's user):
    the admin asks it for every permission check of a page."""
    if person is None:
        return False
    known = getattr(person, "_billing_firm_worker", None)
    if known is None:
        known = is_contractor_worker(person)
        try:
            person._billing_firm_worker = known
        except AttributeError:  # pragma: no cover - an object that takes no attributes
            pass
    return known


def can_import_statements(person: Person) -> bool:
    """Importing statements and settling the unmatched queue: `billing.import_bankstatement`,
    never a firm's worker. (Recording the payment itself needs `billing.post_ledgerentry`
    too; the services refuse without it.)"""
    return _signed_in(person) and person.has_perm("billing.import_bankstatement") and not is_firm_worker(person)


def can_read_statements(person: Person) -> bool:
    return (
        _signed_in(person)
        and (person.has_perm("billing.view_bankstatement") or person.has_perm("billing.import_bankstatement"))
        and not is_firm_worker(person)
    )


# --- Accounts ------------------------------------------------------------------------------------


def account_rows(person: Person, *, as_of: date) -> QuerySet[BillingAccount]:
    """Every account (for billing staff) with its unit and building, `balance_value` (saldo,
    positive an overpayment) and `overdue_value` (outstanding of debts payable before
    `as_of`), both in grosze."""
    return (
        staff_accounts(person, as_of=as_of)
        .select_related("unit__building")
        .annotate(**{BALANCE: balance_grosze(), OVERDUE: overdue_grosze(as_of)})
    )


def with_balance_below(accounts: QuerySet, amount: Decimal) -> QuerySet:
    return accounts.filter(**{f"{BALANCE}__lt": to_grosze(amount)})


def with_balance_above(accounts: QuerySet, amount: Decimal) -> QuerySet:
    return accounts.filter(**{f"{BALANCE}__gt": to_grosze(amount)})


def with_overdue_above(accounts: QuerySet, amount: Decimal) -> QuerySet:
    return accounts.filter(**{f"{OVERDUE}__gt": to_grosze(amount)})


def account_for_staff(person: Person, pk) -> BillingAccount | None:
    return (
        staff_accounts(person, as_of=timezone.localdate())
        .select_related("unit__building__estate", "replaces__unit", "replaced_by__unit")
        .filter(pk=pk)
        .first()
    )


_UNIT = re.compile(r"^\s*([A-Za-z0-9]+)\s*[/ ]\s*(?:m\.?\s*)?([A-Za-z0-9]+)\s*$")


def account_search(person: Person, query: str, *, limit: int = 20) -> list[BillingAccount]:
    """Accounts matching what a person typed: a unit ("A/12", "A 12" for building A's unit
    12, or "12" for unit 12 of any building), part of the payer's name, of the account
    number (spaces ignored) or the identifier. Open accounts first. One query."""
    query = (query or "").strip()
    if not is_billing_staff(person) or not query:
        return []
    condition = Q(payer_name__icontains=query) | Q(unit__number__iexact=query)
    digits = re.sub(r"[\s-]", "", query).upper().removeprefix("PL")
    if digits.isdigit():
        condition |= Q(iban__contains=digits)
        if len(digits) <= 18:
            condition |= Q(identifier=int(digits))
    if match := _UNIT.match(query):
        condition |= Q(unit__building__code__iexact=match.group(1), unit__number__iexact=match.group(2))
    return list(
        BillingAccount.objects.filter(condition)
        .select_related("unit__building")
        .order_by("closed_on", "unit__building__code", "unit__number", "pk")[:limit]
    )


def accounts_by_pk(person: Person, pk) -> BillingAccount | None:
    """One account a person may settle a payment to (any account, for billing staff)."""
    if not is_billing_staff(person):
        return None
    return BillingAccount.objects.select_related("unit__building").filter(pk=pk).first()


# --- The ledger ----------------------------------------------------------------------------------


def ledger_rows(account: BillingAccount) -> QuerySet[LedgerEntry]:
    """The account's entries, newest booked first, each with `allocations_out` (what a
    credit paid), `allocations_in` (what paid a debt), the entry it corrects or charges
    interest on, who posted it and the bank line a payment came from."""
    return (
        account_entries(account)
        .select_related("corrects", "interest_on", "created_by", "bank_transaction__statement")
        .prefetch_related(
            Prefetch(
                "allocations_out",
                queryset=Allocation.objects.select_related("debt", "cause").order_by("pk"),
            ),
            Prefetch(
                "allocations_in",
                queryset=Allocation.objects.select_related("credit", "cause").order_by("pk"),
            ),
        )
    )


def account_transaction_counts(account: BillingAccount) -> dict[str, int]:
    """How many bank lines were matched to the account, and are suggested for it. One query."""
    return BankTransaction.objects.filter(account_condition(account.pk)).aggregate(
        matched=Count("pk", filter=Q(account=account)),
        suggested=Count("pk", filter=Q(suggested_account=account, state=BankTransaction.State.SUGGESTED)),
    )


# --- Bank statements and their lines ------------------------------------------------------------


def flagged_condition() -> Q:
    return Q(balance_mismatch=True) | Q(number_gap=True) | Q(totals_mismatch=True)


def statement_rows(person: Person) -> QuerySet[BankStatement]:
    """Every imported statement, with `line_count`, for those who read statements."""
    if not can_read_statements(person):
        return BankStatement.objects.none()
    return BankStatement.objects.select_related("imported_by").annotate(line_count=Count("transactions"))


def statement_lines(statement: BankStatement) -> QuerySet[BankTransaction]:
    return (
        BankTransaction.objects.filter(statement=statement)
        .select_related("account__unit__building", "suggested_account__unit__building", "payment", "confirmed_by")
        .order_by("booking_date", "pk")
    )


def transaction_rows(person: Person) -> QuerySet[BankTransaction]:
    """Every bank line, for those who read statements."""
    if not can_read_statements(person):
        return BankTransaction.objects.none()
    return BankTransaction.objects.select_related(
        "statement", "account__unit__building", "suggested_account__unit__building", "payment", "confirmed_by"
    )


def account_condition(account_id) -> Q:
    """Lines matched to an account, or waiting in the queue with it as the suggestion (a
    line once suggested for it and then settled otherwise is not its)."""
    return Q(account_id=account_id) | Q(suggested_account_id=account_id, state=BankTransaction.State.SUGGESTED)


def queue_condition() -> Q:
    return Q(state__in=QUEUE_STATES)


def queue_rows(person: Person) -> QuerySet[BankTransaction]:
    """The unmatched-payments queue: suggested and unmatched lines, oldest first."""
    if not can_import_statements(person):
        return BankTransaction.objects.none()
    return (
        BankTransaction.objects.filter(queue_condition())
        .select_related("statement", "suggested_account__unit__building")
        .order_by("booking_date", "pk")
    )


def queue_line(person: Person, pk) -> BankTransaction | None:
    if not can_import_statements(person):
        return None
    return (
        BankTransaction.objects.select_related(
            "statement", "suggested_account__unit__building", "account__unit__building", "confirmed_by"
        )
        .filter(pk=pk)
        .first()
    )


# --- The situation centre ------------------------------------------------------------------------


@dataclass(frozen=True)
class BillingSituation:
    queue: int  # bank lines waiting in the unmatched queue
    flagged_statements: int
    accounts_overdue: int  # accounts with anything overdue on `as_of`
    overdue_total: Decimal  # what those accounts have overdue, summed


def billing_situation(person: Person, *, as_of: date) -> BillingSituation | None:
    """The situation centre's figures for billing staff (None for anyone else). Three
    queries, whatever the number of accounts, entries and lines."""
    if not is_billing_staff(person):
        return None
    queue = BankTransaction.objects.filter(queue_condition()).count()
    flagged = BankStatement.objects.filter(flagged_condition()).count()
    overdue = with_overdue_above(
        staff_accounts(person, as_of=as_of).annotate(**{OVERDUE: overdue_grosze(as_of)}), Decimal("0")
    ).aggregate(
        accounts=Count("pk"),
        total=Coalesce(Sum(OVERDUE), Value(0), output_field=IntegerField()),
    )
    return BillingSituation(
        queue=queue,
        flagged_statements=flagged,
        accounts_overdue=overdue["accounts"],
        overdue_total=from_grosze(overdue["total"]),
    )
