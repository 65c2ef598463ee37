"""The ticket workflow: assigning a ticket to a firm, handing it to another, the firm
declining or accepting it.

The cast is `cast` of tests/conftest.py (once per module); the helpers are
`workflow_kit.py`.
"""

from __future__ import annotations

import pytest

from operations.tickets import selectors, services
from operations.tickets.errors import TicketErrorCode
from tests.factories import tickets as tf
from tests.tickets.workflow_kit import (
    S,
    assert_refused_and_unchanged,
    new_ticket,
    person,
    ticket_in,
)

pytestmark = pytest.mark.django_db


# --- Assignment ------------------------------------------------------------------------------

NON_STAFF = ["reporter", "co_resident", "firm_worker", "board", "neighbour", "other_worker", "anonymous"]


@pytest.mark.parametrize("start", S.values)
@pytest.mark.parametrize("kind", NON_STAFF)
def test_only_staff_assign_a_ticket_whatever_its_status(cast, start, kind):
    """Handing a ticket to a firm is a dispatcher's decision; the table's (done → assigned)
    for the reporter is reopening, which has its own service and rules."""
    ticket = ticket_in(cast, start)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_assign(ticket=ticket, actor=person(cast, kind), contractor=cast.other_firm),
        {TicketErrorCode.FORBIDDEN, TicketErrorCode.TRANSITION_NOT_ALLOWED, TicketErrorCode.NOT_AUTHENTICATED},
    )


def test_assigning_a_done_ticket_is_reopening_not_assignment(cast):
    ticket = ticket_in(cast, S.DONE)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.other_firm),
        TicketErrorCode.TRANSITION_NOT_ALLOWED,
    )


def test_assignment_to_a_worker_of_another_firm_or_an_unpublished_firm_is_refused(cast):
    ticket = new_ticket(cast)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_assign(
            ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.other_worker
        ),
        TicketErrorCode.WORKER_INVALID,
    )
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=None),
        TicketErrorCode.CONTRACTOR_INVALID,
    )
    hidden = tf.firm(live=False)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=hidden),
        TicketErrorCode.CONTRACTOR_INVALID,
    )


def test_handing_to_another_firm_takes_it_from_the_first(cast):
    ticket = new_ticket(cast)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    services.ticket_contractor_accept(ticket=ticket, actor=cast.firm_worker)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.other_firm)
    ticket.refresh_from_db()
    assert (ticket.contractor_id, ticket.worker_id, ticket.contractor_accepted_at) == (cast.other_firm.pk, None, None)
    assert not selectors.tickets_visible_to(cast.firm_worker).filter(pk=ticket.pk).exists()
    assert selectors.tickets_visible_to(cast.other_worker).filter(pk=ticket.pk).exists()


def test_the_firm_declining_gives_the_ticket_back_without_a_firm(cast):
    ticket = new_ticket(cast)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.ACCEPTED, note="Nie mamy ludzi.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.contractor_id, ticket.worker_id) == (S.ACCEPTED, None, None)
    assert not selectors.tickets_visible_to(cast.firm_worker).filter(pk=ticket.pk).exists()


def test_contractor_acceptance_is_for_the_assigned_firm_and_happens_once(cast):
    ticket = ticket_in(cast, S.ASSIGNED)
    for kind in ["other_worker", "reporter", "board", "anonymous"]:
        assert_refused_and_unchanged(
            ticket,
            lambda kind=kind: services.ticket_contractor_accept(ticket=ticket, actor=person(cast, kind)),
            TicketErrorCode.FORBIDDEN,
        )
    services.ticket_contractor_accept(ticket=ticket, actor=cast.firm_worker)
    ticket.refresh_from_db()
    accepted_at, events = ticket.contractor_accepted_at, ticket.events.count()
    services.ticket_contractor_accept(ticket=ticket, actor=cast.firm_manager)
    ticket.refresh_from_db()
    assert (ticket.contractor_accepted_at, ticket.events.count()) == (accepted_at, events)
    started = ticket_in(cast, S.IN_PROGRESS)
    assert_refused_and_unchanged(
        started, lambda: services.ticket_contractor_accept(ticket=started, actor=cast.firm_worker)
    )
