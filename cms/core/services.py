"""Writes the content side needs outside Wagtail's own editing."""

from __future__ import annotations

from cms.core.images import ALL_FILTER_SPECS


def image_renditions_generate(*, image) -> int:
    """Render every allowed size of `image` now, so the first reader does not wait for it.

    Idempotent: Wagtail returns renditions that exist and creates the missing ones.
    Returns how many sizes the image has.
    """
    return len(image.get_renditions(*ALL_FILTER_SPECS))
