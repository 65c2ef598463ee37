"""The outbox: what is written before anything is sent, and that writing and sweeping are
idempotent, survive an unreachable broker and obey a cancelled broadcast.

Mail goes to Django's locmem backend (`mail.outbox`); SMS and push, where a test needs
to see them, go through the scripted provider of tests/factories/messaging.py.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction

from operations.messaging import selectors, services, tasks
from operations.messaging.kinds import Channel, MessageKind
from operations.messaging.models import Broadcast, Delivery, Message
from operations.messaging.services import sending
from operations.residents import services as residents
from operations.residents.models import Membership, Unit
from tests.factories import messaging as mf
from tests.factories.residents import (
    BuildingFactory,
    EstateFactory,
    MembershipFactory,
    SuperUserFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def send_test_message(people, *, dedupe_key="event:1", channels=None, **template_fields):
    mf.message_template(**template_fields)
    return services.message_send(
        kind=template_fields.get("kind", MessageKind.ANNOUNCEMENT),
        template_key=template_fields.get("key", "test-message"),
        recipients=people,
        context={"what": "jutro sprzątanie klatki"},
        dedupe_key=dedupe_key,
        channels=channels,
    )


def emails_to(address: str) -> list:
    return [email for email in mail.outbox if address in email.to]


# --- What is written --------------------------------------------------------------------------


def test_message_send_writes_inbox_message_and_a_delivery_per_allowed_channel_and_address():
    anna = UserFactory(username="anna", first_name="Anna", last_name="Nowak")
    mf.notification_settings(anna, phone="+48600100100")
    mf.preference(anna, MessageKind.ANNOUNCEMENT, Channel.SMS, True)
    phone_a, phone_b = mf.push_device(anna), mf.push_device(anna)
    piotr = UserFactory(username="piotr", email="")  # no e-mail address: inbox only

    assert send_test_message([anna, piotr]) == 2

    message = Message.objects.get(recipient=anna)
    assert message.subject == "Wiadomość dla Anna Nowak"
    assert message.body_text == "Dzień dobry Anna Nowak, jutro sprzątanie klatki."
    assert message.read_at is None and message.kind == MessageKind.ANNOUNCEMENT
    deliveries = {(d.channel, d.address) for d in message.deliveries.all()}
    assert deliveries == {
        ("email", "anna@example.pl"),
        ("sms", "+48600100100"),
        ("push", phone_a.token),
        ("push", phone_b.token),
    }
    assert set(message.deliveries.values_list("state", flat=True)) == {Delivery.State.QUEUED}
    assert Message.objects.filter(recipient=piotr).exists()
    assert not Delivery.objects.filter(message__recipient=piotr).exists()
    assert mail.outbox == []  # nothing is sent inside the transaction


def test_a_message_sent_without_an_inbox_entry_reaches_its_channels_only(django_capture_on_commit_callbacks):
    """For secrets (a link that sets the password): whoever holds a session of the account
    must not read them in the inbox, but the e-mail goes out as any other."""
    anna = UserFactory(username="anna")
    mf.push_device(anna)
    with django_capture_on_commit_callbacks(execute=True):
        mf.message_template()
        services.message_send(
            kind=MessageKind.ANNOUNCEMENT,
            template_key="test-message",
            recipients=[anna],
            context={"what": "sekret"},
            dedupe_key="event:secret",
            inbox=False,
        )
        send_test_message([anna], dedupe_key="event:ordinary")
    secret, ordinary = Message.objects.get(dedupe_key="event:secret"), Message.objects.get(dedupe_key="event:ordinary")
    assert (secret.in_inbox, ordinary.in_inbox) == (False, True)
    assert {d.channel for d in secret.deliveries.all()} == {"email", "push"}
    assert len(emails_to("anna@example.pl")) == 2
    assert list(selectors.inbox_of(anna)) == [ordinary]
    assert selectors.unread_count_of(anna) == 1


def test_message_send_limited_to_chosen_channels():
    anna = UserFactory(username="anna")
    mf.push_device(anna)
    send_test_message([anna], channels=[Channel.PUSH])
    assert set(Delivery.objects.values_list("channel", flat=True)) == {"push"}


def test_rolled_back_caller_writes_and_sends_nothing(django_capture_on_commit_callbacks):
    anna = UserFactory(username="anna")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                send_test_message([anna])
                raise RuntimeError("the decision failed after the message was written")
    assert callbacks == []
    assert not Message.objects.exists() and not Delivery.objects.exists()
    assert mail.outbox == []


def test_message_is_sent_after_commit(django_capture_on_commit_callbacks):
    anna = UserFactory(username="anna")
    with django_capture_on_commit_callbacks(execute=True):
        send_test_message([anna])
    assert [email.to for email in mail.outbox] == [["anna@example.pl"]]
    assert Delivery.objects.get().state == Delivery.State.SENT


# --- Idempotency ------------------------------------------------------------------------------


def test_message_send_with_the_same_dedupe_key_twice_sends_one_message(django_capture_on_commit_callbacks):
    anna, jan = UserFactory(username="anna"), UserFactory(username="jan")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_test_message([anna]) == 1
    with django_capture_on_commit_callbacks(execute=True):
        # The same event again, now also for Jan: only Jan gets something new.
        assert send_test_message([anna, jan]) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert send_test_message([anna, jan]) == 0
    assert Message.objects.filter(recipient=anna).count() == 1
    assert Delivery.objects.filter(message__recipient=anna).count() == 1
    assert len(emails_to("anna@example.pl")) == 1
    assert len(emails_to("jan@example.pl")) == 1
    # Another event is another message.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_test_message([anna], dedupe_key="event:2") == 1
    assert len(emails_to("anna@example.pl")) == 2


def test_membership_decision_is_one_message_however_often_it_is_announced(unit_a1):
    person = UserFactory(username="jan")
    membership = MembershipFactory(user=person, unit=unit_a1, verified=True)
    residents.notify_membership_decision(membership=membership)
    residents.notify_membership_decision(membership=membership)
    assert Message.objects.filter(recipient=person, kind=MessageKind.ACCOUNT).count() == 1


def test_broadcast_queue_twice_queues_once(building_a, unit_a1, resident):
    resident(unit_a1, username="anna")
    broadcast = mf.make_broadcast(buildings=[building_a])
    services.broadcast_schedule(broadcast=broadcast, user=None)

    assert services.broadcast_queue(broadcast_id=broadcast.pk) == 1
    assert services.broadcast_queue(broadcast_id=broadcast.pk) == 0
    assert services.broadcasts_queue_due() == 0
    assert Message.objects.filter(broadcast=broadcast).count() == 1
    assert Delivery.objects.filter(broadcast=broadcast).count() == 1


def test_scheduled_broadcast_waits_for_its_time(building_a, unit_a1, resident):
    resident(unit_a1, username="anna")
    broadcast = mf.make_broadcast(buildings=[building_a])
    services.broadcast_schedule(broadcast=broadcast, user=None, send_at=mf.now() + timedelta(hours=2))
    assert services.broadcast_queue(broadcast_id=broadcast.pk) == 0
    assert tasks.outbox_sweep()["broadcasts_queued"] == 0
    assert not Message.objects.filter(broadcast=broadcast).exists()

    Broadcast.objects.filter(pk=broadcast.pk).update(send_at=mf.now() - timedelta(seconds=1))  # time passes
    assert tasks.outbox_sweep()["broadcasts_queued"] == 1
    assert Message.objects.filter(broadcast=broadcast).count() == 1


def test_outbox_sweep_twice_sends_nothing_twice(building_a, unit_a1, resident, fake_provider):
    sms = fake_provider("sms")
    anna = resident(unit_a1, username="anna")
    jan = resident(unit_a1, username="jan", role=Membership.Role.TENANT)
    for person, phone in ((anna, "+48600100100"), (jan, "+48600200200")):
        mf.notification_settings(person, phone=phone)
        mf.preference(person, MessageKind.ANNOUNCEMENT, Channel.SMS, True)
    broadcast = mf.make_broadcast(buildings=[building_a], channels=["email", "sms"])
    services.broadcast_schedule(broadcast=broadcast, user=None)  # its on_commit never runs: the sweep must do it

    first = tasks.outbox_sweep()
    second = tasks.outbox_sweep()

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
    broadcast = mf.make_broadcast(buildings=[building_a], channels=["sms"])
    mf.broadcast_now(broadcast)
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SENDING

    tasks.deliveries_send("sms")
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SENT
    states = dict(Delivery.objects.filter(broadcast=broadcast).values_list("address", "state"))
    assert states == {"+48600100100": Delivery.State.SENT, "+48600200200": Delivery.State.BOUNCED}


# --- Broker down ------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_verification_commits_and_its_message_waits_when_the_broker_is_down(broker_down, caplog):
    building = BuildingFactory(estate=EstateFactory(), code="A")
    unit = UnitFactory(building=building, number="7")
    person = UserFactory(username="jan.kowalski", first_name="Jan", last_name="Kowalski")
    membership = MembershipFactory(user=person, unit=unit)
    decider = SuperUserFactory(username="verifier")

    with caplog.at_level(logging.WARNING, logger="cms.core.queue"):
        residents.membership_verify(membership=membership, decided_by=decider)  # commits; on_commit runs

    membership.refresh_from_db()
    assert membership.status == Membership.Status.VERIFIED
    assert person.groups.filter(audience__building=building).exists()
    message = Message.objects.get(recipient=person, kind=MessageKind.ACCOUNT)
    delivery = message.deliveries.get()
    assert (delivery.channel, delivery.state, delivery.attempts) == ("email", Delivery.State.QUEUED, 0)
    assert mail.outbox == []
    assert any("sweep will send it" in record.getMessage() for record in caplog.records)
    assert Unit.objects.filter(pk=unit.pk).exists()

    broker_down()  # the broker is back (eager again); beat runs the sweep
    result = tasks.outbox_sweep.delay().get()
    assert result["channels"] == ["email"]
    assert [email.to for email in mail.outbox] == [[person.email]]
    assert "Jan Kowalski" in mail.outbox[0].body
    tasks.outbox_sweep.delay()
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT and delivery.attempts == 1


# --- Cancelling -------------------------------------------------------------------------------


def test_cancelling_a_scheduled_broadcast_sends_nothing(building_a, unit_a1, resident):
    resident(unit_a1, username="anna")
    broadcast = mf.make_broadcast(buildings=[building_a])
    services.broadcast_schedule(broadcast=broadcast, user=None, send_at=mf.now() + timedelta(hours=1))
    services.broadcast_cancel(broadcast=broadcast, user=None)
    Broadcast.objects.filter(pk=broadcast.pk).update(send_at=mf.now())
    tasks.outbox_sweep()
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
    broadcast = mf.make_broadcast(buildings=[building_a], channels=["sms"])
    mf.broadcast_now(broadcast)

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

    tasks.outbox_sweep()
    tasks.deliveries_send("sms")

    assert sms.accepted == [], "a cancelled broadcast was sent after all"
    assert not Delivery.objects.filter(broadcast=broadcast, state=Delivery.State.SENT).exists()


# --- A broadcast that cannot be rendered ------------------------------------------------------


def test_a_broadcast_that_fails_to_render_does_not_stop_the_sweep(building_a, unit_a1, resident):
    """The sweep is the safety net for everything queued; one broken broadcast must not
    take it down (it would then fail every minute and never send what the broker lost)."""
    resident(unit_a1, username="anna")  # her membership decision is queued, unsent
    # Today the admin's check lets this through (test_rendering); whatever the cause, a
    # broadcast that raises while being queued must cost only itself.
    body = 'Dzień dobry {% include "messaging/email/message.txt" %}'
    broken = mf.make_broadcast(buildings=[building_a], body=body)
    services.broadcast_schedule(broadcast=broken, user=None)

    tasks.outbox_sweep()

    assert [email.subject for email in mail.outbox] == ["Potwierdziliśmy Twój dostęp do lokalu A/1"]
