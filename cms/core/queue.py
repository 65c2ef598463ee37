"""Queueing a Celery task once the caller's transaction commits, without letting a broker
outage slow down or fail the request that asked for it.

Every task the hub queues from a request has a safety net that does not need the broker
to be up at that moment: messaging's outbox rows are sent by the `outbox_sweep`,
scheduled broadcasts are started by the `broadcasts_sweep`, image sizes are rendered on
first view. So a
publish that fails is logged and forgotten. Celery's own publish retries (about 1.2 s a
request with the broker stopped, measured in tests/benchmarks/test_outages.py) are
switched off here, and after a failure nothing is published for `PAUSE_SECONDS`: a
broker that hangs instead of refusing would otherwise cost every request the connection
timeout.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)

PAUSE_SECONDS = 30.0

# When publishing may be tried again, shared by the threads of a process.
_paused_until = {"at": 0.0}


def publishing_resume() -> None:
    """Forget a failure: the next publish goes to the broker (tests bring it back)."""
    _paused_until["at"] = 0.0


def enqueue_after_commit(task, *args, fallback: str, on_not_sent: Callable[[], None] | None = None) -> None:
    """Publish `task(*args)` after the current transaction commits; if the broker cannot
    take it, log it with `fallback` (what will do the work instead) and go on.
    `on_not_sent` is called when the task was not handed over (the broker refused it, or
    publishing is paused after a failure), for a caller that records what it asked for
    (the search index's run log); a task run eagerly was handed over, whatever it did."""

    def not_sent() -> None:
        if on_not_sent is None:
            return
        try:
            on_not_sent()
        except Exception:  # the caller's record must not turn a lost publish into an error
            logger.exception("Recording that %s was not queued failed.", task.name)

    def publish() -> None:
        if task.app.conf.task_always_eager:
            # Runs here and now (the embedded default): no broker, so a failure is the
            # task's own and pauses nothing.
            try:
                task.apply(args, throw=True)
            except Exception:
                logger.warning("%s failed; %s.", task.name, fallback, exc_info=True)
            return
        if _paused_until["at"] > time.monotonic():
            logger.info("Broker paused after a failure; not queueing %s (%s).", task.name, fallback)
            not_sent()
            return
        try:
            task.apply_async(args, retry=False)
        except Exception:  # any broker or network failure; the fallback does the work
            _paused_until["at"] = time.monotonic() + PAUSE_SECONDS
            logger.warning("Could not queue %s; %s.", task.name, fallback, exc_info=True)
            not_sent()

    transaction.on_commit(publish)
