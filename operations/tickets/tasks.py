"""Periodic ticket work (Celery beat); each task only calls services and is idempotent."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def tickets_escalate() -> dict:
    return services.tickets_escalate()


@shared_task
def tickets_close_unconfirmed() -> int:
    return services.tickets_close_unconfirmed()


@shared_task
def ticket_photo_files_sweep() -> int:
    return services.ticket_photo_files_sweep()
