"""GraphQL for tickets: the viewer's tickets and categories, and the mutations that report
and work them, with photo uploads (the types are in `graphql_types.py`).

Resolvers only translate: reads come from `selectors` (which tickets a person may see),
writes from `services`, and every refusal a person can fix is a `TicketError` in the
payload. A ticket the viewer may not see is NOT_FOUND, whether or not it exists.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

import strawberry
import strawberry_django
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from strawberry import Info
from strawberry.file_uploads import Upload
from strawberry_django.optimizer import optimize

from cms.contractors.models import ContractorPage
from cms.core.exceptions import ServiceError
from cms.core.graphql.context import request_of, signed_in_user
from cms.core.graphql.errors import UserError, typed_errors
from cms.core.graphql.pagination import HubConnection
from cms.core.graphql.values import bad_input, graphql_enum, parse_global_id, parse_id
from operations.residents import throttling
from operations.residents.models import Building, Unit

from . import errors as domain_errors
from . import figures, selectors, services
from .graphql_types import (
    TicketCategoryType,
    TicketCommentType,
    TicketSource,
    TicketStatisticsType,
    TicketStatus,
    TicketType,
    VisitWindow,
    comment_type,
)
from .models import Ticket

TicketErrorCode = graphql_enum(domain_errors.TicketErrorCode, "TicketErrorCode", "Why a ticket operation was refused.")

# --- Lists -------------------------------------------------------------------------------------


@strawberry.input(description="Narrow the tickets list; every condition given must hold.")
class TicketFilter:
    statuses: list[TicketStatus] | None = None
    open_only: bool = strawberry.field(default=False, description="Not done, closed or rejected.")
    category_id: strawberry.ID | None = None
    building_id: strawberry.ID | None = None
    unit_id: strawberry.ID | None = None
    overdue: bool | None = strawberry.field(default=None, description="Only overdue (true) or not overdue (false).")
    reported_by_me: bool = False
    assigned_to_me: bool = strawberry.field(default=False, description="Assigned to the viewer as a worker.")


TicketOrder = graphql_enum(selectors.TicketOrder, "TicketOrder", "How the tickets list is sorted.")


# --- Errors and payloads -------------------------------------------------------------------------


@strawberry.type
class TicketError(UserError):
    code: TicketErrorCode


MAX_CLUSTERS = 50

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
    source: TicketSource | None = strawberry.field(
        default=None, description="Staff only: how the report came (phone, e-mail, office)."
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


# --- Argument reading ----------------------------------------------------------------------------


def _ticket_pk(value: strawberry.ID, field: str = "ticketId") -> int:
    return parse_global_id(value, type_name="Ticket", field=field)


def _visible_ticket(info: Info, value: strawberry.ID) -> Ticket | None:
    user = signed_in_user(info)
    return selectors.tickets_visible_to(user).filter(pk=_ticket_pk(value)).first()


def _decimal(value: float | None, field: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise bad_input(gettext("Not a valid number."), field=field) from None


def _uploads(uploads: list[Upload] | None) -> list:
    """The uploaded files, at most TICKET_PHOTOS_PER_REQUEST of them (not yet decoded)."""
    uploads = uploads or []
    limit = settings.TICKET_PHOTOS_PER_REQUEST
    if len(uploads) > limit:
        raise ServiceError(
            domain_errors.TicketErrorCode.PHOTO_COUNT,
            gettext("Send at most %(limit)d photos at a time.") % {"limit": limit},
            "photos",
        )
    return uploads


def _photos(uploads: list[Upload] | None, user) -> list:
    """Uploaded photos checked and cleaned (services.photos_process); refusals are ServiceErrors."""
    return services.photos_process(_uploads(uploads), by=user)


def _aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    """A time without an offset is the cooperative's local time (and then comparable with one that has it)."""
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


def _not_signed_in(message: str) -> list[TicketError]:
    return _refusal(domain_errors.TicketErrorCode.NOT_AUTHENTICATED, message)


def _not_found() -> list[TicketError]:
    return _refusal(domain_errors.TicketErrorCode.NOT_FOUND, gettext("Ticket not found."), "ticketId")


def _after_change(info: Info, ticket: Ticket) -> TicketType:
    """The changed ticket, read again as the viewer sees it (with the optimizer's plan)."""
    return optimize(Ticket.objects.filter(pk=ticket.pk), info).get()


def _work_on_ticket(info: Info, ticket_id: strawberry.ID, change) -> TicketPayload:
    """Run `change(ticket, user)` on a ticket the viewer may see; refusals become errors.

    A ticket the viewer may not see is NOT_FOUND, whether or not it exists."""
    user = signed_in_user(info)
    if user is None:
        return TicketPayload(ticket=None, errors=_not_signed_in(gettext("Sign in to work on tickets.")))
    ticket = _visible_ticket(info, ticket_id)
    if ticket is None:
        return TicketPayload(ticket=None, errors=_not_found())
    try:
        changed = change(ticket, user)
    except ServiceError as error:
        return TicketPayload(ticket=None, errors=_errors(error))
    return TicketPayload(ticket=_after_change(info, changed), errors=[])


# --- Root fields -----------------------------------------------------------------------------------


@strawberry.type
class Query:
    @strawberry_django.connection(
        HubConnection[TicketType],
        max_results=settings.GRAPHQL_MAX_PAGE_SIZE,
        description=(
            "Tickets the viewer may see: those of their units and those they reported (residents), those "
            "assigned to their firm (contractors), all (dispatchers, administrators, the board). Empty when anonymous."
        ),
    )
    def tickets(
        self,
        info: Info,
        filter: TicketFilter | None = None,
        order: TicketOrder = TicketOrder.NEWEST,  # type: ignore[attr-defined]
    ) -> Iterable[Ticket]:
        filter = filter or TicketFilter()
        return selectors.tickets_list(
            signed_in_user(info),
            statuses=[status.value for status in filter.statuses] if filter.statuses else None,
            open_only=filter.open_only,
            category_id=parse_id(filter.category_id, field="categoryId"),
            building_id=parse_id(filter.building_id, field="buildingId"),
            unit_id=parse_id(filter.unit_id, field="unitId"),
            overdue=filter.overdue,
            reported_by_me=filter.reported_by_me,
            assigned_to_me=filter.assigned_to_me,
            order=selectors.TicketOrder(order.value),
        )

    @strawberry.field(description="One ticket the viewer may see, by its id; null otherwise.")
    def ticket(self, info: Info, id: strawberry.ID) -> TicketType | None:
        pk = _ticket_pk(id, field="id")
        return optimize(selectors.tickets_visible_to(signed_in_user(info)).filter(pk=pk), info).first()

    @strawberry.field(
        description=(
            "Ticket figures for those allowed to read them (dispatchers, administrators, the board); null for others. "
            "The period is since ≤ reported < until (until defaults to now; no since means from the start)."
        )
    )
    def ticket_statistics(
        self,
        info: Info,
        since: datetime.datetime | None = None,
        until: datetime.datetime | None = None,
        cluster_limit: int = 10,
    ) -> TicketStatisticsType | None:
        user = signed_in_user(info)
        if not selectors.can_read_statistics(user):
            return None
        if not 0 <= cluster_limit <= MAX_CLUSTERS:
            raise bad_input(
                gettext("“%(field)s” must be between 0 and %(maximum)d.")
                % {"field": "clusterLimit", "maximum": MAX_CLUSTERS},
                field="clusterLimit",
            )
        since, until = _aware(since), _aware(until)
        # The period ends now unless told otherwise, so a start in the future is wrong too.
        if since is not None and since > (until or timezone.now()):
            raise bad_input(gettext("The period must start before it ends."), field="since")
        return TicketStatisticsType.of(figures.ticket_statistics(since=since, until=until, cluster_limit=cluster_limit))

    @strawberry_django.field(description="Categories residents may report in, in the cooperative's order.")
    def ticket_categories(self) -> list[TicketCategoryType]:
        return selectors.categories_offered()


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
                unit = (
                    Unit.objects.select_related("building").filter(pk=parse_id(input.unit_id, field="unitId")).first()
                )
                if unit is None:
                    raise ServiceError(domain_errors.TicketErrorCode.PLACE_INVALID, gettext("No such unit."), "unit")
            elif input.building_id is not None:
                building = Building.objects.filter(pk=parse_id(input.building_id, field="buildingId")).first()
            reporter, recorded_by = user, None
            source = input.source.value if input.source else Ticket.Source.PORTAL
            if input.reporter_id is not None or source not in {Ticket.Source.PORTAL, Ticket.Source.APP}:
                # Staff recording a report taken for a resident. Checked before the person is
                # looked up, so that nobody else can probe which accounts exist.
                if not selectors.can_dispatch(user):
                    raise ServiceError(
                        domain_errors.TicketErrorCode.FORBIDDEN,
                        gettext("Only staff record tickets taken by phone or e-mail."),
                    )
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
            processed = _photos(photos, user)
            ticket = services.ticket_create(
                reporter=reporter,
                category=category,
                title=input.title,
                description=input.description,
                unit=unit,
                building=building,
                location=input.location,
                latitude=_decimal(input.latitude, "latitude"),
                longitude=_decimal(input.longitude, "longitude"),
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
        return TicketPayload(ticket=_after_change(info, ticket), errors=[])

    @strawberry.mutation(
        description=(
            "Report a fault in a common area without an account (a broken lamp in the stairwell), with a "
            "phone or an e-mail to call back on. Returns the reference only; limited per address and contact."
        )
    )
    def ticket_anonymous_create(
        self, info: Info, input: TicketAnonymousCreateInput, photos: list[Upload] | None = None
    ) -> TicketAnonymousCreatePayload:
        try:
            category = selectors.categories_offered().filter(pk=parse_id(input.category_id, field="categoryId")).first()
            building = Building.objects.filter(pk=parse_id(input.building_id, field="buildingId")).first()
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
                uploads=_uploads(photos),
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
        ticket = _visible_ticket(info, ticket_id)
        if ticket is None:
            return TicketCommentAddPayload(comment=None, ticket=None, errors=_not_found())
        try:
            comment = services.ticket_comment_add(
                ticket=ticket, author=user, body=body, internal=internal, photos=_photos(photos, user)
            )
        except ServiceError as error:
            return TicketCommentAddPayload(comment=None, ticket=None, errors=_errors(error))
        return TicketCommentAddPayload(
            comment=comment_type(comment, user.pk),
            ticket=_after_change(info, ticket),
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
                ticket=ticket, actor=user, to_status=status.value, note=note, photos=_photos(photos, user)
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
        def assign(ticket, user):
            if not selectors.can_dispatch(user):  # before any lookup: nothing to probe for others
                raise ServiceError(domain_errors.TicketErrorCode.FORBIDDEN, gettext("You cannot change this ticket."))
            contractor = ContractorPage.objects.filter(
                pk=parse_global_id(contractor_id, type_name="Contractor", field="contractorId")
            ).first()
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
                ticket=ticket, actor=user, due_at=_aware(due_at), reason=reason
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


__all__ = ["Mutation", "Query", "TicketType"]
