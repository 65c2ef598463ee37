"""A fault reported without an account (`ticket_anonymous_create`): limited per address,
contact, building and in all, before any photo is decoded."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext

from operations.residents import throttling
from operations.residents.models import Building

from ..errors import TicketErrorCode
from ..models import Category, Ticket, TicketEvent
from ._common import (
    S,
    _event,
    _rate_limited,
    _refuse,
)
from .attachments import StoredPhoto, photos_attach, photos_process, with_photo_files
from .reporting import _clean_contact, _hand_over, _report_texts, _ticket_open


def _anonymous_reports_allowed(*, ip_address: str | None, contact: str, building_id: int) -> bool:
    """Count an anonymous report; False once its address (an IPv6 /64), its contact, its
    building or all anonymous reports together have used up their hourly limit, so that
    the public form cannot be flooded even from many addresses."""
    limits = [
        ("tickets:anonymous:contact", contact, settings.TICKET_ANONYMOUS_LIMIT_PER_CONTACT),
        ("tickets:anonymous:building", str(building_id), settings.TICKET_ANONYMOUS_LIMIT_PER_BUILDING),
        ("tickets:anonymous:all", "all", settings.TICKET_ANONYMOUS_LIMIT_TOTAL),
    ]
    if ip_address:
        limits.append(
            (
                "tickets:anonymous:address",
                throttling.address_key(ip_address),
                settings.TICKET_ANONYMOUS_LIMIT_PER_ADDRESS,
            )
        )
    # Every counter counts the attempt (no short-circuit), so none can be probed for free.
    allowed = [throttling.hourly_count_allows(scope, subject, limit) for scope, subject, limit in limits]
    return all(allowed)


def ticket_anonymous_create(
    *,
    category: Category | None,
    building: Building | None,
    title: str,
    description: str,
    location: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    ip_address: str | None = None,
    uploads: Sequence[UploadedFile] = (),
) -> Ticket:
    """Someone without an account reports a fault in a common area (a broken lamp in the
    stairwell), leaving a phone or an e-mail to be called back on.

    Limited per address and per contact (TICKET_ANONYMOUS_LIMIT_PER_*, an hour). The limit
    is checked before the photos (`uploads`, as received) are decoded, so a flood of
    uploads costs no image processing. The reporter gets the ticket's reference and nothing
    else: the ticket has no reporter, so only staff and the firm ever read it.
    """
    if category is None or not category.is_active:
        raise _refuse(TicketErrorCode.CATEGORY_INVALID, gettext("Choose a category."), "category")
    if building is None:
        raise _refuse(TicketErrorCode.PLACE_INVALID, gettext("Choose the building."), "building")
    phone, email = _clean_contact(contact_phone, contact_email)
    if not phone and not email:
        raise _refuse(
            TicketErrorCode.CONTACT_REQUIRED, gettext("Give a phone number or an e-mail address."), "contact_phone"
        )
    texts = _report_texts(title, description)
    if not _anonymous_reports_allowed(ip_address=ip_address, contact=phone or email, building_id=building.pk):
        raise _rate_limited()
    return _anonymous_ticket_write(
        category=category,
        building=building,
        texts=texts,
        location=location,
        contact=(contact_name, phone, email),
        photos=photos_process(uploads),
    )


@with_photo_files
@transaction.atomic
def _anonymous_ticket_write(
    *,
    category: Category,
    building: Building,
    texts: dict[str, str],
    location: str,
    contact: tuple[str, str, str],
    photos: Sequence[StoredPhoto],
) -> Ticket:
    contact_name, phone, email = contact
    ticket = _ticket_open(
        category,
        **texts,
        building=building,
        location=(location or "").strip()[:150],
        source=Ticket.Source.ANONYMOUS,
        contact_name=(contact_name or "").strip()[:120],
        contact_phone=phone,
        contact_email=email,
    )
    _event(ticket, TicketEvent.Kind.CREATED, None, to_status=S.NEW, note=gettext("Reported without an account."))
    photos_attach(ticket, photos, None)
    _hand_over(ticket)
    return ticket
