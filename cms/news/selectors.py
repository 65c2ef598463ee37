"""Reads of news that depend on who is asking."""

from __future__ import annotations

import enum

from cms.core import visibility
from cms.news.models import NewsPage


class NewsOrder(enum.Enum):
    NEWEST = "newest"
    OLDEST = "oldest"
    PRIORITY = "priority"


_ORDERINGS = {
    NewsOrder.NEWEST: ("-date", "-first_published_at", "-pk"),
    NewsOrder.OLDEST: ("date", "first_published_at", "pk"),
    # urgent > important > normal happens to be reverse alphabetical order of the codes.
    NewsOrder.PRIORITY: ("-priority", "-date", "-pk"),
}


def news_visible_to(
    user,
    *,
    kind: str | None = None,
    building_id: int | None = None,
    current_alerts_only: bool = False,
    order: NewsOrder = NewsOrder.NEWEST,
    denial: visibility.Denial | None = None,
    within: str | None = None,
):
    """News items `user` may read, filtered; restrictions applied as a set (see visibility)."""
    queryset = visibility.restrict_pages(NewsPage.objects.all(), user, denial=denial, within=within)
    if current_alerts_only:
        queryset = queryset.current_alerts()
    if kind:
        queryset = queryset.filter(kind=kind)
    if building_id is not None:
        queryset = queryset.filter(affected_buildings__id=building_id)
    return queryset.order_by(*_ORDERINGS[order])
