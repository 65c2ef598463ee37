"""The ticket workflow: rating the work, reopening within the window, and closing done
tickets nobody confirmed.

The cast is `cast` of tests/conftest.py (once per module); the helpers are
`workflow_kit.py`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from operations.messaging.models import Message
from operations.tickets import services
from operations.tickets.errors import TicketErrorCode
from operations.tickets.models import Ticket, TicketEvent
from tests.tickets.workflow_kit import (
    S,
    assert_refused_and_unchanged,
    person,
    ticket_in,
)

pytestmark = pytest.mark.django_db


# --- Rating, reopening, closing --------------------------------------------------------------


@pytest.mark.parametrize("rating", [1, 2, 3, 4, 5])
def test_rating_the_work_closes_the_ticket(cast, rating):
    ticket = ticket_in(cast, S.DONE)
    services.ticket_rate(ticket=ticket, actor=cast.reporter, rating=rating, comment="  Dziękuję.  ")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating, ticket.rating_comment) == (S.CLOSED, rating, "Dziękuję.")
    assert ticket.closed_at is not None
    assert ticket.events.filter(kind=TicketEvent.Kind.RATED, actor=cast.reporter).count() == 1


@pytest.mark.parametrize("rating", [0, 6, -1, 10])
def test_a_rating_outside_one_to_five_is_refused(cast, rating):
    ticket = ticket_in(cast, S.DONE)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_rate(ticket=ticket, actor=cast.reporter, rating=rating),
        TicketErrorCode.RATING_INVALID,
    )


@pytest.mark.parametrize("rating", ["abc", None, ""])
def test_a_rating_that_is_not_a_whole_number_is_a_typed_refusal(cast, rating):
    ticket = ticket_in(cast, S.DONE)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_rate(ticket=ticket, actor=cast.reporter, rating=rating),
        TicketErrorCode.RATING_INVALID,
    )


@pytest.mark.parametrize("kind", ["dispatcher", "firm_worker", "board", "neighbour", "anonymous"])
def test_only_the_residents_of_the_unit_rate(cast, kind):
    ticket = ticket_in(cast, S.DONE)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_rate(ticket=ticket, actor=person(cast, kind), rating=4),
        {TicketErrorCode.FORBIDDEN, TicketErrorCode.TRANSITION_NOT_ALLOWED},
    )
    services.ticket_rate(ticket=ticket, actor=cast.co_resident, rating=4)


@pytest.mark.parametrize("start", [s for s in S.values if s != S.DONE])
def test_only_done_tickets_are_rated(cast, start):
    ticket = ticket_in(cast, start)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_rate(ticket=ticket, actor=cast.reporter, rating=5),
        {TicketErrorCode.TRANSITION_NOT_ALLOWED, TicketErrorCode.FORBIDDEN},
    )


@pytest.mark.parametrize("with_firm", [True, False], ids=["back-to-the-firm", "back-to-dispatch"])
def test_reopening_within_the_window(cast, settings, with_firm):
    settings.TICKET_REOPEN_DAYS = 3
    ticket = ticket_in(cast, S.DONE, contractor="firm" if with_firm else None, done_days_ago=2.9)
    Ticket.objects.filter(pk=ticket.pk).update(warned_at=timezone.now(), overdue_at=timezone.now())
    before = timezone.now()
    services.ticket_reopen(ticket=ticket, actor=cast.reporter, reason="Nadal cieknie.")
    ticket.refresh_from_db()
    assert ticket.status == (S.ASSIGNED if with_firm else S.ACCEPTED)
    assert (ticket.reopened_count, ticket.done_at, ticket.warned_at, ticket.overdue_at) == (1, None, None, None)
    assert before + timedelta(hours=cast.category.resolution_hours) <= ticket.due_at
    assert ticket.events.last().note == "Nadal cieknie."


def test_reopening_after_the_window_is_refused(cast, settings):
    settings.TICKET_REOPEN_DAYS = 3
    ticket = ticket_in(cast, S.DONE, done_days_ago=3.01)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_reopen(ticket=ticket, actor=cast.reporter, reason="Nadal cieknie."),
        TicketErrorCode.REOPEN_EXPIRED,
    )


def test_reopening_a_ticket_the_system_closed_after_the_window_says_it_expired(cast, settings):
    """Once the window has passed the closing task closes the ticket; the resident who then
    tries to reopen should read "report anew" (REOPEN_EXPIRED), as one a minute earlier would."""
    settings.TICKET_REOPEN_DAYS = 3
    ticket = ticket_in(cast, S.DONE, done_days_ago=4)
    services.tickets_close_unconfirmed()
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_reopen(ticket=ticket, actor=cast.reporter, reason="Nadal cieknie."),
        TicketErrorCode.REOPEN_EXPIRED,
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopening_says_what_is_still_wrong(cast, reason):
    ticket = ticket_in(cast, S.DONE)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_reopen(ticket=ticket, actor=cast.reporter, reason=reason),
        TicketErrorCode.NOTE_REQUIRED,
    )


@pytest.mark.parametrize("kind", ["firm_worker", "board", "neighbour", "other_worker", "anonymous"])
def test_only_the_residents_and_staff_reopen(cast, kind):
    ticket = ticket_in(cast, S.DONE)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_reopen(ticket=ticket, actor=person(cast, kind), reason="Nadal cieknie."),
        {TicketErrorCode.FORBIDDEN, TicketErrorCode.TRANSITION_NOT_ALLOWED},
    )


@pytest.mark.parametrize("start", [s for s in S.values if s != S.DONE])
@pytest.mark.parametrize("with_firm", [True, False], ids=["firm", "no-firm"])
def test_only_done_tickets_are_reopened(cast, start, with_firm):
    """Reopening is done → accepted/assigned; a dispatcher "reopening" a new or assigned
    ticket would count a reopening that never happened and move its deadline."""
    ticket = ticket_in(cast, start, contractor="firm" if with_firm else None)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_reopen(ticket=ticket, actor=cast.dispatcher, reason="Nadal cieknie."),
        TicketErrorCode.TRANSITION_NOT_ALLOWED,
    )


def test_unconfirmed_done_tickets_close_themselves_after_the_window_once(cast, settings):
    settings.TICKET_REOPEN_DAYS = 5
    stale = ticket_in(cast, S.DONE, done_days_ago=5.01)
    recent = ticket_in(cast, S.DONE, done_days_ago=4.9)
    working = ticket_in(cast, S.IN_PROGRESS)
    assert services.tickets_close_unconfirmed() == 1
    for ticket in (stale, recent, working):
        ticket.refresh_from_db()
    assert (stale.status, recent.status, working.status) == (S.CLOSED, S.DONE, S.IN_PROGRESS)
    event = stale.events.last()
    assert (event.from_status, event.to_status, event.actor_id) == (S.DONE, S.CLOSED, None)
    events, messages = TicketEvent.objects.count(), Message.objects.count()
    assert services.tickets_close_unconfirmed() == 0
    assert (TicketEvent.objects.count(), Message.objects.count()) == (events, messages)
    # Later the recent one is due as well; `now` lets beat's clock be simulated.
    later = timezone.now() + timedelta(days=1)
    assert services.tickets_close_unconfirmed(now=later) == 1
    recent.refresh_from_db()
    assert recent.status == S.CLOSED


def test_the_closing_task_runs_the_service(cast, settings):
    from operations.tickets import tasks

    settings.TICKET_REOPEN_DAYS = 1
    ticket = ticket_in(cast, S.DONE, done_days_ago=2)
    assert tasks.tickets_close_unconfirmed.delay().result == 1
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED
