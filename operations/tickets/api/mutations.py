"""The tickets' mutations: each maps its input to one service call and the service's
refusals to typed errors (`TicketError`, codes from `errors.TicketErrorCode`).

The ticket a mutation names is looked up through `selectors` (a ticket the viewer may
not see is NOT_FOUND, whether or not it exists), and the changed ticket is read back
through the same selector: a firm that has just handed a ticket back, or anyone who may
no longer see it, gets `ticket: null` rather than the ticket. Who may do what is
`policy`'s answer, asked by the services; the few questions asked here first (who may
record a report for someone else, who may assign) are asked before anything is looked
up, so nobody else can probe which accounts or firms exist.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import strawberry
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext
from strawberry import Info
from strawberry.file_uploads import Upload
from strawberry_django.optimizer import optimize

from cms.core.exceptions import ServiceError
from cms.core.graphql.context import request_of, signed_in_user
from cms.core.graphql.enums import graphql_enum
from cms.core.graphql.errors import UserError, typed_errors
from cms.core.graphql.ids import parse_global_id, parse_id
from operations.residents import throttling

from .. import errors as domain_errors
from .. import policy, selectors, services
from ..models import RESIDENT_SOURCES, Ticket
from . import arguments
from .arguments import aware, decimal, ticket_pk
from .types import TicketCommentType, TicketSource, TicketStatus, TicketType, VisitWindow, comment_type

TicketErrorCode = graphql_enum(domain_errors.TicketErrorCode, "TicketErrorCode", "Why a ticket operation was refused.")


# --- Errors and payloads -------------------------------------------------------------------------


@strawberry.type
class TicketError(UserError):
    code: TicketErrorCode


# Service field names that are named differently in the API.
FIELD_NAMES = {"unit": "unitId", "building": "buildingId", "category": "categoryId", "due_at": "dueAt"}


def _errors(error: ServiceError) -> list[TicketError]:
    return typed_errors(TicketError, TicketErrorCode, error, FIELD_NAMES)


def _refusal(code: domain_errors.TicketErrorCode, message: str, field: str | None = None) -> list[TicketError]:
    return _errors(ServiceError(code, message, field))


@strawberry.type
class TicketPayload:
    ticket: TicketType | None
    errors: list[TicketError]


@strawberry.type
class TicketAnonymousCreatePayload:
    reference: str | None = strawberry.field(description="The number to quote when calling; null on failure.")
    errors: list[TicketError]


@strawberry.type
class TicketCommentAddPayload:
    comment: TicketCommentType | None
    ticket: TicketType | None
    errors: list[TicketError]


@strawberry.input(description="A fault report by a signed-in resident, or by staff on a resident's behalf.")
class TicketCreateInput:
    category_id: strawberry.ID
    title: str
    description: str
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="One of the reporter's units.")
    building_id: strawberry.ID | None = strawberry.field(
        default=None, description="For a common area: the reporter's building (give unitId or buildingId)."
    )
    location: str = strawberry.field(default="", description="Where exactly, e.g. staircase 2, 3rd floor.")
    latitude: float | None = None
    longitude: float | None = None
    preferred_date: datetime.date | None = None
    preferred_window: VisitWindow = VisitWindow.ANY  # type: ignore[attr-defined]
    entry_permitted: bool = False
    contact_phone: str = strawberry.field(default="", description="A phone the technician may call.")
    # The channel is said by the client, in the input, not guessed from the request (a
    # header or the kind of sign-in): a resident's report is PORTAL unless the client says
    # APP (the mobile app sends `source: APP`); PHONE, EMAIL and OFFICE are staff's, for a
    # report they took down, and required with reporterId; ANONYMOUS is ticketAnonymousCreate's.
    source: TicketSource | None = strawberry.field(
        default=None,
        description=(
            "The channel the report came through. Residents: PORTAL (the default) or APP (the mobile app "
            "says APP). Staff recording a report for a resident (reporterId): PHONE, EMAIL or OFFICE. "
            "ANONYMOUS is never accepted here (ticketAnonymousCreate records it)."
        ),
    )
    reporter_id: strawberry.ID | None = strawberry.field(
        default=None, description="Staff only: the resident the report is taken for (a user id)."
    )
    contact_name: str = ""
    contact_email: str = ""


@strawberry.input(description="A fault in a common area reported without an account.")
class TicketAnonymousCreateInput:
    category_id: strawberry.ID
    building_id: strawberry.ID
    title: str
    description: str
    location: str = ""
    contact_name: str = ""
    contact_phone: str = strawberry.field(default="", description="A phone or an e-mail is required.")
    contact_email: str = ""


# --- Reading the ticket before and after ---------------------------------------------------------


def _not_signed_in(message: str) -> list[TicketError]:
    return _refusal(domain_errors.TicketErrorCode.NOT_AUTHENTICATED, message)


def _not_found() -> list[TicketError]:
    return _refusal(domain_errors.TicketErrorCode.NOT_FOUND, gettext("Ticket not found."), "ticketId")


def _read_back(info: Info, user: AbstractBaseUser, ticket: Ticket) -> TicketType | None:
    """The changed ticket, read again through the viewer's selector (with the optimizer's
    plan): null when the viewer may no longer see it (a firm that handed it back). Asked
    anew after the change, not reused from before it: the selector's conditions are part
    of this one query (the person's permissions are already cached), so it costs nothing
    more than reading the ticket."""
    return optimize(selectors.tickets_visible_to(user).filter(pk=ticket.pk), info).first()


def _work_on_ticket(
    info: Info, ticket_id: strawberry.ID, change: Callable[[Ticket, AbstractBaseUser], Ticket]
) -> TicketPayload:
    """Run `change(ticket, user)` on a ticket the viewer may see; refusals become errors.

    A ticket the viewer may not see is NOT_FOUND, whether or not it exists."""
    user = signed_in_user(info)
    if user is None:
        return TicketPayload(ticket=None, errors=_not_signed_in(gettext("Sign in to work on tickets.")))
    ticket = selectors.tickets_visible_to(user).filter(pk=ticket_pk(ticket_id)).first()
    if ticket is None:
        return TicketPayload(ticket=None, errors=_not_found())
    try:
        changed = change(ticket, user)
    except ServiceError as error:
        return TicketPayload(ticket=None, errors=_errors(error))
    return TicketPayload(ticket=_read_back(info, user, changed), errors=[])


# --- Mutations -------------------------------------------------------------------------------------


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description=(
            "Report a fault in one of the viewer's units (unitId) or a common area of their building "
            f"(buildingId), with up to {settings.TICKET_PHOTOS_PER_REQUEST} photos (multipart upload). "
            "Staff may record a report taken by phone, e-mail or at the office for a resident (reporterId, source)."
        )
    )
    def ticket_create(self, info: Info, input: TicketCreateInput, photos: list[Upload] | None = None) -> TicketPayload:
        user = signed_in_user(info)
        if user is None:
            return TicketPayload(ticket=None, errors=_not_signed_in(gettext("Sign in to report a fault.")))
        try:
            category = selectors.categories_offered().filter(pk=parse_id(input.category_id, field="categoryId")).first()
            unit = building = None
            if input.unit_id is not None:
                unit = selectors.unit_by_id(parse_id(input.unit_id, field="unitId"))
                if unit is None:
                    raise ServiceError(domain_errors.TicketErrorCode.PLACE_INVALID, gettext("No such unit."), "unit")
            elif input.building_id is not None:
                building = selectors.building_by_id(parse_id(input.building_id, field="buildingId"))
            reporter, recorded_by = user, None
            source = input.source.value if input.source else Ticket.Source.PORTAL
            for_someone_else = input.reporter_id is not None
            if for_someone_else or source not in RESIDENT_SOURCES:
                # Staff recording a report taken for a resident. Asked before the person is
                # looked up, so that nobody else can probe which accounts exist.
                if refusal := policy.report_recording_refusal(
                    source=source, recorded_by=user, for_someone_else=for_someone_else
                ):
                    raise refusal
                recorded_by = user
                if input.reporter_id is not None:
                    reporter = selectors.person(parse_id(input.reporter_id, field="reporterId"))
                if reporter is None:
                    raise ServiceError(
                        domain_errors.TicketErrorCode.PLACE_INVALID, gettext("No such person."), "reporter_id"
                    )
            if category is None:
                raise ServiceError(
                    domain_errors.TicketErrorCode.CATEGORY_INVALID, gettext("Choose a category."), "category"
                )
            services.ticket_place_check(reporter=reporter, unit=unit, building=building)
            processed = arguments.photos(photos, user)
            ticket = services.ticket_create(
                reporter=reporter,
                category=category,
                title=input.title,
                description=input.description,
                unit=unit,
                building=building,
                location=input.location,
                latitude=decimal(input.latitude, "latitude"),
                longitude=decimal(input.longitude, "longitude"),
                preferred_date=input.preferred_date,
                preferred_window=input.preferred_window.value,
                entry_permitted=input.entry_permitted,
                source=source,
                recorded_by=recorded_by,
                contact_name=input.contact_name,
                contact_phone=input.contact_phone,
                contact_email=input.contact_email,
                photos=processed,
            )
        except ServiceError as error:
            return TicketPayload(ticket=None, errors=_errors(error))
        return TicketPayload(ticket=_read_back(info, user, ticket), errors=[])

    @strawberry.mutation(
        description=(
            "Report a fault in a common area without an account (a broken lamp in the stairwell), with a "
            "phone or an e-mail to call back on. Returns the reference only; limited per address and contact."
        )
    )
    def ticket_anonymous_create(
        self, info: Info, input: TicketAnonymousCreateInput, photos: list[Upload] | None = None
    ) -> TicketAnonymousCreatePayload:
        # The payload holds the reference only: the reporter has no account to read the ticket with.
        try:
            category = selectors.categories_offered().filter(pk=parse_id(input.category_id, field="categoryId")).first()
            building = selectors.building_by_id(parse_id(input.building_id, field="buildingId"))
            ticket = services.ticket_anonymous_create(
                category=category,
                building=building,
                title=input.title,
                description=input.description,
                location=input.location,
                contact_name=input.contact_name,
                contact_phone=input.contact_phone,
                contact_email=input.contact_email,
                ip_address=throttling.client_ip(request_of(info)),
                uploads=arguments.uploads_counted(photos),
            )
        except ServiceError as error:
            return TicketAnonymousCreatePayload(reference=None, errors=_errors(error))
        return TicketAnonymousCreatePayload(reference=ticket.reference, errors=[])

    @strawberry.mutation(
        description=(
            "Comment on a ticket, with photos if wanted. Internal notes (internal: true) are for staff and the "
            "assigned firm; public comments are sent to the resident, or from the resident to those working it."
        )
    )
    def ticket_comment_add(
        self,
        info: Info,
        ticket_id: strawberry.ID,
        body: str = "",
        internal: bool = False,
        photos: list[Upload] | None = None,
    ) -> TicketCommentAddPayload:
        user = signed_in_user(info)
        if user is None:
            return TicketCommentAddPayload(
                comment=None, ticket=None, errors=_not_signed_in(gettext("Sign in to work on tickets."))
            )
        ticket = selectors.tickets_visible_to(user).filter(pk=ticket_pk(ticket_id)).first()
        if ticket is None:
            return TicketCommentAddPayload(comment=None, ticket=None, errors=_not_found())
        try:
            comment = services.ticket_comment_add(
                ticket=ticket, author=user, body=body, internal=internal, photos=arguments.photos(photos, user)
            )
        except ServiceError as error:
            return TicketCommentAddPayload(comment=None, ticket=None, errors=_errors(error))
        changed = _read_back(info, user, ticket)
        # The comment belongs to the ticket: who may no longer see the ticket gets neither.
        return TicketCommentAddPayload(
            comment=comment_type(comment, user.pk) if changed is not None else None,
            ticket=changed,
            errors=[],
        )

    @strawberry.mutation(
        description=(
            "Change a ticket's status as the workflow allows the viewer (see `Ticket.actions.transitionTo`). "
            "Rejecting, giving back, pausing and finishing need a note, which the resident reads. Photos of the "
            "finished work may come with it."
        )
    )
    def ticket_transition(
        self,
        info: Info,
        ticket_id: strawberry.ID,
        status: TicketStatus,
        note: str = "",
        photos: list[Upload] | None = None,
    ) -> TicketPayload:
        return _work_on_ticket(
            info,
            ticket_id,
            lambda ticket, user: services.ticket_transition(
                ticket=ticket, actor=user, to_status=status.value, note=note, photos=arguments.photos(photos, user)
            ),
        )

    @strawberry.mutation(
        description="Dispatchers: hand a ticket to a firm (a Contractor id), optionally to one of its workers."
    )
    def ticket_assign(
        self,
        info: Info,
        ticket_id: strawberry.ID,
        contractor_id: strawberry.ID,
        worker_id: strawberry.ID | None = None,
        note: str = "",
    ) -> TicketPayload:
        def assign(ticket: Ticket, user) -> Ticket:
            if refusal := policy.dispatch_refusal(user):  # before any lookup: nothing to probe for others
                raise refusal
            contractor = selectors.contractor_by_id(
                parse_global_id(contractor_id, type_name="Contractor", field="contractorId")
            )
            worker = None
            if worker_id is not None:
                worker = selectors.person(parse_id(worker_id, field="workerId"))
                if worker is None:
                    raise ServiceError(
                        domain_errors.TicketErrorCode.WORKER_INVALID,
                        gettext("This person does not work for that firm."),
                        "worker_id",
                    )
            return services.ticket_assign(ticket=ticket, actor=user, contractor=contractor, worker=worker, note=note)

        return _work_on_ticket(info, ticket_id, assign)

    @strawberry.mutation(description="The assigned firm confirms it takes the job.")
    def ticket_contractor_accept(self, info: Info, ticket_id: strawberry.ID) -> TicketPayload:
        return _work_on_ticket(
            info, ticket_id, lambda ticket, user: services.ticket_contractor_accept(ticket=ticket, actor=user)
        )

    @strawberry.mutation(description="Dispatchers: move a ticket's deadline, saying why.")
    def ticket_deadline_change(
        self, info: Info, ticket_id: strawberry.ID, due_at: datetime.datetime, reason: str
    ) -> TicketPayload:
        return _work_on_ticket(
            info,
            ticket_id,
            lambda ticket, user: services.ticket_deadline_change(
                ticket=ticket, actor=user, due_at=aware(due_at), reason=reason
            ),
        )

    @strawberry.mutation(description="The resident confirms the work is done and rates it 1–5; the ticket closes.")
    def ticket_rate(self, info: Info, ticket_id: strawberry.ID, rating: int, comment: str = "") -> TicketPayload:
        return _work_on_ticket(
            info,
            ticket_id,
            lambda ticket, user: services.ticket_rate(ticket=ticket, actor=user, rating=rating, comment=comment),
        )

    @strawberry.mutation(
        description=(
            "The resident says a done ticket is not fixed, within the reopening window "
            "(`Ticket.reopenableUntil`); it goes back to its firm, or to the dispatchers."
        )
    )
    def ticket_reopen(self, info: Info, ticket_id: strawberry.ID, reason: str) -> TicketPayload:
        return _work_on_ticket(
            info, ticket_id, lambda ticket, user: services.ticket_reopen(ticket=ticket, actor=user, reason=reason)
        )
