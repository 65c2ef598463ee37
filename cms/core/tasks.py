"""Background work for content: rendering image sizes ahead of the first reader."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction
from wagtail.images import get_image_model

from cms.core import services

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def render_image_sizes(image_id: int) -> int:
    image = get_image_model().objects.filter(pk=image_id).first()
    if image is None:
        return 0
    return services.image_renditions_generate(image=image)


def render_image_sizes_after_commit(image_id: int) -> None:
    """Queue the rendering once the upload is committed.

    Losing this job costs nothing but speed (a missing size is rendered on first view),
    so an unreachable broker is logged, not raised into the editor's upload.
    """

    def enqueue() -> None:
        try:
            render_image_sizes.delay(image_id)
        except Exception:  # broker down: the sizes will be rendered on first view
            logger.warning("Could not queue rendering of image %s", image_id, exc_info=True)

    transaction.on_commit(enqueue)


@shared_task
def publish_scheduled_pages() -> None:
    """Wagtail's scheduled publishing and expiry, on Celery beat instead of cron.

    Wagtail's command is idempotent: it publishes what is due and unpublishes what has
    expired, so running it twice changes nothing twice.
    """
    from django.core.management import call_command

    call_command("publish_scheduled", verbosity=0)
