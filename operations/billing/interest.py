"""Statutory late-payment interest, computed day by day (pure: no database).

A debt's interest runs from the day after its (effective) due date up to and including
the day the money arrived, on what was still unpaid each day, at the rate in force that
day: a line for each stretch of days with the same unpaid amount and the same rate (the
declining-balance form of a Polish interest note: "od kwoty 1 000,00 zł za okres 21.02 –
04.03.2026, 12 dni, 9,50 %"). Decisions, each tested in tests/billing/test_interest.py:

- a year has 365 days, leap years too (Polish practice for statutory interest, and what the
  courts' and ZUS's calculators do): a line is base × rate × days / 365 / 100;
- each line is rounded half-up to the grosz, and a note's total is the sum of its printed
  lines, so that the note adds up for whoever checks it with a pencil;
- interest is never charged on interest (art. 482 of the Civil Code): only charges and
  debit opening balances accrue it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .money import GROSZ, ZERO

YEAR_DAYS = 365


class RateMissing(Exception):
    """No rate is known for `day` (the table starts later): add it before charging interest."""

    def __init__(self, day: date):
        super().__init__(f"no interest rate in force on {day:%Y-%m-%d}")
        self.day = day


@dataclass(frozen=True)
class InterestLine:
    debt_id: int | None
    start: date  # first day counted
    end: date  # last day counted (inclusive)
    days: int
    base: Decimal  # the unpaid amount on each of those days
    rate: Decimal  # percent a year
    amount: Decimal  # rounded half-up to the grosz


def line_amount(base: Decimal, rate: Decimal, days: int) -> Decimal:
    return (base * rate * days / (YEAR_DAYS * 100)).quantize(GROSZ, rounding=ROUND_HALF_UP)


def rate_stretches(rates: Sequence[tuple[date, Decimal]], start: date, end: date) -> list[tuple[date, date, Decimal]]:
    """[start, end] cut where the rate changes: (first day, last day, rate) each. `rates` are
    (in force from, rate) in any order; RateMissing when `start` precedes them all."""
    ordered = sorted(rates)
    stretches = []
    day = start
    while day <= end:
        in_force = [(since, rate) for since, rate in ordered if since <= day]
        if not in_force:
            raise RateMissing(day)
        _since, rate = in_force[-1]
        later = [since for since, _rate in ordered if since > day]
        last = min(end, later[0] - timedelta(days=1)) if later else end
        stretches.append((day, last, rate))
        day = last + timedelta(days=1)
    return stretches


def interest_lines(
    *,
    principal: Decimal,
    payable_until: date,
    payments: Iterable[tuple[date, Decimal]],
    until: date,
    rates: Sequence[tuple[date, Decimal]],
    charged_until: date | None = None,
    debt_id: int | None = None,
) -> list[InterestLine]:
    """The lines of one debt's interest up to and including `until`.

    `principal` is what the debt counts for (after its corrections), due by
    `payable_until` (the due date moved to a working day); `payments` are (day the money
    arrived, amount) paid towards it: that day still bears interest on the amount, the next
    day no longer. Days up to `charged_until` (an earlier note) are left out.
    """
    first = payable_until + timedelta(days=1)
    if charged_until is not None:
        first = max(first, charged_until + timedelta(days=1))
    if until < first:
        return []
    paid = sorted((day, amount) for day, amount in payments if amount)
    # The unpaid amount changes the day after each payment; payments before `first` count from the start.
    changes = sorted({day + timedelta(days=1) for day, _amount in paid if first < day + timedelta(days=1) <= until})
    bounds = [first, *changes, until + timedelta(days=1)]
    lines = []
    for start, next_start in zip(bounds, bounds[1:], strict=False):
        end = next_start - timedelta(days=1)
        base = principal - sum((amount for day, amount in paid if day < start), ZERO)
        if base <= 0:
            continue
        for piece_start, piece_end, rate in rate_stretches(rates, start, end):
            days = (piece_end - piece_start).days + 1
            lines.append(
                InterestLine(
                    debt_id=debt_id,
                    start=piece_start,
                    end=piece_end,
                    days=days,
                    base=base,
                    rate=rate,
                    amount=line_amount(base, rate, days),
                )
            )
    return lines
