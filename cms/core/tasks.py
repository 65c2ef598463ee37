"""Background work for content: rendering image sizes ahead of the first reader."""

from __future__ import annotations

import logging

from celery import shared_task
from wagtail.images import get_image_model

from cms.core import services
from cms.core.queue import enqueue_after_commit

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def image_renditions_generate(image_id: int) -> int:
    image = get_image_model().objects.filter(pk=image_id).first()
    if image is None:
        return 0
    return services.image_renditions_generate(image=image)


def render_image_sizes_after_commit(image_id: int) -> None:
    """Queue the rendering once the upload is committed. Losing this job costs nothing
    but speed (a missing size is rendered on first view)."""
    enqueue_after_commit(image_renditions_generate, image_id, fallback="its sizes will be rendered on first view")


@shared_task
def scheduled_pages_publish() -> None:
    """Wagtail's scheduled publishing and expiry, on Celery beat instead of cron.

    Wagtail's command is idempotent: it publishes what is due and unpublishes what has
    expired, so running it twice changes nothing twice.
    """
    from django.core.management import call_command

    call_command("publish_scheduled", verbosity=0)


# Former names, registered for one release only: a message published before the deploy
# (an image's sizes queued on upload, publishing sent by the old beat) may still wait in
# the broker under them, and a worker refuses a name it does not know. Each does what the
# new task does. Remove in the release after next.
@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def render_image_sizes(image_id: int) -> int:
    """Former name of `image_renditions_generate`."""
    return image_renditions_generate(image_id)


@shared_task
def publish_scheduled_pages() -> None:
    """Former name of `scheduled_pages_publish`."""
    scheduled_pages_publish()
