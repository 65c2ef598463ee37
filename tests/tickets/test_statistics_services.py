"""Ticket statistics of what the services really write: tickets reported through the
service with its clock set (`report_at`), then reopened, rated, closed by the system,
given back by the firm, rejected or marked overdue through the services under a set
clock, and counted.

The cast is `cast` of tests/conftest.py (once per module), the categories `water` and
`power` of tests/tickets/conftest.py; the moments, expected figures and clock are
`statistics_kit.py`.
"""

from __future__ import annotations

import pytest

from operations.tickets import services
from operations.tickets.models import Ticket
from operations.tickets.selectors.figures import ticket_statistics
from tests.factories import tickets as tf
from tests.tickets.statistics_kit import (
    NOTHING,
    NOW,
    D,
    H,
    S,
    clock,
    figures,
)

pytestmark = pytest.mark.django_db


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
