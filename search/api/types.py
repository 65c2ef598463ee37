"""GraphQL types of the directory search: results of several kinds, with highlights,
facets and the spelling the search suggests instead.

A result's `node` is the content's own type (`Contractor`, `Document`, `NewsItem`,
`Investment`), so a frontend shows a found firm as it shows it in the directory.
"""

from __future__ import annotations

import enum
from typing import Annotated

import strawberry
from strawberry import relay

from cms.contractors.schema import Contractor
from cms.documents.schema import DocumentType
from cms.investments.schema import Investment
from cms.news.schema import NewsItem


@strawberry.enum(name="SearchKind", description="What a search result is.")
class SearchKind(enum.Enum):
    CONTRACTOR = "contractor"
    DOCUMENT = "document"
    NEWS = "news"
    INVESTMENT = "investment"


SearchResultNode = Annotated[
    Contractor | DocumentType | NewsItem | Investment,
    strawberry.union("SearchResultNode", description="The content a search result is."),
]


@strawberry.input(description="Narrow a search by facet values (as `SearchFacetValue.value` gives them).")
class SearchFilter:
    trades: list[str] | None = strawberry.field(default=None, description="Contractors of any of these trade slugs.")
    areas: list[str] | None = strawberry.field(default=None, description="Contractors serving any of these areas.")
    categories: list[str] | None = strawberry.field(
        default=None, description="Documents of any of these categories (`statute`, `minutes`, ...)."
    )
    years: list[int] | None = strawberry.field(default=None, description="Documents of any of these years.")
    buildings: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Documents concerning any of these buildings."
    )


@strawberry.type(description="A piece of a highlighted text: matched words or the text between them.")
class SearchHighlightPart:
    text: str
    match: bool


@strawberry.type(description="Where the searched words were found in one field, as parts to mark up.")
class SearchHighlight:
    field: str = strawberry.field(description="The field: title, trade, description, text (a PDF's), ...")
    parts: list[SearchHighlightPart]


@strawberry.type(description="One thing found.")
class SearchResult:
    kind: SearchKind
    score: float = strawberry.field(description="Relevance; higher is better, comparable within one search.")
    highlights: list[SearchHighlight]
    node: SearchResultNode


@strawberry.type(description="A search result with its cursor.")
class SearchResultEdge:
    cursor: str
    node: SearchResult


@strawberry.type(description="How many results one facet value has, e.g. trade `hydraulik` (4).")
class SearchFacetValue:
    value: str = strawberry.field(description="The value to filter by (`SearchFilter`).")
    label: str = strawberry.field(description="The value as shown, in the viewer's language.")
    count: int


@strawberry.type(description="The values of one facet: kind, trade, area, category, year or building.")
class SearchFacet:
    name: str
    values: list[SearchFacetValue]


@strawberry.type(description="A page of search results, with counts per facet value.")
class SearchResultConnection:
    edges: list[SearchResultEdge]
    page_info: relay.PageInfo
    total_count: int = strawberry.field(description="Results of the whole search, not only this page.")
    facets: list[SearchFacet]
    suggestion: str | None = strawberry.field(
        description="When nothing was found as typed: the nearest spelling that finds something."
    )


@strawberry.type(description="A completion of what the viewer is typing, and the content it names.")
class SearchSuggestion:
    text: str = strawberry.field(description="The completed words as written in the content (“Łączbud”).")
    kind: SearchKind
    node: SearchResultNode
