"""What a person may do with a ticket, answered once.

Three places ask: the services before they change anything (they raise the refusal this
module returns), the API's `Ticket.actions` field, and the admin's quick-action forms
(which buttons a dispatcher sees). They all ask here, so a button is shown exactly when
the service would accept the click, and the reason a service gives is the one written
here.

The questions take what the person is to the ticket (`roles`: `selectors.TicketViewer.
roles_for(ticket)` or `selectors.actor_roles`), which is read once per request, and the
ticket's own fields; none of them runs a query, so a list of tickets answers
`actions_open` for each at no extra cost. The status table itself (who may move a ticket
from which status to which) is `workflow.py`; this module adds the rules around it
(a done ticket goes back to work only by reopening, the reopening window, who comments,
who records a report for someone else).

Each `*_refusal` returns the `ServiceError` a service raises, or None when allowed: "may
X do Y to Z" is `*_refusal(...) is None`; "what may X do to Z" is `actions_open`, or
`OpenActions` for one action at a time (from the same rules, `ACTION_RULES`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from cms.core.exceptions import ServiceError

from . import selectors, workflow
from .errors import TicketErrorCode
from .models import CLOSED_STATUSES, RESIDENT_SOURCES, STAFF_SOURCES, Ticket
from .workflow import Actor

S = Ticket.Status

# Those who work a ticket (as opposed to those who reported it): they write internal
# notes, and their comments are not rate limited.
WORKERS = frozenset({Actor.STAFF, Actor.CONTRACTOR})


def reopen_window() -> timedelta:
    return timedelta(days=getattr(settings, "TICKET_REOPEN_DAYS", 7))


def reopenable_until(ticket: Ticket) -> datetime | None:
    """Until when a done ticket may be reopened; None unless it is done."""
    if ticket.status != S.DONE or ticket.done_at is None:
        return None
    return ticket.done_at + reopen_window()


def _cannot_change() -> ServiceError:
    return ServiceError(TicketErrorCode.FORBIDDEN, gettext("You cannot change this ticket."))


def _table_refusal(ticket: Ticket, to_status: str, roles: set[Actor]) -> ServiceError | None:
    """The workflow table's answer: FORBIDDEN for someone with no part in the ticket,
    TRANSITION_NOT_ALLOWED for a part that does not allow this change."""
    if workflow.is_allowed(ticket.status, to_status, roles):
        return None
    if not roles:
        return _cannot_change()
    return ServiceError(
        TicketErrorCode.TRANSITION_NOT_ALLOWED,
        gettext("A ticket that is “%(from)s” cannot become “%(to)s”.")
        % {"from": ticket.get_status_display(), "to": S(to_status).label},
        "status",
    )


def _reopen_instead() -> ServiceError:
    return ServiceError(TicketErrorCode.TRANSITION_NOT_ALLOWED, gettext("Reopen a done ticket instead."), "status")


# --- Status changes ---------------------------------------------------------------------------


def transition_target_refusal(to_status: str) -> ServiceError | None:
    """`ticketTransition` makes plain status changes only; assignment and reopening have
    services of their own. Asked before the ticket is even read."""
    if to_status not in workflow.DIRECT_TARGETS:
        return ServiceError(
            TicketErrorCode.TRANSITION_NOT_ALLOWED, gettext("Use assignment or reopening for that."), "status"
        )
    return None


def transition_status_refusal(ticket: Ticket, to_status: str) -> ServiceError | None:
    """What the ticket's status alone refuses, whoever asks (the service asks it before it
    reads what the person is to the ticket)."""
    if refusal := transition_target_refusal(to_status):
        return refusal
    # A done ticket can only be closed here: back to work is reopening (the resident's).
    if ticket.status == S.DONE and to_status != S.CLOSED:
        return _reopen_instead()
    # Never a "change" to where the ticket already is. A ticket its firm has accepted
    # counts as accepted already: "accepted" (assigned → accepted, the ticket taken back or
    # declined) is no longer offered to anyone; the dispatcher hands it to another firm.
    if to_status == ticket.status:
        return ServiceError(
            TicketErrorCode.TRANSITION_NOT_ALLOWED,
            gettext("The ticket is “%(status)s” already.") % {"status": ticket.get_status_display()},
            "status",
        )
    if (ticket.status, to_status) == (S.ASSIGNED, S.ACCEPTED) and ticket.contractor_accepted_at is not None:
        return ServiceError(
            TicketErrorCode.TRANSITION_NOT_ALLOWED,
            gettext("The contractor has accepted this ticket already; a dispatcher can hand it to another firm."),
            "status",
        )
    return None


def transition_refusal(ticket: Ticket, roles: set[Actor], to_status: str) -> ServiceError | None:
    return transition_status_refusal(ticket, to_status) or _table_refusal(ticket, to_status, roles)


def transition_targets(ticket: Ticket, roles: set[Actor]) -> list[str]:
    """The statuses `transition_refusal` allows, in the workflow table's order. (It refuses
    every target but the direct ones first: those are not asked, so no refusal is written
    only to be dropped.)"""
    return [
        target
        for target in workflow.next_statuses(ticket.status, roles)
        if target in workflow.DIRECT_TARGETS and transition_refusal(ticket, roles, target) is None
    ]


def assign_refusal(ticket: Ticket, roles: set[Actor]) -> ServiceError | None:
    # Only dispatchers assign (the table's done → assigned is the reporter's reopening too),
    # and a done ticket goes back to work only by reopening.
    if refusal := _table_refusal(ticket, S.ASSIGNED, roles & {Actor.STAFF}):
        return refusal
    if ticket.status == S.DONE:
        return _reopen_instead()
    return None


def dispatch_refusal(user: selectors.Person) -> ServiceError | None:
    """Handing tickets to firms is the dispatchers' (tickets.dispatch_ticket). The API asks
    before it looks up the firm or the worker, so nobody else can probe them; the service
    asks again, per ticket (`assign_refusal`)."""
    return None if selectors.can_dispatch(user) else _cannot_change()


def contractor_accept_refusal(ticket: Ticket, roles: set[Actor]) -> ServiceError | None:
    if Actor.CONTRACTOR not in roles or ticket.status != S.ASSIGNED:
        return ServiceError(TicketErrorCode.FORBIDDEN, gettext("Only the assigned firm can accept this ticket."))
    return None


def deadline_change_refusal(ticket: Ticket, roles: set[Actor]) -> ServiceError | None:
    if Actor.STAFF not in roles:
        return ServiceError(TicketErrorCode.FORBIDDEN, gettext("Only dispatchers change deadlines."))
    if ticket.status in CLOSED_STATUSES:
        return ServiceError(
            TicketErrorCode.TRANSITION_NOT_ALLOWED, gettext("A finished ticket has no deadline to change."), "due_at"
        )
    return None


def rate_refusal(ticket: Ticket, roles: set[Actor]) -> ServiceError | None:
    """Rating confirms the work: the reporter's done → closed."""
    return _table_refusal(ticket, S.CLOSED, roles & {Actor.REPORTER})


def reopen_target(ticket: Ticket) -> str:
    """Back to its firm, or to the dispatchers when it had none."""
    return S.ASSIGNED if ticket.contractor_id else S.ACCEPTED


def reopen_refusal(ticket: Ticket, roles: set[Actor], *, now: datetime | None = None) -> ServiceError | None:
    roles = roles & {Actor.REPORTER, Actor.STAFF}
    expired = ServiceError(
        TicketErrorCode.REOPEN_EXPIRED, gettext("This ticket can no longer be reopened; report anew.")
    )
    # A closed ticket that was done: the reporter is told why, not just "not allowed".
    if ticket.status == S.CLOSED and roles and ticket.done_at:
        return expired
    if ticket.status != S.DONE:
        return ServiceError(
            TicketErrorCode.TRANSITION_NOT_ALLOWED, gettext("Only a done ticket can be reopened."), "status"
        )
    if refusal := _table_refusal(ticket, reopen_target(ticket), roles):
        return refusal
    if ticket.done_at and (now or timezone.now()) - ticket.done_at > reopen_window():
        return expired
    return None


# --- Comments ---------------------------------------------------------------------------------


def comment_refusal(roles: set[Actor]) -> ServiceError | None:
    """Readers without a part in the ticket (the board) only read. Asked of someone who
    may see the ticket; who may not is told NOT_FOUND before this."""
    return None if roles else _cannot_change()


def internal_note_refusal(roles: set[Actor]) -> ServiceError | None:
    if roles & WORKERS:
        return None
    return ServiceError(
        TicketErrorCode.FORBIDDEN, gettext("Only staff and the contractor write internal notes."), "internal"
    )


def comments_unlimited(roles: set[Actor]) -> bool:
    """Staff and the firm comment as their work needs; residents have an hourly limit."""
    return bool(roles & WORKERS)


# --- Reporting --------------------------------------------------------------------------------


def report_recording_refusal(
    *, source: str, recorded_by: selectors.Person, for_someone_else: bool
) -> ServiceError | None:
    """Which channel a report made with an account may be recorded as (`Ticket.Source`).

    A resident reporting themselves says PORTAL or APP (the API's `source`, PORTAL unless
    the client says it is the mobile app). Only staff (tickets.dispatch_ticket) record a
    report taken by phone, e-mail or at the office, or one for another person, and one
    for another person must say which of those three it came through. ANONYMOUS is the
    public form's alone (`ticket_anonymous_create`), never claimed here. The API asks
    before it looks the person up, so nobody else can probe which accounts exist; the
    service asks again for every caller."""
    taken_by_staff = source in STAFF_SOURCES
    if source not in RESIDENT_SOURCES | STAFF_SOURCES or (
        (taken_by_staff or for_someone_else) and not selectors.can_dispatch(recorded_by)
    ):
        return ServiceError(TicketErrorCode.FORBIDDEN, gettext("Only staff record tickets taken by phone or e-mail."))
    if for_someone_else and not taken_by_staff:
        return ServiceError(
            TicketErrorCode.SOURCE_INVALID,
            gettext("Say how the report came: by phone, by e-mail or at the office."),
            "source",
        )
    return None


# --- Everything at once, for buttons -----------------------------------------------------------


@dataclass(frozen=True)
class TicketActions:
    """What a person may do with a ticket now (the API's `Ticket.actions`, the admin's forms)."""

    transition_to: list[str]
    comment: bool
    comment_internal: bool
    assign: bool
    change_deadline: bool
    contractor_accept: bool
    rate: bool
    reopen: bool


# Each button and the rule that opens it, from the questions above: `actions_open` asks
# them all (the admin's forms), `OpenActions` each one when it is read (a list of tickets
# that shows one button asks one rule per ticket, not eight). One table, so both answer
# alike; a rule takes the ticket, the roles and the time (`now`, None for the present).
ACTION_RULES: dict[str, Callable[[Ticket, set[Actor], datetime | None], list[str] | bool]] = {
    "transition_to": lambda ticket, roles, now: transition_targets(ticket, roles),
    "comment": lambda ticket, roles, now: comment_refusal(roles) is None,
    "comment_internal": lambda ticket, roles, now: (
        comment_refusal(roles) is None and internal_note_refusal(roles) is None
    ),
    "assign": lambda ticket, roles, now: assign_refusal(ticket, roles) is None,
    "change_deadline": lambda ticket, roles, now: deadline_change_refusal(ticket, roles) is None,
    # Accepting again is allowed (and changes nothing), but there is nothing to click.
    "contractor_accept": lambda ticket, roles, now: (
        contractor_accept_refusal(ticket, roles) is None and ticket.contractor_accepted_at is None
    ),
    "rate": lambda ticket, roles, now: rate_refusal(ticket, roles) is None,
    "reopen": lambda ticket, roles, now: reopen_refusal(ticket, roles, now=now) is None,
}


def actions_open(ticket: Ticket, roles: set[Actor], *, now: datetime | None = None) -> TicketActions:
    return TicketActions(**{name: rule(ticket, roles, now) for name, rule in ACTION_RULES.items()})


class OpenActions:
    """`actions_open` read one action at a time: each attribute named like a field of
    `TicketActions` is worked out by its rule when it is read (and each time; the API reads
    each once). The same answers as `actions_open`, for those who need few of them."""

    __slots__ = ("now", "roles", "ticket")

    def __init__(self, ticket: Ticket, roles: set[Actor], *, now: datetime | None = None):
        self.ticket = ticket
        self.roles = roles
        self.now = now


def _open_action(rule: Callable[[Ticket, set[Actor], datetime | None], list[str] | bool]) -> property:
    return property(lambda actions: rule(actions.ticket, actions.roles, actions.now))


for _name, _rule in ACTION_RULES.items():
    setattr(OpenActions, _name, _open_action(_rule))
del _name, _rule
