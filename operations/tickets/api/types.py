"""GraphQL types of tickets: the ticket as each viewer sees it, with its category, firm,
comments, photos, history and what the viewer may do with it (`actions`, answered by
`policy.OpenActions`, the rules of `policy.actions_open` that the services enforce), and
the statistics. `queries.py` and `mutations.py` return these types.

Nested lists (comments, photos, history) are prefetched by the optimizer with the
viewer's visibility applied in the query (`selectors.internal_notes_filter`), so a page
of tickets costs the same number of queries whatever it holds; what a viewer may do with
each ticket comes from one `TicketViewer` per request, without a query per ticket.

A list of a hundred tickets answers thousands of fields, so the list reads only what is
asked: the columns, authors and photos of comments and photos that the query names, the
firm's name from the ticket's own row (no Wagtail page is built), each action only when
it is asked; the id, status and status label are answered from the instance alone.
"""

from __future__ import annotations

import datetime

import strawberry
from django.db.models import F, Prefetch, Q, prefetch_related_objects
from django.urls import reverse
from django.utils.translation import get_language
from strawberry import Info, relay
from strawberry.types.nodes import SelectedField

from cms.core.graphql.context import request_of, signed_in_user, viewer_of
from cms.core.graphql.enums import graphql_enum
from cms.core.graphql.fields import instance_field, model_type
from operations.residents.api import BuildingType, UnitType

from .. import policy, selectors
from ..models import Category, Ticket, TicketComment, TicketEvent, TicketPhoto

TicketStatus = graphql_enum(Ticket.Status, "TicketStatus", "Where a ticket stands.")
TicketSource = graphql_enum(Ticket.Source, "TicketSource", "How a ticket reached the cooperative.")
VisitWindow = graphql_enum(Ticket.VisitWindow, "VisitWindow", "When the resident prefers a visit.")
CategoryUrgency = graphql_enum(Category.Urgency, "CategoryUrgency", "How urgent faults of a category are.")
TicketEventKind = graphql_enum(TicketEvent.Kind, "TicketEventKind", "What an entry of a ticket's history records.")


def _ticket_viewer(info: Info) -> selectors.TicketViewer:
    """The viewer's ticket facts, read once per request."""
    request = request_of(info)
    if not hasattr(request, "_hub_ticket_viewer"):
        request._hub_ticket_viewer = selectors.TicketViewer.of(signed_in_user(info))
    return request._hub_ticket_viewer


def _internal_notes(info: Info) -> Q:
    """Which comments and photos the viewer may see (`selectors.internal_notes_filter`),
    worked out once per request: a list's comments and photos ask it alike."""
    request = request_of(info)
    if not hasattr(request, "_hub_internal_notes"):
        request._hub_internal_notes = selectors.internal_notes_filter(viewer_of(info))
    return request._hub_internal_notes


def _person_name(user) -> str | None:
    """A person's name as others see it; never the user name they sign in with."""
    if user is None:
        return None
    return user.get_full_name() or None


def _photo_url(info: Info, view_name: str, pk: int) -> str:
    """A photo's absolute URL. The URL pattern is reversed once per request and view, not
    once per photo: a list of tickets links hundreds of photos."""
    request = request_of(info)
    patterns = request.__dict__.setdefault("_hub_photo_urls", {})
    pattern = patterns.get(view_name)
    if pattern is None:
        # Reversed with a marker id, then split around it: the pattern's own text is kept exactly.
        marker = 918273645
        before, after = request.build_absolute_uri(reverse(view_name, args=[marker])).rsplit(str(marker), 1)
        pattern = patterns[view_name] = (before, after)
    return f"{pattern[0]}{pk}{pattern[1]}"


# --- Types -------------------------------------------------------------------------------------


@model_type(Category, name="TicketCategory", description="A kind of fault, with its deadlines.")
class TicketCategoryType:
    id: strawberry.ID
    name: str
    slug: str
    description: str
    response_hours: int = instance_field(description="Hours to the first reaction.")
    resolution_hours: int = instance_field(description="Hours to have it done.")

    @instance_field(only=["urgency"])
    def urgency(self) -> CategoryUrgency:
        return CategoryUrgency(self.urgency)


@strawberry.type(name="TicketFirm", description="The contractor firm a ticket is assigned to.")
class TicketFirmType:
    """Made from columns read with the ticket (`TicketType.contractor`), not from the firm's
    Wagtail page: building a page instance costs more than the whole rest of a firm."""

    phone: str
    email: str
    name: str
    pk: strawberry.Private[int]

    @strawberry.field(description="The firm's `Contractor` id (the directory's), as `ticketAssign` takes it.")
    def id(self) -> strawberry.ID:
        # Made when asked: a list of a hundred tickets that shows the firm's name needs none.
        return strawberry.ID(str(relay.GlobalID("Contractor", str(self.pk))))

    @classmethod
    def of(cls, pk: int, name: str, phone: str, email: str) -> TicketFirmType:
        return cls(phone=phone, email=email, name=name, pk=pk)


# The firm's columns, read with the ticket's row (one join, as `select_related` would).
FIRM_COLUMNS = {
    "firm_name": F("contractor__title"),
    "firm_phone": F("contractor__phone"),
    "firm_email": F("contractor__email"),
}


@model_type(TicketPhoto, name="TicketPhoto", description="A photo of the fault or of the work.")
class TicketPhotoType:
    id: strawberry.ID
    width: int
    height: int
    thumbnail_width: int
    thumbnail_height: int
    created_at: datetime.datetime
    is_internal: bool = instance_field(description="Seen by staff and the assigned firm only.")

    @instance_field(description="The photo; answers only those who may see the ticket.")
    def url(self, info: Info) -> str:
        return _photo_url(info, "tickets:photo", self.pk)

    @instance_field(description="A JPEG that fits 400×400.")
    def thumbnail_url(self, info: Info) -> str:
        return _photo_url(info, "tickets:photo_thumbnail", self.pk)


@strawberry.type(name="TicketComment", description="A comment on a ticket.")
class TicketCommentType:
    id: strawberry.ID
    body: str
    is_internal: bool = strawberry.field(description="An internal note: staff and the assigned firm only.")
    created_at: datetime.datetime
    author_name: str | None = strawberry.field(description="Who wrote it; null when the account is gone.")
    is_mine: bool = strawberry.field(description="Whether the viewer wrote it.")
    photos: list[TicketPhotoType]


def _comment_photos(comment: TicketComment) -> list[TicketPhoto]:
    # A list's comments come with their photos as a plain list (no queryset per comment);
    # a mutation's single comment reads its few photos.
    return comment.listed_photos if hasattr(comment, "listed_photos") else list(comment.photos.all())


def comment_type(comment: TicketComment, viewer_id: int | None) -> TicketCommentType:
    """A comment as the viewer sees it; its photos must be prefetched (or few)."""
    return TicketCommentType(
        id=strawberry.ID(str(comment.pk)),
        body=comment.body,
        is_internal=comment.is_internal,
        created_at=comment.created_at,
        author_name=_person_name(comment.author),
        is_mine=viewer_id is not None and comment.author_id == viewer_id,
        photos=_comment_photos(comment),
    )


class ListedComment:
    """A comment of a ticket's list as `TicketCommentType` reads it (what `comment_type`
    answers), each field worked out when it is asked: the list loads a comment's author
    and photos only when they are asked (`_comments_prefetch`), so nothing here may read
    them before."""

    __slots__ = ("_comment", "_viewer_id")

    def __init__(self, comment: TicketComment, viewer_id: int | None):
        self._comment = comment
        self._viewer_id = viewer_id

    @property
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._comment.pk))

    @property
    def body(self) -> str:
        return self._comment.body

    @property
    def is_internal(self) -> bool:
        return self._comment.is_internal

    @property
    def created_at(self) -> datetime.datetime:
        return self._comment.created_at

    @property
    def author_name(self) -> str | None:
        return _person_name(self._comment.author)

    @property
    def is_mine(self) -> bool:
        return self._viewer_id is not None and self._comment.author_id == self._viewer_id

    @property
    def photos(self) -> list[TicketPhoto]:
        return _comment_photos(self._comment)


@strawberry.type(name="TicketEvent", description="One entry of a ticket's history.")
class TicketEventType:
    kind: TicketEventKind
    at: datetime.datetime
    from_status: TicketStatus | None
    to_status: TicketStatus | None
    note: str
    actor_name: str | None = strawberry.field(description="Who made the change; null for the system.")


@strawberry.type(name="TicketContact", description="How to reach the person who reported a ticket.")
class TicketContactType:
    name: str | None
    phone: str | None
    email: str | None


@strawberry.type(name="TicketActions", description="What the viewer may do with a ticket now.")
class TicketActionsType:
    """Answered by `policy.OpenActions` (`TicketType.actions`), whose attributes of these
    names each ask their rule when read: a list that shows one button per ticket asks
    one rule, not eight. Statuses come as the model's values, which the enum serializes."""

    transition_to: list[TicketStatus] = strawberry.field(description="Statuses `ticketTransition` accepts.")
    comment: bool
    comment_internal: bool
    assign: bool
    change_deadline: bool
    contractor_accept: bool = strawberry.field(description="Confirm, as the assigned firm, that it takes the job.")
    rate: bool = strawberry.field(description="Confirm the work and rate it (`ticketRate`).")
    reopen: bool = strawberry.field(description="Say it is not fixed (`ticketReopen`).")


def _asked(info: Info) -> set[str]:
    """The names of the fields asked of the objects the current field returns, through
    fragments too. Directives are not evaluated: a field skipped by one is counted as
    asked, so this is never fewer than what the response needs."""
    names: set[str] = set()

    def collect(selections) -> None:
        for selection in selections:
            if isinstance(selection, SelectedField):
                names.add(selection.name)
            else:  # a fragment, spread or inline
                collect(selection.selections)

    for field in info.selected_fields:
        collect(field.selections)
    return names


def _columns_asked(info: Info, type_, model, *, always: tuple[str, ...], reads: dict | None = None) -> list[str]:
    """The columns of `model` that the fields of `type_` asked of a list read: a field named
    like a column reads it, `reads` names what other fields read (field → columns), and
    the rest (a URL made from the id) read none. With `always`, for `QuerySet.only`: a
    list of comments that shows only their ids loads no text and converts no dates."""
    asked = _asked(info)
    to_graphql = info.schema.config.name_converter.get_graphql_name
    concrete = {field.name for field in model._meta.concrete_fields}
    columns = list(always)
    for field in type_.__strawberry_definition__.fields:
        if to_graphql(field) not in asked:
            continue
        if reads and field.python_name in reads:
            columns.extend(reads[field.python_name])
        elif field.python_name in concrete:
            columns.append(field.python_name)
    return columns


def _comments_prefetch(info: Info) -> Prefetch:
    visible = _internal_notes(info)
    asked = _asked(info)
    # The columns, the author and the photos only when asked (`ListedComment` reads nothing
    # else): a list that shows how many comments a ticket has loads their ids alone.
    columns = _columns_asked(
        info,
        TicketCommentType,
        TicketComment,
        always=("id", "ticket_id"),
        reads={"author_name": ["author_id"], "is_mine": ["author_id"], "photos": []},
    )
    comments = TicketComment.objects.filter(visible)
    if "authorName" in asked:
        # The author's name only: never load password hashes and the rest of the account.
        comments = comments.select_related("author")
        columns += ["author__first_name", "author__last_name"]
    if "photos" in asked:
        comments = comments.prefetch_related(
            Prefetch("photos", queryset=TicketPhoto.objects.order_by("created_at", "id"), to_attr="listed_photos")
        )
    return Prefetch("comments", queryset=comments.only(*columns), to_attr="visible_comments")


def _photos_prefetch(info: Info) -> Prefetch:
    visible = _internal_notes(info)
    columns = _columns_asked(info, TicketPhotoType, TicketPhoto, always=("id", "ticket_id"))
    return Prefetch("photos", queryset=TicketPhoto.objects.filter(visible).only(*columns), to_attr="visible_photos")


def _history_prefetch(info: Info) -> Prefetch:
    events = TicketEvent.objects.select_related("actor").only(
        "id",
        "ticket_id",
        "kind",
        "actor_id",
        "at",
        "from_status",
        "to_status",
        "note",
        "actor__first_name",
        "actor__last_name",
    )
    return Prefetch("events", queryset=events, to_attr="history")


def _prefetched(ticket: Ticket, info: Info, attribute: str, prefetch) -> list:
    """A list the optimizer prefetched, or prefetched now for a ticket it did not load
    (a mutation's result): the same query and visibility either way."""
    if not hasattr(ticket, attribute):
        prefetch_related_objects([ticket], prefetch(info))
    return getattr(ticket, attribute)


def _status(value: str) -> TicketStatus | None:
    return TicketStatus(value) if value else None


_STATUS_LABELS: dict[str | None, dict[str, str]] = {}


def _status_label(status: str) -> str:
    """A status's label in the active language: translated once per language and process
    (the catalogs do not change while it runs), not once per ticket."""
    language = get_language()
    labels = _STATUS_LABELS.get(language)
    if labels is None:
        labels = _STATUS_LABELS[language] = {value: str(label) for value, label in Ticket.Status.choices}
    return labels[status]


@model_type(Ticket, name="Ticket", description="A fault report or request, from reporting to closing.")
class TicketType(relay.Node):
    # Named, so strawberry finds the id attribute once instead of searching (and failing) per object.
    id: relay.NodeID[int]
    title: str
    description: str
    location: str = instance_field(description="Where exactly, e.g. staircase 2, 3rd floor.")
    preferred_date: datetime.date | None
    entry_permitted: bool = instance_field(description="Staff may enter without the resident.")
    created_at: datetime.datetime
    response_due_at: datetime.datetime = instance_field(description="Respond by.")
    due_at: datetime.datetime = instance_field(description="The deadline.")
    first_response_at: datetime.datetime | None
    assigned_at: datetime.datetime | None = instance_field(description="Handed to a contractor.")
    contractor_accepted_at: datetime.datetime | None = instance_field(
        description="When the firm confirmed it takes the job."
    )
    done_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    rating: int | None = instance_field(description="The resident's rating, 1–5.")
    rating_comment: str
    reopened_count: int
    category: TicketCategoryType
    building: BuildingType
    unit: UnitType | None = instance_field(description="Null for a common area of the building.")

    @instance_field(name="id", description="The Globally Unique ID of this object")
    def _id(self) -> relay.GlobalID:
        # `relay.Node`'s own id resolver takes `info` to find the type of each object;
        # answered from the instance, the id takes strawberry's short path.
        return relay.GlobalID("Ticket", str(self.pk))

    @instance_field(only=["contractor_id"], annotate=FIRM_COLUMNS)
    def contractor(self) -> TicketFirmType | None:
        if self.contractor_id is None:
            return None
        if not hasattr(self, "firm_name"):  # a ticket the optimizer did not read (a mutation's)
            firm = self.contractor
            return TicketFirmType.of(firm.pk, firm.title, firm.phone, firm.email)
        return TicketFirmType.of(self.contractor_id, self.firm_name, self.firm_phone, self.firm_email)

    @instance_field(only=["created_at"], description="The number to quote on the phone: ZG/2026/123.")
    def reference(self) -> str:
        return self.reference

    # Enums answered with the model's values, which the enum serializes by a dict lookup
    # (an enum member is matched by a scan of the members).
    @instance_field(only=["status"])
    def status(self) -> TicketStatus:
        return self.status

    @instance_field(only=["status"], description="The status in the viewer's language.")
    def status_label(self) -> str:
        return _status_label(self.status)

    @instance_field(only=["source"])
    def source(self) -> TicketSource:
        return TicketSource(self.source)

    @instance_field(only=["preferred_window"])
    def preferred_window(self) -> VisitWindow:
        return VisitWindow(self.preferred_window)

    @instance_field(only=["latitude"])
    def latitude(self) -> float | None:
        return None if self.latitude is None else float(self.latitude)

    @instance_field(only=["longitude"])
    def longitude(self) -> float | None:
        return None if self.longitude is None else float(self.longitude)

    @instance_field(only=["overdue_at", "status", "due_at"], description="Past its deadline and not done.")
    def is_overdue(self) -> bool:
        return self.is_overdue

    @instance_field(
        only=["status", "done_at"], description="Until when the resident may reopen it; null unless it is done."
    )
    def reopenable_until(self) -> datetime.datetime | None:
        return policy.reopenable_until(self)

    @instance_field(
        only=["worker__first_name", "worker__last_name"],
        select_related=["worker"],
        description="The contractor's worker it is assigned to, if named.",
    )
    def worker_name(self) -> str | None:
        return _person_name(self.worker)

    @instance_field(
        only=[
            "contractor_id",
            "contact_name",
            "contact_phone",
            "contact_email",
            "reporter__first_name",
            "reporter__last_name",
        ],
        select_related=["reporter"],
        description="How to reach the reporter: for staff and the assigned firm only, null for others.",
    )
    def contact(self, info: Info) -> TicketContactType | None:
        if not _ticket_viewer(info).sees_internal(self):
            return None
        return TicketContactType(
            name=self.contact_name or _person_name(self.reporter),
            phone=self.contact_phone or None,
            email=self.contact_email or None,
        )

    @instance_field(
        prefetch_related=[_comments_prefetch],
        description="Comments, oldest first; internal notes only for staff and the assigned firm.",
    )
    def comments(self, info: Info) -> list[TicketCommentType]:
        viewer_id = _ticket_viewer(info).user_id
        return [
            ListedComment(comment, viewer_id)
            for comment in _prefetched(self, info, "visible_comments", _comments_prefetch)
        ]

    @instance_field(
        prefetch_related=[_photos_prefetch],
        description="Every photo of the ticket the viewer may see, those of comments included, oldest first.",
    )
    def photos(self, info: Info) -> list[TicketPhotoType]:
        return _prefetched(self, info, "visible_photos", _photos_prefetch)

    @instance_field(
        only=["contractor_id"],
        prefetch_related=[_history_prefetch],
        description=(
            "Every change, oldest first. The dispatcher's note to the firm on an assignment is shown to staff "
            "and the assigned firm only."
        ),
    )
    def history(self, info: Info) -> list[TicketEventType]:
        sees_internal = _ticket_viewer(info).sees_internal(self)
        return [
            TicketEventType(
                kind=TicketEventKind(event.kind),
                at=event.at,
                from_status=_status(event.from_status),
                to_status=_status(event.to_status),
                note=event.note if sees_internal or event.kind != TicketEvent.Kind.ASSIGNED else "",
                actor_name=_person_name(event.actor),
            )
            for event in _prefetched(self, info, "history", _history_prefetch)
        ]

    @instance_field(
        only=["status", "contractor_id", "reporter_id", "unit_id", "building_id", "done_at", "contractor_accepted_at"],
        description="What the viewer may do with the ticket now, for the frontends' buttons.",
    )
    def actions(self, info: Info) -> TicketActionsType:
        # The services ask the same policy before they change anything: a button shown here
        # is a change the service accepts. Each action is worked out when it is asked.
        return policy.OpenActions(self, _ticket_viewer(info).roles_for(self))


# --- Statistics --------------------------------------------------------------------------------


def _hours(duration) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 3600, 2)


@strawberry.type(name="TicketFigures", description="Counts of tickets and average times (see `ticketStatistics`).")
class TicketFiguresType:
    reported: int
    handed_to_contractors: int
    done: int = strawberry.field(description="Done or closed.")
    not_done: int = strawberry.field(description="Still open (reopened ones included).")
    rejected: int
    overdue: int = strawberry.field(description="Open and past the deadline.")
    avg_first_response_hours: float | None = strawberry.field(description="From the report to the first reaction.")
    avg_resolution_hours: float | None = strawberry.field(description="From the report to the work being done.")

    @classmethod
    def of(cls, figures) -> TicketFiguresType:
        return cls(
            reported=figures.reported,
            handed_to_contractors=figures.handed_to_contractors,
            done=figures.done,
            not_done=figures.not_done,
            rejected=figures.rejected,
            overdue=figures.overdue,
            avg_first_response_hours=_hours(figures.avg_first_response),
            avg_resolution_hours=_hours(figures.avg_resolution),
        )


@strawberry.type(name="TicketBreakdown", description="The figures of one category, building or contractor.")
class TicketBreakdownType:
    id: strawberry.ID | None = strawberry.field(description="Its id; null for the tickets without a contractor.")
    label: str
    figures: TicketFiguresType


@strawberry.type(name="TicketCluster", description="A building and category with many tickets in the period.")
class TicketClusterType:
    building_id: strawberry.ID
    building_label: str
    category_id: strawberry.ID
    category_label: str
    count: int


def _breakdowns(rows) -> list[TicketBreakdownType]:
    return [
        TicketBreakdownType(
            id=None if row.key is None else strawberry.ID(str(row.key)),
            label=row.label,
            figures=TicketFiguresType.of(row.figures),
        )
        for row in rows
    ]


@strawberry.type(name="TicketStatistics", description="Ticket figures for dispatchers, administrators and the board.")
class TicketStatisticsType:
    since: datetime.datetime | None
    until: datetime.datetime
    today: TicketFiguresType = strawberry.field(description="What happened today (the cooperative's local day).")
    period: TicketFiguresType = strawberry.field(description="Tickets reported in the period, as they stand now.")
    by_category: list[TicketBreakdownType]
    by_building: list[TicketBreakdownType]
    by_contractor: list[TicketBreakdownType]
    clusters: list[TicketClusterType] = strawberry.field(
        description="Where faults cluster: buildings and categories with the most tickets (at least 2) in the period."
    )

    @classmethod
    def of(cls, statistics) -> TicketStatisticsType:
        return cls(
            since=statistics.since,
            until=statistics.until,
            today=TicketFiguresType.of(statistics.today),
            period=TicketFiguresType.of(statistics.period),
            by_category=_breakdowns(statistics.by_category),
            by_building=_breakdowns(statistics.by_building),
            by_contractor=_breakdowns(statistics.by_contractor),
            clusters=[
                TicketClusterType(
                    building_id=strawberry.ID(str(cluster.building_id)),
                    building_label=cluster.building_label,
                    category_id=strawberry.ID(str(cluster.category_id)),
                    category_label=cluster.category_label,
                    count=cluster.count,
                )
                for cluster in statistics.clusters
            ],
        )
