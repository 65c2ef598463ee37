"""The outbox through a real Celery worker and the configured broker (Redis in CI).

Every other test runs tasks eagerly; this one proves the path production takes: the
message is committed, `on_commit` publishes `deliveries_send` to the broker, a worker
(in a thread of this process) takes it and sends the e-mail. Runs only when
CELERY_BROKER_URL names a broker.
"""

from __future__ import annotations

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from cms.celery import app as celery_app
from operations.messaging import services
from operations.messaging.models import Delivery
from tests.factories.messaging import fresh_broker_connections
from tests.factories.residents import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="needs a broker (CELERY_BROKER_URL)"),
]


@pytest.fixture
def worker():
    celery_app.conf.task_always_eager = False
    fresh_broker_connections()  # connections other tests closed or pointed elsewhere
    celery_app.control.purge()  # what earlier runs published and nobody consumed
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def test_committed_message_is_sent_by_a_worker_through_the_broker(worker):
    person = UserFactory(email="anna@example.pl")

    services.message_send(
        kind="account",
        template_key="membership-verified",
        recipients=[person],
        context={"unit": "A/1", "address": "Sadowa 12", "role": "właściciel", "reason": ""},
        dedupe_key="worker-test",
    )

    delivery = Delivery.objects.get(message__recipient=person, channel="email")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        delivery.refresh_from_db()
        if delivery.state != Delivery.State.QUEUED and delivery.state != Delivery.State.SENDING:
            break
        time.sleep(0.2)
    assert delivery.state == Delivery.State.SENT
    assert [message.to for message in mail.outbox] == [["anna@example.pl"]]
