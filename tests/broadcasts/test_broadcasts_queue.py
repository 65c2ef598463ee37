"""Queueing broadcasts into messaging's outbox: idempotent, on time, finished once sent,
safe from a broken broadcast, and obeying a cancelled one whatever a worker held.

Mail goes to Django's locmem backend (`mail.outbox`); SMS, where a test needs to see it,
goes through the scripted provider of tests/factories/messaging.py. One minute of Celery
beat runs both sweeps (`beat`): the broadcasts' (which queues what is due) and the
outbox's (which sends what is queued).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from operations.broadcasts import services
from operations.broadcasts import tasks as broadcast_tasks
from operations.broadcasts.models import Broadcast
from operations.messaging import tasks
from operations.messaging.kinds import Channel, MessageKind
from operations.messaging.models import Delivery, Message
from operations.messaging.services import sending
from operations.residents.models import Membership
from tests.factories import broadcasts as bf
from tests.factories import messaging as mf

pytestmark = pytest.mark.django_db


def beat() -> dict:
    """One minute of Celery beat: the broadcasts' sweep, then the outbox's; what both did."""
    return {**broadcast_tasks.broadcasts_sweep(), **tasks.outbox_sweep()}


def test_broadcast_queue_twice_queues_once(building_a, unit_a1, resident):
    resident(unit_a1, username="anna")
    broadcast = bf.make_broadcast(buildings=[building_a])
    services.broadcast_schedule(broadcast=broadcast, user=None)

    assert services.broadcast_queue(broadcast_id=broadcast.pk) == 1
    assert services.broadcast_queue(broadcast_id=broadcast.pk) == 0
    assert services.broadcasts_queue_due() == 0
    assert Message.objects.filter(broadcast=broadcast).count() == 1
    assert Delivery.objects.filter(broadcast=broadcast).count() == 1


def test_scheduled_broadcast_waits_for_its_time(building_a, unit_a1, resident):
    resident(unit_a1, username="anna")
    broadcast = bf.make_broadcast(buildings=[building_a])
    services.broadcast_schedule(broadcast=broadcast, user=None, send_at=mf.now() + timedelta(hours=2))
    assert services.broadcast_queue(broadcast_id=broadcast.pk) == 0
    assert broadcast_tasks.broadcasts_sweep()["broadcasts_queued"] == 0
    assert not Message.objects.filter(broadcast=broadcast).exists()

    Broadcast.objects.filter(pk=broadcast.pk).update(send_at=mf.now() - timedelta(seconds=1))  # time passes
    assert broadcast_tasks.broadcasts_sweep()["broadcasts_queued"] == 1
    assert Message.objects.filter(broadcast=broadcast).count() == 1


def test_the_sweeps_twice_send_nothing_twice(building_a, unit_a1, resident, fake_provider):
    sms = fake_provider("sms")
    anna = resident(unit_a1, username="anna")
    jan = resident(unit_a1, username="jan", role=Membership.Role.TENANT)
    for person, phone in ((anna, "+48600100100"), (jan, "+48600200200")):
        mf.notification_settings(person, phone=phone)
        mf.preference(person, MessageKind.ANNOUNCEMENT, Channel.SMS, True)
    broadcast = bf.make_broadcast(buildings=[building_a], channels=["email", "sms"])
    services.broadcast_schedule(broadcast=broadcast, user=None)  # its on_commit never runs: the sweep must do it

    first = beat()
    second = beat()

    assert first["broadcasts_queued"] == 2 and second["broadcasts_queued"] == 0
    assert second["channels"] == [] and second["requeued"] == 0
    assert sorted(sms.addresses) == ["+48600100100", "+48600200200"]
    broadcast_subject = broadcast.subject
    assert len([m for m in mail.outbox if m.subject == broadcast_subject]) == 2
    # The membership decisions queued (and never sent) before are sent once as well.
    assert len([m for m in mail.outbox if m.subject != broadcast_subject]) == 2
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SENT and broadcast.finished_at is not None
    assert not Delivery.objects.exclude(state=Delivery.State.SENT).exists()


def test_broadcast_is_sent_once_its_deliveries_are_done_even_when_some_failed(
    building_a, unit_a1, resident, fake_provider
):
    from operations.messaging.providers import PermanentFailure

    def refuse_jan(message, _call):
        if message.address == "+48600200200":
            raise PermanentFailure("unknown number", bounced=True)

    fake_provider("sms", behaviour=refuse_jan)
    for username, phone in (("anna", "+48600100100"), ("jan", "+48600200200")):
        person = resident(unit_a1, username=username, role=Membership.Role.TENANT if username == "jan" else "owner")
        mf.notification_settings(person, phone=phone)
        mf.preference(person, MessageKind.ANNOUNCEMENT, Channel.SMS, True)
    broadcast = bf.make_broadcast(buildings=[building_a], channels=["sms"])
    bf.broadcast_now(broadcast)
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SENDING

    tasks.deliveries_send("sms")
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SENT
    states = dict(Delivery.objects.filter(broadcast=broadcast).values_list("address", "state"))
    assert states == {"+48600100100": Delivery.State.SENT, "+48600200200": Delivery.State.BOUNCED}


def test_cancelling_a_scheduled_broadcast_sends_nothing(building_a, unit_a1, resident):
    resident(unit_a1, username="anna")
    broadcast = bf.make_broadcast(buildings=[building_a])
    services.broadcast_schedule(broadcast=broadcast, user=None, send_at=mf.now() + timedelta(hours=1))
    services.broadcast_cancel(broadcast=broadcast, user=None)
    Broadcast.objects.filter(pk=broadcast.pk).update(send_at=mf.now())
    beat()
    assert not Message.objects.filter(broadcast=broadcast).exists()
    assert not [m for m in mail.outbox if m.subject == broadcast.subject]


@pytest.mark.parametrize("worker", ["dies holding it", "fails temporarily"])
def test_cancelled_broadcast_sends_nothing_more_even_what_a_worker_held(
    building_a, unit_a1, resident, fake_provider, worker
):
    """broadcast_cancel: "a sending one sends nothing more". A delivery claimed by a worker
    at the moment of cancelling must not come back to the queue and be sent later."""
    from operations.messaging.providers import TemporaryFailure

    sms = fake_provider("sms")
    for index in range(3):
        person = resident(unit_a1, username=f"osoba{index}", role=["owner", "tenant", "board"][index])
        mf.notification_settings(person, phone=f"+4860010010{index}")
        mf.preference(person, MessageKind.ANNOUNCEMENT, Channel.SMS, True)
    broadcast = bf.make_broadcast(buildings=[building_a], channels=["sms"])
    bf.broadcast_now(broadcast)

    claim, held = sending.deliveries_claim(channel="sms", limit=1)  # a worker takes one...
    services.broadcast_cancel(broadcast=broadcast, user=None)  # ...staff cancel meanwhile
    # Cancelling fails what the worker holds at once, so its later report is ignored.
    assert Delivery.objects.get(pk=held[0].pk).state == Delivery.State.FAILED
    if worker == "dies holding it":
        Delivery.objects.filter(pk=held[0].pk).update(lease_expires_at=mf.now() - timedelta(seconds=1))
        assert sending.deliveries_requeue_stalled() == 0
    else:
        sending.delivery_record(delivery=held[0], claim=claim, outcome="temporary", error=str(TemporaryFailure("busy")))
        Delivery.objects.filter(pk=held[0].pk).update(next_attempt_at=mf.now())  # the back-off passes

    beat()
    tasks.deliveries_send("sms")

    assert sms.accepted == [], "a cancelled broadcast was sent after all"
    assert not Delivery.objects.filter(broadcast=broadcast, state=Delivery.State.SENT).exists()


def test_a_broadcast_that_fails_to_render_does_not_stop_the_sweep(building_a, unit_a1, resident):
    """The sweeps are the safety net for everything queued; one broken broadcast must not
    take them down (they would then fail every minute and never send what the broker lost)."""
    resident(unit_a1, username="anna")  # her membership decision is queued, unsent
    # Today the admin's check lets this through (tests/messaging/test_rendering.py); whatever the cause, a
    # broadcast that raises while being queued must cost only itself.
    body = 'Dzień dobry {% include "messaging/email/message.txt" %}'
    broken = bf.make_broadcast(buildings=[building_a], body=body)
    services.broadcast_schedule(broadcast=broken, user=None)

    beat()

    assert [email.subject for email in mail.outbox] == ["Potwierdziliśmy Twój dostęp do lokalu A/1"]


def test_a_broadcast_queued_under_the_tasks_former_name_is_still_queued(building_a, unit_a1, resident):
    """A message published before the deploy names the task as it was in messaging; the
    worker must still know that name (registered for one release)."""
    from cms.celery import app as celery_app

    resident(unit_a1, username="anna")
    broadcast = bf.make_broadcast(buildings=[building_a])
    services.broadcast_schedule(broadcast=broadcast, user=None)
    former = celery_app.tasks["operations.messaging.tasks.broadcast_queue"]
    assert former.delay(broadcast.pk).get() == 1
    assert Message.objects.filter(broadcast=broadcast).count() == 1
