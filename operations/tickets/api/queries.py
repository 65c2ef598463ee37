"""The tickets' root fields: the viewer's tickets (a Relay connection with filters and an
order), one ticket, the categories, and the statistics. Every read goes through
`selectors` (which tickets the viewer may see); what the viewer may do with a ticket is
the `actions` field of `types.TicketType`."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import strawberry
import strawberry_django
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from strawberry import Info
from strawberry_django.optimizer import optimize
from strawberry_django.permissions import HasPerm

from cms.core.graphql.context import signed_in_user
from cms.core.graphql.enums import graphql_enum
from cms.core.graphql.errors import bad_input
from cms.core.graphql.ids import parse_id
from cms.core.graphql.pagination import HubConnection

from .. import selectors
from ..models import Ticket
from ..selectors import figures
from .arguments import aware, ticket_pk
from .types import TicketCategoryType, TicketSource, TicketStatisticsType, TicketStatus, TicketType

MAX_CLUSTERS = 50
STATISTICS_PERMISSION = "tickets.view_ticket_statistics"


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
    sources: list[TicketSource] | None = strawberry.field(
        default=None, description="Reported through any of these channels (the portal, the app, by phone...)."
    )
    household: bool = strawberry.field(
        default=False,
        description=(
            "Only what the viewer sees as a resident: their units' tickets and their own common-area reports, "
            "however much more their staff or firm role shows (the resident portal's lists)."
        ),
    )


TicketOrder = graphql_enum(selectors.TicketOrder, "TicketOrder", "How the tickets list is sorted.")


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
            household=filter.household,
            sources=[source.value for source in filter.sources] if filter.sources else None,
            order=selectors.TicketOrder(order.value),
        )

    @strawberry.field(description="One ticket the viewer may see, by its id; null otherwise.")
    def ticket(self, info: Info, id: strawberry.ID) -> TicketType | None:
        pk = ticket_pk(id, field="id")
        return optimize(selectors.tickets_visible_to(signed_in_user(info)).filter(pk=pk), info).first()

    @strawberry_django.field(
        description=(
            "Ticket figures for those allowed to read them (dispatchers, administrators, the board); null for others. "
            "The period is since ≤ reported < until (until defaults to now; no since means from the start)."
        ),
        # Declared, so the schema shows who may read it; for anyone else the answer stays
        # null (fail_silently), as before. Django's has_perm refuses inactive accounts, as
        # `selectors.can_read_statistics` does.
        extensions=[HasPerm(STATISTICS_PERMISSION, fail_silently=True)],
    )
    def ticket_statistics(
        self,
        info: Info,
        since: datetime.datetime | None = None,
        until: datetime.datetime | None = None,
        cluster_limit: int = 10,
    ) -> TicketStatisticsType | None:
        if not 0 <= cluster_limit <= MAX_CLUSTERS:
            raise bad_input(
                gettext("“%(field)s” must be between 0 and %(maximum)d.")
                % {"field": "clusterLimit", "maximum": MAX_CLUSTERS},
                field="clusterLimit",
            )
        since, until = aware(since), aware(until)
        # The period ends now unless told otherwise, so a start in the future is wrong too.
        if since is not None and since > (until or timezone.now()):
            raise bad_input(gettext("The period must start before it ends."), field="since")
        return TicketStatisticsType.of(figures.ticket_statistics(since=since, until=until, cluster_limit=cluster_limit))

    @strawberry_django.field(description="Categories residents may report in, in the cooperative's order.")
    def ticket_categories(self) -> list[TicketCategoryType]:
        return selectors.categories_offered()
