"""The outbox: what is written before anything is sent, that writing and sweeping are
idempotent and survive an unreachable broker, and that a withdrawn message is never sent.
(Broadcasts, which send through it: tests/broadcasts/test_broadcasts_queue.py.)

Mail goes to Django's locmem backend (`mail.outbox`); SMS and push, where a test needs
to see them, go through the scripted provider of tests/factories/messaging.py.
"""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.db import transaction

from operations.messaging import selectors, services, tasks
from operations.messaging.kinds import Channel, MessageKind
from operations.messaging.models import Delivery, Message
from operations.messaging.rendering import CompiledTexts
from operations.messaging.services import sending
from operations.residents import services as residents
from operations.residents.models import Membership, Unit
from tests.factories import broadcasts as bf
from tests.factories import messaging as mf
from tests.factories import residents as residents_factories
from tests.factories.residents import MembershipFactory, UserFactory

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


# --- Broker down ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_verification_commits_and_its_message_waits_when_the_broker_is_down(broker_down, caplog):
    building = residents_factories.BuildingFactory(estate=residents_factories.EstateFactory(), code="A")
    unit = residents_factories.UnitFactory(building=building, number="7")
    person = UserFactory(username="jan.kowalski", first_name="Jan", last_name="Kowalski")
    membership = MembershipFactory(user=person, unit=unit)
    decider = residents_factories.SuperUserFactory(username="verifier")

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


# --- Composed messages, and withdrawing them --------------------------------------------------


def test_composed_texts_are_rendered_per_person_and_sent_after_commit(django_capture_on_commit_callbacks):
    anna = UserFactory(username="anna", first_name="Anna", last_name="Nowak")
    mf.notification_settings(anna, language="en")
    texts = {
        "pl": CompiledTexts.compile(subject="Woda", body_text="Dzień dobry {{ recipient.name }}"),
        "en": CompiledTexts.compile(subject="Water", body_text="Hello {{ recipient.name }}"),
    }
    jan = UserFactory(username="jan", first_name="Jan", last_name="Kos")
    with django_capture_on_commit_callbacks(execute=True):
        got = services.composed_message_send(
            kind=MessageKind.ANNOUNCEMENT,
            recipients=[anna, jan.pk],
            texts_by_language=texts,
            channels=[Channel.EMAIL],
            dedupe_key="composed:1",
        )
        again = services.composed_message_send(
            kind=MessageKind.ANNOUNCEMENT,
            recipients=[anna],
            texts_by_language=texts,
            channels=[Channel.EMAIL],
            dedupe_key="composed:1",
        )
    assert got == (2, {"email"}) and again == (0, set())
    bodies = dict(Message.objects.values_list("recipient__username", "body_text"))
    assert bodies == {"anna": "Hello Anna Nowak", "jan": "Dzień dobry Jan Kos"}
    assert sorted(email.to[0] for email in mail.outbox) == ["anna@example.pl", "jan@example.pl"]


def test_a_withdrawn_message_is_never_sent_whatever_brings_it_back(fake_provider):
    """messages_withdraw (staff cancelling a broadcast) fails what is queued and what a
    worker holds, and sending refuses the withdrawn messages' deliveries for good, even
    ones that something puts back in the queue afterwards."""
    sms = fake_provider("sms")
    people = [UserFactory(username=f"osoba{index}") for index in range(3)]
    for index, person in enumerate(people):
        mf.notification_settings(person, phone=f"+4860010010{index}")
        mf.preference(person, MessageKind.ANNOUNCEMENT, Channel.SMS, True)
    broadcast = bf.make_broadcast()
    texts = {"pl": CompiledTexts.compile(subject="Woda", body_text="Jutro brak wody.", sms_text="Brak wody.")}
    services.composed_message_send(
        kind=MessageKind.ANNOUNCEMENT,
        recipients=people,
        texts_by_language=texts,
        channels=[Channel.SMS],
        dedupe_key=f"broadcast:{broadcast.pk}",
        broadcast_id=broadcast.pk,
    )
    claim, held = sending.deliveries_claim(channel="sms", limit=1)  # a worker holds one

    assert services.messages_withdraw(broadcast_id=broadcast.pk, reason="cancelled by staff") == 3
    deliveries = Delivery.objects.filter(broadcast=broadcast)
    assert set(deliveries.values_list("state", "error")) == {(Delivery.State.FAILED, "cancelled by staff")}
    assert not Message.objects.filter(broadcast=broadcast, withdrawn_at__isnull=True).exists()
    assert sending.delivery_record(delivery=held[0], claim=claim, outcome="temporary") is False

    deliveries.update(state=Delivery.State.QUEUED, claim=None, next_attempt_at=mf.now())  # back in the queue
    tasks.deliveries_send("sms")
    assert sms.accepted == [], "a withdrawn message was sent"
    assert set(deliveries.values_list("state", flat=True)) == {Delivery.State.FAILED}
    assert Message.objects.filter(broadcast=broadcast).count() == 3  # the inbox entries stay


def test_only_an_activation_template_may_be_sent_for_an_accounts_activation():
    """A password reset (or any account e-mail but the confirmation) flagged as an
    activation e-mail is refused: the flag lets it reach an inactive account."""
    anna = UserFactory(username="anna")
    with pytest.raises(ValueError):
        services.message_send(
            kind=MessageKind.ACCOUNT,
            template_key="password-reset",
            recipients=[anna],
            context={"link": "https://x/", "username": "anna"},
            dedupe_key="password-reset:activation",
            channels=[Channel.EMAIL],
            inbox=False,
            for_account_activation=True,
        )
    assert not Message.objects.exists()


def test_withdrawing_without_a_broadcast_withdraws_nothing():
    with pytest.raises(ValueError):
        services.messages_withdraw(broadcast_id=None, reason="x")
    with pytest.raises(ValueError):
        services.account_activation_messages_withdraw(user_id=None, reason="x")


def test_only_an_account_email_may_be_sent_for_an_accounts_activation():
    anna = UserFactory(username="anna")
    mf.message_template()
    with pytest.raises(ValueError):
        services.message_send(
            kind=MessageKind.ANNOUNCEMENT,
            template_key="test-message",
            recipients=[anna],
            context={"what": "x"},
            dedupe_key="event:activation",
            for_account_activation=True,
        )
    assert not Message.objects.exists()
