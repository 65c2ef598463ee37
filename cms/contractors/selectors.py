"""Reads of the contractor directory that depend on who is asking."""

from __future__ import annotations

from cms.contractors.models import ContractorPage, Trade
from cms.core import directory_search, visibility


def contractors_visible_to(
    user,
    *,
    trade_slug: str | None = None,
    search: str | None = None,
    denial: visibility.Denial | None = None,
    within: str | None = None,
):
    """Firms `user` may read, grouped by trade (trade order, then name); given `search`,
    only the firms the directory search finds for it, the most relevant first."""
    denial = denial or visibility.denial_of(user)
    queryset = visibility.restrict_pages(ContractorPage.objects.all(), user, denial=denial, within=within)
    if trade_slug:
        queryset = queryset.filter(trade__slug=trade_slug)
    if search and search.strip():
        ranked = directory_search.ranked_ids("contractor", search, user=user, denial=denial, within=within)
        return directory_search.in_rank_order(queryset, ranked)
    return queryset.order_by("trade__sort_order", "trade__name", "title", "pk")


def trades():
    return Trade.objects.all()


def trade_exists(slug: str) -> bool:
    return Trade.objects.filter(slug=slug).exists()
