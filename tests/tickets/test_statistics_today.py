"""Ticket statistics of today: the local day in Europe/Warsaw (summer and winter time, the
days of 23 and 25 hours), what happened on it whatever day a ticket was reported, the day
changing at midnight in Warsaw and not in UTC, the clock when no moment is given, and
naive moments read in Warsaw time.

The cast is `cast` of tests/conftest.py (once per module), the category `water` of
tests/tickets/conftest.py; the moments, expected figures and ticket makers are
`statistics_kit.py`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from operations.tickets.selectors.figures import local_day, ticket_statistics
from tests.tickets.statistics_kit import (
    NOTHING,
    NOW,
    T0,
    D,
    H,
    S,
    clock,
    figures,
    make,
)

pytestmark = pytest.mark.django_db


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


# --- Naive moments ---------------------------------------------------------------------------


def test_naive_moments_are_read_in_warsaw_time(today_data):
    naive_now = datetime(2026, 1, 15, 10, 0)  # 10:00 in Warsaw
    stats = ticket_statistics(since=datetime(2026, 1, 15, 0, 0), now=naive_now)
    assert (stats.since, stats.until) == (datetime(2026, 1, 14, 23, tzinfo=UTC), NOW)
    assert stats.today == ticket_statistics(now=NOW).today
    assert stats.period.reported == 2  # reported since midnight in Warsaw
