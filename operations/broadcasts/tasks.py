"""Celery tasks of the broadcasts app; each only calls services.

`broadcast_queue` queues one broadcast staff sent now (asked after the commit that
scheduled it); `broadcasts_sweep` (beat, every minute) is its safety net: it queues every
scheduled broadcast whose time has come, whatever the broker lost, and marks those with
nothing left to send as sent. Sending itself is messaging's outbox.
"""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def broadcast_queue(broadcast_id: int) -> int:
    return services.broadcast_queue(broadcast_id=broadcast_id)


@shared_task
def broadcasts_sweep() -> dict:
    queued = services.broadcasts_queue_due()
    finished = services.broadcasts_finish()
    return {"broadcasts_queued": queued, "finished": finished}


# The name the task had in the messaging app, registered for one release only: a message
# under it may still wait in the broker at the deploy, and a worker refuses a name it does
# not know. Remove in the release after next.
@shared_task(name="operations.messaging.tasks.broadcast_queue", acks_late=True)
def broadcast_queue_former_name(broadcast_id: int) -> int:
    """Former name of `broadcast_queue`."""
    return broadcast_queue(broadcast_id)
