"""Comments and internal notes on a ticket, with photos (`ticket_comment_add`)."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext

from operations.residents import throttling
from operations.residents.roles import StaffRole

from .. import policy, selectors
from ..errors import TicketErrorCode
from ..models import Ticket, TicketComment
from ._common import (
    MAX_TEXT,
    _clean_text,
    _firm_people,
    _if_staff,
    _locked,
    _notify,
    _rate_limited,
    _refuse,
    _reporter_of,
)
from .attachments import StoredPhoto, photos_attach, with_photo_files


@with_photo_files
@transaction.atomic
def ticket_comment_add(
    *,
    ticket: Ticket,
    author: AbstractBaseUser | None,
    body: str,
    internal: bool = False,
    photos: Sequence[StoredPhoto] = (),
) -> TicketComment:
    """A comment by someone who may see the ticket; internal ones only by staff and the firm.

    A public comment by staff or the firm is sent to the reporter; one by the reporter to
    the firm (or, before assignment, the dispatchers).
    """
    ticket = _locked(ticket)
    roles = selectors.actor_roles(ticket, author)
    may_read = selectors.tickets_visible_to(author).filter(pk=ticket.pk).exists()
    if not may_read:
        raise _refuse(TicketErrorCode.NOT_FOUND, gettext("Ticket not found."))
    if refusal := policy.comment_refusal(roles):
        raise refusal
    # The hourly limit is counted before the internal-note check, as it always was: a
    # refused internal note by a resident still counts as an attempt.
    if not policy.comments_unlimited(roles) and not throttling.hourly_count_allows(
        "tickets:comments:user", str(author.pk), settings.TICKET_COMMENTS_PER_USER_PER_HOUR
    ):
        raise _rate_limited()
    if internal and (refusal := policy.internal_note_refusal(roles)):
        raise refusal
    # A comment may be photos alone ("here is the leak"); otherwise it needs words.
    if photos and not (body or "").strip():
        body = ""
    else:
        body = _clean_text(
            body,
            code=TicketErrorCode.COMMENT_REQUIRED,
            field="body",
            limit=MAX_TEXT,
            message=gettext("Write a comment."),
        )
    comment = TicketComment.objects.create(ticket=ticket, author=author, body=body, is_internal=internal)
    photos_attach(ticket, photos, author, comment=comment, internal=internal)
    if internal:
        return comment
    if policy.comments_unlimited(roles):  # staff or the firm: a response to the reporter
        if ticket.first_response_at is None:
            ticket.first_response_at = comment.created_at
            ticket.save(update_fields=["first_response_at", "updated_at"])
        _notify("ticket-comment", [_reporter_of(ticket)], ticket, f"comment:{comment.pk}", comment=body)
    else:
        audience = _firm_people(ticket) if ticket.contractor_id else selectors.staff_in_role(StaffRole.DISPATCHER)
        _notify(
            "ticket-comment", audience + [_if_staff(ticket.responsible)], ticket, f"comment:{comment.pk}", comment=body
        )
    return comment
