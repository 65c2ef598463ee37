"""The directory search offered to the content apps' lists.

`contractors(filter: {search:})` and `documents(filter: {search:})` narrow and order
their lists by the search, but the content apps may not import `search` (it imports
them). So the search registers its ranking with `cms.core.directory_search` when Django
starts (`search.apps.SearchConfig.ready`), and the lists ask that module.
"""

from __future__ import annotations

from cms.core import directory_search
from search import selectors
from search.backends.base import SearchQuery


def ranked_ids(kind: str, text: str, *, user, denial=None, within: str | None = None) -> list[int]:
    """Ids of the `kind` objects matching `text` that `user` may see, best first: the
    same search as the `search` field, over every page of its results (up to the lists'
    limit), without facets."""
    results = selectors.search(
        SearchQuery(
            text=text.strip(),
            kinds=frozenset({kind}),
            offset=0,
            limit=directory_search.MAX_RANKED,
            with_facets=False,
        ),
        user=user,
        denial=denial,
        within=within,
    )
    return [hit.object_id for hit in results.hits if hit.kind == kind]


def register() -> None:
    directory_search.register(ranked_ids)
