"""GraphQL types the content apps share: the Page interface, images with their renditions,
and buildings as content refers to them.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
import strawberry_django
from django.db.models import Prefetch
from strawberry import Info, relay
from strawberry.types.nodes import SelectedField
from wagtail.images import get_image_model
from wagtail.models import Page

from cms.core.graphql.context import collection_path_is_visible, site_root
from cms.core.graphql.fields import instance_field, model_type
from cms.core.images import ALL_FILTER_SPECS, SRCSET_SPECS, ImageSize, image_queryset, rendition_of, srcset

ImageSizeEnum = strawberry.enum(ImageSize, name="ImageSize", description="Allowed image sizes.")


@strawberry.type(description="An image file at one of the allowed sizes.")
class Rendition:
    url: str
    width: int
    height: int


@model_type(get_image_model(), name="Image")
class ImageType:
    title: str
    width: int
    height: int

    @strawberry.field(description="Alternative text for screen readers.")
    def alt(self) -> str:
        return self.default_alt_text

    @strawberry.field(description="The image at an allowed size.")
    def rendition(self, size: ImageSizeEnum = ImageSize.CARD) -> Rendition:
        url, width, height = rendition_of(self, ImageSize(size).value)
        return Rendition(url=url, width=width, height=height)

    @strawberry.field(description="`srcset` attribute value offering several widths.")
    def srcset(self) -> str:
        return srcset(self)


def _size_spec(value) -> str | None:
    """The filter spec of a `size` argument as the query gives it (the enum's name, a
    variable's value, or nothing: the default), None when it is not an allowed size."""
    if value is None:
        return ImageSize.CARD.value
    if isinstance(value, ImageSize):
        return value.value
    if isinstance(value, str):
        if value in ImageSize.__members__:
            return ImageSize[value].value
        if value in ALL_FILTER_SPECS:
            return value
    return None


def _specs_selected(selections) -> set[str] | None:
    """The filter specs the selections below an image field ask for (`rendition(size:)`,
    `srcset`), through fragments; None when one cannot be told (then every size is read).
    Directives are ignored: reading a size a `@skip` leaves out costs a row, not a query."""
    specs: set[str] = set()
    for selection in selections:
        name = getattr(selection, "name", None)
        if name == "rendition" and isinstance(selection, SelectedField):
            spec = _size_spec(selection.arguments.get("size"))
            if spec is None:
                return None
            specs.add(spec)
        elif name == "srcset" and isinstance(selection, SelectedField):
            specs.update(SRCSET_SPECS)
        inner = _specs_selected(getattr(selection, "selections", None) or ())
        if inner is None:
            return None
        specs |= inner
    return specs


def image_prefetch(lookup: str):
    """The optimizer's hint for an image relation: prefetch its images and read, in one
    query for all of them, the stored renditions of the sizes the query asks for."""

    def prefetch(info: Info) -> Prefetch:
        try:
            specs = _specs_selected(info.selected_fields)
        except Exception:  # an unexpected shape of selection: read every size
            specs = None
        return Prefetch(lookup, queryset=image_queryset(ALL_FILTER_SPECS if specs is None else specs))

    return prefetch


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
    slug: str = instance_field(description="The last part of the page's address.")
    seo_title: str = instance_field(description="Title for search engines and the browser tab, if set.")
    search_description: str = instance_field(description="Summary for search engines and link previews.")
    first_published_at: datetime | None
    last_published_at: datetime | None

    @strawberry_django.field(only=["url_path"], description="Path of the page within the site.")
    def url_path(self, info: Info) -> str:
        return relative_url_path(info, self)
