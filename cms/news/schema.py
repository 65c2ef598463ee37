"""GraphQL for news: the `news` connection and the NewsItem type."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import strawberry
import strawberry_django
from django.conf import settings
from strawberry import Info
from wagtail.rich_text import expand_db_html

from cms.core.graphql.content import BuildingRef, ImageType, PageInterface, building_ref, image_prefetch, visible_image
from cms.core.graphql.context import denial, site_root_path, viewer_of
from cms.core.graphql.fields import instance_field, model_type
from cms.core.graphql.ids import parse_id
from cms.core.graphql.pagination import HubConnection
from cms.news import selectors
from cms.news.models import NewsPage

NewsKind = strawberry.enum(NewsPage.Kind, name="NewsKind")
NewsPriority = strawberry.enum(NewsPage.Priority, name="NewsPriority")
NewsOrder = strawberry.enum(selectors.NewsOrder, name="NewsOrder")


@strawberry.input(description="Narrow the news list.")
class NewsFilter:
    kind: NewsKind | None = None
    building_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only items concerning this building."
    )
    current_alerts_only: bool = strawberry.field(
        default=False, description="Only outage alerts valid now; expired alerts drop out."
    )


@model_type(NewsPage, name="NewsItem")
class NewsItem(PageInterface):
    kind: NewsKind
    priority: NewsPriority
    date: date
    lead: str = instance_field(description="One or two sentences shown in lists.")
    valid_from: datetime | None = instance_field(description="When an alert starts to apply.")
    valid_until: datetime | None = instance_field(
        description="When an alert stops applying; it then leaves the current alerts."
    )

    @instance_field(only=["body"], description="Body as HTML.")
    def body(self) -> str:
        return expand_db_html(self.body)

    @instance_field(only=["kind", "valid_from", "valid_until"])
    def is_current_alert(self) -> bool:
        return self.is_current_alert

    @instance_field(only=["lead_image_id"], prefetch_related=[image_prefetch("lead_image")])
    def lead_image(self, info: Info) -> ImageType | None:
        return visible_image(info, self.lead_image)

    @instance_field(
        prefetch_related=["affected_buildings"], description="Buildings the item concerns (not who may read it)."
    )
    def affected_buildings(self) -> list[BuildingRef]:
        return [building_ref(building) for building in self.affected_buildings.all()]


@strawberry.type
class Query:
    @strawberry_django.connection(
        HubConnection[NewsItem],
        max_results=settings.GRAPHQL_MAX_PAGE_SIZE,
        description="Announcements and outage alerts the viewer may read, newest first.",
    )
    def news(
        self,
        info: Info,
        filter: NewsFilter | None = None,
        order: NewsOrder = selectors.NewsOrder.NEWEST,
    ) -> Iterable[NewsPage]:
        filter = filter or NewsFilter()
        return selectors.news_visible_to(
            viewer_of(info),
            kind=filter.kind.value if filter.kind else None,
            building_id=parse_id(filter.building_id, field="buildingId"),
            current_alerts_only=filter.current_alerts_only,
            order=selectors.NewsOrder(order),
            denial=denial(info),
            within=site_root_path(info),
        )
