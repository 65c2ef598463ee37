"""Which status changes a ticket allows, and to whom: the one place that decides it.

Services ask `transition_refusal(ticket, actor_roles, to_status)` before changing a status
and record the change in the ticket's history in the same transaction. Assignment
(→ assigned), reopening (done → accepted/assigned) and closing by the system have
services of their own, which use the same table.
"""

from __future__ import annotations

from enum import StrEnum

from .models import Ticket

S = Ticket.Status


class Actor(StrEnum):
    STAFF = "staff"  # dispatchers, administrators (tickets.dispatch_ticket)
    CONTRACTOR = "contractor"  # a worker of the firm the ticket is assigned to
    REPORTER = "reporter"  # the person who reported it (or a verified resident of its unit)
    SYSTEM = "system"  # periodic tasks (closing unconfirmed done tickets)


# (from, to) → who may make that change. Anything not listed is refused.
TRANSITIONS: dict[tuple[str, str], frozenset[Actor]] = {
    (S.NEW, S.ACCEPTED): frozenset({Actor.STAFF}),
    (S.NEW, S.REJECTED): frozenset({Actor.STAFF}),
    (S.ACCEPTED, S.REJECTED): frozenset({Actor.STAFF}),
    (S.NEW, S.ASSIGNED): frozenset({Actor.STAFF}),
    (S.ACCEPTED, S.ASSIGNED): frozenset({Actor.STAFF}),
    (S.ASSIGNED, S.ASSIGNED): frozenset({Actor.STAFF}),  # handed to another firm or worker
    (S.ASSIGNED, S.ACCEPTED): frozenset({Actor.STAFF, Actor.CONTRACTOR}),  # taken back / declined
    (S.ASSIGNED, S.IN_PROGRESS): frozenset({Actor.STAFF, Actor.CONTRACTOR}),
    (S.IN_PROGRESS, S.WAITING): frozenset({Actor.STAFF, Actor.CONTRACTOR}),
    (S.WAITING, S.IN_PROGRESS): frozenset({Actor.STAFF, Actor.CONTRACTOR}),
    (S.IN_PROGRESS, S.DONE): frozenset({Actor.STAFF, Actor.CONTRACTOR}),
    (S.WAITING, S.DONE): frozenset({Actor.STAFF, Actor.CONTRACTOR}),
    (S.DONE, S.CLOSED): frozenset({Actor.STAFF, Actor.REPORTER, Actor.SYSTEM}),
    (S.DONE, S.ACCEPTED): frozenset({Actor.STAFF, Actor.REPORTER}),  # reopened, no firm
    (S.DONE, S.ASSIGNED): frozenset({Actor.STAFF, Actor.REPORTER}),  # reopened, back to the firm
}

# Changes that must say why: the reporter reads the reason of a refusal or a pause.
NOTE_REQUIRED: set[tuple[str, str]] = {
    (S.NEW, S.REJECTED),
    (S.ACCEPTED, S.REJECTED),
    (S.ASSIGNED, S.ACCEPTED),
    (S.IN_PROGRESS, S.WAITING),
    (S.IN_PROGRESS, S.DONE),
    (S.WAITING, S.DONE),
}

# The plain status changes `ticketTransition` offers; assignment and reopening have their own.
DIRECT_TARGETS = {S.ACCEPTED, S.REJECTED, S.IN_PROGRESS, S.WAITING, S.DONE, S.CLOSED}


def allowed_actors(from_status: str, to_status: str) -> frozenset[Actor]:
    return TRANSITIONS.get((from_status, to_status), frozenset())


def is_allowed(from_status: str, to_status: str, roles: set[Actor]) -> bool:
    return bool(allowed_actors(from_status, to_status) & roles)


def next_statuses(from_status: str, roles: set[Actor]) -> list[str]:
    """What this person may move a ticket to from here (for buttons in the frontends)."""
    return [to for (start, to), actors in TRANSITIONS.items() if start == from_status and actors & roles]
