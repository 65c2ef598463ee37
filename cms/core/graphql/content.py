"""GraphQL types the content apps share: the Page interface, images with their renditions,
and buildings as content refers to them.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
import strawberry_django
from django.db.models import Prefetch
from strawberry import Info, relay
from wagtail.images import get_image_model
from wagtail.models import Page

from cms.core.graphql.context import collection_path_is_visible, site_root
from cms.core.images import ImageSize, image_queryset, rendition_url, srcset

ImageSizeEnum = strawberry.enum(ImageSize, name="ImageSize", description="Allowed image sizes.")


@strawberry.type(description="An image file at one of the allowed sizes.")
class Rendition:
    url: str
    width: int
    height: int


@strawberry_django.type(get_image_model(), name="Image")
class ImageType:
    title: str
    width: int
    height: int

    @strawberry.field(description="Alternative text for screen readers.")
    def alt(self) -> str:
        return self.default_alt_text

    @strawberry.field(description="The image at an allowed size.")
    def rendition(self, size: ImageSizeEnum = ImageSize.CARD) -> Rendition:
        rendition = self.get_rendition(ImageSize(size).value)
        return Rendition(url=rendition_url(rendition), width=rendition.width, height=rendition.height)

    @strawberry.field(description="`srcset` attribute value offering several widths.")
    def srcset(self) -> str:
        return srcset(self)


def image_prefetch(lookup: str) -> Prefetch:
    """Prefetch an image relation with all allowed renditions, for the optimizer's hints."""
    return Prefetch(lookup, queryset=image_queryset())


def visible_image(info: Info, image) -> ImageType | None:
    """The image if the viewer may see its collection; an image in a restricted collection is hidden."""
    if image is None or not collection_path_is_visible(info, image.collection.path):
        return None
    return image


@strawberry.type(name="BuildingRef", description="A building, as content refers to it.")
class BuildingRef:
    id: strawberry.ID
    code: str
    address: str


def building_ref(building) -> BuildingRef:
    return BuildingRef(id=strawberry.ID(str(building.pk)), code=building.code, address=building.address)


def site_root_url_path(info: Info) -> str:
    return site_root(info)[1]


def relative_url_path(info: Info, page) -> str:
    """The page's path within the site, e.g. `/aktualnosci/awaria-wody/`."""
    root = site_root_url_path(info)
    if page.url_path.startswith(root):
        return "/" + page.url_path[len(root):]
    return page.url_path


@strawberry_django.interface(Page, name="Page", description="A page of the cooperative's site.")
class PageInterface(relay.Node):
    # Named, so strawberry finds the id attribute once instead of searching (and failing) per object.
    id: relay.NodeID[int]
    title: str
    slug: str = strawberry_django.field(description="The last part of the page's address.")
    seo_title: str = strawberry_django.field(description="Title for search engines and the browser tab, if set.")
    search_description: str = strawberry_django.field(description="Summary for search engines and link previews.")
    first_published_at: datetime | None
    last_published_at: datetime | None

    @strawberry_django.field(only=["url_path"], description="Path of the page within the site.")
    def url_path(self, info: Info) -> str:
        return relative_url_path(info, self)
