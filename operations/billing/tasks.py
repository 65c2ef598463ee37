"""Billing's Celery tasks (Celery beat names them by their dotted paths in
CELERY_BEAT_SCHEDULE, cms/settings/base.py: `operations.billing.tasks.<name>`). Each only
calls the service of the same name in `services/`, which is idempotent: running a task
twice, or two runs at once, sends nothing twice.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def payment_reminders_send(on: str | None = None) -> dict:
    """The payment reminders due today (the cooperative's date), or on `on` (ISO date)."""
    day = date.fromisoformat(on) if on else timezone.localdate()
    return services.payment_reminders_send(on=day)


@shared_task(acks_late=True)
def charge_import_run(batch_id: int, by_id: int) -> str:
    """Import a confirmed charge file too large for a request (queued after the confirm's
    commit); the batch's `rows_done` shows the progress in the admin."""
    return services.charge_import_run(batch_id=batch_id, by_id=by_id)


@shared_task
def charge_imports_resume() -> int:
    """Every few minutes (beat): run again the charge imports whose task was lost."""
    return services.charge_imports_resume()
