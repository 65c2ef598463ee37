"""Ticket statistics: every figure of the period, of today (the local day in Europe/Warsaw)
and of each category, building and contractor, counted exactly from tickets with known
timestamps; the clusters of faults; and a number of SQL queries that does not grow with
the tickets, categories, buildings or contractors.

Tickets are reported through the service with its clock set (`report_at`); what happened
to them afterwards is either stamped on them directly (known timestamps) or done through
the services under a set clock (reopening, rating, the system's closing, a firm giving a
ticket back), so that the statistics read what the services really write.

The cast is `cast` of tests/conftest.py (once per module); the moments, expected figures
and ticket makers are `statistics_kit.py`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from operations.tickets import services
from operations.tickets.models import Ticket, TicketEvent
from operations.tickets.selectors.figures import Cluster, local_day, ticket_statistics
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
    clock,
    figures,
    make,
    rows,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def water(cast):
    return tf.CategoryFactory(name="Krany i piony", resolution_hours=48)


@pytest.fixture
def power(cast):
    return tf.CategoryFactory(name="Oświetlenie klatek", resolution_hours=48)


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


# --- Today -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "start_utc", "end_utc"),
    [
        (NOW, datetime(2026, 1, 14, 23, tzinfo=UTC), datetime(2026, 1, 15, 23, tzinfo=UTC)),
        (datetime(2026, 1, 14, 23, 30, tzinfo=UTC), datetime(2026, 1, 14, 23, tzinfo=UTC), None),
        (datetime(2026, 1, 14, 22, 59, tzinfo=UTC), datetime(2026, 1, 13, 23, tzinfo=UTC), None),
        (datetime(2026, 7, 15, 1, 0, tzinfo=UTC), datetime(2026, 7, 14, 22, tzinfo=UTC), None),  # summer, UTC+2
        # The spring change: the local day of 29 March 2026 has 23 hours, of 25 October 25.
        (
            datetime(2026, 3, 29, 12, tzinfo=UTC),
            datetime(2026, 3, 28, 23, tzinfo=UTC),
            datetime(2026, 3, 29, 22, tzinfo=UTC),
        ),
        (
            datetime(2026, 10, 25, 12, tzinfo=UTC),
            datetime(2026, 10, 24, 22, tzinfo=UTC),
            datetime(2026, 10, 25, 23, tzinfo=UTC),
        ),
    ],
)
def test_today_is_the_local_day_in_warsaw(now, start_utc, end_utc):
    start, end = local_day(now)
    assert start == start_utc
    assert end == (end_utc or start_utc + D)


@pytest.fixture
def today_data(cast, water):
    """Tickets around today, 15 January 2026 in Warsaw (00:00 local is 23:00 UTC on the 14th)."""
    utc = lambda *args: datetime(2026, 1, *args, tzinfo=UTC)  # noqa: E731
    reporter = cast.reporter
    return {
        # Reported at 00:30 local today, nothing else yet.
        "just_after_midnight": make(utc(14, 23, 30), reporter, water),
        # Reported at 23:59:59 local yesterday.
        "just_before_midnight": make(utc(14, 22, 59, 59), reporter, water),
        # Reported yesterday, handed to the firm this morning (that was its first response).
        "handed_today": make(
            utc(14, 9),
            reporter,
            water,
            status=S.ASSIGNED,
            contractor=cast.firm,
            assigned_at=utc(15, 7),
            first_response_at=utc(15, 7),
        ),
        # Reported and handed over yesterday (00:30 local yesterday is 23:30 UTC two days ago).
        "handed_yesterday": make(
            utc(13, 23, 30),
            reporter,
            water,
            status=S.ASSIGNED,
            contractor=cast.firm,
            assigned_at=utc(14, 22, 30),
            first_response_at=utc(14, 22, 30),
        ),
        # Reported five days ago, done this morning.
        "done_today": make(
            utc(10, 8),
            reporter,
            water,
            status=S.DONE,
            contractor=cast.firm,
            assigned_at=utc(10, 9),
            first_response_at=utc(10, 9),
            done_at=utc(15, 8),
        ),
        # Done yesterday evening, confirmed by the resident today: done yesterday.
        "confirmed_today": make(
            utc(12, 8),
            reporter,
            water,
            status=S.CLOSED,
            contractor=cast.firm,
            assigned_at=utc(12, 9),
            first_response_at=utc(12, 9),
            done_at=utc(14, 20),
            closed_at=utc(15, 8, 30),
        ),
        # Reported today and already done.
        "reported_and_done_today": make(
            utc(15, 0, 30),
            reporter,
            water,
            status=S.DONE,
            contractor=cast.firm,
            assigned_at=utc(15, 1, 30),
            first_response_at=utc(15, 2, 30),
            done_at=utc(15, 6, 30),
        ),
        # Rejected this morning, two days after it was reported.
        "rejected_today": make(
            utc(13, 6), reporter, water, status=S.REJECTED, first_response_at=utc(15, 6), closed_at=utc(15, 6)
        ),
        # Rejected yesterday.
        "rejected_yesterday": make(
            utc(13, 7), reporter, water, status=S.REJECTED, first_response_at=utc(14, 7), closed_at=utc(14, 7)
        ),
        # Overdue since this morning, and since yesterday.
        "overdue_today": make(utc(12, 5), reporter, water, status=S.ACCEPTED, overdue_at=utc(15, 5)),
        "overdue_yesterday": make(utc(12, 6), reporter, water, status=S.ACCEPTED, overdue_at=utc(14, 6)),
        # Marked overdue today, then done today: no longer overdue.
        "overdue_then_done": make(
            utc(12, 7),
            reporter,
            water,
            status=S.DONE,
            contractor=cast.firm,
            assigned_at=utc(12, 8),
            first_response_at=utc(12, 8),
            overdue_at=utc(15, 0),
            done_at=utc(15, 7),
        ),
    }


def test_today_counts_what_happened_today_whatever_day_it_was_reported(today_data):
    stats = ticket_statistics(now=NOW)
    assert stats.today == figures(
        reported=2,  # just after midnight, reported and done today
        handed=2,  # handed today (reported yesterday), reported and done today
        done=3,  # done today, reported and done today, overdue then done (not: confirmed today)
        not_done=1,  # just after midnight
        rejected=1,
        overdue=1,  # overdue today (still open)
        # First responses today: handed today 22 h, reported and done 2 h, rejected today 48 h.
        first=timedelta(hours=72) / 3,
        # Done today: 5 days, 6 hours, 3 days.
        resolution=(5 * D + 6 * H + 3 * D) / 3,
    )


def test_today_is_the_day_of_now_whatever_the_period(today_data):
    past_period = ticket_statistics(since=T0, until=T0 + D, now=NOW)
    assert past_period.period == NOTHING
    assert past_period.today == ticket_statistics(now=NOW).today


def test_the_local_day_changes_at_midnight_in_warsaw_not_in_utc(today_data):
    # 23:45 UTC on the 14th is already the 15th in Warsaw: the same today as at 10:00.
    assert ticket_statistics(now=datetime(2026, 1, 14, 23, 45, tzinfo=UTC)).today.reported == 2
    # 22:45 UTC on the 14th is still the 14th in Warsaw: reported on the 14th local were
    # just before midnight, handed today and handed yesterday (00:30 local, 23:30 UTC on the 13th).
    yesterday = ticket_statistics(now=datetime(2026, 1, 14, 22, 45, tzinfo=UTC)).today
    assert (yesterday.reported, yesterday.handed_to_contractors, yesterday.rejected) == (3, 1, 1)
    assert yesterday.done == 1  # confirmed_today was done on the 14th
    # The 16th in Warsaw begins at 23:00 UTC on the 15th.
    assert ticket_statistics(now=datetime(2026, 1, 15, 23, 0, tzinfo=UTC)).today == NOTHING


def test_today_uses_the_clock_when_now_is_not_given(today_data):
    with clock(NOW):
        stats = ticket_statistics()
    assert stats.until == NOW
    assert stats.today == ticket_statistics(now=NOW).today


# --- Through the services: reopening, rating, closing, giving back ---------------------------


def test_a_reopened_ticket_is_not_done_until_it_is_done_again(cast, water):
    reported = NOW - 3 * D
    ticket = tf.report_at(reported, cast.reporter, category=water)
    with clock(reported + H):
        services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    with clock(reported + 2 * H):
        services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.IN_PROGRESS)
    with clock(reported + 10 * H):
        services.ticket_transition(
            ticket=ticket, actor=cast.firm_worker, to_status=S.DONE, note="Wymieniono uszczelkę."
        )
    done_once = ticket_statistics(now=NOW).period
    assert (done_once.done, done_once.not_done, done_once.avg_resolution) == (1, 0, 10 * H)

    with clock(NOW - H):  # reopened this morning
        services.ticket_reopen(ticket=ticket, actor=cast.reporter, reason="Znowu kapie.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.done_at) == (S.ASSIGNED, None)
    stats = ticket_statistics(now=NOW)
    assert stats.period == figures(
        reported=1, handed=1, done=0, not_done=1, rejected=0, overdue=0, first=H, resolution=None
    )
    assert stats.today == NOTHING  # reopening is none of today's figures

    with clock(NOW):
        services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.IN_PROGRESS)
    with clock(NOW + H):  # done again
        services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.DONE, note="Teraz szczelnie.")
    stats = ticket_statistics(now=NOW + 2 * H)
    # The resolution time runs to the last time it was done, rework included.
    assert stats.period == figures(
        reported=1, handed=1, done=1, not_done=0, rejected=0, overdue=0, first=H, resolution=3 * D + H
    )
    assert stats.today == figures(done=1, resolution=3 * D + H)


def test_done_today_and_reopened_today_is_not_done_today(cast, water):
    ticket = tf.report_at(NOW - 2 * D, cast.reporter, category=water)
    with clock(NOW - 5 * H):
        tf.put_in_status(ticket, S.DONE, contractor=cast.firm)
    assert ticket_statistics(now=NOW).today.done == 1
    with clock(NOW - H):
        services.ticket_reopen(ticket=ticket, actor=cast.reporter, reason="Nadal nie działa.")
    # Still handed over today (when it was done, through `put_in_status`), but not done.
    assert ticket_statistics(now=NOW).today == figures(handed=1)


def test_closing_by_rating_or_by_the_system_keeps_the_time_it_was_done(cast, water):
    reported = NOW - 20 * D
    rated = tf.report_at(reported, cast.reporter, category=water)
    unconfirmed = tf.report_at(reported, cast.reporter, category=water)
    for ticket in (rated, unconfirmed):
        with clock(reported + H):
            services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm)
        with clock(reported + 2 * H):
            services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.IN_PROGRESS)
        with clock(reported + 1 * D):
            services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.DONE, note="Gotowe.")
    with clock(reported + 2 * D):
        services.ticket_rate(ticket=rated, actor=cast.reporter, rating=5)
    with clock(reported + 9 * D):
        assert services.tickets_close_unconfirmed() == 1
    assert set(Ticket.objects.values_list("status", flat=True)) == {S.CLOSED}
    assert ticket_statistics(now=NOW).period == figures(
        reported=2, handed=2, done=2, not_done=0, rejected=0, overdue=0, first=H, resolution=D
    )


def test_a_ticket_the_firm_gave_back_was_handed_over_but_has_no_contractor(cast, water):
    ticket = tf.report_at(NOW - 2 * H, cast.reporter, category=water)
    with clock(NOW - H):
        services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm)
    with clock(NOW - H / 2):
        services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.ACCEPTED, note="Nie nasz zakres.")
    stats = ticket_statistics(now=NOW)
    assert stats.period.handed_to_contractors == stats.today.handed_to_contractors == 1
    assert [(item.key, item.figures.reported) for item in stats.by_contractor] == [(None, 1)]


def test_a_rejected_ticket_is_neither_done_nor_open_nor_in_the_resolution_time(cast, water):
    ticket = tf.report_at(NOW - 5 * H, cast.reporter, category=water)
    with clock(NOW - 3 * H):
        services.ticket_transition(ticket=ticket, actor=cast.dispatcher, to_status=S.REJECTED, note="To nie awaria.")
    expected = figures(reported=1, rejected=1, first=2 * H)
    stats = ticket_statistics(now=NOW)
    assert stats.period == expected
    assert stats.today == expected


def test_overdue_is_the_escalations_mark_on_open_tickets(cast, power):
    ticket = tf.report_at(NOW - 3 * D, cast.reporter, category=power)  # 48-hour deadline
    assert services.tickets_escalate(now=NOW - H)["overdue"] == 1
    stats = ticket_statistics(now=NOW)
    assert (stats.period.overdue, stats.today.overdue) == (1, 1)
    with clock(NOW - H / 2):
        services.ticket_transition(ticket=ticket, actor=cast.dispatcher, to_status=S.REJECTED, note="Zdublowane.")
    stats = ticket_statistics(now=NOW)
    assert (stats.period.overdue, stats.today.overdue, stats.period.rejected) == (0, 0, 1)


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


def test_naive_moments_are_read_in_warsaw_time(today_data):
    naive_now = datetime(2026, 1, 15, 10, 0)  # 10:00 in Warsaw
    stats = ticket_statistics(since=datetime(2026, 1, 15, 0, 0), now=naive_now)
    assert (stats.since, stats.until) == (datetime(2026, 1, 14, 23, tzinfo=UTC), NOW)
    assert stats.today == ticket_statistics(now=NOW).today
    assert stats.period.reported == 2  # reported since midnight in Warsaw


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
