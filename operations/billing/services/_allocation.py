"""How credits settle debts (art. 451 of the Civil Code), kept as `Allocation` rows.

Every grosz of a credit (a payment, a credit opening balance) is allocated at every
moment: to a debt, or kept as credit (a row without a debt: the overpayment). Rows are
only ever added: moving money is a negative row where it leaves and a positive one where
it goes, each with its reason and the entry that caused it. After any posting no credit
is kept while a debt is open (`carry`), so an overpayment goes to a later charge the
moment the charge is posted.

A payment is allocated (`allocate_payment`):
1. to the debts the payer designated, in the order given; within each, first the interest
   charged on it, then the debt itself (art. 451 § 1: the designation binds, the creditor
   takes interest first within the designated debt);
2. what is left, to the debts in the order of § 3: the oldest due first (earliest
   effective due date, then earliest booked), continuing to debts not yet due, which a
   payer paying ahead of time means to pay;
3. what is left then is kept as credit.
Interest is a debt of its own, due when charged, so without a designation a payment pays
the oldest principal before interest charged later.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import F, Sum

from .. import selectors
from ..models import Allocation, BillingAccount, LedgerEntry
from ..money import from_grosze
from ..selectors.ledger import debit_side, grosze

R = Allocation.Reason


def _row(credit: LedgerEntry, debt: LedgerEntry | None, grosze_amount: int, reason: str, cause: LedgerEntry):
    return Allocation(credit=credit, debt=debt, amount=from_grosze(grosze_amount), reason=reason, cause=cause)


def _sum(queryset) -> int:
    return queryset.aggregate(total=Sum(grosze(F("amount"))))["total"] or 0


def _signed_value(entry: LedgerEntry) -> int:
    """An entry's amount with its corrections, in grosze (debts positive, credits negative)."""
    return _sum(LedgerEntry.objects.filter(pk=entry.pk)) + _sum(LedgerEntry.objects.filter(corrects=entry))


def allocate_payment(payment: LedgerEntry, designated: Sequence[LedgerEntry] = ()) -> None:
    remaining = -_signed_value(payment)
    debts = selectors.open_debts(payment.account)
    outstanding = {debt.pk: debt.outstanding_grosze for debt in debts}
    rows = []

    def take(debt: LedgerEntry, reason: str) -> None:
        nonlocal remaining
        part = min(remaining, outstanding.get(debt.pk, 0))
        if part > 0:
            rows.append(_row(payment, debt, part, reason, payment))
            outstanding[debt.pk] -= part
            remaining -= part

    for chosen in designated:
        for debt in debts:
            if debt.interest_on_id == chosen.pk:
                take(debt, R.INTEREST_FIRST)
        take(chosen, R.DESIGNATED)
    for debt in debts:
        take(debt, R.OLDEST_DUE)
    if remaining > 0:
        rows.append(_row(payment, None, remaining, R.KEPT_AS_CREDIT, payment))
    Allocation.objects.bulk_create(rows)


def keep_credit(credit: LedgerEntry) -> None:
    """A credit opening balance: kept as credit whole, then carried to open debts."""
    Allocation.objects.bulk_create([_row(credit, None, -_signed_value(credit), R.KEPT_AS_CREDIT, credit)])
    carry(credit.account, cause=credit)


def carry(account: BillingAccount, *, cause: LedgerEntry) -> None:
    """Credit kept for later goes to the open debts, oldest credit first, in § 3's order."""
    credits = selectors.kept_credits(account)
    if not credits:
        return
    debts = selectors.open_debts(account)
    rows = []
    debt_index = 0
    for credit in credits:
        kept = credit.kept_grosze
        while kept > 0 and debt_index < len(debts):
            debt = debts[debt_index]
            part = min(kept, debt.outstanding_grosze)
            rows += [_row(credit, None, -part, R.CARRIED, cause), _row(credit, debt, part, R.CARRIED, cause)]
            kept -= part
            debt.outstanding_grosze -= part
            if debt.outstanding_grosze == 0:
                debt_index += 1
    Allocation.objects.bulk_create(rows)


def _net_by(queryset, key: str) -> list[tuple[int, int]]:
    """(key, net grosze) of allocation rows, where the net is positive."""
    rows = queryset.values(key).annotate(net=Sum(grosze(F("amount")))).order_by()
    return [(row[key], row["net"]) for row in rows if row["net"] > 0]


def after_correction(correction: LedgerEntry) -> None:
    """Allocations follow what the corrected entry now counts for, then kept credit is carried."""
    target = correction.corrects
    is_debt = LedgerEntry.objects.filter(pk=target.pk).filter(debit_side()).exists()
    rows = []
    if is_debt:
        excess = _sum(Allocation.objects.filter(debt=target)) - _signed_value(target)
        if excess > 0:
            # Released from the latest credits first: what came last paid this debt last.
            net = dict(_net_by(Allocation.objects.filter(debt=target), "credit"))
            credits = LedgerEntry.objects.filter(pk__in=net).order_by("-booking_date", "-pk")
            for credit in credits:
                part = min(excess, net[credit.pk])
                rows += [
                    _row(credit, target, -part, R.CORRECTED, correction),
                    _row(credit, None, part, R.CORRECTED, correction),
                ]
                excess -= part
                if excess == 0:
                    break
    else:
        difference = -_signed_value(target) - _sum(Allocation.objects.filter(credit=target))
        if difference > 0:
            rows.append(_row(target, None, difference, R.CORRECTED, correction))
        elif difference < 0:
            need = -difference
            kept = _sum(Allocation.objects.kept().filter(credit=target))
            if kept > 0:
                part = min(need, kept)
                rows.append(_row(target, None, -part, R.CORRECTED, correction))
                need -= part
            if need > 0:
                # Taken back from the debts paid last (the latest due) first.
                net = dict(_net_by(Allocation.objects.filter(credit=target, debt__isnull=False), "debt"))
                debts = LedgerEntry.objects.filter(pk__in=net).order_by("-effective_due_date", "-booking_date", "-pk")
                for debt in debts:
                    part = min(need, net[debt.pk])
                    rows.append(_row(target, debt, -part, R.CORRECTED, correction))
                    need -= part
                    if need == 0:
                        break
    Allocation.objects.bulk_create(rows)
    carry(correction.account, cause=correction)
