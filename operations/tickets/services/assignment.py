"""Handing a ticket to a contractor firm (and one of its workers): by a dispatcher
(`ticket_assign`) or at once on reporting, to the category's default firm (`assign`)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from cms.contractors.models import ContractorPage, ContractorStaff

from .. import policy, selectors
from ..errors import TicketErrorCode
from ..models import Ticket, TicketEvent
from ._common import (
    MAX_TEXT,
    S,
    _event,
    _firm_people,
    _locked,
    _notify,
    _refuse,
    _reporter_of,
)


def assign(
    ticket: Ticket,
    *,
    contractor: ContractorPage,
    worker: AbstractBaseUser | None,
    actor: AbstractBaseUser | None,
    note: str = "",
) -> TicketEvent:
    """Hand a locked ticket to a firm and tell the firm and the reporter (no checks: the
    callers, `ticket_assign` and a new ticket's hand-over, have made them)."""
    from_status = ticket.status
    now = timezone.now()
    ticket.contractor, ticket.worker = contractor, worker
    ticket.status, ticket.assigned_at, ticket.contractor_accepted_at = S.ASSIGNED, now, None
    if ticket.first_response_at is None and actor is not None:
        ticket.first_response_at = now
    ticket.save()
    event = _event(
        ticket,
        TicketEvent.Kind.ASSIGNED,
        actor,
        from_status=from_status,
        to_status=S.ASSIGNED,
        note=note or str(contractor),
    )
    # The dispatcher's note is for the firm (its message, and the history staff and the firm read).
    _notify("ticket-assigned", _firm_people(ticket), ticket, f"event:{event.pk}", contractor=str(contractor), note=note)
    _notify("ticket-status", [_reporter_of(ticket)], ticket, f"event:{event.pk}", note="")
    return event


@transaction.atomic
def ticket_assign(
    *,
    ticket: Ticket,
    actor: AbstractBaseUser | None,
    contractor: ContractorPage | None,
    worker: AbstractBaseUser | None = None,
    note: str = "",
) -> Ticket:
    """A dispatcher hands the ticket to a firm, and optionally to one of its workers."""
    ticket = _locked(ticket)
    if refusal := policy.assign_refusal(ticket, selectors.actor_roles(ticket, actor)):
        raise refusal
    if contractor is None or not contractor.live:
        raise _refuse(TicketErrorCode.CONTRACTOR_INVALID, gettext("Choose a contractor."), "contractor")
    if worker is not None and not ContractorStaff.objects.filter(user=worker, firm=contractor).exists():
        raise _refuse(TicketErrorCode.WORKER_INVALID, gettext("This person does not work for that firm."), "worker")
    assign(ticket, contractor=contractor, worker=worker, actor=actor, note=(note or "").strip()[:MAX_TEXT])
    return ticket
