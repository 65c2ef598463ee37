"""Reporting a fault by a signed-in resident, or by staff on a resident's behalf
(`ticket_create`), and what every new ticket goes through: its deadlines from the
category and its hand-over to the category's firm or the dispatchers. The report
without an account is `anonymous.py`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from cms.core.exceptions import ServiceError, raise_if_any
from operations.messaging.services import phone_normalise
from operations.residents import throttling
from operations.residents.models import Building, Membership, Unit
from operations.residents.roles import StaffRole

from .. import policy, selectors
from ..errors import TicketErrorCode
from ..models import Category, Ticket, TicketEvent
from ._common import (
    MAX_TEXT,
    MAX_TITLE,
    S,
    _clean_text,
    _deadlines,
    _event,
    _if_staff,
    _notify,
    _rate_limited,
    _refuse,
)
from .assignment import assign
from .attachments import StoredPhoto, photos_attach, with_photo_files


def ticket_place_check(
    *, reporter: AbstractBaseUser, unit: Unit | None = None, building: Building | None = None
) -> Building:
    """The building of a report for `unit` (one of the reporter's) or for a common area of
    `building` (where the reporter holds a unit); refused otherwise. Callers check it
    before decoding photos, so a report nobody may make costs no image processing."""
    memberships = Membership.objects.filter(user=reporter, status=Membership.Status.VERIFIED)
    if unit is not None:
        if not memberships.filter(unit=unit).exists():
            raise _refuse(TicketErrorCode.PLACE_INVALID, gettext("You can report only for your own units."), "unit")
        return unit.building
    if building is None or not memberships.filter(unit__building=building).exists():
        raise _refuse(TicketErrorCode.PLACE_INVALID, gettext("Choose one of your units or your building."), "building")
    return building


@with_photo_files
@transaction.atomic
def ticket_create(
    *,
    reporter: AbstractBaseUser | AnonymousUser | None,
    category: Category | None,
    title: str,
    description: str,
    unit: Unit | None = None,
    building: Building | None = None,
    location: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    preferred_date: date | None = None,
    preferred_window: str = Ticket.VisitWindow.ANY,
    entry_permitted: bool = False,
    source: str = Ticket.Source.PORTAL,
    recorded_by: AbstractBaseUser | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    photos: Sequence[StoredPhoto] = (),
) -> Ticket:
    """A resident reports a fault in one of their units or a common area of their building.

    `source` is the channel it came through (`policy.report_recording_refusal`): PORTAL or
    APP for the resident's own report; PHONE, EMAIL or OFFICE when `recorded_by`, the staff
    member who took it down, records it for the resident (the reporter). Deadlines follow from the category;
    a category with a default contractor hands the ticket to that firm at once.
    """
    if reporter is None or not reporter.is_authenticated:
        raise _refuse(TicketErrorCode.NOT_AUTHENTICATED, gettext("Sign in to report a fault."))
    if category is None or not category.is_active:
        raise _refuse(TicketErrorCode.CATEGORY_INVALID, gettext("Choose a category."), "category")
    building = ticket_place_check(reporter=reporter, unit=unit, building=building)
    if refusal := policy.report_recording_refusal(
        source=source, recorded_by=recorded_by, for_someone_else=recorded_by is not None
    ):
        raise refusal
    _check_position(latitude, longitude)
    contact_phone, contact_email = _clean_contact(contact_phone, contact_email)
    if recorded_by is None and not throttling.hourly_count_allows(
        "tickets:reports:user", str(reporter.pk), settings.TICKET_REPORTS_PER_USER_PER_HOUR
    ):
        raise _rate_limited()
    ticket = _ticket_open(
        category,
        **_report_texts(title, description),
        building=building,
        unit=unit,
        location=(location or "").strip()[:150],
        latitude=latitude,
        longitude=longitude,
        preferred_date=preferred_date,
        preferred_window=preferred_window if preferred_window in Ticket.VisitWindow.values else Ticket.VisitWindow.ANY,
        entry_permitted=bool(entry_permitted),
        source=source,
        reporter=reporter,
        recorded_by=recorded_by,
        # How to call back, as given on the phone or at the office (staff fill it in).
        contact_name=(contact_name or "").strip()[:120],
        contact_phone=contact_phone,
        contact_email=contact_email,
    )
    _event(ticket, TicketEvent.Kind.CREATED, recorded_by or reporter, to_status=S.NEW)
    photos_attach(ticket, photos, recorded_by or reporter)
    _notify("ticket-received", [reporter], ticket, "received")
    _hand_over(ticket)
    return ticket


def _ticket_open(category: Category, **fields: object) -> Ticket:
    """A new ticket, its deadlines and responsible person taken from its category."""
    now = timezone.now()
    response_due, due = _deadlines(category, now)
    return Ticket.objects.create(
        category=category,
        responsible=category.default_responsible,
        created_at=now,
        clock_started_at=now,
        response_due_at=response_due,
        due_at=due,
        **fields,
    )


def _check_position(latitude: Decimal | None, longitude: Decimal | None) -> None:
    if (latitude is None) != (longitude is None) or (
        latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        raise _refuse(TicketErrorCode.POSITION_INVALID, gettext("Give both latitude and longitude."), "latitude")


def _report_texts(title: str, description: str) -> dict[str, str]:
    return {
        "title": _clean_text(
            title,
            code=TicketErrorCode.TITLE_REQUIRED,
            field="title",
            limit=MAX_TITLE,
            message=gettext("Say in a few words what is wrong."),
        ),
        "description": _clean_text(
            description,
            code=TicketErrorCode.DESCRIPTION_REQUIRED,
            field="description",
            limit=MAX_TEXT,
            message=gettext("Describe the fault."),
        ),
    }


def _clean_contact(phone: str, email: str) -> tuple[str, str]:
    """A contact phone as E.164 (Polish numbers may omit +48) and an e-mail, both optional;
    every bad one is reported."""
    problems = []
    try:
        phone = phone_normalise(phone or "")
    except ServiceError:
        problems.append(
            _refuse(
                TicketErrorCode.CONTACT_INVALID,
                gettext("Give a phone number such as +48 600 123 456."),
                "contact_phone",
            )
        )
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                _refuse(TicketErrorCode.CONTACT_INVALID, gettext("Give a valid e-mail address."), "contact_email")
            )
    raise_if_any(problems)
    return phone, email


def _hand_over(ticket: Ticket) -> None:
    """A new ticket goes to its category's firm at once (night emergencies reach the
    on-call firm without waiting), or else to the dispatchers."""
    category = ticket.category
    if category.default_contractor_id and category.default_contractor.live:
        assign(
            ticket,
            contractor=category.default_contractor,
            worker=None,
            actor=None,
            note=gettext("Handed to the category's contractor."),
        )
    else:
        _notify(
            "ticket-new",
            selectors.staff_in_role(StaffRole.DISPATCHER) + [_if_staff(category.default_responsible)],
            ticket,
            "new",
        )
