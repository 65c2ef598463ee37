"""Indexing follows publishing.

The database index is written in the same transaction as the change that caused it
(a page published, unpublished, deleted; a document saved or deleted; a trade renamed):
a rolled-back publish leaves no trace in the index, and a page published is searchable
as soon as it is committed, with no broker or worker in between. A failure to index is
logged and never fails the editor's publish (the hourly `search_reconcile` repairs it).

Backends outside the database (Elasticsearch) are written by `search.tasks` queued after
commit (`cms.core.queue.enqueue_after_commit`), with the hourly reconciliation as the
fallback when the broker cannot take the job. They also need the items under a moved
page or a changed restriction indexed again, because they keep visibility as terms
(`search.sources.gates_of`); the database reads visibility when it searches.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

logger = logging.getLogger(__name__)

FALLBACK = "the hourly search_reconcile will index it"


def _external_backends() -> bool:
    from search.selectors import elasticsearch_backend

    return elasticsearch_backend() is not None


def index_keys(keys: Iterable[str], *, backends=None) -> None:
    """Index the current records of `keys` (remove those with none) in `backends`
    (default: every backend indexing writes to)."""
    from search import sources
    from search.selectors import backends_to_index

    keys = sorted(set(keys))
    if not keys:
        return
    book = sources.GateBook()
    records, gone = [], []
    for key in keys:
        record = sources.record_for_key(key, book=book)
        if record is None:
            gone.append(key)
        else:
            records.append(record)
    for backend in backends if backends is not None else backends_to_index():
        if records:
            backend.index(records)
        if gone:
            backend.remove(gone)


def reindex_all() -> int:
    """Rebuild every backend from all content (`rebuild_every_backend`); the number of
    records the database index holds."""
    return rebuild_every_backend()["database"]


def _index_in_database(keys: list[str]) -> None:
    from search.selectors import database_backend

    try:
        with transaction.atomic():  # a savepoint: a failure here leaves the publish whole
            index_keys(keys, backends=[database_backend()])
    except Exception:
        logger.warning("Could not index %s; %s.", ", ".join(keys[:10]), FALLBACK, exc_info=True)


def _queue(keys: list[str]) -> None:
    from search.tasks import search_index_update

    if keys and _external_backends():
        from cms.core.queue import enqueue_after_commit

        enqueue_after_commit(search_index_update, sorted(set(keys)), fallback=FALLBACK)


def changed(keys: list[str]) -> None:
    """`keys` changed: index them in the database now and elsewhere after commit."""
    _index_in_database(keys)
    _queue(keys)


def _subtree_keys(page) -> list[str]:
    """The keys of a page, its descendants and whatever shows them through aliases."""
    from wagtail.models import Page

    from search.sources import page_key

    subtree = Page.objects.filter(path__startswith=page.path)
    aliases = Page.objects.filter(alias_of__in=subtree.values("pk")).values_list("path", flat=True)
    ids = set(subtree.values_list("pk", flat=True))
    for path in aliases:
        ids |= set(Page.objects.filter(path__startswith=path).values_list("pk", flat=True))
    return [page_key(pk) for pk in ids]


def _collection_keys(collection) -> list[str]:
    from wagtail.documents import get_document_model

    from search.sources import document_key

    documents = get_document_model().objects.filter(collection__path__startswith=collection.path)
    return [document_key(pk) for pk in documents.values_list("pk", flat=True)]


# --- receivers ---------------------------------------------------------------------------


def _on_page_published(sender, instance, **kwargs):
    from search.sources import page_key

    changed([page_key(instance.pk)])


def _on_page_unpublished(sender, instance, **kwargs):
    """Unpublished, or about to be deleted (Wagtail unpublishes a live page it deletes,
    before the row goes): out of the index either way, never indexed again from the
    still-live row."""
    from search.sources import page_key

    changed_before_delete([page_key(instance.pk)])


def _on_page_deleting(sender, instance, **kwargs):
    from search.sources import page_key

    if kwargs.get("raw"):
        return
    changed_before_delete([page_key(instance.pk)])


def changed_before_delete(keys: list[str]) -> None:
    """Remove `keys` from the database index before their rows go (the vocabulary's
    counts with them), and from the others after commit."""
    from search.selectors import database_backend

    try:
        with transaction.atomic():
            database_backend().remove(keys)
    except Exception:
        logger.warning("Could not remove %s from the index; %s.", ", ".join(keys[:10]), FALLBACK, exc_info=True)
    _queue(keys)


def _on_page_moved(sender, instance, **kwargs):
    if _external_backends():
        _queue(_subtree_keys(instance))


def _skipped(kwargs) -> bool:
    """Fixtures loaded raw, and the half of a groups change before it is made."""
    return bool(kwargs.get("raw")) or kwargs.get("action", "post_").startswith("pre_") or not _external_backends()


def _on_page_restriction(sender, instance, **kwargs):
    if _skipped(kwargs):
        return
    page = getattr(instance, "page", None)
    if page is not None:
        _queue(_subtree_keys(page))


def _on_collection_restriction(sender, instance, **kwargs):
    if _skipped(kwargs):
        return
    collection = getattr(instance, "collection", None)
    if collection is not None:
        _queue(_collection_keys(collection))


def _on_collection_saved(sender, instance, **kwargs):
    if kwargs.get("raw") or not _external_backends():
        return
    _queue(_collection_keys(instance))


def _on_document_saved(sender, instance, **kwargs):
    from search.sources import document_key

    if kwargs.get("raw"):
        return
    changed([document_key(instance.pk)])


def _on_document_deleting(sender, instance, **kwargs):
    from search.sources import document_key

    changed_before_delete([document_key(instance.pk)])


def _on_trade_saved(sender, instance, **kwargs):
    from cms.contractors.models import ContractorPage
    from search.sources import page_key

    if kwargs.get("raw") or kwargs.get("created"):
        return
    ids = ContractorPage.objects.filter(trade=instance).values_list("pk", flat=True)
    changed([page_key(pk) for pk in ids])


def connect() -> None:
    from wagtail.documents import get_document_model
    from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from cms.contractors.models import Trade

    uid = "directory-search"
    page_published.connect(_on_page_published, dispatch_uid=f"{uid}-published", weak=False)
    page_unpublished.connect(_on_page_unpublished, dispatch_uid=f"{uid}-unpublished", weak=False)
    pre_delete.connect(_on_page_deleting, sender=Page, dispatch_uid=f"{uid}-page-delete", weak=False)
    post_page_move.connect(_on_page_moved, dispatch_uid=f"{uid}-moved", weak=False)
    for model, receiver in (
        (PageViewRestriction, _on_page_restriction),
        (CollectionViewRestriction, _on_collection_restriction),
    ):
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}-{model.__name__}-save", weak=False)
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}-{model.__name__}-delete", weak=False)
        m2m_changed.connect(
            receiver, sender=model.groups.through, dispatch_uid=f"{uid}-{model.__name__}-m2m", weak=False
        )
    post_save.connect(_on_collection_saved, sender=Collection, dispatch_uid=f"{uid}-collection", weak=False)
    document_model = get_document_model()
    post_save.connect(_on_document_saved, sender=document_model, dispatch_uid=f"{uid}-document-save", weak=False)
    pre_delete.connect(_on_document_deleting, sender=document_model, dispatch_uid=f"{uid}-document-delete", weak=False)
    post_save.connect(_on_trade_saved, sender=Trade, dispatch_uid=f"{uid}-trade", weak=False)


def reconcile(*, chunk: int = 200) -> dict[str, int]:
    """Compare every backend's fingerprints with the content's and repair what differs:
    {"indexed": n, "removed": m} summed over the backends. The content is read once
    (PDFs are read once) whatever the number of backends."""
    from search import sources
    from search.selectors import backends_to_index

    backends = backends_to_index(strict=True)  # a URL that cannot be used fails the run, which says so
    indexed = [backend.indexed_keys() for backend in backends]
    batches: list[list] = [[] for _ in backends]
    totals = {"indexed": 0, "removed": 0}

    def flush(position: int) -> None:
        backends[position].index(batches[position])
        totals["indexed"] += len(batches[position])
        batches[position] = []

    for record in sources.records_all():
        digest = sources.fingerprint(record)
        for position, keys in enumerate(indexed):
            if keys.pop(record.key, None) != digest:
                batches[position].append(record)
                if len(batches[position]) >= chunk:
                    flush(position)
    for position, keys in enumerate(indexed):
        if batches[position]:
            flush(position)
        if keys:  # keys left: their content is gone or no longer searchable
            backends[position].remove(list(keys))
            totals["removed"] += len(keys)
    # The texts of files no document has any more (replaced, deleted) go with them.
    sources.prune_extracted_texts()
    if totals["indexed"] or totals["removed"]:
        logger.info("Search reconciled: %(indexed)s indexed, %(removed)s removed.", totals)
    return totals


def rebuild_every_backend(*, done=None) -> dict[str, object]:
    """Rebuild every backend from all content, as `manage.py search_rebuild` and the
    admin's "Rebuild the index" (`search.tasks.search_rebuild`) do: the database index in
    one transaction, then, when configured, a new Elasticsearch index behind its alias.
    `done(name, result, seconds)` is called after each backend, so a caller knows what was
    rebuilt before a later backend failed. Returns {"database": records indexed,
    "elasticsearch": the new index's name (when configured)}."""
    import time

    from search import sources
    from search.selectors import configured_elasticsearch, database_backend

    results: dict[str, object] = {}
    steps = [("database", database_backend())]
    elastic = configured_elasticsearch()
    if elastic is not None:
        steps.append(("elasticsearch", elastic))
    for name, backend in steps:
        started = time.monotonic()
        results[name] = backend.rebuild(sources.records_all())
        if done is not None:
            done(name, results[name], time.monotonic() - started)
    return results
