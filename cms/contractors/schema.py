"""GraphQL for the contractor directory: `contractors`, `trades` and the Contractor type."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry
import strawberry_django
from django.conf import settings
from django.utils.translation import gettext as _
from strawberry import Info

from cms.contractors import selectors
from cms.contractors.models import ContractorPage, Trade
from cms.core import directory_search
from cms.core.graphql.content import PageInterface
from cms.core.graphql.context import denial, site_root_path, viewer_of
from cms.core.graphql.errors import bad_input
from cms.core.graphql.fields import instance_field, model_type
from cms.core.graphql.pagination import HubConnection


@model_type(Trade, name="Trade")
class TradeType:
    name: str
    slug: str


@strawberry.input(description="Narrow the contractor directory.")
class ContractorFilter:
    trade: str | None = strawberry.field(default=None, description="Trade slug, e.g. `hydraulik`.")
    search: str | None = strawberry.field(
        default=None,
        description=(
            "Only firms the directory search finds for this text (Polish as typed: without diacritics, "
            "any inflected form, small typos), the most relevant first; blank means no search."
        ),
    )


@model_type(ContractorPage, name="Contractor")
class Contractor(PageInterface):
    trade: TradeType
    area_served: str
    phone: str
    email: str
    website: str
    opening_hours: str
    notes: str

    @instance_field(only=["services"], description="Services offered, one per entry.")
    def services(self) -> list[str]:
        return [line.strip() for line in self.services.splitlines() if line.strip()]


@strawberry.type
class Query:
    @strawberry_django.connection(
        HubConnection[Contractor],
        max_results=settings.GRAPHQL_MAX_PAGE_SIZE,
        description="The contractor directory, grouped by trade.",
    )
    def contractors(self, info: Info, filter: ContractorFilter | None = None) -> Iterable[ContractorPage]:
        filter = filter or ContractorFilter()
        if filter.trade and ("\x00" in filter.trade or not selectors.trade_exists(filter.trade)):
            raise bad_input(_("Unknown trade “%(trade)s”.") % {"trade": filter.trade}, field="trade")
        if filter.search is not None and (problem := directory_search.query_problem(filter.search)):
            raise bad_input(problem, field="search")
        return selectors.contractors_visible_to(
            viewer_of(info),
            trade_slug=filter.trade,
            search=filter.search,
            denial=denial(info),
            within=site_root_path(info),
        )

    @strawberry_django.field(description="Trades of the contractor directory, in display order.")
    def trades(self) -> list[TradeType]:
        return selectors.trades()
