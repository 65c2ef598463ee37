"""Periodic ticket work (Celery beat, CELERY_BEAT_SCHEDULE in cms/settings/base.py names
these by their dotted paths, `operations.tickets.tasks.<name>`). Each task only calls
the service of the same name in `services/` (escalation and attachments), which is
idempotent: running a task twice tells nobody twice and deletes nothing twice.
"""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def tickets_escalate() -> dict[str, int]:
    return services.tickets_escalate()


@shared_task
def tickets_close_unconfirmed() -> int:
    return services.tickets_close_unconfirmed()


@shared_task
def ticket_photo_files_sweep() -> int:
    return services.ticket_photo_files_sweep()
