"""Celery tasks of the outbox; each only calls services.

`deliveries_send` sends one channel's due deliveries for a while and queues its own
continuation; `outbox_sweep` (beat, every minute) is the safety net that makes an
unreachable broker or a dead worker cost only time: it returns abandoned deliveries to
the queue and starts sending for every channel with work. Due broadcasts are queued by
the broadcasts app's own sweep (`operations.broadcasts.tasks.broadcasts_sweep`).
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from cms.core.cache import CacheUnavailable

from . import services

logger = logging.getLogger(__name__)


def _sender_key(channel: str) -> str:
    return f"messaging:sender-running:{channel}"


def _no_sender_running(channel: str) -> bool:
    """Claim the channel for a new sender chain, or False when one is running. With the
    cache unreachable, start one anyway: claiming deliveries is what keeps two chains
    from sending the same message, this only keeps chains from piling up."""
    try:
        return cache.add(_sender_key(channel), 1, timeout=settings.MESSAGING_TASK_SECONDS + 60)
    except CacheUnavailable:
        return True


@shared_task(acks_late=True)
def deliveries_send(channel: str) -> dict:
    eager = deliveries_send.app.conf.task_always_eager
    # While a chain runs for a channel the sweep starts no other: chains would otherwise
    # pile up one a minute during a long broadcast, each holding a worker in the limiter.
    cache.set(_sender_key(channel), 1, timeout=settings.MESSAGING_TASK_SECONDS + 60)
    # Eagerly (the embedded default) there is no worker to hand a continuation to: send all.
    counts = services.deliveries_send(channel=channel, time_budget=None if eager else settings.MESSAGING_TASK_SECONDS)
    if counts["more"] and not eager:
        deliveries_send.delay(channel)
    else:
        cache.delete(_sender_key(channel))
    return counts


# The sweep of the whole outbox (it was `messaging_sweep`, see below).
@shared_task
def outbox_sweep() -> dict:
    requeued = services.deliveries_requeue_stalled()
    channels = services.channels_with_due_deliveries()
    for channel in channels:
        if _no_sender_running(channel):
            deliveries_send.delay(channel)
    return {"requeued": requeued, "channels": channels}


# The former name, registered for one release only: the old beat schedule sent it every
# minute, so a message under it may still wait in the broker at the deploy, and a worker
# refuses a name it does not know. Remove in the release after next.
@shared_task
def messaging_sweep() -> dict:
    """Former name of `outbox_sweep`."""
    return outbox_sweep()
