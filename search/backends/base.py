"""The contract every search backend keeps: what is indexed, what is asked, what comes back.

Backends know nothing of GraphQL or of Django's request. The caller (`search.selectors`)
says who is asking as a `Viewer`, and the backend filters by it *inside* the search, so a
hit the viewer may not open never reaches results, counts, facets, highlights or
suggestions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

# The kinds of thing the directory finds, in the order results are grouped.
KINDS = ("contractor", "document", "news", "investment")

# Facet names and the kinds they belong to ("kind" counts hits per kind, for tabs such
# as "Wykonawcy (4)", and belongs to all).
FACETS = {
    "kind": None,
    "trade": "contractor",  # a trade's slug
    "area": "contractor",  # a place the firm serves, as the editor wrote it ("Bemowo")
    "category": "document",  # CooperativeDocument.Category value
    "year": "document",  # the document's year
    "building": "document",  # residents.Building id, as text
}


@dataclass(frozen=True)
class IndexRecord:
    """One thing to find, as every backend indexes it (made by `search.sources`).

    `fields` holds the searchable text by field name; each name has a weight in
    `FIELD_WEIGHTS`. `facets` holds the facet values (`FACETS`). `page_id` or
    `document_id` names the content the database backend joins visibility through;
    `gates` is the same visibility as terms, for backends outside the database
    (`search.sources.gates_of`)."""

    key: str  # "page:12" or "document:7": unique across kinds
    kind: str
    object_id: int
    title: str
    fields: dict[str, str]
    facets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    page_id: int | None = None
    document_id: int | None = None
    gates: tuple[str, ...] = ()
    date: date | None = None


# How much a match in each field counts; a match in the name or trade ranks first.
FIELD_WEIGHTS = {
    "title": 10.0,
    "trade": 8.0,
    "category": 4.0,
    "area": 3.0,
    "services": 3.0,
    "lead": 2.0,
    "summary": 2.0,
    "description": 2.0,
    "notes": 1.0,
    "body": 1.0,
    "text": 0.5,  # a PDF's extracted text
}


@dataclass(frozen=True)
class Viewer:
    """Who is asking. `denial` is the request's `cms.core.visibility.Denial`; `within` the
    site's root path; `passed_gates`/`failed_gates` are the visibility gates
    (`search.sources.gates_of`) the viewer passes and fails, for backends outside the
    database (worked out by `search.selectors.viewer_for`)."""

    user: object
    denial: object
    within: str | None = None
    failed_gates: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SearchQuery:
    text: str
    kinds: frozenset[str] = frozenset(KINDS)
    # facet name -> accepted values (any of them); names as in FACETS
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    offset: int = 0
    limit: int = 20
    with_facets: bool = True


@dataclass(frozen=True)
class HighlightPart:
    text: str
    match: bool


@dataclass(frozen=True)
class Highlight:
    field: str
    parts: tuple[HighlightPart, ...]


@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int
    score: float
    highlights: tuple[Highlight, ...] = ()


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int


@dataclass(frozen=True)
class Facet:
    name: str
    values: tuple[FacetValue, ...]  # most frequent first, then by value


@dataclass(frozen=True)
class SearchResults:
    hits: tuple[Hit, ...]
    total: int
    facets: tuple[Facet, ...] = ()
    # The nearest spelling that finds something, when the query as typed found nothing.
    suggestion: str | None = None
    backend: str = ""


@dataclass(frozen=True)
class Suggestion:
    text: str  # the completed words, as written in the content ("Łączbud")
    kind: str
    object_id: int


class BackendUnavailable(Exception):
    """The backend cannot answer now (a server down): the caller falls back to the
    database backend and logs it."""


class SearchBackend:
    name = ""

    def index(self, records: Iterable[IndexRecord]) -> None:
        """Add or replace `records` (by key)."""
        raise NotImplementedError

    def remove(self, keys: Iterable[str]) -> None:
        """Remove the records with `keys` (keys not indexed are ignored)."""
        raise NotImplementedError

    def indexed_keys(self) -> dict[str, str]:
        """Every indexed key with its record's fingerprint (`search.sources.fingerprint`),
        for the periodic reconciliation."""
        raise NotImplementedError

    def search(self, query: SearchQuery, *, viewer: Viewer) -> SearchResults:
        raise NotImplementedError

    def suggest(
        self, prefix: str, *, viewer: Viewer, kinds: frozenset[str] = frozenset(KINDS), limit: int = 8
    ) -> list[Suggestion]:
        raise NotImplementedError
