"""Reads of investments that depend on who is asking."""

from __future__ import annotations

from cms.core import visibility
from cms.investments.models import InvestmentPage


def investments_visible_to(
    user,
    *,
    status: str | None = None,
    building_id: int | None = None,
    denial: visibility.Denial | None = None,
    within: str | None = None,
):
    queryset = visibility.restrict_pages(InvestmentPage.objects.all(), user, denial=denial, within=within)
    if status:
        queryset = queryset.filter(status=status)
    if building_id is not None:
        queryset = queryset.filter(buildings__id=building_id)
    return queryset.order_by("-start_date", "title", "pk")
