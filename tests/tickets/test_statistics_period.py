"""Ticket statistics over a period: every figure of the tickets reported in it and of
each category, building and contractor, counted exactly from tickets with known
timestamps; the clusters of faults; the arguments refused; and a number of SQL queries
that does not grow with the tickets, categories, buildings or contractors.

Today's figures (the local day in Europe/Warsaw) are test_statistics_today.py; what the
services write (reopening, rating, closing, giving back) is test_statistics_services.py.
The cast is `cast` of tests/conftest.py (once per module), the categories `water` and
`power` of tests/tickets/conftest.py; the moments, expected figures and ticket makers
are `statistics_kit.py`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from operations.tickets.models import Ticket, TicketEvent
from operations.tickets.selectors.figures import Cluster, ticket_statistics
from tests.factories import tickets as tf
from tests.factories.residents import BuildingFactory, UnitFactory
from tests.tickets.statistics_kit import (
    NOTHING,
    NOW,
    QUERIES,
    T0,
    D,
    H,
    S,
    figures,
    make,
    rows,
)

pytestmark = pytest.mark.django_db


# --- Nothing at all --------------------------------------------------------------------------


def test_without_tickets_everything_is_zero_and_no_average_is_made_up(cast):
    stats = ticket_statistics(now=NOW)
    assert stats.since is None and stats.until == NOW
    assert stats.today == NOTHING and stats.period == NOTHING
    assert stats.by_category == stats.by_building == stats.by_contractor == stats.clusters == []


# --- The period and the breakdowns -----------------------------------------------------------


@pytest.fixture
def period_data(cast, water, power):
    """Six tickets, one a day from T0, in buildings A (the reporter) and B (the stranger):

    a  A/water  handed to the firm, done after 25 h, confirmed (closed)  first response 1 h
    b  A/water  handed to the firm, done after 47 h (not confirmed yet)  first response 2 h
    c  A/power  rejected after 3 h (rejection is the first response)    first response 3 h
    d  B/water  with the other firm, in progress, overdue                first response 6 h
    e  B/power  new, untouched
    f  A/water  handed, given back by the firm (no firm now), overdue   first response 1 h
    """
    reporter, stranger = cast.reporter, cast.stranger
    day = [T0 + n * D for n in range(6)]
    return {
        "a": make(
            day[0],
            reporter,
            water,
            status=S.CLOSED,
            contractor=cast.firm,
            assigned_at=day[0] + H,
            first_response_at=day[0] + H,
            done_at=day[0] + 25 * H,
            closed_at=day[0] + 30 * H,
        ),
        "b": make(
            day[1],
            reporter,
            water,
            status=S.DONE,
            contractor=cast.firm,
            assigned_at=day[1] + 2 * H,
            first_response_at=day[1] + 2 * H,
            done_at=day[1] + 47 * H,
        ),
        "c": make(
            day[2], reporter, power, status=S.REJECTED, first_response_at=day[2] + 3 * H, closed_at=day[2] + 3 * H
        ),
        "d": make(
            day[3],
            stranger,
            water,
            status=S.IN_PROGRESS,
            contractor=cast.other_firm,
            assigned_at=day[3] + 4 * H,
            first_response_at=day[3] + 6 * H,
            overdue_at=day[3] + 48 * H,
        ),
        "e": make(day[4], stranger, power),
        "f": make(
            day[5],
            reporter,
            water,
            status=S.ACCEPTED,
            assigned_at=day[5] + H,
            first_response_at=day[5] + H,
            overdue_at=day[5] + 48 * H,
        ),
    }


def test_the_period_counts_every_figure_of_the_tickets_reported_in_it(period_data):
    stats = ticket_statistics(now=NOW)
    assert stats.period == figures(
        reported=6,
        handed=4,  # a, b, d and f: f was given back but was handed over
        done=2,  # a (closed) and b (done); c is rejected, not done
        not_done=3,  # d, e, f
        rejected=1,
        overdue=2,  # d, f
        first=timedelta(hours=13) / 5,  # (1 + 2 + 3 + 6 + 1) / 5 hours
        resolution=timedelta(hours=36),  # (25 + 47) / 2: done_at, not the closing of a
    )
    assert stats.period.done + stats.period.not_done + stats.period.rejected == stats.period.reported


def test_the_period_is_from_since_inclusive_to_until_exclusive(period_data):
    since, until = T0 + D, T0 + 5 * D  # exactly when b and f were reported
    stats = ticket_statistics(since=since, until=until, now=NOW)
    assert (stats.since, stats.until) == (since, until)
    assert stats.period == figures(
        reported=4,  # b, c, d, e
        handed=2,
        done=1,
        not_done=2,
        rejected=1,
        overdue=1,
        first=timedelta(hours=11) / 3,  # b 2 h, c 3 h, d 6 h
        resolution=timedelta(hours=47),
    )
    just_after = ticket_statistics(since=since + timedelta(microseconds=1), until=until, now=NOW)
    assert just_after.period.reported == 3
    assert ticket_statistics(until=T0, now=NOW).period == NOTHING
    assert ticket_statistics(until=T0 + timedelta(microseconds=1), now=NOW).period.reported == 1
    assert ticket_statistics(since=T0 + 6 * D, now=NOW).period == NOTHING


def test_by_category(period_data, water, power):
    stats = ticket_statistics(now=NOW)
    assert rows(stats.by_category) == [
        (water.pk, "Krany i piony", figures(4, 4, 2, 2, 0, 2, timedelta(hours=10) / 4, timedelta(hours=36))),
        (power.pk, "Oświetlenie klatek", figures(2, 0, 0, 1, 1, 0, timedelta(hours=3), None)),
    ]


def test_by_building_labelled_with_code_and_address(cast, period_data):
    stats = ticket_statistics(now=NOW)
    a, b = cast.building, cast.other_building
    assert rows(stats.by_building) == [
        (a.pk, f"{a.code} – ul. Lipowa 1, {a.postal_code} {a.city}", figures(4, 3, 2, 1, 1, 1, 7 * H / 4, 36 * H)),
        (b.pk, f"{b.code} – ul. Lipowa 3, {b.postal_code} {b.city}", figures(2, 1, 0, 2, 0, 1, 6 * H, None)),
    ]
    assert stats.by_building[0].label == str(a)


def test_by_contractor_with_a_row_for_tickets_without_one(cast, period_data):
    with translation.override("en"):
        stats = ticket_statistics(now=NOW)
    assert rows(stats.by_contractor) == [
        (None, "No contractor", figures(3, 1, 0, 2, 1, 1, 2 * H, None)),  # c, e and f (given back)
        (cast.firm.pk, cast.firm.title, figures(2, 2, 2, 0, 0, 0, 3 * H / 2, 36 * H)),
        (cast.other_firm.pk, cast.other_firm.title, figures(1, 1, 0, 1, 0, 1, 6 * H, None)),
    ]


def test_breakdowns_follow_the_period(cast, period_data, water):
    stats = ticket_statistics(since=T0 + 5 * D, now=NOW)  # only f
    assert rows(stats.by_category) == [(water.pk, "Krany i piony", figures(1, 1, 0, 1, 0, 1, H, None))]
    assert [item.key for item in stats.by_building] == [cast.building.pk]
    assert [item.key for item in stats.by_contractor] == [None]


def test_the_breakdowns_add_up_to_the_period(period_data):
    stats = ticket_statistics(now=NOW)
    for breakdown in (stats.by_category, stats.by_building, stats.by_contractor):
        for field in ("reported", "handed_to_contractors", "done", "not_done", "rejected", "overdue"):
            assert sum(getattr(item.figures, field) for item in breakdown) == getattr(stats.period, field)


def test_a_given_queryset_narrows_everything_and_its_joins_duplicate_nothing(cast, period_data):
    in_a = Ticket.objects.filter(building=cast.building)
    for _ in range(2):
        TicketEvent.objects.create(ticket=period_data["a"], kind=TicketEvent.Kind.STATUS)
    stats = ticket_statistics(now=NOW, tickets=in_a)
    assert stats.period == figures(4, 3, 2, 1, 1, 1, 7 * H / 4, 36 * H)
    assert [item.key for item in stats.by_building] == [cast.building.pk]
    # A join over the history gives each ticket several rows; an ordering and related
    # tables come with the admin's list. None of it may change a figure.
    joined = Ticket.objects.filter(events__kind__in=["created", "status"]).select_related("category").order_by("title")
    assert joined.count() > 6
    assert ticket_statistics(now=NOW, tickets=joined) == ticket_statistics(now=NOW)


# --- Clusters --------------------------------------------------------------------------------


@pytest.fixture
def clustered(cast, water, power):
    """A/water 4, B/power 3, A/power 2, B/water 2 in the period; two more B/water before it."""
    reporter, stranger = cast.reporter, cast.stranger
    moment = iter(T0 + n * H for n in range(100))
    for who, category, count in [
        (reporter, water, 4),
        (stranger, power, 3),
        (reporter, power, 2),
        (stranger, water, 2),
    ]:
        for _ in range(count):
            make(next(moment), who, category)
    for _ in range(2):
        make(T0 - D, stranger, water)


def test_clusters_are_the_places_and_kinds_with_most_tickets(cast, water, power, clustered):
    a, b = cast.building, cast.other_building
    stats = ticket_statistics(since=T0, now=NOW)
    assert stats.clusters == [
        Cluster(a.pk, str(a), water.pk, "Krany i piony", 4),
        Cluster(b.pk, str(b), power.pk, "Oświetlenie klatek", 3),
        Cluster(a.pk, str(a), power.pk, "Oświetlenie klatek", 2),  # ties: building A before B
        Cluster(b.pk, str(b), water.pk, "Krany i piony", 2),
    ]
    # Without the lower bound the two older tickets make B/water the second cluster.
    assert ticket_statistics(now=NOW).clusters[1] == Cluster(b.pk, str(b), water.pk, "Krany i piony", 4)


def test_clusters_are_limited_and_single_tickets_are_no_cluster(cast, clustered, water):
    stats = ticket_statistics(since=T0, now=NOW, cluster_limit=2)
    assert [cluster.count for cluster in stats.clusters] == [4, 3]
    assert ticket_statistics(since=T0, now=NOW, cluster_limit=0).clusters == []
    make(T0 + 5 * D, cast.neighbour, tf.CategoryFactory(name="Domofony"))  # one ticket only
    assert [cluster.count for cluster in ticket_statistics(since=T0, now=NOW).clusters] == [4, 3, 2, 2]


# --- Arguments -------------------------------------------------------------------------------


def test_impossible_arguments_are_refused(cast):
    with pytest.raises(ValueError):
        ticket_statistics(since=NOW, until=NOW - H, now=NOW)
    with pytest.raises(ValueError):
        ticket_statistics(now=NOW, cluster_limit=-1)
    with pytest.raises(TypeError):
        ticket_statistics(now=NOW, tickets=TicketEvent.objects.all())


# --- Queries ---------------------------------------------------------------------------------


def _count_queries() -> int:
    with CaptureQueriesContext(connection) as captured:
        stats = ticket_statistics(now=NOW)
    assert stats.period.reported  # something was counted
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_tickets_categories_buildings_or_contractors(cast):
    category = tf.CategoryFactory()
    for n in range(3):
        make(NOW - (n + 1) * H, cast.reporter, category, status=S.ASSIGNED, contractor=cast.firm, assigned_at=NOW)
    small = _count_queries()

    categories = [category] + [tf.CategoryFactory() for _ in range(4)]
    people = [cast.reporter, cast.stranger]
    for _ in range(3):
        unit = UnitFactory(building=BuildingFactory())
        people.append(tf.resident(unit))
    firms = [cast.firm, cast.other_firm, None]
    for n in range(27):
        contractor = firms[n % 3]
        make(
            NOW - (n + 1) * 5 * H,
            people[n % 5],
            categories[n % 5],
            status=[S.ASSIGNED, S.DONE, S.REJECTED][n % 3],
            contractor=contractor,
            assigned_at=NOW - H if contractor else None,
            first_response_at=NOW - H,
            done_at=NOW - H,
        )
    stats = ticket_statistics(now=NOW)
    assert (len(stats.by_category), len(stats.by_building), len(stats.by_contractor)) == (5, 5, 3)
    assert len(stats.clusters) == 5  # each building with one category
    large = _count_queries()
    assert small == large == QUERIES
