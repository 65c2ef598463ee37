"""The interest note (nota odsetkowa): the lines of late-payment interest an account's
debts have earned up to a day and not yet charged. Three queries whatever the number of
debts (the debts with their corrected value and the day their interest was last charged
to; what was paid towards each, per day the money arrived; the rates); the lines are
worked out by `billing.interest`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DateField, F, Max, OuterRef, Subquery, Sum

from ..interest import InterestLine, interest_lines
from ..models import Allocation, BillingAccount, InterestRate, LedgerEntry
from ..money import ZERO, from_grosze
from .ledger import _subquery_sum, grosze


@dataclass(frozen=True)
class InterestNote:
    account: BillingAccount
    until: date
    lines: list[InterestLine]

    @property
    def total(self) -> Decimal:
        """The sum of the rounded lines: what the note prints adds up."""
        return sum((line.amount for line in self.lines), ZERO)

    def by_debt(self) -> dict[int, list[InterestLine]]:
        grouped: dict[int, list[InterestLine]] = defaultdict(list)
        for line in self.lines:
            grouped[line.debt_id].append(line)
        return dict(grouped)


def interest_rates() -> list[tuple[date, Decimal]]:
    return list(InterestRate.objects.order_by("effective_from").values_list("effective_from", "rate"))


def interest_note(account: BillingAccount, *, until: date) -> InterestNote:
    """Interest on each debt of `account` that was paid late or is still unpaid, from the
    day after it was payable (or after the last interest charged on it) to the day the
    money arrived, or `until`. Raises `interest.RateMissing` for a day with no rate."""
    K = LedgerEntry.Kind
    corrections = LedgerEntry.objects.filter(corrects=OuterRef("pk"), booking_date__lte=until)
    charged = (
        LedgerEntry.objects.filter(interest_on=OuterRef("pk"), kind=K.INTEREST)
        .order_by()
        .values("interest_on")
        .annotate(last=Max("booking_date"))
        .values("last")
    )
    debts = list(
        LedgerEntry.objects.filter(account=account, booking_date__lte=until, effective_due_date__lt=until)
        .debts()
        .exclude(kind=K.INTEREST)  # no interest on interest (art. 482 of the Civil Code)
        .annotate(
            value_grosze=grosze(F("amount")) + _subquery_sum(corrections, "corrects"),
            charged_until=Subquery(charged, output_field=DateField()),
        )
        .order_by("effective_due_date", "booking_date", "pk")
    )
    if not debts:
        return InterestNote(account=account, until=until, lines=[])
    paid = defaultdict(list)
    rows = (
        # As `debts_outstanding` reads them: an allocation counts from the day its credit
        # arrived, and only once what made it (a later correction, say) was booked.
        Allocation.objects.filter(
            debt__in=[debt.pk for debt in debts], credit__booking_date__lte=until, cause__booking_date__lte=until
        )
        .values("debt_id", "credit__booking_date")
        .annotate(net=Sum(grosze(F("amount"))))
        .order_by()
    )
    for row in rows:
        if row["net"]:
            paid[row["debt_id"]].append((row["credit__booking_date"], from_grosze(row["net"])))
    rates = interest_rates()
    lines: list[InterestLine] = []
    for debt in debts:
        lines += interest_lines(
            principal=from_grosze(debt.value_grosze),
            payable_until=debt.effective_due_date,
            payments=paid.get(debt.pk, []),
            until=until,
            rates=rates,
            charged_until=debt.charged_until,
            debt_id=debt.pk,
        )
    return InterestNote(account=account, until=until, lines=lines)
