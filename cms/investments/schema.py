"""GraphQL for investments: the `investments` connection and the Investment type."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import strawberry
import strawberry_django
from django.conf import settings
from django.db.models import Prefetch
from strawberry import Info
from wagtail.rich_text import expand_db_html

from cms.core.graphql.content import BuildingRef, ImageType, PageInterface, building_ref, image_prefetch, visible_image
from cms.core.graphql.context import denial, site_root_path, viewer_of
from cms.core.graphql.fields import instance_field, model_type
from cms.core.graphql.ids import parse_id
from cms.core.graphql.pagination import HubConnection
from cms.core.images import image_queryset
from cms.investments import selectors
from cms.investments.models import InvestmentGalleryImage, InvestmentPage

InvestmentStatus = strawberry.enum(InvestmentPage.Status, name="InvestmentStatus")


@strawberry.input(description="Narrow the investment list.")
class InvestmentFilter:
    status: InvestmentStatus | None = None
    building_id: strawberry.ID | None = None


@strawberry.type(description="A photo in an investment's gallery.")
class GalleryImage:
    caption: str
    image: ImageType


@model_type(InvestmentPage, name="Investment")
class Investment(PageInterface):
    status: InvestmentStatus
    summary: str
    budget: Decimal | None
    start_date: date | None
    end_date: date | None
    progress: int = instance_field(description="Progress in percent, 0–100.")

    @instance_field(only=["body"], description="Description as HTML.")
    def body(self) -> str:
        return expand_db_html(self.body)

    @instance_field(only=["lead_image_id"], prefetch_related=[image_prefetch("lead_image")])
    def lead_image(self, info: Info) -> ImageType | None:
        return visible_image(info, self.lead_image)

    @instance_field(
        prefetch_related=[
            Prefetch(
                "gallery_images",
                queryset=InvestmentGalleryImage.objects.order_by("sort_order").prefetch_related(
                    Prefetch("image", queryset=image_queryset())
                ),
            )
        ]
    )
    def gallery(self, info: Info) -> list[GalleryImage]:
        items = []
        for item in self.gallery_images.all():
            image = visible_image(info, item.image)
            if image is not None:
                items.append(GalleryImage(caption=item.caption, image=image))
        return items

    @instance_field(prefetch_related=["buildings"])
    def buildings(self) -> list[BuildingRef]:
        return [building_ref(building) for building in self.buildings.all()]


@strawberry.type
class Query:
    @strawberry_django.connection(
        HubConnection[Investment],
        max_results=settings.GRAPHQL_MAX_PAGE_SIZE,
        description="Investments the viewer may read.",
    )
    def investments(self, info: Info, filter: InvestmentFilter | None = None) -> Iterable[InvestmentPage]:
        filter = filter or InvestmentFilter()
        return selectors.investments_visible_to(
            viewer_of(info),
            status=filter.status.value if filter.status else None,
            building_id=parse_id(filter.building_id, field="buildingId"),
            denial=denial(info),
            within=site_root_path(info),
        )
