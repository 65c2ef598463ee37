"""Periodic work on resolutions (Celery beat, CELERY_BEAT_SCHEDULE in cms/settings/base.py):
`resolutions_advance` opens announced resolutions when their voting starts (fixing the
electorate) and closes them when it ends (the result, the owners' notification). It only
calls the service of the same name, which does nothing twice."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def resolutions_advance() -> dict[str, int]:
    return services.resolutions_advance()
