"""The default categories of a fresh installation (`categories_ensure`, after migrate)."""

from __future__ import annotations

from ..models import Category


def categories_ensure() -> int:
    """The default categories, on a fresh installation only (see default_categories.py)."""
    from ..default_categories import DEFAULT_CATEGORIES

    if Category.objects.exists():
        return 0
    Category.objects.bulk_create(
        Category(
            slug=slug,
            name=name,
            urgency=urgency,
            response_hours=response,
            resolution_hours=resolution,
            description=description,
            sort_order=index,
        )
        for index, (slug, name, urgency, response, resolution, description) in enumerate(DEFAULT_CATEGORIES)
    )
    return len(DEFAULT_CATEGORIES)
