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

Below them the page shows statistics, each read by one query of `selectors.figures` with
that module's definitions, over whole local days (settings.TIME_ZONE), because the
tickets list's "reported" filter reads whole days: a figure's link lists exactly the
tickets it counted.

- `clusters_this_week`: where faults cluster, the (building, category) pairs with two
  or more tickets reported today and the six days before (`figures.ticket_clusters`);
- `month_comparison`: the tickets reported this month so far (from the 1st to today)
  against those of the whole previous calendar month, each cohort as it stands now
  (`figures.cohort_figures`, both in one query): a past month's figures keep changing as
  its tickets get done, exactly as the statistics page shows them for those dates;
- `recent_days`: the last 30 days (today included), for the charts: the tickets reported
  each day by what has become of them (`figures.reported_by_day`) and the figures of
  each category (`figures.category_breakdown`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from ..models import CLOSED_STATUSES, Ticket
from . import overdue_condition
from .figures import (
    Breakdown,
    Cluster,
    DayCounts,
    Figures,
    Ratings,
    category_breakdown,
    cohort_figures,
    local_day,
    local_midnight,
    reported_by_day,
    ticket_clusters,
)

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


# --- Statistics on the first page ---------------------------------------------------------------

WEEK_DAYS = 7
CHART_DAYS = 30
CLUSTER_LIMIT = 5


@dataclass(frozen=True)
class Days:
    """Whole local days, `first` to `last`, both included."""

    first: date
    last: date

    @property
    def since(self) -> datetime:
        return local_midnight(self.first)

    @property
    def until(self) -> datetime:
        return local_midnight(self.last + timedelta(days=1))

    @property
    def count(self) -> int:
        return (self.last - self.first).days + 1


def _today(now: datetime | None) -> date:
    return timezone.localtime(now or timezone.now(), timezone.get_default_timezone()).date()


def last_days(count: int, now: datetime | None = None) -> Days:
    """Today (the local day of `now`) and the `count - 1` days before it."""
    today = _today(now)
    return Days(first=today - timedelta(days=count - 1), last=today)


@dataclass(frozen=True)
class WeekClusters:
    days: Days
    clusters: list[Cluster]


def clusters_this_week(now: datetime | None = None, limit: int = CLUSTER_LIMIT) -> WeekClusters:
    """Where faults cluster in the last seven days (one query)."""
    days = last_days(WEEK_DAYS, now)
    return WeekClusters(days=days, clusters=ticket_clusters(since=days.since, until=days.until, limit=limit))


@dataclass(frozen=True)
class Month:
    """The tickets reported in (part of) a month, as they stand now."""

    days: Days
    figures: Figures
    ratings: Ratings

    @property
    def overdue_share(self) -> float | None:
        """The share of the month's tickets that are open and overdue now; None without tickets."""
        return self.figures.overdue / self.figures.reported if self.figures.reported else None


@dataclass(frozen=True)
class MonthComparison:
    current: Month  # the 1st of this month to today
    previous: Month  # the whole previous calendar month


def month_comparison(now: datetime | None = None) -> MonthComparison:
    """This month so far against the whole previous month (one query)."""
    today = _today(now)
    first = today.replace(day=1)
    previous_last = first - timedelta(days=1)
    months = {"current": Days(first, today), "previous": Days(previous_last.replace(day=1), previous_last)}
    cohorts = cohort_figures({key: (days.since, days.until) for key, days in months.items()})
    return MonthComparison(
        **{
            key: Month(days=days, figures=cohorts[key].figures, ratings=cohorts[key].ratings)
            for key, days in months.items()
        }
    )


@dataclass(frozen=True)
class RecentDays:
    days: Days
    per_day: list[DayCounts]  # every day, the oldest first (zeros where none was reported)
    by_category: list[Breakdown]  # the tickets reported in these days


def recent_days(now: datetime | None = None, count: int = CHART_DAYS) -> RecentDays:
    """The last `count` days, for the charts (two queries)."""
    days = last_days(count, now)
    return RecentDays(
        days=days,
        per_day=reported_by_day(first_day=days.first, last_day=days.last),
        by_category=category_breakdown(since=days.since, until=days.until),
    )
