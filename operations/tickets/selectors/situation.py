"""What needs the dispatchers now: the figures of the admin's first page (the situation
centre), each the count of a list the tickets admin can show.

Every figure is a condition here (`CONDITIONS`), used twice: counted, all in one
aggregate query whatever the number of tickets, by `ticket_situation`; and as the
tickets list's "Now" filter (`admin/forms.TicketFilterSet.now`), so a number on the
dashboard is exactly the length of the list it links to.

- reported today: reported since the local midnight (settings.TIME_ZONE);
- open: not done, closed or rejected;
- awaiting assignment: open, new or accepted, and no contractor holds it;
- no response in time: still new and past the time to respond (`response_due_at`);
- overdue: `Ticket.is_overdue` (open, marked overdue or past its deadline);
- due today: open, not overdue yet, and its deadline falls before the local midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from ..models import CLOSED_STATUSES, Ticket
from . import overdue_condition
from .figures import local_day

S = Ticket.Status
OPEN_STATUSES = [status for status in S.values if status not in CLOSED_STATUSES]


def _open() -> Q:
    return ~Q(status__in=CLOSED_STATUSES)


def _conditions(now: datetime) -> dict[str, Q]:
    start, end = local_day(now)
    return {
        "reported_today": Q(created_at__gte=start, created_at__lt=end),
        "open": _open(),
        "awaiting_assignment": Q(status__in=[S.NEW, S.ACCEPTED], contractor__isnull=True),
        "past_response": Q(status=S.NEW, response_due_at__lt=now),
        "overdue": overdue_condition(now),
        "due_today": _open() & Q(overdue_at__isnull=True, due_at__gt=now, due_at__lt=end),
    }


CONDITIONS = ("reported_today", "open", "awaiting_assignment", "past_response", "overdue", "due_today")


def situation_condition(name: str, now: datetime | None = None) -> Q:
    """The condition of one figure (one of `CONDITIONS`), for the list it links to."""
    return _conditions(now or timezone.now())[name]


@dataclass(frozen=True)
class TicketSituation:
    reported_today: int
    open: int
    awaiting_assignment: int
    past_response: int
    overdue: int
    due_today: int
    by_status: dict[str, int]  # the open statuses, in the workflow's order


def ticket_situation(now: datetime | None = None) -> TicketSituation:
    """Every figure and the open tickets by status, in one query."""
    now = now or timezone.now()
    conditions = _conditions(now)
    aggregates = {name: Count("pk", filter=conditions[name]) for name in CONDITIONS}
    aggregates |= {f"status_{status}": Count("pk", filter=Q(status=status)) for status in OPEN_STATUSES}
    row = Ticket.objects.aggregate(**aggregates)
    return TicketSituation(
        **{name: row[name] for name in CONDITIONS},
        by_status={status: row[f"status_{status}"] for status in OPEN_STATUSES},
    )
