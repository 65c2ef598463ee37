"""Reads of the document directory that depend on who is asking."""

from __future__ import annotations

from wagtail.documents import get_document_model
from wagtail.models import Collection

from cms.core import directory_search, visibility


def documents_visible_to(
    user,
    *,
    category: str | None = None,
    year: int | None = None,
    collection_id: int | None = None,
    building_id: int | None = None,
    search: str | None = None,
    denial: visibility.Denial | None = None,
):
    """Documents whose collection (and every ancestor collection) `user` may read, newest
    year first; given `search`, only those the directory search finds for it, the most
    relevant first."""
    denial = denial or visibility.denial_of(user)
    queryset = visibility.restrict_by_collection(get_document_model().objects.all(), user, denial=denial)
    if category:
        queryset = queryset.filter(category=category)
    if year is not None:
        queryset = queryset.filter(year=year)
    if collection_id is not None:
        # A collection includes its sub-collections, as Wagtail's restrictions do.
        parent = Collection.objects.filter(pk=collection_id).values_list("path", flat=True).first()
        if parent is None:
            return queryset.none()
        queryset = queryset.filter(collection__path__startswith=parent)
    if building_id is not None:
        queryset = queryset.filter(building_id=building_id)
    if search and search.strip():
        ranked = directory_search.ranked_ids("document", search, user=user, denial=denial)
        return directory_search.in_rank_order(queryset, ranked)
    return queryset.order_by("-year", "title", "pk")
