"""The ticket workflow: who may move a ticket from which status to which, through which
service, and what reporting, assigning, rating, reopening and closing do.

The transition matrix is generated from `workflow.TRANSITIONS`: every (from status, to
status, kind of person) is tried through the service that offers that change, and exactly
the changes the table allows succeed. A refusal is a `ServiceError` with a
`TicketErrorCode` and leaves the ticket, its history and the outbox as they were.

Here the matrix and deadlines; assignment, reporting and rating, reopening and closing
are in `test_workflow_assignment.py`, `test_workflow_reporting.py` and
`test_workflow_closing.py`. The cast is `cast` of tests/conftest.py (once per module); the
helpers are `workflow_kit.py`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from operations.tickets import services, workflow
from operations.tickets.errors import TicketErrorCode
from operations.tickets.models import Ticket, TicketEvent
from operations.tickets.workflow import Actor
from tests.tickets.workflow_kit import (
    ACTOR_KINDS,
    NOTE,
    S,
    assert_refused_and_unchanged,
    new_ticket,
    person,
    ticket_in,
)

pytestmark = pytest.mark.django_db


# --- The matrix ------------------------------------------------------------------------------

# Every status change some service offers: the plain ones of ticketTransition, and "assigned"
# (assignment from before the work, reopening from done).
TARGETS = sorted(workflow.DIRECT_TARGETS | {S.ASSIGNED})
MATRIX = [
    pytest.param(start, target, kind, id=f"{start}->{target}-{kind}")
    for start in S.values
    for target in TARGETS
    for kind in ACTOR_KINDS
]


def attempt(cast, ticket: Ticket, target: str, actor, note: str = NOTE):
    """Ask for `ticket` → `target` through the service that offers that change."""
    if ticket.status == S.DONE and target in {S.ACCEPTED, S.ASSIGNED}:
        return services.ticket_reopen(ticket=ticket, actor=actor, reason=note)
    if target == S.ASSIGNED:
        firm = cast.other_firm if ticket.status == S.ASSIGNED else cast.firm
        return services.ticket_assign(ticket=ticket, actor=actor, contractor=firm, note=note)
    return services.ticket_transition(ticket=ticket, actor=actor, to_status=target, note=note)


@pytest.mark.parametrize("start, target, kind", MATRIX)
def test_transition_matrix(cast, start, target, kind):
    # Reopening to "accepted" is for a done ticket that has no firm; every other ticket has
    # one, so that the firm's workers are its contractor wherever the table could allow them.
    contractor = None if (start, target) == (S.DONE, S.ACCEPTED) else "firm"
    ticket = ticket_in(cast, start, contractor=contractor)
    actor = person(cast, kind)
    allowed = ACTOR_KINDS[kind] in workflow.allowed_actors(start, target)

    if not allowed:
        assert_refused_and_unchanged(
            ticket,
            lambda: attempt(cast, ticket, target, actor),
            {TicketErrorCode.FORBIDDEN, TicketErrorCode.TRANSITION_NOT_ALLOWED, TicketErrorCode.NOT_AUTHENTICATED},
        )
        return

    events_before = ticket.events.count()
    attempt(cast, ticket, target, actor)
    ticket.refresh_from_db()
    assert ticket.status == target
    event = ticket.events.order_by("-at", "-id").first()
    assert ticket.events.count() == events_before + 1
    assert (event.from_status, event.to_status, event.actor_id) == (start, target, actor.pk)
    assert event.note == NOTE


@pytest.mark.parametrize("start", S.values)
def test_the_system_closes_only_what_the_table_lets_it(cast, start):
    """SYSTEM's one path is the periodic closing of done tickets nobody confirmed."""
    ticket = ticket_in(cast, start, done_days_ago=30)
    services.tickets_close_unconfirmed()
    ticket.refresh_from_db()
    if Actor.SYSTEM in workflow.allowed_actors(start, S.CLOSED):
        assert ticket.status == S.CLOSED
    else:
        assert ticket.status == start
    for (from_status, to_status), actors in workflow.TRANSITIONS.items():
        if Actor.SYSTEM in actors:
            assert (from_status, to_status) == (S.DONE, S.CLOSED)


def test_nobody_moves_a_ticket_back_to_new(cast):
    assert not any(to_status == S.NEW for _from, to_status in workflow.TRANSITIONS)
    ticket = ticket_in(cast, S.ACCEPTED, contractor=None)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_transition(ticket=ticket, actor=cast.dispatcher, to_status=S.NEW, note=NOTE),
        TicketErrorCode.TRANSITION_NOT_ALLOWED,
    )


NOTE_CELLS = [pytest.param(start, target, id=f"{start}->{target}") for start, target in sorted(workflow.NOTE_REQUIRED)]


@pytest.mark.parametrize("start, target", NOTE_CELLS)
@pytest.mark.parametrize("note", ["", "   \n "])
def test_changes_that_must_say_why_are_refused_without_a_note(cast, start, target, note):
    ticket = ticket_in(cast, start)
    actor = cast.dispatcher if Actor.STAFF in workflow.allowed_actors(start, target) else cast.firm_worker
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_transition(ticket=ticket, actor=actor, to_status=target, note=note),
        TicketErrorCode.NOTE_REQUIRED,
    )


def test_changes_without_a_note_requirement_pass_without_one(cast):
    ticket = ticket_in(cast, S.ASSIGNED)
    services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.IN_PROGRESS)
    ticket.refresh_from_db()
    assert ticket.status == S.IN_PROGRESS


def test_a_ticket_worked_through_from_report_to_rating_keeps_its_whole_history(cast):
    ticket = new_ticket(cast)
    services.ticket_transition(ticket=ticket, actor=cast.dispatcher, to_status=S.ACCEPTED)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    services.ticket_contractor_accept(ticket=ticket, actor=cast.firm_worker)
    services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.IN_PROGRESS)
    services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.WAITING, note=NOTE)
    services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.IN_PROGRESS)
    services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.DONE, note="Wymieniono zawór.")
    services.ticket_rate(ticket=ticket, actor=cast.reporter, rating=5, comment="Szybko i czysto.")

    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED and ticket.rating == 5 and ticket.rating_comment == "Szybko i czysto."
    assert ticket.closed_at and ticket.done_at and ticket.first_response_at and ticket.contractor_accepted_at
    steps = [(e.kind, e.from_status, e.to_status) for e in ticket.events.all()]
    assert [step[2] for step in steps if step[0] == TicketEvent.Kind.STATUS] == [
        S.ACCEPTED,
        S.IN_PROGRESS,
        S.WAITING,
        S.IN_PROGRESS,
        S.DONE,
        S.CLOSED,
    ]
    assert steps[0] == (TicketEvent.Kind.CREATED, "", S.NEW)
    assert (TicketEvent.Kind.RATED, "", "") in steps


def test_plain_transition_refuses_assignment_and_reopening_targets(cast):
    ticket = new_ticket(cast)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_transition(ticket=ticket, actor=cast.dispatcher, to_status=S.ASSIGNED),
        TicketErrorCode.TRANSITION_NOT_ALLOWED,
    )


@pytest.mark.parametrize("kind", ["reporter", "dispatcher"])
def test_plain_transition_cannot_reopen_a_done_ticket_around_the_reopening_rules(cast, settings, kind):
    """(done → accepted) is reopening: `ticket_reopen` checks the window, asks why, counts it,
    resets the deadline and tells the firm. ticketTransition must not offer a way around it:
    here the work was done 30 days ago (the closing task has not run yet)."""
    ticket = ticket_in(cast, S.DONE, done_days_ago=30)
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_transition(ticket=ticket, actor=person(cast, kind), to_status=S.ACCEPTED),
        {TicketErrorCode.TRANSITION_NOT_ALLOWED, TicketErrorCode.REOPEN_EXPIRED},
    )


# --- Deadlines -------------------------------------------------------------------------------


def test_only_dispatchers_change_deadlines_and_say_why(cast):
    ticket = new_ticket(cast)
    later = ticket.due_at + timedelta(days=2)
    for kind in ["board", "reporter", "firm_worker", "anonymous"]:
        assert_refused_and_unchanged(
            ticket,
            lambda kind=kind: services.ticket_deadline_change(
                ticket=ticket, actor=person(cast, kind), due_at=later, reason="Czekamy na część."
            ),
            TicketErrorCode.FORBIDDEN,
        )
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_deadline_change(ticket=ticket, actor=cast.dispatcher, due_at=later, reason=" "),
        TicketErrorCode.NOTE_REQUIRED,
    )
    assert_refused_and_unchanged(
        ticket,
        lambda: services.ticket_deadline_change(
            ticket=ticket, actor=cast.dispatcher, due_at=ticket.created_at, reason="Pomyłka."
        ),
        TicketErrorCode.DEADLINE_INVALID,
    )
    services.ticket_deadline_change(ticket=ticket, actor=cast.dispatcher, due_at=later, reason="Czekamy na część.")
    ticket.refresh_from_db()
    assert ticket.due_at == later
    event = ticket.events.last()
    assert event.kind == TicketEvent.Kind.DEADLINE and "Czekamy na część." in event.note


@pytest.mark.parametrize("kind", ["board", "reporter", "firm_worker", "other_worker", "neighbour", "anonymous"])
def test_who_cannot_dispatch_cannot_change_status_from_new(cast, kind):
    ticket = new_ticket(cast)
    for target in [S.ACCEPTED, S.REJECTED]:
        assert_refused_and_unchanged(
            ticket,
            lambda target=target: services.ticket_transition(
                ticket=ticket, actor=person(cast, kind), to_status=target, note=NOTE
            ),
        )
