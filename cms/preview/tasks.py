"""Periodic preview work (Celery beat; CELERY_BEAT_SCHEDULE in cms/settings/base.py).

A preview row holds an editor's unsaved draft, restricted pages' included. Every new
preview deletes the stale ones, but a site where nobody previews for a while would keep
the last drafts past their lifetime: this deletes them on a schedule too.
"""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def page_previews_delete_stale() -> int:
    return services.page_previews_delete_stale()
