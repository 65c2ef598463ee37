"""The directory search as the API and the admin ask it: who is asking, which backend.

`search` and `suggest` answer with the configured backend (Elasticsearch when
`ELASTICSEARCH_URL` is set, else the database) and fall back to the database backend,
which is always kept up to date, when Elasticsearch cannot answer.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from django.conf import settings

from cms.core.visibility import denial_of
from search import sources
from search.backends.base import (
    KINDS,
    BackendUnavailable,
    SearchBackend,
    SearchQuery,
    SearchResults,
    Suggestion,
    Viewer,
)
from search.backends.database import DatabaseBackend

logger = logging.getLogger(__name__)


def database_backend() -> DatabaseBackend:
    return DatabaseBackend()


@lru_cache(maxsize=4)
def _elasticsearch(url: str, prefix: str) -> SearchBackend:
    # Imported only when configured: the embedded default needs no client library.
    from search.backends.elasticsearch import ElasticsearchBackend

    return ElasticsearchBackend(url, prefix)


def configured_elasticsearch() -> SearchBackend | None:
    """The Elasticsearch backend when `ELASTICSEARCH_URL` is set, or None; raises when the
    client cannot use the URL (a mistyped port). For what staff run and read (a rebuild,
    the reconciliation, the index screen), which must say so."""
    url = getattr(settings, "ELASTICSEARCH_URL", "")
    if not url:
        return None
    return _elasticsearch(url, getattr(settings, "ELASTICSEARCH_INDEX_PREFIX", "hub"))


def elasticsearch_backend() -> SearchBackend | None:
    """`configured_elasticsearch` for residents' searches and the indexing that follows
    publishing: a URL the client cannot use is logged, without the URL (it may hold a
    password), and they go on with the database, as when the cluster is down."""
    try:
        return configured_elasticsearch()
    except Exception as error:
        logger.error("ELASTICSEARCH_URL cannot be used (%s); the database answers searches.", type(error).__name__)
        return None


def backend() -> SearchBackend:
    """The backend searches go to first."""
    return elasticsearch_backend() or database_backend()


def backends_to_index(*, strict: bool = False) -> list[SearchBackend]:
    """Every backend indexing writes to: the database always (the fallback), and
    Elasticsearch when configured (`strict`: raising when its URL cannot be used)."""
    found: list[SearchBackend] = [database_backend()]
    elastic = configured_elasticsearch() if strict else elasticsearch_backend()
    if elastic is not None:
        found.append(elastic)
    return found


def viewer_for(user, *, denial=None, within: str | None = None) -> Viewer:
    """`user` as the backends take it. The failed gates are worked out only when a
    backend outside the database will read them."""
    denial = denial or denial_of(user)
    failed = frozenset()
    if elasticsearch_backend() is not None:
        group_ids = denial.group_ids if isinstance(denial.group_ids, tuple) else None
        failed = sources.failed_gates(user, group_ids=group_ids)
    return Viewer(user=user, denial=denial, within=within, failed_gates=failed)


def search(query: SearchQuery, *, user, denial=None, within: str | None = None) -> SearchResults:
    viewer = viewer_for(user, denial=denial, within=within)
    chosen = backend()
    if not isinstance(chosen, DatabaseBackend):
        try:
            return chosen.search(query, viewer=viewer)
        except BackendUnavailable:
            logger.warning("Search backend %s unavailable; answering from the database.", chosen.name, exc_info=True)
    return database_backend().search(query, viewer=viewer)


def suggest(
    prefix: str,
    *,
    user,
    denial=None,
    within: str | None = None,
    kinds: frozenset[str] = frozenset(KINDS),
    limit: int = 8,
) -> list[Suggestion]:
    viewer = viewer_for(user, denial=denial, within=within)
    chosen = backend()
    if not isinstance(chosen, DatabaseBackend):
        try:
            return chosen.suggest(prefix, viewer=viewer, kinds=kinds, limit=limit)
        except BackendUnavailable:
            logger.warning("Search backend %s unavailable; suggesting from the database.", chosen.name, exc_info=True)
    return database_backend().suggest(prefix, viewer=viewer, kinds=kinds, limit=limit)
