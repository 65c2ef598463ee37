"""What the ticket services share: the history entry, the notifications (who is told, with
which facts), locking a ticket, setting its status, and cleaning a text. Private to the
`services` package."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from cms.contractors.models import ContractorStaff
from cms.core.exceptions import ServiceError
from cms.core.portal_links import ticket_portal_url
from operations.messaging import services as messaging
from operations.messaging.kinds import MessageKind

from .. import selectors
from ..errors import TicketErrorCode
from ..models import Category, Ticket, TicketEvent
from ..workflow import Actor

S = Ticket.Status

# Longest title and longest text (description, note, comment, reason) a ticket keeps.
MAX_TITLE = 150
MAX_TEXT = 5000


def _refuse(code: TicketErrorCode, message: str, field: str | None = None) -> ServiceError:
    return ServiceError(code, message, field)


def _event(
    ticket: Ticket,
    kind: str,
    actor: AbstractBaseUser | None = None,
    *,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket, kind=kind, actor=actor, from_status=from_status, to_status=to_status, note=note
    )


def _ticket_context(ticket: Ticket, **extra: object) -> dict:
    place = f"{ticket.building.code}/{ticket.unit.number}" if ticket.unit_id else ticket.building.code
    return {
        "reference": ticket.reference,
        "title": ticket.title,
        "category": ticket.category.name,
        "place": place,
        "address": ticket.building.address,
        "status": str(ticket.get_status_display()),
        "due": timezone.localtime(ticket.due_at).strftime("%d.%m.%Y %H:%M"),
        "response_due": timezone.localtime(ticket.response_due_at).strftime("%d.%m.%Y %H:%M"),
        **extra,
    }


def _notify(
    template_key: str, people: Iterable[AbstractBaseUser | None], ticket: Ticket, event_key: str, **extra: object
) -> None:
    people = {person.pk: person for person in people if person is not None and person.is_active}
    if not people:
        return
    messaging.message_send(
        kind=MessageKind.TICKET_UPDATE,
        template_key=template_key,
        recipients=list(people.values()),
        context=_ticket_context(ticket, **extra),
        dedupe_key=f"ticket:{ticket.pk}:{event_key}",
        # The ticket in the portal, where the reporter and the firm follow it (the API
        # serves it to staff as well).
        link=ticket_portal_url(ticket),
    )


def _reporter_of(ticket: Ticket) -> AbstractBaseUser | None:
    """The reporter, while they may still read the ticket: someone who moved out is not
    told what is written for the new occupants."""
    reporter = ticket.reporter
    if reporter is None or Actor.REPORTER not in selectors.actor_roles(ticket, reporter):
        return None
    return reporter


def _if_staff(person: AbstractBaseUser | None) -> AbstractBaseUser | None:
    """A responsible person, while they still hold a staff role that reads tickets."""
    return person if person is not None and selectors.is_ticket_staff(person) else None


def _firm_people(ticket: Ticket, *, managers_only: bool = False) -> list:
    """The firm's people to tell: its managers, and the named worker or else everyone."""
    if not ticket.contractor_id:
        return []
    staff = ContractorStaff.objects.filter(firm_id=ticket.contractor_id).select_related("user")
    if managers_only:
        staff = staff.filter(is_manager=True)
    elif ticket.worker_id:
        staff = staff.filter(Q(is_manager=True) | Q(user_id=ticket.worker_id))
    return [member.user for member in staff]


def _clean_text(value: str, *, code: TicketErrorCode, field: str, limit: int, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise _refuse(code, message, field)
    if len(value) > limit:
        raise _refuse(code, gettext("At most %(limit)d characters.") % {"limit": limit}, field)
    return value


def _deadlines(category: Category, start: datetime) -> tuple[datetime, datetime]:
    return start + timedelta(hours=category.response_hours), start + timedelta(hours=category.resolution_hours)


def _rate_limited() -> ServiceError:
    return _refuse(TicketErrorCode.RATE_LIMITED, gettext("Too many at once. Try again in an hour or call us."))


def _locked(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",)).select_related("building", "unit", "category").get(pk=ticket.pk)
    )


def _set_status(ticket: Ticket, to_status: str, actor: AbstractBaseUser | None, note: str) -> TicketEvent:
    now = timezone.now()
    from_status = ticket.status
    ticket.status = to_status
    if ticket.first_response_at is None and actor is not None and actor.pk != ticket.reporter_id:
        ticket.first_response_at = now
    if to_status == S.DONE:
        ticket.done_at = now
    if to_status in {S.CLOSED, S.REJECTED}:
        ticket.closed_at = now
    ticket.save()
    return _event(ticket, TicketEvent.Kind.STATUS, actor, from_status=from_status, to_status=to_status, note=note)
