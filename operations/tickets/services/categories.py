"""The default categories of a fresh installation (`categories_ensure`, after migrate),
and the trade whose firms a category's tickets are offered first (`category_trade_set`)."""

from __future__ import annotations

from django.db import transaction

from cms.contractors.models import Trade

from ..models import Category


@transaction.atomic
def category_trade_set(*, category: Category, trade: Trade | None) -> Category:
    """Link a category to the directory's trade that does its work (None: no trade); the
    admin's assign form then offers that trade's firms first."""
    category.trade = trade
    category.save(update_fields=["trade"])
    return category


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
