"""What the ticket statistics tests share: the moments they happen at (Warsaw time), the
figures expected, the services' clock set to a moment, and tickets made with known
timestamps."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from operations.tickets.models import Ticket
from operations.tickets.selectors.figures import Breakdown, Figures
from tests.factories import tickets as tf

S = Ticket.Status
H = timedelta(hours=1)
D = timedelta(days=1)
WARSAW = ZoneInfo("Europe/Warsaw")
T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # the first ticket of the period data
NOW = datetime(2026, 1, 15, 10, 0, tzinfo=WARSAW)  # 09:00 UTC, winter time (UTC+1)
QUERIES = 6  # today, period, three breakdowns, clusters

NOTHING = Figures(
    reported=0,
    handed_to_contractors=0,
    done=0,
    not_done=0,
    rejected=0,
    overdue=0,
    avg_first_response=None,
    avg_resolution=None,
)


def figures(reported=0, handed=0, done=0, not_done=0, rejected=0, overdue=0, first=None, resolution=None) -> Figures:
    return Figures(
        reported=reported,
        handed_to_contractors=handed,
        done=done,
        not_done=not_done,
        rejected=rejected,
        overdue=overdue,
        avg_first_response=first,
        avg_resolution=resolution,
    )


@contextmanager
def clock(moment: datetime):
    """The services' clock (and the statistics' default `now`) says `moment`."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def make(reported: datetime, reporter, category, **stamps) -> Ticket:
    """A ticket reported by `reporter` (in their unit) at `reported`, then given `stamps`
    (status, timestamps, contractor) as they are in the database, bypassing the services."""
    ticket = tf.report_at(reported, reporter, category=category)
    if stamps:
        Ticket.objects.filter(pk=ticket.pk).update(**stamps)
    ticket.refresh_from_db()
    return ticket


def rows(breakdowns: list[Breakdown]) -> list[tuple]:
    return [(item.key, item.label, item.figures) for item in breakdowns]
