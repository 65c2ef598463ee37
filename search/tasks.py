"""Background indexing: the keys a change touched, the hourly reconciliation, and the
rebuild staff ask for in the admin ("Search index", search/admin/views.py).

All write to every backend indexing writes to (`search.selectors.backends_to_index`):
the database index always, since it is the fallback of the others, and Elasticsearch
when configured.

Runs are logged (`SearchIndexRun`): the admin's buttons record a run as queued
(`request_run`) and the task records it running, done or failed; the hourly
reconciliation records a run of its own. A run queued or running for longer than
`STALE_AFTER` is taken as failed (its task was lost: a worker killed, a broker that
dropped it). At most one rebuild is queued or running at a time (a second is refused,
and the database's constraint holds for two clicks at once). When the broker will not
take the task, the run is recorded as not queued and nothing else happens: the admin
says so. The last `RUNS_KEPT` runs of each kind are kept.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from urllib.parse import parse_qsl, unquote, urlsplit

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(hours=2)
RUNS_KEPT = 50
# Longest error text kept on a run (a traceback's last line is what staff need).
ERROR_LENGTH = 2000


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def search_index_update(keys: list[str]) -> int:
    """Index the current records of `keys`, removing those whose content is gone."""
    from search.indexing import index_keys

    index_keys(keys)
    return len(keys)


@shared_task
def search_reconcile(run_id: int | None = None) -> dict[str, int]:
    """Make every backend's index match the content: records whose fingerprint differs
    are indexed again, keys with no content any more removed. Idempotent: a second run
    changes nothing. The fallback of every indexing job the broker could not take.
    `run_id`: the run the admin queued; without it (beat) a run of its own is logged."""
    from search.indexing import reconcile
    from search.models import SearchIndexRun

    run = _begin(run_id, SearchIndexRun.Kind.RECONCILE)
    if run is False:
        return {"indexed": 0, "removed": 0}
    try:
        totals = reconcile()
    except Exception as error:
        _failed(run, error)
        raise
    _done(run, totals)
    return totals


@shared_task
def search_rebuild(run_id: int | None = None) -> dict[str, object]:
    """Rebuild every backend from the content (what `manage.py search_rebuild` does:
    `search.indexing.rebuild_every_backend`), logged on the run `run_id`. When a backend
    fails after another was rebuilt, the run is failed with what was rebuilt kept in its
    outcome."""
    from search.indexing import rebuild_every_backend
    from search.models import SearchIndexRun

    run = _begin(run_id, SearchIndexRun.Kind.REBUILD)
    if run is False:
        return {}
    outcome: dict[str, object] = {}

    def done(name: str, result, seconds: float) -> None:
        outcome[name] = result
        outcome[f"{name}_seconds"] = round(seconds, 1)

    try:
        rebuild_every_backend(done=done)
    except Exception as error:
        _failed(run, error, outcome)
        raise
    _done(run, outcome)
    return outcome


# --- the run log ---------------------------------------------------------------------------

# What an error text must not carry to the run log or the screen: the user and password of
# a URL ("https://elastic:pw@es:9200", as the Elasticsearch client quotes a URL it cannot
# parse), and key or token parameters.
_USERINFO = re.compile(r"(?<=://)[^\s/@'\"]+@")
_KEY_PARAMETER = re.compile(r"(?i)\b(api_?key|apikey|access_token|token|password|passwd|secret)=([^&\s'\"]+)")


def redact(text: str) -> str:
    """`text` without credentials: a URL's user information, key parameters, and the
    password and parameter values of `ELASTICSEARCH_URL` wherever they appear."""
    secrets: set[str] = set()
    try:
        parts = urlsplit(getattr(settings, "ELASTICSEARCH_URL", "") or "")
        if parts.password:
            secrets.update({parts.password, unquote(parts.password)})
        secrets.update(value for _, value in parse_qsl(parts.query) if value)
    except ValueError:  # a URL that does not even split: the patterns below still apply
        pass
    text = _USERINFO.sub("***@", text)
    text = _KEY_PARAMETER.sub(lambda match: f"{match.group(1)}=***", text)
    for secret in sorted((s for s in secrets if len(s) >= 3), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


class RunRefused(Exception):
    """A run is not queued: one of its kind is already queued or running."""

    def __init__(self, running):
        super().__init__(f"a {running.kind} is {running.state} since {running.requested_at:%Y-%m-%d %H:%M}")
        self.running = running


def is_stale(run, now=None) -> bool:
    """Queued or running for longer than `STALE_AFTER`: its task was lost."""
    moment = run.started_at or run.requested_at
    return run.active and (now or timezone.now()) - moment > STALE_AFTER


def fail_stale_runs() -> int:
    """Record the runs whose task was lost as failed (outcome {"lost": true}); how many."""
    from django.db.models import Q

    from search.models import SearchIndexRun

    cutoff = timezone.now() - STALE_AFTER
    return (
        SearchIndexRun.objects.filter(state__in=[SearchIndexRun.State.QUEUED, SearchIndexRun.State.RUNNING])
        .filter(Q(started_at__isnull=True, requested_at__lt=cutoff) | Q(started_at__lt=cutoff))
        .update(state=SearchIndexRun.State.FAILED, finished_at=timezone.now(), outcome={"lost": True})
    )


def active_run(kind: str):
    """The run of `kind` queued or running now (stale ones not counted), or None."""
    from search.models import SearchIndexRun

    for run in SearchIndexRun.objects.filter(
        kind=kind, state__in=[SearchIndexRun.State.QUEUED, SearchIndexRun.State.RUNNING]
    ):
        if not is_stale(run):
            return run
    return None


def request_run(kind: str, *, by):
    """Record a run of `kind` asked by `by` and queue its task after commit; the run
    (refreshed: eagerly it may be done already). Raises `RunRefused` when a run of that
    kind is queued or running. A broker that will not take the task leaves the run
    `not_queued` (never an exception)."""
    from cms.core.queue import enqueue_after_commit
    from search.models import SearchIndexRun

    fail_stale_runs()
    try:
        with transaction.atomic():
            running = active_run(kind)
            if running is not None:
                raise RunRefused(running)
            run = SearchIndexRun.objects.create(kind=kind, requested_by=by)
    except IntegrityError:  # another rebuild was queued at the same moment
        raise RunRefused(active_run(kind) or SearchIndexRun(kind=kind, requested_at=timezone.now())) from None
    task = search_rebuild if kind == SearchIndexRun.Kind.REBUILD else search_reconcile

    def not_queued() -> None:
        SearchIndexRun.objects.filter(pk=run.pk, state=SearchIndexRun.State.QUEUED).update(
            state=SearchIndexRun.State.NOT_QUEUED, finished_at=timezone.now()
        )
        # Clicks while the broker is down finish no run, which is when the log is pruned.
        prune_runs()

    enqueue_after_commit(
        task, run.pk, fallback=f"the {kind} run log says so; staff may ask again", on_not_sent=not_queued
    )
    run.refresh_from_db()
    return run


def _begin(run_id: int | None, kind: str):
    """The run, marked running; a new one when the task was not queued by the admin
    (beat). False when the run was given up meanwhile (stale, or already finished): the
    task does not run it late; False too for a rebuild without a run while another is
    queued or running (one rebuild at a time, whoever queued it)."""
    from search.models import SearchIndexRun

    now = timezone.now()
    if run_id is not None:
        started = SearchIndexRun.objects.filter(
            pk=run_id, state__in=[SearchIndexRun.State.QUEUED, SearchIndexRun.State.RUNNING]
        ).update(state=SearchIndexRun.State.RUNNING, started_at=now, finished_at=None, error="")
        if not started:
            logger.warning("Search index run %s was given up before its task started; not run.", run_id)
            return False
        return SearchIndexRun.objects.get(pk=run_id)
    fail_stale_runs()
    try:
        with transaction.atomic():
            return SearchIndexRun.objects.create(
                kind=kind, state=SearchIndexRun.State.RUNNING, scheduled=True, requested_at=now, started_at=now
            )
    except IntegrityError:  # a rebuild is already queued or running: not a second one beside it
        logger.warning("A %s is already queued or running; this one is not run.", kind)
        return False


def _done(run, outcome: dict) -> None:
    from search.models import SearchIndexRun

    if run is None:
        return
    SearchIndexRun.objects.filter(pk=run.pk).update(
        state=SearchIndexRun.State.DONE, finished_at=timezone.now(), outcome=outcome, error=""
    )
    prune_runs()


def _failed(run, error: BaseException, outcome: dict | None = None) -> None:
    from search.models import SearchIndexRun

    logger.warning("Search index run %s failed.", getattr(run, "pk", None), exc_info=True)
    if run is None:
        return
    text = redact(f"{type(error).__name__}: {error}")[:ERROR_LENGTH]
    SearchIndexRun.objects.filter(pk=run.pk).update(
        state=SearchIndexRun.State.FAILED, finished_at=timezone.now(), outcome=outcome or {}, error=text
    )
    prune_runs()


def prune_runs(keep: int = RUNS_KEPT) -> int:
    """Keep the last `keep` runs of each kind (and every run queued or running)."""
    from search.models import SearchIndexRun

    removed = 0
    for kind in SearchIndexRun.Kind.values:
        kept = list(SearchIndexRun.objects.filter(kind=kind).values_list("pk", flat=True)[:keep])
        removed += (
            SearchIndexRun.objects.filter(kind=kind)
            .exclude(pk__in=kept)
            .exclude(state__in=[SearchIndexRun.State.QUEUED, SearchIndexRun.State.RUNNING])
            .delete()[0]
        )
    return removed
