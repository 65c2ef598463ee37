"""Every write of the tickets app: reporting, status changes, assignment, comments,
deadlines, ratings, reopening, and the periodic closing and escalation.

Each change and its history entry (`TicketEvent`) are written in one transaction, and the
people concerned are told through messaging (`message_send`), whose outbox rows are part
of that same transaction: a ticket change is never committed without its notifications,
and they are sent by Celery after commit, even if the broker is down at that moment.
Refusals are `ServiceError(code, message, field)` with `TicketErrorCode` values; a refused
call changes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from cms.contractors.models import ContractorStaff
from cms.core.exceptions import ServiceError, raise_if_any
from operations.messaging import services as messaging
from operations.messaging.kinds import MessageKind
from operations.messaging.preferences import phone_normalise
from operations.residents import throttling
from operations.residents.models import Membership
from operations.residents.roles import StaffRole

from . import selectors, workflow
from .errors import TicketErrorCode
from .models import CLOSED_STATUSES, Category, Ticket, TicketComment, TicketEvent, TicketPhoto, photo_file_name
from .photos import PhotoError, ProcessedPhoto, process_photo
from .workflow import Actor

User = get_user_model()
S = Ticket.Status


MAX_TITLE = 150
MAX_TEXT = 5000


def _refuse(code: TicketErrorCode, message: str, field: str | None = None) -> ServiceError:
    return ServiceError(code, message, field)


def _event(ticket: Ticket, kind: str, actor=None, *, from_status: str = "", to_status: str = "", note: str = ""):
    return TicketEvent.objects.create(
        ticket=ticket, kind=kind, actor=actor, from_status=from_status, to_status=to_status, note=note
    )


# --- Notifications ---------------------------------------------------------------------------


def _ticket_context(ticket: Ticket, **extra) -> dict:
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


def _notify(template_key: str, people, ticket: Ticket, event_key: str, **extra) -> None:
    people = {person.pk: person for person in people if person is not None and person.is_active}
    if not people:
        return
    messaging.message_send(
        kind=MessageKind.TICKET_UPDATE,
        template_key=template_key,
        recipients=list(people.values()),
        context=_ticket_context(ticket, **extra),
        dedupe_key=f"ticket:{ticket.pk}:{event_key}",
    )


def _reporter_of(ticket: Ticket):
    """The reporter, while they may still read the ticket: someone who moved out is not
    told what is written for the new occupants."""
    reporter = ticket.reporter
    if reporter is None or Actor.REPORTER not in selectors.actor_roles(ticket, reporter):
        return None
    return reporter


def _if_staff(person):
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


# --- Photos ----------------------------------------------------------------------------------


def photos_per_ticket() -> int:
    return getattr(settings, "TICKET_PHOTOS_MAX_PER_TICKET", 20)


def photos_process(uploads: Sequence, *, by=None) -> list[ProcessedPhoto]:
    """Check and clean uploaded photos before anything is written (Pillow work is slow, so
    it happens outside any transaction). Every refused photo is reported, with its
    position: `photos.0`, `photos.2`. Decoding costs CPU and memory, so one person (`by`)
    may send at most TICKET_PHOTOS_PER_USER_PER_HOUR photos an hour."""
    if by is not None and uploads:
        if not throttling.hourly_count_allows(
            "tickets:photos:user", str(by.pk), settings.TICKET_PHOTOS_PER_USER_PER_HOUR, amount=len(uploads)
        ):
            raise _rate_limited()
    processed, problems = [], []
    for index, upload in enumerate(uploads):
        try:
            processed.append(process_photo(upload))
        except PhotoError as error:
            problems.append(ServiceError(TicketErrorCode(error.code.value), error.message, f"photos.{index}"))
    raise_if_any(problems)
    return processed


@dataclass(frozen=True)
class _StoredPhoto:
    photo: ProcessedPhoto
    name: str
    thumbnail_name: str

    def delete(self) -> None:
        default_storage.delete(self.name)
        default_storage.delete(self.thumbnail_name)


def _store(photo: ProcessedPhoto) -> _StoredPhoto:
    name = default_storage.save(photo_file_name(None, f"photo.{photo.extension}"), ContentFile(photo.content))
    thumbnail = default_storage.save(photo_file_name(None, "thumbnail.jpg"), ContentFile(photo.thumbnail))
    return _StoredPhoto(photo, name, thumbnail)


def _with_photo_files(service):
    """Write the service's `photos` to storage before its transaction, and delete them if
    the service refuses or fails: a refused report leaves no files behind."""

    @functools.wraps(service)
    def wrapper(*, photos: Sequence[ProcessedPhoto] = (), **kwargs):
        stored: list[_StoredPhoto] = []
        try:
            stored.extend(_store(photo) for photo in photos)
            return service(photos=stored, **kwargs)
        except BaseException:
            for files in stored:
                files.delete()
            raise

    return wrapper


def _photos_attach(ticket: Ticket, stored: Sequence[_StoredPhoto], by, *, comment=None, internal=False) -> None:
    if not stored:
        return
    if ticket.photos.count() + len(stored) > photos_per_ticket():
        raise _refuse(
            TicketErrorCode.PHOTO_COUNT,
            gettext("A ticket holds at most %(limit)d photos.") % {"limit": photos_per_ticket()},
            "photos",
        )
    TicketPhoto.objects.bulk_create(
        TicketPhoto(
            ticket=ticket,
            comment=comment,
            uploaded_by=by,
            is_internal=internal,
            file=files.name,
            content_type=files.photo.content_type,
            width=files.photo.width,
            height=files.photo.height,
            size=len(files.photo.content),
            thumbnail=files.thumbnail_name,
            thumbnail_width=files.photo.thumbnail_width,
            thumbnail_height=files.photo.thumbnail_height,
        )
        for files in stored
    )


# --- Reporting -------------------------------------------------------------------------------


def _clean_text(value: str, *, code: TicketErrorCode, field: str, limit: int, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise _refuse(code, message, field)
    if len(value) > limit:
        raise _refuse(code, gettext("At most %(limit)d characters.") % {"limit": limit}, field)
    return value


def _deadlines(category: Category, start) -> tuple:
    return start + timedelta(hours=category.response_hours), start + timedelta(hours=category.resolution_hours)


def ticket_place_check(*, reporter, unit=None, building=None):
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


@_with_photo_files
@transaction.atomic
def ticket_create(
    *,
    reporter,
    category: Category,
    title: str,
    description: str,
    unit=None,
    building=None,
    location: str = "",
    latitude=None,
    longitude=None,
    preferred_date=None,
    preferred_window: str = Ticket.VisitWindow.ANY,
    entry_permitted: bool = False,
    source: str = Ticket.Source.PORTAL,
    recorded_by=None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    photos: Sequence[_StoredPhoto] = (),
) -> Ticket:
    """A resident reports a fault in one of their units or a common area of their building.

    `recorded_by` is the staff member who took it by phone, e-mail or at the office; the
    reporter is then the resident it was taken for. Deadlines follow from the category;
    a category with a default contractor hands the ticket to that firm at once.
    """
    if reporter is None or not reporter.is_authenticated:
        raise _refuse(TicketErrorCode.NOT_AUTHENTICATED, gettext("Sign in to report a fault."))
    if category is None or not category.is_active:
        raise _refuse(TicketErrorCode.CATEGORY_INVALID, gettext("Choose a category."), "category")
    building = ticket_place_check(reporter=reporter, unit=unit, building=building)
    taken_by_staff = source not in {Ticket.Source.PORTAL, Ticket.Source.APP}
    if source not in Ticket.Source.values or (
        (taken_by_staff or recorded_by is not None) and not selectors.can_dispatch(recorded_by)
    ):
        raise _refuse(TicketErrorCode.FORBIDDEN, gettext("Only staff record tickets taken by phone or e-mail."))
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
    _photos_attach(ticket, photos, recorded_by or reporter)
    _notify("ticket-received", [reporter], ticket, "received")
    _hand_over(ticket)
    return ticket


def _ticket_open(category: Category, **fields) -> Ticket:
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


def _check_position(latitude, longitude) -> None:
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


def _hand_over(ticket: Ticket) -> None:
    """A new ticket goes to its category's firm at once (night emergencies reach the
    on-call firm without waiting), or else to the dispatchers."""
    category = ticket.category
    if category.default_contractor_id and category.default_contractor.live:
        _assign(
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


def anonymous_reports_allowed(*, ip_address: str | None, contact: str, building_id: int) -> bool:
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


def _rate_limited() -> ServiceError:
    return _refuse(TicketErrorCode.RATE_LIMITED, gettext("Too many at once. Try again in an hour or call us."))


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


def ticket_anonymous_create(
    *,
    category: Category,
    building,
    title: str,
    description: str,
    location: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    ip_address: str | None = None,
    uploads: Sequence = (),
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
    if not anonymous_reports_allowed(ip_address=ip_address, contact=phone or email, building_id=building.pk):
        raise _rate_limited()
    return _anonymous_ticket_write(
        category=category,
        building=building,
        texts=texts,
        location=location,
        contact=(contact_name, phone, email),
        photos=photos_process(uploads),
    )


@_with_photo_files
@transaction.atomic
def _anonymous_ticket_write(*, category, building, texts, location, contact, photos) -> Ticket:
    contact_name, phone, email = contact
    ticket = _ticket_open(
        category,
        **texts,
        building=building,
        location=(location or "").strip()[:150],
        source=Ticket.Source.PORTAL,
        contact_name=(contact_name or "").strip()[:120],
        contact_phone=phone,
        contact_email=email,
    )
    _event(ticket, TicketEvent.Kind.CREATED, None, to_status=S.NEW, note=gettext("Reported without an account."))
    _photos_attach(ticket, photos, None)
    _hand_over(ticket)
    return ticket


# --- Workflow --------------------------------------------------------------------------------


def _locked(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",)).select_related("building", "unit", "category").get(pk=ticket.pk)
    )


def _require(ticket: Ticket, actor, to_status: str, roles: set[Actor] | None = None) -> set[Actor]:
    roles = selectors.actor_roles(ticket, actor) if roles is None else roles
    if not workflow.is_allowed(ticket.status, to_status, roles):
        if not roles:
            raise _refuse(TicketErrorCode.FORBIDDEN, gettext("You cannot change this ticket."))
        raise _refuse(
            TicketErrorCode.TRANSITION_NOT_ALLOWED,
            gettext("A ticket that is “%(from)s” cannot become “%(to)s”.")
            % {"from": ticket.get_status_display(), "to": S(to_status).label},
            "status",
        )
    return roles


def _set_status(ticket: Ticket, to_status: str, actor, note: str) -> TicketEvent:
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


@_with_photo_files
@transaction.atomic
def ticket_transition(
    *, ticket: Ticket, actor, to_status: str, note: str = "", photos: Sequence[_StoredPhoto] = ()
) -> Ticket:
    """Change a ticket's status as `workflow.TRANSITIONS` allows this person; the reporter
    is told, and the dispatchers when the contractor gives it back. Photos (of the
    finished work, say) are public: the resident sees what was done."""
    if to_status not in workflow.DIRECT_TARGETS:
        raise _refuse(
            TicketErrorCode.TRANSITION_NOT_ALLOWED, gettext("Use assignment or reopening for that."), "status"
        )
    ticket = _locked(ticket)
    if ticket.status == S.DONE and to_status != S.CLOSED:
        raise _refuse(TicketErrorCode.TRANSITION_NOT_ALLOWED, gettext("Reopen a done ticket instead."), "status")
    _require(ticket, actor, to_status)
    note = (note or "").strip()[:MAX_TEXT]
    if (ticket.status, to_status) in workflow.NOTE_REQUIRED and not note:
        raise _refuse(TicketErrorCode.NOTE_REQUIRED, gettext("Say why, for the resident."), "note")
    from_status = ticket.status
    if (from_status, to_status) == (S.ASSIGNED, S.ACCEPTED):
        ticket.contractor, ticket.worker, ticket.contractor_accepted_at = None, None, None
    event = _set_status(ticket, to_status, actor, note)
    _photos_attach(ticket, photos, actor)
    _notify("ticket-status", [_reporter_of(ticket)], ticket, f"event:{event.pk}", note=note)
    if (from_status, to_status) == (S.ASSIGNED, S.ACCEPTED):
        _notify("ticket-new", selectors.staff_in_role(StaffRole.DISPATCHER), ticket, f"event:{event.pk}:dispatch")
    return ticket


@transaction.atomic
def ticket_contractor_accept(*, ticket: Ticket, actor) -> Ticket:
    """The firm confirms it takes the job (no status change; dispatchers see who did)."""
    ticket = _locked(ticket)
    if Actor.CONTRACTOR not in selectors.actor_roles(ticket, actor) or ticket.status != S.ASSIGNED:
        raise _refuse(TicketErrorCode.FORBIDDEN, gettext("Only the assigned firm can accept this ticket."))
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


def _assign(ticket: Ticket, *, contractor, worker, actor, note: str = "") -> TicketEvent:
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
def ticket_assign(*, ticket: Ticket, actor, contractor, worker=None, note: str = "") -> Ticket:
    """A dispatcher hands the ticket to a firm, and optionally to one of its workers."""
    ticket = _locked(ticket)
    # Only dispatchers assign, and a done ticket goes back to work only by reopening.
    _require(ticket, actor, S.ASSIGNED, selectors.actor_roles(ticket, actor) & {Actor.STAFF})
    if ticket.status == S.DONE:
        raise _refuse(TicketErrorCode.TRANSITION_NOT_ALLOWED, gettext("Reopen a done ticket instead."), "status")
    if contractor is None or not contractor.live:
        raise _refuse(TicketErrorCode.CONTRACTOR_INVALID, gettext("Choose a contractor."), "contractor")
    if worker is not None and not ContractorStaff.objects.filter(user=worker, firm=contractor).exists():
        raise _refuse(TicketErrorCode.WORKER_INVALID, gettext("This person does not work for that firm."), "worker")
    _assign(ticket, contractor=contractor, worker=worker, actor=actor, note=(note or "").strip()[:MAX_TEXT])
    return ticket


@_with_photo_files
@transaction.atomic
def ticket_comment_add(
    *, ticket: Ticket, author, body: str, internal: bool = False, photos: Sequence[_StoredPhoto] = ()
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
    if not roles:  # readers without a part in it (the board) only read
        raise _refuse(TicketErrorCode.FORBIDDEN, gettext("You cannot change this ticket."))
    if not roles & {Actor.STAFF, Actor.CONTRACTOR} and not throttling.hourly_count_allows(
        "tickets:comments:user", str(author.pk), settings.TICKET_COMMENTS_PER_USER_PER_HOUR
    ):
        raise _rate_limited()
    if internal and not roles & {Actor.STAFF, Actor.CONTRACTOR}:
        raise _refuse(
            TicketErrorCode.FORBIDDEN, gettext("Only staff and the contractor write internal notes."), "internal"
        )
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
    _photos_attach(ticket, photos, author, comment=comment, internal=internal)
    if internal:
        return comment
    if roles & {Actor.STAFF, Actor.CONTRACTOR}:
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


@transaction.atomic
def ticket_deadline_change(*, ticket: Ticket, actor, due_at, reason: str) -> Ticket:
    ticket = _locked(ticket)
    if Actor.STAFF not in selectors.actor_roles(ticket, actor):
        raise _refuse(TicketErrorCode.FORBIDDEN, gettext("Only dispatchers change deadlines."))
    if ticket.status in CLOSED_STATUSES:
        raise _refuse(
            TicketErrorCode.TRANSITION_NOT_ALLOWED, gettext("A finished ticket has no deadline to change."), "due_at"
        )
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


# --- The resident's side after the work ------------------------------------------------------


def reopen_window() -> timedelta:
    return timedelta(days=getattr(settings, "TICKET_REOPEN_DAYS", 7))


@transaction.atomic
def ticket_rate(*, ticket: Ticket, actor, rating: int, comment: str = "") -> Ticket:
    """The reporter confirms the work and rates it 1–5; the ticket closes."""
    ticket = _locked(ticket)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise _refuse(TicketErrorCode.RATING_INVALID, gettext("Rate from 1 to 5."), "rating")
    roles = selectors.actor_roles(ticket, actor) & {Actor.REPORTER}
    _require(ticket, actor, S.CLOSED, roles)
    ticket.rating, ticket.rating_comment = int(rating), (comment or "").strip()[:MAX_TEXT]
    _event(ticket, TicketEvent.Kind.RATED, actor, note=f"{ticket.rating}/5 {ticket.rating_comment}".strip())
    _set_status(ticket, S.CLOSED, actor, gettext("Confirmed by the resident."))
    return ticket


@transaction.atomic
def ticket_reopen(*, ticket: Ticket, actor, reason: str) -> Ticket:
    """The reporter says it is not fixed, within TICKET_REOPEN_DAYS of it being done."""
    ticket = _locked(ticket)
    roles = selectors.actor_roles(ticket, actor) & {Actor.REPORTER, Actor.STAFF}
    if ticket.status == S.CLOSED and roles and ticket.done_at:
        raise _refuse(TicketErrorCode.REOPEN_EXPIRED, gettext("This ticket can no longer be reopened; report anew."))
    if ticket.status != S.DONE:
        raise _refuse(TicketErrorCode.TRANSITION_NOT_ALLOWED, gettext("Only a done ticket can be reopened."), "status")
    to_status = S.ASSIGNED if ticket.contractor_id else S.ACCEPTED
    _require(ticket, actor, to_status, roles)
    if ticket.done_at and timezone.now() - ticket.done_at > reopen_window():
        raise _refuse(TicketErrorCode.REOPEN_EXPIRED, gettext("This ticket can no longer be reopened; report anew."))
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


# --- Periodic work ---------------------------------------------------------------------------


def tickets_close_unconfirmed(*, now=None) -> int:
    """Close done tickets nobody confirmed or reopened within the reopening window."""
    now = now or timezone.now()
    closed = 0
    for pk in Ticket.objects.filter(status=S.DONE, done_at__lt=now - reopen_window()).values_list("pk", flat=True):
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().filter(pk=pk, status=S.DONE).first()
            if ticket is None:
                continue
            event = _set_status(ticket, S.CLOSED, None, gettext("Closed automatically: not reopened in time."))
            _notify("ticket-status", [_reporter_of(ticket)], ticket, f"event:{event.pk}", note=event.note)
            closed += 1
    return closed


def tickets_escalate(*, now=None) -> dict[str, int]:
    """Warn when a ticket nears its deadline, and mark it overdue when it passes it; tell
    the dispatchers (and the firm's managers) when nobody reacted within the response time.

    Each warning is claimed by one conditional UPDATE (warned_at / overdue_at from null to
    now) before anything is sent, in the transaction that writes the messages: two workers
    running this at once cannot both claim the same ticket, and a second run finds nothing.
    """
    now = now or timezone.now()
    share = getattr(settings, "TICKET_WARNING_SHARE", 0.8)
    open_tickets = Ticket.objects.exclude(status__in=CLOSED_STATUSES)
    counts = {"warned": 0, "overdue": 0, "unanswered": 0}
    for ticket in open_tickets.filter(overdue_at__isnull=True, due_at__lte=now).select_related(
        "building", "unit", "category"
    ):
        with transaction.atomic():
            # The claim re-checks what made it a candidate: a ticket finished or given a new
            # deadline since the list was read is left alone.
            claimed = open_tickets.filter(pk=ticket.pk, overdue_at__isnull=True, due_at__lte=now).update(overdue_at=now)
            if not claimed:
                continue
            event = _event(ticket, TicketEvent.Kind.ESCALATED, None, note=gettext("Past its deadline."))
            # Keyed by the claimed escalation: each claim is told once, and only a claim tells.
            _notify(
                "ticket-overdue",
                selectors.staff_in_role(StaffRole.ADMINISTRATOR) + [_if_staff(ticket.responsible)],
                ticket,
                f"overdue:event:{event.pk}",
            )
            counts["overdue"] += 1
    for ticket in open_tickets.filter(
        first_response_at__isnull=True, response_overdue_at__isnull=True, response_due_at__lte=now
    ).select_related("building", "unit", "category"):
        with transaction.atomic():
            claimed = open_tickets.filter(
                pk=ticket.pk, first_response_at__isnull=True, response_overdue_at__isnull=True
            ).update(response_overdue_at=now)
            if not claimed:
                continue
            event = _event(ticket, TicketEvent.Kind.ESCALATED, None, note=gettext("No response in time."))
            people = (
                selectors.staff_in_role(StaffRole.DISPATCHER)
                + _firm_people(ticket, managers_only=True)
                + [_if_staff(ticket.responsible)]
            )
            _notify("ticket-response-overdue", people, ticket, f"response:event:{event.pk}")
            counts["unanswered"] += 1
    candidates = open_tickets.filter(warned_at__isnull=True, overdue_at__isnull=True, due_at__gt=now)
    for ticket in candidates.select_related("building", "unit", "category"):
        total = (ticket.due_at - ticket.clock_started_at).total_seconds()
        if (now - ticket.clock_started_at).total_seconds() < share * total:
            continue
        with transaction.atomic():
            claimed = open_tickets.filter(
                pk=ticket.pk,
                warned_at__isnull=True,
                overdue_at__isnull=True,
                due_at=ticket.due_at,
                clock_started_at=ticket.clock_started_at,
            ).update(warned_at=now)
            if not claimed:
                continue
            event = _event(ticket, TicketEvent.Kind.ESCALATED, None, note=gettext("Nearing its deadline."))
            people = _firm_people(ticket, managers_only=True) + selectors.staff_in_role(StaffRole.DISPATCHER)
            _notify("ticket-deadline-warning", people, ticket, f"warning:event:{event.pk}")
            counts["warned"] += 1
    return counts


def ticket_photo_files_sweep(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete photo files no TicketPhoto names: those of tickets deleted since, and those
    stored for a change that an outer transaction then rolled back (a service cleans up
    after its own refusals). Files younger than `older_than` may belong to an upload
    still in progress and are left alone. Returns how many files were deleted."""
    folder = "ticket-photos"
    try:
        _dirs, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - older_than
    stored = {f"{folder}/{name}" for name in names}
    # Every name the table holds (two short strings a photo; no IN list of thousands).
    referenced = set()
    for file, thumbnail in TicketPhoto.objects.values_list("file", "thumbnail").iterator():
        referenced.update((file, thumbnail))
    deleted = 0
    for name in sorted(stored - referenced):
        if default_storage.get_modified_time(name) < cutoff:
            default_storage.delete(name)
            deleted += 1
    return deleted


def categories_ensure() -> int:
    """The default categories, on a fresh installation only (see default_categories.py)."""
    from .default_categories import DEFAULT_CATEGORIES

    if Category.objects.exists():
        return 0
    Category.objects.bulk_create(
        Category(
            slug=slug,
            name=name,
            urgency=urgency,
            response_hours=response,
            resolution_hours=resolution,
            description=description,
            sort_order=index,
        )
        for index, (slug, name, urgency, response, resolution, description) in enumerate(DEFAULT_CATEGORIES)
    )
    return len(DEFAULT_CATEGORIES)
