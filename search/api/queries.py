"""`search` and `searchSuggest`: the directory search through GraphQL.

The resolvers translate: arguments to a `SearchQuery`, refusals to typed errors
(`bad_input`, as every list does), and the backend's hits to the content's own types.
What a viewer may see is decided inside the search (`search.selectors`); the hits'
objects are then read through the content apps' own selectors, one query per kind
whatever the page size, so a hit the index still holds for content since hidden or
deleted is left out rather than shown.

Answers are not kept in the shared response cache (`search` is not one of its
`SHARED_FIELDS`). The database index is written in the content's own transaction, so the
content version would cover it, but Elasticsearch is written by a task after the commit:
an answer computed between the two would be kept under the new version with the old
index's results.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated

import strawberry
from django.conf import settings
from django.db.models import Prefetch
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from strawberry import Info, relay
from strawberry.relay.utils import from_base64, to_base64

from cms.contractors import selectors as contractor_selectors
from cms.contractors.models import Trade
from cms.core import directory_search
from cms.core.graphql.context import denial, site_root_path, viewer_of
from cms.core.graphql.errors import bad_input
from cms.core.images import image_queryset
from cms.documents import selectors as document_selectors
from cms.documents.models import CooperativeDocument
from cms.investments import selectors as investment_selectors
from cms.investments.models import InvestmentGalleryImage
from cms.news import selectors as news_selectors
from search import selectors
from search.api.types import (
    SearchFacet,
    SearchFacetValue,
    SearchFilter,
    SearchHighlight,
    SearchHighlightPart,
    SearchKind,
    SearchResult,
    SearchResultConnection,
    SearchResultEdge,
    SearchResultNode,
    SearchSuggestion,
)
from search.backends.base import KINDS, SearchQuery

CURSOR_PREFIX = "search"
# How deep a search may be paged (Elasticsearch's default result window): results past
# it are not browsed by people, and a forged cursor must not make the database count on.
MAX_OFFSET = 10_000
MAX_SUGGESTIONS = 20
# Values one facet of a filter may name: far more than a screen of checkboxes.
MAX_FILTER_VALUES = 100

# The facet each `SearchFilter` field narrows.
FILTER_FACETS = {"trades": "trade", "areas": "area", "categories": "category", "years": "year", "buildings": "building"}


def _kind_labels() -> dict[str, str]:
    # Made per request: the labels follow the viewer's language.
    return {
        "contractor": _("Contractors"),
        "document": _("Documents"),
        "news": _("News"),
        "investment": _("Investments"),
    }


# --- Arguments -----------------------------------------------------------------------------


def _text(value: str, *, field: str, blank_allowed: bool) -> str:
    problem = directory_search.query_problem(value)
    if problem:
        raise bad_input(problem, field=field)
    text = value.strip()
    if not text and not blank_allowed:
        raise bad_input(_("This field is required."), field=field)  # Django's own message, translated
    return text


def _kinds(kinds: list[SearchKind] | None) -> frozenset[str]:
    """The kinds asked for; none named (null or empty) means every kind."""
    if not kinds:
        return frozenset(KINDS)
    return frozenset(SearchKind(kind).value for kind in kinds)


def _filters(filter: SearchFilter | None) -> dict[str, tuple[str, ...]]:
    """The facet values to narrow by, as text (the index's values). A value nothing has
    simply matches nothing; an empty list narrows nothing."""
    if filter is None:
        return {}
    filters = {}
    for attribute, facet in FILTER_FACETS.items():
        values = getattr(filter, attribute)
        if not values:
            continue
        field = f"filter.{attribute}"
        if len(values) > MAX_FILTER_VALUES:
            raise bad_input(
                _("Choose at most %(count)d values.") % {"count": MAX_FILTER_VALUES},
                field=field,
            )
        texts = tuple(str(value).strip() for value in values)
        for text in texts:
            problem = directory_search.query_problem(text)
            if problem:
                raise bad_input(problem, field=field)
        filters[facet] = texts
    return filters


def _page_size(value: int, *, field: str, maximum: int) -> int:
    if not 0 <= value <= maximum:
        raise bad_input(
            _("“%(field)s” must be between 0 and %(maximum)d.") % {"field": field, "maximum": maximum}, field=field
        )
    return value


def cursor_of(position: int) -> str:
    return to_base64(CURSOR_PREFIX, position)


def _offset_after(cursor: str | None) -> int:
    """The position after the one `cursor` names (0 without a cursor)."""
    if cursor is None:
        return 0
    try:
        prefix, position = from_base64(cursor)
        position = int(position)
        valid = prefix == CURSOR_PREFIX and 0 <= position < MAX_OFFSET
    except (ValueError, TypeError):
        valid = False
    if not valid:
        raise bad_input(_("This cursor is not valid for this list."), field="after")
    return position + 1


def _selected_names(selections) -> set[str]:
    """Every field name selected below `selections`, through fragments, whatever the
    type: enough to tell whether a relation is asked for at all."""
    names: set[str] = set()
    for selection in selections or ():
        name = getattr(selection, "name", None)
        if name:
            names.add(name)
        names |= _selected_names(getattr(selection, "selections", None))
    return names


# --- The hits' objects ---------------------------------------------------------------------


def _contractors(user, *, denial, within, wanted):
    return contractor_selectors.contractors_visible_to(user, denial=denial, within=within).select_related("trade")


def _documents(user, *, denial, within, wanted):
    related = [name for name in ("collection", "building") if name in wanted]
    return document_selectors.documents_visible_to(user, denial=denial).select_related(*related)


def _images(queryset, wanted: set[str]):
    if "leadImage" in wanted:
        queryset = queryset.prefetch_related(Prefetch("lead_image", queryset=image_queryset()))
    return queryset


def _news(user, *, denial, within, wanted):
    queryset = _images(news_selectors.news_visible_to(user, denial=denial, within=within), wanted)
    if "affectedBuildings" in wanted:
        queryset = queryset.prefetch_related("affected_buildings")
    return queryset


def _investments(user, *, denial, within, wanted):
    queryset = _images(investment_selectors.investments_visible_to(user, denial=denial, within=within), wanted)
    if "gallery" in wanted:
        queryset = queryset.prefetch_related(
            Prefetch(
                "gallery_images",
                queryset=InvestmentGalleryImage.objects.order_by("sort_order").prefetch_related(
                    Prefetch("image", queryset=image_queryset())
                ),
            )
        )
    if "buildings" in wanted:
        queryset = queryset.prefetch_related("buildings")
    return queryset


# Each kind's visible objects, with what its GraphQL type reads loaded beside them.
LOADERS = {"contractor": _contractors, "document": _documents, "news": _news, "investment": _investments}


def load_nodes(info: Info, found, wanted: set[str]) -> dict[tuple[str, int], object]:
    """The objects of `found` (hits or suggestions: `.kind`, `.object_id`) that the viewer
    may see, by (kind, id): one query per kind present (and its prefetches)."""
    ids = defaultdict(set)
    for item in found:
        if item.kind in LOADERS:
            ids[item.kind].add(item.object_id)
    if not ids:
        return {}
    user, viewer_denial, within = viewer_of(info), denial(info), site_root_path(info)
    nodes = {}
    for kind, object_ids in ids.items():
        queryset = LOADERS[kind](user, denial=viewer_denial, within=within, wanted=wanted)
        for instance in queryset.filter(pk__in=object_ids):
            nodes[(kind, instance.pk)] = instance
    return nodes


# --- Facets --------------------------------------------------------------------------------


def _facet_labels(facets) -> dict[tuple[str, str], str]:
    """Labels of the facet values that are not shown as they are: kinds, trades,
    categories and buildings (a query each for trades and buildings, when present)."""
    labels = {("kind", kind): label for kind, label in _kind_labels().items()}
    labels.update((("category", value), capfirst(str(label))) for value, label in CooperativeDocument.Category.choices)
    values = {facet.name: [value.value for value in facet.values] for facet in facets}
    if values.get("trade"):
        for slug, name in Trade.objects.filter(slug__in=values["trade"]).values_list("slug", "name"):
            labels[("trade", slug)] = name
    building_ids = [value for value in values.get("building", ()) if value.isdigit()]
    if building_ids:
        # The model through the document's key: the search names no operations app.
        Building = CooperativeDocument._meta.get_field("building").related_model
        for building in Building.objects.filter(pk__in=building_ids):
            labels[("building", str(building.pk))] = str(building)
    return labels


def _facets(facets) -> list[SearchFacet]:
    labels = _facet_labels(facets)
    return [
        SearchFacet(
            name=facet.name,
            values=[
                SearchFacetValue(
                    value=value.value, label=labels.get((facet.name, value.value), value.value), count=value.count
                )
                for value in facet.values
            ],
        )
        for facet in facets
    ]


def _highlights(hit) -> list[SearchHighlight]:
    return [
        SearchHighlight(
            field=highlight.field,
            parts=[SearchHighlightPart(text=part.text, match=part.match) for part in highlight.parts],
        )
        for highlight in hit.highlights
    ]


# --- The fields ----------------------------------------------------------------------------


@strawberry.type
class Query:
    @strawberry.field(
        description=(
            "One search over contractors, documents, news and investments the viewer may see, "
            "in Polish as people type it (diacritics or none, any inflected form, small typos), "
            "best matches first, with highlights and counts per facet value."
        )
    )
    def search(
        self,
        info: Info,
        query: Annotated[
            str,
            strawberry.argument(description=f"What to find; at most {directory_search.MAX_QUERY_LENGTH} characters."),
        ],
        kinds: Annotated[
            list[SearchKind] | None,
            strawberry.argument(description="Only these kinds; null or empty: every kind. Kind counts ignore it."),
        ] = None,
        filter: SearchFilter | None = None,
        first: Annotated[
            int | None, strawberry.argument(description=f"Results per page, at most {settings.GRAPHQL_MAX_PAGE_SIZE}.")
        ] = 20,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the page before.")] = None,
    ) -> SearchResultConnection:
        text = _text(query, field="query", blank_allowed=False)
        limit = _page_size(20 if first is None else first, field="first", maximum=settings.GRAPHQL_MAX_PAGE_SIZE)
        offset = _offset_after(after)
        wanted = _selected_names(info.selected_fields)
        results = selectors.search(
            SearchQuery(
                text=text,
                kinds=_kinds(kinds),
                filters=_filters(filter),
                offset=offset,
                limit=min(limit, MAX_OFFSET - offset),
                with_facets="facets" in wanted,
            ),
            user=viewer_of(info),
            denial=denial(info),
            within=site_root_path(info),
        )
        hits = list(results.hits)
        # Without edges asked for (counts and facets only), no row is read.
        nodes = load_nodes(info, hits, wanted) if "edges" in wanted else {}
        edges = []
        for position, hit in enumerate(hits, start=offset):
            node = nodes.get((hit.kind, hit.object_id))
            if node is None:
                continue  # hidden or gone since it was indexed
            edges.append(
                SearchResultEdge(
                    cursor=cursor_of(position),
                    node=SearchResult(
                        kind=SearchKind(hit.kind), score=hit.score, highlights=_highlights(hit), node=node
                    ),
                )
            )
        reached = offset + len(hits)
        return SearchResultConnection(
            edges=edges,
            page_info=relay.PageInfo(
                has_previous_page=offset > 0,
                has_next_page=reached < min(results.total, MAX_OFFSET),
                start_cursor=cursor_of(offset) if hits else None,
                end_cursor=cursor_of(reached - 1) if hits else None,
            ),
            total_count=results.total,
            facets=_facets(results.facets) if "facets" in wanted else [],
            suggestion=results.suggestion,
        )

    @strawberry.field(
        description=(
            "Completions of what the viewer is typing (a prefix of the words, Polish as typed), "
            "each with the content it names; empty for a blank prefix."
        )
    )
    def search_suggest(
        self,
        info: Info,
        prefix: Annotated[str, strawberry.argument(description="What the viewer has typed so far.")],
        kinds: Annotated[
            list[SearchKind] | None, strawberry.argument(description="Only these kinds; null or empty: every kind.")
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description=f"Suggestions wanted, at most {MAX_SUGGESTIONS}.")
        ] = 8,
    ) -> list[SearchSuggestion]:
        text = _text(prefix, field="prefix", blank_allowed=True)
        limit = _page_size(8 if first is None else first, field="first", maximum=MAX_SUGGESTIONS)
        if not text or not limit:
            return []
        suggestions = selectors.suggest(
            text,
            user=viewer_of(info),
            denial=denial(info),
            within=site_root_path(info),
            kinds=_kinds(kinds),
            limit=limit,
        )
        nodes = load_nodes(info, suggestions, _selected_names(info.selected_fields))
        answer = []
        for suggestion in suggestions:
            node = nodes.get((suggestion.kind, suggestion.object_id))
            if node is not None:
                answer.append(SearchSuggestion(text=suggestion.text, kind=SearchKind(suggestion.kind), node=node))
        return answer


__all__ = ["Query", "SearchResultNode"]
