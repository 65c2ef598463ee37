"""Which debts are due a payment reminder on a day, and at which step.

A step is a number of days from the day a debt is payable by (`effective_due_date`: the
due date moved past a weekend or public holiday): -3 is three days before, 7 a week after
(`BILLING_REMINDER_STEPS`, by default (-3, 7, 30)). A debt is due a step on the step's
day, and on each later day until the next step's day, so that a day the beat was down is
made up for the next day, but never an earlier step once a later one is due. Two bounds
keep a late reminder meaningful:
- a step before the due date is not sent once the debt is overdue (it would say "payable
  in three days" of a debt payable last week): the next step after the due date covers it;
- no step is sent more than `BILLING_REMINDER_CATCH_UP_DAYS` (default 14) after its day,
  so that switching reminders on, or adding a step, does not remind every old arrear at
  once.
Only what is still outstanding counts (`ledger.debts_outstanding`, in grosze): a debt paid
or corrected to nothing gets no reminder, and the reminder names what is left to pay.
Which people are reminded (the account's viewers who chose reminders and have not had
this step yet) is `services.reminders`', under the account's lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from ..models import LedgerEntry
from .ledger import debts_outstanding

DEFAULT_STEPS = (-3, 7, 30)
DEFAULT_CATCH_UP_DAYS = 14


def reminder_steps() -> tuple[int, ...]:
    """The configured steps, each once, earliest first."""
    steps = getattr(settings, "BILLING_REMINDER_STEPS", DEFAULT_STEPS)
    return tuple(sorted({int(step) for step in steps}))


def catch_up_days() -> int:
    return max(0, int(getattr(settings, "BILLING_REMINDER_CATCH_UP_DAYS", DEFAULT_CATCH_UP_DAYS)))


@dataclass(frozen=True)
class StepWindow:
    """A step is due from `first` to `last` days after the pay-by day, both included."""

    step: int
    first: int
    last: int


def step_windows(steps: tuple[int, ...] | None = None, *, catch_up: int | None = None) -> list[StepWindow]:
    steps = reminder_steps() if steps is None else tuple(sorted(set(steps)))
    catch_up = catch_up_days() if catch_up is None else catch_up
    windows = []
    for index, step in enumerate(steps):
        last = step + catch_up
        if index + 1 < len(steps):
            last = min(last, steps[index + 1] - 1)
        if step <= 0:
            last = min(last, 0)  # before the due date: never once the debt is overdue
        windows.append(StepWindow(step=step, first=step, last=last))
    return windows


def debts_due_reminders(*, on: date, steps: tuple[int, ...] | None = None) -> QuerySet[LedgerEntry]:
    """The debts due a reminder on `on`, each annotated with `reminder_step` (the step due)
    and `outstanding_grosze` (more than nothing), with their accounts, units and buildings,
    by account. One query, whatever the number of debts and steps."""
    windows = step_windows(steps)
    if not windows:
        return LedgerEntry.objects.none()
    # A debt payable on day D is due step s on `on` when D + first <= on <= D + last,
    # that is when on - last <= D <= on - first.
    conditions = [
        (
            window.step,
            Q(effective_due_date__gte=on - timedelta(days=window.last))
            & Q(effective_due_date__lte=on - timedelta(days=window.first)),
        )
        for window in windows
    ]
    any_window = Q()
    for _step, condition in conditions:
        any_window |= condition
    step = Case(
        *(When(condition, then=Value(step_value)) for step_value, condition in conditions),
        default=Value(None),
        output_field=IntegerField(),
    )
    return (
        debts_outstanding(LedgerEntry.objects.filter(any_window, effective_due_date__isnull=False))
        .filter(outstanding_grosze__gt=0)
        .annotate(reminder_step=step)
        .select_related("account__unit__building")
        .order_by("account_id", "effective_due_date", "pk")
    )


def debt_outstanding_grosze(debt: LedgerEntry) -> int:
    """What is still to pay of one debt, in grosze, read now (one query)."""
    row = debts_outstanding(LedgerEntry.objects.filter(pk=debt.pk)).values("outstanding_grosze").first()
    return int(row["outstanding_grosze"]) if row else 0
