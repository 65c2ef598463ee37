"""Ticket statistics for dispatchers, administrators and the board
(`tickets.view_ticket_statistics`): what was reported, handed to contractors, done, not
done, rejected and overdue, how long the first response and the resolution took, by
category, building and contractor, and where faults cluster.

Everything is counted in the database, in a fixed number of aggregate queries (six: today,
the period, one GROUP BY for each breakdown and one for the clusters), whatever the number
of tickets, categories, buildings or contractors. The figures read the timestamps the
services keep on each ticket (`services/`), not its history (`TicketEvent`).

The admin's first page (`selectors.situation`) asks for parts of the same figures, one
query each, with the same definitions: `cohort_figures` (several periods' figures side by
side, in one query), `category_breakdown`, `ticket_clusters` and `reported_by_day` (the
cohort of each local day, by what has become of it: done, not done, rejected).

Two kinds of `Figures`
----------------------

`period` and the breakdowns follow one *cohort*: the tickets reported in the period,
`since <= created_at < until` (no lower bound when `since` is None; `until` defaults to
`now`), and what has become of them *as they stand now* (a past period shows where its
tickets are today, not where they were at `until`):

- `reported`: tickets of the cohort;
- `handed_to_contractors`: of those, the ones handed to a firm at some point
  (`assigned_at` set). A ticket the firm gave back (assigned → accepted) keeps
  `assigned_at` and still counts, though it no longer has a contractor;
- `done`: status done or closed (resolved; a closed ticket was done first, whether the
  resident confirmed it or the system closed it unconfirmed);
- `rejected`: status rejected (neither done nor not done);
- `not_done`: still open, any status other than done, closed and rejected (a reopened
  ticket is open again); so `done + rejected + not_done == reported`;
- `overdue`: open and marked overdue by the escalation (`overdue_at` set; reopening or a
  new deadline in the future clears the mark);
- `avg_first_response`: mean of `first_response_at - created_at` over the tickets that
  had a first response (rejected ones included: a rejection is a response);
- `avg_resolution`: mean of `done_at - created_at` over the done and closed tickets (the
  last time it was done, so a reopened ticket's time includes the rework; `closed_at`
  stands in if `done_at` is missing). None when nothing is counted.

`today` counts what *happened* on the local day of `now` in `settings.TIME_ZONE`
(midnight to midnight in Europe/Warsaw, whatever the period), each figure by its own
timestamp, whatever day the ticket was reported:

- `reported`: `created_at` today;
- `handed_to_contractors`: `assigned_at` today (a ticket handed to another firm keeps
  only its last hand-over);
- `done`: done or closed now, and done (`done_at`) today; a ticket done yesterday and
  confirmed today was done yesterday;
- `rejected`: rejected with `closed_at` today;
- `not_done`: reported today and still open;
- `overdue`: still open and marked overdue today;
- `avg_first_response`: over the tickets whose first response came today;
- `avg_resolution`: over the tickets done today (as `done`).

Residents' ratings (`Ratings`) follow the period's cohort too: a reporter rates the work
(1 to 5) when confirming it, which closes the ticket for good (a closed ticket is never
reopened), so the rating of a ticket never changes once given. `count` is the number of
the cohort's tickets rated, `mean` their mean rating (None when none is).

Breakdowns list only the categories, buildings and contractors with tickets in the
period, most tickets first (then by label). The contractor is the ticket's current one;
tickets without one (never handed over, or given back) are the row with key None.
Clusters are the (building, category) pairs with the most tickets in the period, at
least two each, at most `cluster_limit`, most first (ties by building code, category
name).

`tickets` narrows everything (the admin's filtered list passes its queryset): the figures
are those of the tickets in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import pgettext

from operations.residents.models import Building

from ..models import CLOSED_STATUSES, Ticket

S = Ticket.Status
RESOLVED = (S.DONE, S.CLOSED)
FINISHED = tuple(CLOSED_STATUSES)

_OPEN = ~Q(status__in=FINISHED)
_RESOLVED = Q(status__in=RESOLVED)
_REJECTED = Q(status=S.REJECTED)

K = TypeVar("K")


@dataclass(frozen=True)
class Figures:
    """One set of counts and mean times (see the module docstring for what each means)."""

    reported: int
    handed_to_contractors: int
    done: int
    not_done: int
    rejected: int
    overdue: int
    avg_first_response: timedelta | None
    avg_resolution: timedelta | None


@dataclass(frozen=True)
class Ratings:
    """The residents' ratings (1 to 5) of the tickets of a cohort."""

    count: int
    mean: float | None


@dataclass(frozen=True)
class Cohort:
    """The figures and ratings of the tickets reported in one period."""

    since: datetime | None
    until: datetime
    figures: Figures
    ratings: Ratings


@dataclass(frozen=True)
class DayCounts:
    """The tickets reported on one local day, by what has become of them (as `Figures`)."""

    day: date
    done: int
    not_done: int
    rejected: int

    @property
    def reported(self) -> int:
        return self.done + self.not_done + self.rejected


@dataclass(frozen=True)
class Breakdown:
    """The figures of one category, building or contractor (key None: no contractor)."""

    key: int | None
    label: str
    figures: Figures


@dataclass(frozen=True)
class Cluster:
    """A building and a category with many tickets in the period."""

    building_id: int
    building_label: str
    category_id: int
    category_label: str
    count: int


@dataclass(frozen=True)
class TicketStatistics:
    since: datetime | None
    until: datetime
    today: Figures
    period: Figures
    by_category: list[Breakdown]
    by_building: list[Breakdown]
    by_contractor: list[Breakdown]
    clusters: list[Cluster]
    ratings: Ratings  # of the period's cohort


# --- Expressions -----------------------------------------------------------------------------


def _since_report(field) -> ExpressionWrapper:
    return ExpressionWrapper(F(field) - F("created_at"), output_field=DurationField())


def _annotated(tickets: QuerySet) -> QuerySet:
    """The tickets with the moment each was resolved and the two durations."""
    return tickets.annotate(
        stat_resolved_at=Coalesce("done_at", "closed_at"),
    ).annotate(
        stat_first_response=_since_report("first_response_at"),
        stat_resolution=_since_report("stat_resolved_at"),
    )


def _where(condition: Q | None, extra: Q | None = None) -> Q | None:
    """Both conditions (either may be absent); None when neither is given."""
    if condition is None:
        return extra
    return condition if extra is None else condition & extra


def _cohort_aggregates(within: Q | None = None, prefix: str = "") -> dict:
    """The cohort's figures; `within` narrows each of them (one period of several counted in
    the same query, their names then starting with `prefix`)."""
    aggregates = {
        "n_reported": Count("pk", filter=within),
        "n_handed": Count("pk", filter=_where(within, Q(assigned_at__isnull=False))),
        "n_done": Count("pk", filter=_where(within, _RESOLVED)),
        "n_not_done": Count("pk", filter=_where(within, _OPEN)),
        "n_rejected": Count("pk", filter=_where(within, _REJECTED)),
        "n_overdue": Count("pk", filter=_where(within, _OPEN & Q(overdue_at__isnull=False))),
        "avg_first_response": Avg("stat_first_response", filter=_where(within, Q(first_response_at__isnull=False))),
        "avg_resolution": Avg("stat_resolution", filter=_where(within, _RESOLVED & Q(stat_resolved_at__isnull=False))),
    }
    return {f"{prefix}{name}": aggregate for name, aggregate in aggregates.items()}


def _rating_aggregates(within: Q | None = None, prefix: str = "") -> dict:
    rated = _where(within, Q(rating__isnull=False))
    return {f"{prefix}n_rated": Count("pk", filter=rated), f"{prefix}avg_rating": Avg("rating", filter=rated)}


def _day_aggregates(start: datetime, end: datetime) -> dict:
    def within(field: str) -> Q:
        return Q(**{f"{field}__gte": start, f"{field}__lt": end})

    done_today = _RESOLVED & within("stat_resolved_at")
    return {
        "n_reported": Count("pk", filter=within("created_at")),
        "n_handed": Count("pk", filter=within("assigned_at")),
        "n_done": Count("pk", filter=done_today),
        "n_not_done": Count("pk", filter=within("created_at") & _OPEN),
        "n_rejected": Count("pk", filter=_REJECTED & within("closed_at")),
        "n_overdue": Count("pk", filter=_OPEN & within("overdue_at")),
        "avg_first_response": Avg("stat_first_response", filter=within("first_response_at")),
        "avg_resolution": Avg("stat_resolution", filter=done_today),
    }


def _figures(row: dict, prefix: str = "") -> Figures:
    return Figures(
        reported=row[f"{prefix}n_reported"] or 0,
        handed_to_contractors=row[f"{prefix}n_handed"] or 0,
        done=row[f"{prefix}n_done"] or 0,
        not_done=row[f"{prefix}n_not_done"] or 0,
        rejected=row[f"{prefix}n_rejected"] or 0,
        overdue=row[f"{prefix}n_overdue"] or 0,
        avg_first_response=row[f"{prefix}avg_first_response"],
        avg_resolution=row[f"{prefix}avg_resolution"],
    )


def _ratings(row: dict, prefix: str = "") -> Ratings:
    mean = row[f"{prefix}avg_rating"]
    return Ratings(count=row[f"{prefix}n_rated"] or 0, mean=float(mean) if mean is not None else None)


# --- Labels ----------------------------------------------------------------------------------

_BUILDING_FIELDS = ("code", "street", "number", "postal_code", "city")


def _building_values() -> tuple[str, ...]:
    return tuple(f"building__{name}" for name in _BUILDING_FIELDS)


def _building_label(row: dict) -> str:
    # The model's own __str__ (code – address), without loading the building.
    return str(Building(**{name: row[f"building__{name}"] for name in _BUILDING_FIELDS}))


def _no_contractor_label() -> str:
    return pgettext("ticket statistics", "No contractor")


# --- Periods ---------------------------------------------------------------------------------


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def local_midnight(day: date) -> datetime:
    """The start of a local day (settings.TIME_ZONE)."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def local_day(now: datetime) -> tuple[datetime, datetime]:
    """The start of the local day of `now` (settings.TIME_ZONE) and of the next one."""
    day = timezone.localtime(now, timezone.get_default_timezone()).date()
    return local_midnight(day), local_midnight(day + timedelta(days=1))


def _period(since: datetime | None, until: datetime) -> Q:
    period = Q(created_at__lt=until)
    return period if since is None else period & Q(created_at__gte=since)


def _checked_period(since: datetime | None, until: datetime | None, now: datetime) -> tuple[datetime | None, datetime]:
    since, until = _aware(since), _aware(until) or now
    if since is not None and since > until:
        raise ValueError("`since` must not be after `until`.")
    return since, until


def _base(tickets: QuerySet[Ticket] | None) -> QuerySet[Ticket]:
    """All tickets, or those of `tickets`, with the durations annotated."""
    if tickets is None:
        base = Ticket.objects.all()
    else:
        if tickets.model is not Ticket:
            raise TypeError("`tickets` must be a queryset of tickets.")
        # As a subquery: whatever joins, ordering or annotations the caller's queryset has
        # cannot duplicate rows or break the grouping below.
        base = Ticket.objects.filter(pk__in=tickets.order_by().values("pk"))
    return _annotated(base.order_by())


def _breakdown(cohort: QuerySet, key: str, label_fields: tuple[str, ...], label) -> list[Breakdown]:
    rows = cohort.values(key, *label_fields).annotate(**_cohort_aggregates()).order_by()
    result = [Breakdown(key=row[key], label=label(row), figures=_figures(row)) for row in rows]
    result.sort(key=lambda item: (-item.figures.reported, item.key is None, item.label.casefold(), item.key or 0))
    return result


def _by_category(cohort: QuerySet) -> list[Breakdown]:
    return _breakdown(cohort, "category_id", ("category__name",), lambda row: row["category__name"])


def _clusters(cohort: QuerySet, limit: int) -> list[Cluster]:
    if limit < 0:
        raise ValueError("`cluster_limit` must not be negative.")
    if not limit:
        return []
    rows = (
        cohort.values("building_id", "category_id", "category__name", *_building_values())
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .order_by("-n", "building__code", "category__name", "building_id", "category_id")[:limit]
    )
    return [
        Cluster(
            building_id=row["building_id"],
            building_label=_building_label(row),
            category_id=row["category_id"],
            category_label=row["category__name"],
            count=row["n"],
        )
        for row in rows
    ]


def ticket_statistics(
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    now: datetime | None = None,
    cluster_limit: int = 10,
    tickets: QuerySet[Ticket] | None = None,
) -> TicketStatistics:
    """The statistics of the tickets reported in `[since, until)` (all until `until` when
    `since` is None; `until` defaults to `now`), and of today's work (the local day of `now`);
    `tickets` (default: all) narrows both. See the module docstring for each figure."""
    now = _aware(now) or timezone.now()
    since, until = _checked_period(since, until, now)
    if cluster_limit < 0:
        raise ValueError("`cluster_limit` must not be negative.")
    base = _base(tickets)

    start, end = local_day(now)
    today = _figures(base.aggregate(**_day_aggregates(start, end)))

    cohort = base.filter(_period(since, until))
    row = cohort.aggregate(**_cohort_aggregates(), **_rating_aggregates())

    by_building = _breakdown(cohort, "building_id", _building_values(), _building_label)
    by_contractor = _breakdown(
        cohort,
        "contractor_id",
        ("contractor__title",),
        lambda row: row["contractor__title"] if row["contractor_id"] is not None else _no_contractor_label(),
    )

    return TicketStatistics(
        since=since,
        until=until,
        today=today,
        period=_figures(row),
        by_category=_by_category(cohort),
        by_building=by_building,
        by_contractor=by_contractor,
        clusters=_clusters(cohort, cluster_limit),
        ratings=_ratings(row),
    )


# --- Parts of the statistics, one query each ----------------------------------------------------


def cohort_figures(
    periods: Mapping[K, tuple[datetime | None, datetime]],
    *,
    tickets: QuerySet[Ticket] | None = None,
) -> dict[K, Cohort]:
    """The period figures and ratings of several cohorts (`key: (since, until)`, as
    `ticket_statistics`' period), side by side in one query whatever their number: a
    month against the one before."""
    now = timezone.now()
    bounds = {key: _checked_period(since, until, now) for key, (since, until) in periods.items()}
    if not bounds:
        return {}
    aggregates = {}
    for index, (since, until) in enumerate(bounds.values()):
        within = _period(since, until)
        aggregates |= _cohort_aggregates(within, f"p{index}_") | _rating_aggregates(within, f"p{index}_")
    # Only the rows of the periods are read (the index on created_at), not every ticket.
    starts = [since for since, _until in bounds.values()]
    covering = _period(None if None in starts else min(starts), max(until for _since, until in bounds.values()))
    row = _base(tickets).filter(covering).aggregate(**aggregates)
    return {
        key: Cohort(
            since=since,
            until=until,
            figures=_figures(row, f"p{index}_"),
            ratings=_ratings(row, f"p{index}_"),
        )
        for index, (key, (since, until)) in enumerate(bounds.items())
    }


def category_breakdown(
    *, since: datetime | None = None, until: datetime | None = None, tickets: QuerySet[Ticket] | None = None
) -> list[Breakdown]:
    """`ticket_statistics(...).by_category` alone (one query)."""
    since, until = _checked_period(since, until, timezone.now())
    return _by_category(_base(tickets).filter(_period(since, until)))


def ticket_clusters(
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 10,
    tickets: QuerySet[Ticket] | None = None,
) -> list[Cluster]:
    """`ticket_statistics(...).clusters` alone (one query)."""
    since, until = _checked_period(since, until, timezone.now())
    return _clusters(_base(tickets).filter(_period(since, until)), limit)


def reported_by_day(*, first_day: date, last_day: date, tickets: QuerySet[Ticket] | None = None) -> list[DayCounts]:
    """The tickets reported on each local day (settings.TIME_ZONE) from `first_day` to
    `last_day`, both included, by what has become of them; a day without tickets is there
    with zeros. One query: grouped by the local date in the database (`TruncDate` in the
    time zone, on SQLite and PostgreSQL alike)."""
    if first_day > last_day:
        raise ValueError("`first_day` must not be after `last_day`.")
    zone = timezone.get_default_timezone()
    rows = (
        _base(tickets)
        .filter(created_at__gte=local_midnight(first_day), created_at__lt=local_midnight(last_day + timedelta(days=1)))
        .annotate(stat_day=TruncDate("created_at", tzinfo=zone))
        .values("stat_day")
        .annotate(
            n_done=Count("pk", filter=_RESOLVED),
            n_not_done=Count("pk", filter=_OPEN),
            n_rejected=Count("pk", filter=_REJECTED),
        )
        .order_by()
    )
    found = {row["stat_day"]: row for row in rows}
    days = []
    for offset in range((last_day - first_day).days + 1):
        day = first_day + timedelta(days=offset)
        row = found.get(day, {})
        days.append(
            DayCounts(
                day=day,
                done=row.get("n_done", 0),
                not_done=row.get("n_not_done", 0),
                rejected=row.get("n_rejected", 0),
            )
        )
    return days
