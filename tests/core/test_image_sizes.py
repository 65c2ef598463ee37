"""New images get every allowed size rendered by a Celery task after the upload commits."""

from __future__ import annotations

import pytest
from wagtail.images import get_image_model

from cms.celery import app as celery_app
from cms.core.images import ALL_FILTER_SPECS
from tests.factories import content as f

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def eager_tasks():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def unreachable_broker():
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("task_always_eager", "broker_url", "task_publish_retry")}
    conf.update(task_always_eager=False, broker_url="redis://127.0.0.1:9/0", task_publish_retry=False)
    celery_app.pool.force_close_all()
    yield
    conf.update(**saved)
    celery_app.pool.force_close_all()


def test_new_image_has_every_allowed_size(eager_tasks):
    image = f.make_image()
    renditions = get_image_model().get_rendition_model().objects.filter(image=image)
    specs = set(renditions.values_list("filter_spec", flat=True))
    assert specs == set(ALL_FILTER_SPECS)


def test_upload_succeeds_when_the_broker_is_down(unreachable_broker):
    image = f.make_image()
    assert get_image_model().objects.filter(pk=image.pk).exists()
    # Nothing rendered yet; the first reader renders what it needs.
    assert not get_image_model().get_rendition_model().objects.filter(image=image).exists()
    assert image.get_rendition("max-800x800").width == 320
