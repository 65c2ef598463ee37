"""Background indexing: the keys a change touched, and the hourly reconciliation.

Both write to every backend indexing writes to (`search.selectors.backends_to_index`):
the database index always, since it is the fallback of the others, and Elasticsearch
when configured.
"""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def search_index_update(keys: list[str]) -> int:
    """Index the current records of `keys`, removing those whose content is gone."""
    from search.indexing import index_keys

    index_keys(keys)
    return len(keys)


@shared_task
def search_reconcile() -> dict[str, int]:
    """Make every backend's index match the content: records whose fingerprint differs
    are indexed again, keys with no content any more removed. Idempotent: a second run
    changes nothing. The fallback of every indexing job the broker could not take."""
    from search.indexing import reconcile

    return reconcile()
