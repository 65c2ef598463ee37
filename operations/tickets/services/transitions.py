"""Status changes of a ticket once reported: the plain changes of the workflow table
(`ticket_transition`), the firm's acceptance, a new deadline, and the resident's rating
and reopening. Each asks `policy` whether this person may, and raises its refusal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from operations.residents.roles import StaffRole

from .. import policy, selectors, workflow
from ..errors import TicketErrorCode
from ..models import Ticket, TicketEvent
from ._common import (
    MAX_TEXT,
    S,
    _deadlines,
    _event,
    _firm_people,
    _if_staff,
    _locked,
    _notify,
    _refuse,
    _reporter_of,
    _set_status,
)
from .attachments import StoredPhoto, photos_attach, with_photo_files


@with_photo_files
@transaction.atomic
def ticket_transition(
    *,
    ticket: Ticket,
    actor: AbstractBaseUser | None,
    to_status: str,
    note: str = "",
    photos: Sequence[StoredPhoto] = (),
) -> Ticket:
    """Change a ticket's status as `workflow.TRANSITIONS` allows this person; the reporter
    is told, and the dispatchers when the contractor gives it back. Photos (of the
    finished work, say) are public: the resident sees what was done."""
    # Before the ticket is locked: a change this service never makes needs no row.
    if refusal := policy.transition_target_refusal(to_status):
        raise refusal
    ticket = _locked(ticket)
    if refusal := policy.transition_status_refusal(ticket, to_status):
        raise refusal
    if refusal := policy.transition_refusal(ticket, selectors.actor_roles(ticket, actor), to_status):
        raise refusal
    note = (note or "").strip()[:MAX_TEXT]
    if (ticket.status, to_status) in workflow.NOTE_REQUIRED and not note:
        raise _refuse(TicketErrorCode.NOTE_REQUIRED, gettext("Say why, for the resident."), "note")
    from_status = ticket.status
    if (from_status, to_status) == (S.ASSIGNED, S.ACCEPTED):
        ticket.contractor, ticket.worker, ticket.contractor_accepted_at = None, None, None
    event = _set_status(ticket, to_status, actor, note)
    photos_attach(ticket, photos, actor)
    _notify("ticket-status", [_reporter_of(ticket)], ticket, f"event:{event.pk}", note=note)
    if (from_status, to_status) == (S.ASSIGNED, S.ACCEPTED):
        _notify("ticket-new", selectors.staff_in_role(StaffRole.DISPATCHER), ticket, f"event:{event.pk}:dispatch")
    return ticket


@transaction.atomic
def ticket_contractor_accept(*, ticket: Ticket, actor: AbstractBaseUser | None) -> Ticket:
    """The firm confirms it takes the job (no status change; dispatchers see who did)."""
    ticket = _locked(ticket)
    if refusal := policy.contractor_accept_refusal(ticket, selectors.actor_roles(ticket, actor)):
        raise refusal
    if ticket.contractor_accepted_at is None:
        ticket.contractor_accepted_at = timezone.now()
        ticket.first_response_at = ticket.first_response_at or ticket.contractor_accepted_at
        ticket.save(update_fields=["contractor_accepted_at", "first_response_at", "updated_at"])
        _event(
            ticket,
            TicketEvent.Kind.ASSIGNED,
            actor,
            from_status=S.ASSIGNED,
            to_status=S.ASSIGNED,
            note=gettext("Accepted by the contractor."),
        )
    return ticket


@transaction.atomic
def ticket_deadline_change(
    *, ticket: Ticket, actor: AbstractBaseUser | None, due_at: datetime | None, reason: str
) -> Ticket:
    """A dispatcher moves the deadline, saying why; the reporter and the firm are told."""
    ticket = _locked(ticket)
    if refusal := policy.deadline_change_refusal(ticket, selectors.actor_roles(ticket, actor)):
        raise refusal
    reason = (reason or "").strip()
    if not reason:
        raise _refuse(TicketErrorCode.NOTE_REQUIRED, gettext("Say why the deadline changes."), "reason")
    if due_at is None or due_at <= ticket.created_at:
        raise _refuse(TicketErrorCode.DEADLINE_INVALID, gettext("The deadline must be after the report."), "due_at")
    old = timezone.localtime(ticket.due_at).strftime("%d.%m.%Y %H:%M")
    ticket.due_at = due_at
    # A new deadline deserves new warnings; one in the future is no longer overdue.
    ticket.warned_at = None
    if due_at > timezone.now():
        ticket.overdue_at = None
    ticket.save()
    event = _event(
        ticket,
        TicketEvent.Kind.DEADLINE,
        actor,
        note=f"{old} → {timezone.localtime(due_at):%d.%m.%Y %H:%M}: {reason[:MAX_TEXT]}",
    )
    _notify(
        "ticket-deadline-changed",
        [_reporter_of(ticket), *_firm_people(ticket)],
        ticket,
        f"event:{event.pk}",
        note=reason[:MAX_TEXT],
    )
    return ticket


@transaction.atomic
def ticket_rate(*, ticket: Ticket, actor: AbstractBaseUser | None, rating: int, comment: str = "") -> Ticket:
    """The reporter confirms the work and rates it 1–5; the ticket closes."""
    ticket = _locked(ticket)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise _refuse(TicketErrorCode.RATING_INVALID, gettext("Rate from 1 to 5."), "rating")
    if refusal := policy.rate_refusal(ticket, selectors.actor_roles(ticket, actor)):
        raise refusal
    ticket.rating, ticket.rating_comment = int(rating), (comment or "").strip()[:MAX_TEXT]
    _event(ticket, TicketEvent.Kind.RATED, actor, note=f"{ticket.rating}/5 {ticket.rating_comment}".strip())
    _set_status(ticket, S.CLOSED, actor, gettext("Confirmed by the resident."))
    return ticket


@transaction.atomic
def ticket_reopen(*, ticket: Ticket, actor: AbstractBaseUser | None, reason: str) -> Ticket:
    """The reporter says it is not fixed, within TICKET_REOPEN_DAYS of it being done."""
    ticket = _locked(ticket)
    if refusal := policy.reopen_refusal(ticket, selectors.actor_roles(ticket, actor)):
        raise refusal
    to_status = policy.reopen_target(ticket)
    reason = (reason or "").strip()[:MAX_TEXT]
    if not reason:
        raise _refuse(TicketErrorCode.NOTE_REQUIRED, gettext("Say what is still wrong."), "reason")
    ticket.reopened_count += 1
    # The firm confirms again that it takes the job back.
    ticket.done_at, ticket.contractor_accepted_at = None, None
    now = timezone.now()
    _, due = _deadlines(ticket.category, now)
    ticket.due_at, ticket.clock_started_at, ticket.warned_at, ticket.overdue_at = due, now, None, None
    event = _set_status(ticket, to_status, actor, reason)
    audience = _firm_people(ticket) if ticket.contractor_id else selectors.staff_in_role(StaffRole.DISPATCHER)
    _notify("ticket-reopened", audience + [_if_staff(ticket.responsible)], ticket, f"event:{event.pk}", note=reason)
    return ticket
