"""The image sizes the API serves: an allow-list, never arbitrary filter strings.

A client asks for a named size; every size maps to one Wagtail filter spec. Listing the
specs up front lets a list prefetch every rendition it may need in one query
(`Image.objects.prefetch_renditions(*ALL_FILTER_SPECS)`).
"""

from __future__ import annotations

import enum


class ImageSize(enum.Enum):
    THUMBNAIL = "fill-160x160-c100"
    CARD = "fill-640x400-c100"
    MEDIUM = "max-800x800"
    LARGE = "max-1600x1600"


# Widths offered in `srcset` for responsive images.
SRCSET_SPECS = ("width-400", "width-800", "width-1200")

ALL_FILTER_SPECS = tuple(size.value for size in ImageSize) + SRCSET_SPECS


def rendition_url(rendition) -> str:
    """The rendition's media URL; `cms.core.views.serve_image_file` answers it after checking access."""
    return rendition.url


def srcset(image) -> str:
    parts = []
    for spec in SRCSET_SPECS:
        rendition = image.get_rendition(spec)
        parts.append(f"{rendition_url(rendition)} {rendition.width}w")
    return ", ".join(parts)


def image_queryset():
    """Images with every allowed rendition prefetched (one query for all of them)."""
    from wagtail.images import get_image_model

    return get_image_model().objects.select_related("collection").prefetch_renditions(*ALL_FILTER_SPECS)
