"""The outbox worker: claims, leases, retries with back-off, bounces, the rate limit and the
time budget, driven through `sending.deliveries_send` and the Celery task against a
scripted stand-in for the external provider (tests/factories/messaging.py).
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from operations.messaging import services, tasks
from operations.messaging.kinds import Channel, MessageKind
from operations.messaging.models import Delivery, Message, PushDevice
from operations.messaging.providers import PermanentFailure, TemporaryFailure
from operations.messaging.services import sending
from tests.factories import messaging as mf
from tests.factories.messaging import WorkerKilled
from tests.factories.residents import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


def sms_people(count: int, *, prefix: str = "osoba") -> list:
    """People who allowed SMS for announcements and gave a phone number."""
    people = []
    for index in range(count):
        person = UserFactory(username=f"{prefix}{index}")
        mf.notification_settings(person, phone=f"+48600{index:06d}")
        mf.preference(person, MessageKind.ANNOUNCEMENT, Channel.SMS, True)
        people.append(person)
    return people


def queue(people, *, channels=(Channel.SMS,), dedupe_key="event:1") -> None:
    mf.message_template()
    services.message_send(
        kind=MessageKind.ANNOUNCEMENT,
        template_key="test-message",
        recipients=people,
        context={"what": "jutro przegląd gazowy"},
        dedupe_key=dedupe_key,
        channels=list(channels),
    )


def states(channel: str = "sms") -> Counter:
    return Counter(Delivery.objects.filter(channel=channel).values_list("state", flat=True))


def lease_passes() -> None:
    """Time passes beyond every lease held now."""
    Delivery.objects.filter(state=Delivery.State.SENDING).update(lease_expires_at=mf.now() - timedelta(seconds=1))


def back_off_passes() -> None:
    Delivery.objects.filter(state=Delivery.State.QUEUED).update(next_attempt_at=mf.now())


# --- Crashes and restarts ---------------------------------------------------------------------


def test_worker_killed_half_way_then_run_again_sends_the_rest_once(fake_provider, settings):
    settings.MESSAGING_BATCH_SIZE = 4

    def die_on_the_fifth(_message, call):
        if call == 5:
            raise WorkerKilled

    sms = fake_provider("sms", behaviour=die_on_the_fifth)
    queue(sms_people(10))

    with pytest.raises(WorkerKilled):
        sending.deliveries_send(channel="sms")
    assert len(sms.accepted) == 4
    # The batch the dead worker held stays with it until its lease ends: not lost, not resent.
    assert states() == {"sent": 4, "sending": 4, "queued": 2}

    sms.behaviour = None
    counts = sending.deliveries_send(channel="sms")  # another worker at once: takes only the free ones
    assert counts["sent"] == 2
    assert sending.deliveries_requeue_stalled() == 0  # leases still running
    lease_passes()
    assert sending.deliveries_requeue_stalled() == 4
    back_off_passes()  # the one it died on may be made to wait like a failed attempt
    assert sending.deliveries_send(channel="sms")["sent"] == 4

    assert sorted(sms.addresses) == sorted(f"+48600{i:06d}" for i in range(10))  # each exactly once
    assert states() == {"sent": 10}
    assert sending.deliveries_send(channel="sms")["sent"] == 0


def test_provider_outage_half_way_then_recovery_sends_the_rest_once(fake_provider):
    def down_after_three(_message, call):
        if call > 3:
            raise TemporaryFailure("503 Service Unavailable")

    sms = fake_provider("sms", behaviour=down_after_three)
    queue(sms_people(6))
    counts = tasks.deliveries_send("sms")
    assert (counts["sent"], counts["temporary"], counts["more"]) == (3, 3, 0)
    first = list(sms.addresses)

    sms.behaviour = None
    back_off_passes()
    assert tasks.deliveries_send("sms")["sent"] == 3
    assert len(sms.addresses) == 6 and len(set(sms.addresses)) == 6
    assert sms.addresses[:3] == first


def test_worker_that_dies_after_claiming_loses_nothing(fake_provider):
    sms = fake_provider("sms")
    queue(sms_people(5))
    _claim, held = sending.deliveries_claim(channel="sms", limit=3)  # claimed, never recorded
    assert len(held) == 3 and states() == {"sending": 3, "queued": 2}

    tasks.outbox_sweep()  # the lease is still running: only the free two are sent
    assert len(sms.accepted) == 2

    lease_passes()
    assert tasks.outbox_sweep()["requeued"] == 3
    back_off_passes()
    tasks.outbox_sweep()
    assert sorted(sms.addresses) == sorted(f"+48600{i:06d}" for i in range(5))
    assert states() == {"sent": 5}


def test_delivery_that_kills_its_worker_every_time_fails_and_does_not_block_the_rest(fake_provider, settings):
    """A "poison" delivery (say a payload that crashes the provider's SDK) takes the worker
    down with it, every time. Requeueing it for ever, uncounted, also holds back everything
    claimed in the same batch after it: those are never sent either."""
    settings.MESSAGING_MAX_ATTEMPTS = 3
    people = sms_people(5)
    poison = f"+48600{1:06d}"  # the second of five

    def crash_on_poison(message, _call):
        if message.address == poison:
            raise WorkerKilled

    sms = fake_provider("sms", behaviour=crash_on_poison)
    queue(people)
    for _cycle in range(settings.MESSAGING_MAX_ATTEMPTS + 3):  # sweeps, minutes apart
        try:
            sending.deliveries_send(channel="sms")
        except WorkerKilled:
            pass
        lease_passes()
        sending.deliveries_requeue_stalled()
        back_off_passes()

    assert sorted(sms.addresses) == sorted(person.notification_settings.phone for person in people[:1] + people[2:])
    stuck = Delivery.objects.get(address=poison)
    assert stuck.state == Delivery.State.FAILED, (stuck.state, stuck.attempts)
    assert stuck.attempts == settings.MESSAGING_MAX_ATTEMPTS


def test_retry_after_a_crash_carries_the_same_idempotency_key(fake_provider):
    """The provider took it, then the worker died before recording: the retry is handed
    over with the same key, so a provider that refuses duplicates drops it."""
    handed = []

    def accept_then_die(message, call):
        handed.append(message.idempotency_key)
        if call == 1:
            raise WorkerKilled

    fake_provider("sms", behaviour=accept_then_die)
    queue(sms_people(1))
    with pytest.raises(WorkerKilled):
        sending.deliveries_send(channel="sms")
    lease_passes()
    sending.deliveries_requeue_stalled()
    back_off_passes()
    sending.deliveries_send(channel="sms")
    delivery = Delivery.objects.get()
    assert handed == [f"hub-delivery-{delivery.pk}"] * 2


def test_sent_delivery_is_never_claimed_again(fake_provider):
    sms = fake_provider("sms")
    queue(sms_people(2))
    sending.deliveries_send(channel="sms")
    # Even if it became "due" again by its dates, a sent delivery is not the queue's.
    Delivery.objects.update(next_attempt_at=mf.now() - timedelta(days=1), lease_expires_at=mf.now() - timedelta(days=1))
    assert sending.deliveries_claim(channel="sms", limit=10)[1] == []
    assert sending.deliveries_requeue_stalled() == 0
    tasks.outbox_sweep()
    assert len(sms.accepted) == 2


def test_late_record_of_a_lost_claim_changes_nothing(fake_provider):
    """A worker that was presumed dead comes back after its delivery was sent by another."""
    fake_provider("sms")
    queue(sms_people(1))
    slow_claim, (slow_copy,) = sending.deliveries_claim(channel="sms", limit=1)
    lease_passes()
    sending.deliveries_requeue_stalled()
    back_off_passes()
    sending.deliveries_send(channel="sms")
    sent = Delivery.objects.get()
    assert sent.state == Delivery.State.SENT

    assert sending.delivery_record(delivery=slow_copy, claim=slow_claim, outcome="temporary", error="late") is False
    assert sending.delivery_record(delivery=slow_copy, claim=slow_claim, outcome="failed", error="late") is False
    after = Delivery.objects.get()
    assert (after.state, after.attempts, after.provider_id, after.error) == (
        Delivery.State.SENT,
        sent.attempts,
        sent.provider_id,
        "",
    )


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_never_share_a_delivery():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer; the race needs PostgreSQL")
    # Written directly: message_send would commit here and its on_commit would send them all eagerly.
    people = User.objects.bulk_create([User(username=f"osoba{i}", email=f"osoba{i}@example.pl") for i in range(300)])
    messages = Message.objects.bulk_create(
        Message(recipient=person, kind=MessageKind.ANNOUNCEMENT, dedupe_key="race", subject="S", body_text="B")
        for person in people
    )
    Delivery.objects.bulk_create(
        Delivery(message=message, channel=Channel.EMAIL, address=message.recipient.email) for message in messages
    )
    assert Delivery.objects.filter(state=Delivery.State.QUEUED).count() == 300

    start = threading.Barrier(3)
    taken: dict[str, list[int]] = {"one": [], "two": [], "three": []}
    errors = []

    def worker(name: str) -> None:
        try:
            start.wait()
            while True:
                _claim, batch = sending.deliveries_claim(channel="email", limit=7)
                if not batch:
                    if not Delivery.objects.filter(state=Delivery.State.QUEUED).exists():
                        break
                    continue
                taken[name].extend(delivery.pk for delivery in batch)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(name,)) for name in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    everything = taken["one"] + taken["two"] + taken["three"]
    assert len(everything) == len(set(everything)) == 300
    claims = Delivery.objects.values_list("claim", flat=True)
    assert None not in set(claims)


# --- Retries, failures, bounces ---------------------------------------------------------------


def test_temporary_failure_backs_off_exponentially_then_fails_with_the_reason(fake_provider, settings):
    settings.MESSAGING_MAX_ATTEMPTS = 4
    settings.MESSAGING_RETRY_BASE_SECONDS = 60

    def busy(_message, _call):
        raise TemporaryFailure("429 Too Many Requests")

    sms = fake_provider("sms", behaviour=busy)
    queue(sms_people(1))
    delivery = Delivery.objects.get()
    for attempt in (1, 2, 3):
        before = mf.now()
        counts = sending.deliveries_send(channel="sms")
        after = mf.now()
        assert counts["temporary"] == 1
        delivery.refresh_from_db()
        delay = timedelta(seconds=60 * 2 ** (attempt - 1))
        assert delivery.state == Delivery.State.QUEUED
        assert delivery.attempts == attempt
        assert before + delay <= delivery.next_attempt_at <= after + delay
        assert delivery.error == "429 Too Many Requests"
        assert delivery.claim is None and delivery.lease_expires_at is None
        # Not due yet: nobody tries it before its time.
        assert sending.deliveries_send(channel="sms")["temporary"] == 0
        assert len(sms.calls) == attempt
        back_off_passes()

    sending.deliveries_send(channel="sms")
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.error) == (
        Delivery.State.FAILED,
        4,
        "429 Too Many Requests",
    )
    back_off_passes()
    assert sending.deliveries_send(channel="sms") == {"sent": 0, "temporary": 0, "failed": 0, "bounced": 0, "more": 0}


def test_back_off_is_capped(fake_provider, settings):
    settings.MESSAGING_MAX_ATTEMPTS = 10
    settings.MESSAGING_RETRY_BASE_SECONDS = 3600
    settings.MESSAGING_RETRY_MAX_SECONDS = 6 * 3600

    def busy(_message, _call):
        raise TemporaryFailure("busy")

    fake_provider("sms", behaviour=busy)
    queue(sms_people(1))
    for _attempt in range(4):  # 1 h, 2 h, 4 h, then 8 h capped to 6 h
        back_off_passes()
        before = mf.now()
        sending.deliveries_send(channel="sms")
    delivery = Delivery.objects.get()
    assert delivery.attempts == 4
    assert before + timedelta(hours=6) <= delivery.next_attempt_at <= mf.now() + timedelta(hours=6)


def test_provider_bug_is_retried_like_a_temporary_failure(fake_provider):
    def broken(_message, _call):
        raise ValueError("unexpected answer")

    fake_provider("sms", behaviour=broken)
    queue(sms_people(1))
    assert sending.deliveries_send(channel="sms")["temporary"] == 1
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.QUEUED
    assert delivery.error == "ValueError: unexpected answer"


@pytest.mark.parametrize(
    ("failure", "state"),
    [
        (PermanentFailure("number does not exist", bounced=True), Delivery.State.BOUNCED),
        (PermanentFailure("message refused: content"), Delivery.State.FAILED),
    ],
)
def test_permanent_failure_is_never_retried(fake_provider, failure, state):
    def refuse(_message, _call):
        raise failure

    sms = fake_provider("sms", behaviour=refuse)
    queue(sms_people(1))
    counts = sending.deliveries_send(channel="sms")
    assert counts["bounced" if state == Delivery.State.BOUNCED else "failed"] == 1
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.error) == (state, 1, failure.reason)
    back_off_passes()
    tasks.outbox_sweep()
    assert len(sms.calls) == 1


def test_push_bounce_forgets_that_device_only(fake_provider):
    person = UserFactory(username="anna")
    gone = mf.push_device(person, name="stary telefon")
    kept = mf.push_device(person, name="nowy telefon")

    def uninstalled(message, _call):
        if message.address == gone.token:
            raise PermanentFailure("DeviceNotRegistered", bounced=True)

    push = fake_provider("push", behaviour=uninstalled)
    queue([person], channels=[Channel.PUSH])
    counts = tasks.deliveries_send("push")
    assert (counts["sent"], counts["bounced"]) == (1, 1)
    assert list(PushDevice.objects.filter(user=person)) == [kept]
    assert push.addresses == [kept.token]
    assert Delivery.objects.get(address=gone.token).state == Delivery.State.BOUNCED


def test_push_failure_that_is_not_a_bounce_keeps_the_device(fake_provider):
    person = UserFactory(username="anna")
    device = mf.push_device(person)

    def too_big(_message, _call):
        raise PermanentFailure("MessageTooBig")

    fake_provider("push", behaviour=too_big)
    queue([person], channels=[Channel.PUSH])
    tasks.deliveries_send("push")
    assert PushDevice.objects.filter(pk=device.pk).exists()


def test_email_refused_by_the_server_bounces(settings):
    settings.EMAIL_BACKEND = "tests.factories.messaging.RefusingMailBackend"
    person = UserFactory(username="anna")
    queue([person], channels=[Channel.EMAIL])
    assert sending.deliveries_send(channel="email")["bounced"] == 1
    assert Delivery.objects.get().error.startswith("address refused")


# --- Who an e-mail may still reach ----------------------------------------------------------------


def test_only_an_activation_email_reaches_an_inactive_account_and_only_while_it_awaits_activation(mailoutbox):
    """An account that is not active is reached by nothing but an account e-mail sent
    `for_account_activation` (residents' confirmation link), and only while it still has
    no password: one disabled after choosing it is not reached by a retry of that e-mail."""
    mf.message_template(kind=MessageKind.ACCOUNT.value)
    awaiting = UserFactory(username="czeka", is_active=False)
    awaiting.set_unusable_password()
    awaiting.save(update_fields=["password"])
    disabled = UserFactory(username="wylaczony", is_active=False)  # chose a password, then was disabled

    def send(person, *, activation: bool, kind=MessageKind.ACCOUNT) -> str:
        key = f"test:{person.username}:{kind}:{activation}"
        services.message_send(
            kind=kind,
            template_key="account-confirm" if activation else "test-message",
            recipients=[person],
            context={"what": "link"},
            dedupe_key=key,
            channels=[Channel.EMAIL],
            for_account_activation=activation,
        )
        sending.deliveries_send(channel="email")
        return Delivery.objects.get(message__dedupe_key=key).state

    assert send(awaiting, activation=True) == Delivery.State.SENT
    assert send(awaiting, activation=False) == Delivery.State.FAILED
    assert send(awaiting, activation=False, kind=MessageKind.ANNOUNCEMENT) == Delivery.State.FAILED
    assert send(disabled, activation=True) == Delivery.State.FAILED
    assert send(disabled, activation=False) == Delivery.State.FAILED
    assert [email.to for email in mailoutbox] == [[awaiting.email]]


# --- Rate limit, time budget, limit -----------------------------------------------------------


def test_rate_limit_spreads_sends_over_seconds(fake_provider):
    rate = 5
    sms = fake_provider("sms", rate_per_second=rate)
    queue(sms_people(3 * rate))
    counts = sending.deliveries_send(channel="sms")
    assert counts["sent"] == 3 * rate

    per_second = Counter(int(moment) for moment in sms.times)
    assert max(per_second.values()) <= rate, per_second
    assert len(per_second) >= 3  # the limiter made it wait into a third second


def test_rate_limit_is_shared_by_workers_of_the_same_provider(fake_provider):
    """Two runs back to back (as two workers would be) share the per-second budget."""
    rate = 4
    sms = fake_provider("sms", rate_per_second=rate)
    queue(sms_people(2 * rate))
    sending.deliveries_send(channel="sms", limit=rate)
    sending.deliveries_send(channel="sms", limit=rate)
    per_second = Counter(int(moment) for moment in sms.times)
    assert len(sms.times) == 2 * rate
    assert max(per_second.values()) <= rate, per_second


def test_rate_below_one_a_second_is_honoured(fake_provider):
    """EMAIL_RATE_PER_SECOND and friends are floats; 0.5 means one send per two seconds.
    Three sends in three consecutive seconds would put two in one two-second window."""
    sms = fake_provider("sms", rate_per_second=0.5)
    queue(sms_people(3))
    sending.deliveries_send(channel="sms")
    assert len(sms.times) == 3
    per_two_seconds = Counter(int(moment) // 2 for moment in sms.times)
    assert max(per_two_seconds.values()) == 1, f"0.5/s sent {sorted(sms.times)}"


def test_time_budget_releases_the_rest_of_the_batch(fake_provider):
    import time

    def slow_third(_message, call):
        if call == 3:
            time.sleep(0.3)

    sms = fake_provider("sms", behaviour=slow_third)
    queue(sms_people(8))
    counts = sending.deliveries_send(channel="sms", time_budget=0.2)
    assert counts["sent"] == 3 and counts["more"] == 1
    assert states() == {"sent": 3, "queued": 5}
    released = Delivery.objects.filter(state=Delivery.State.QUEUED)
    assert set(released.values_list("attempts", flat=True)) == {0}
    assert set(released.values_list("claim", flat=True)) == {None}

    counts = sending.deliveries_send(channel="sms", time_budget=10)
    assert (counts["sent"], counts["more"]) == (5, 0)
    assert len(sms.addresses) == len(set(sms.addresses)) == 8


def test_limit_stops_after_that_many_and_says_more_is_due(fake_provider, settings):
    settings.MESSAGING_BATCH_SIZE = 3
    sms = fake_provider("sms")
    queue(sms_people(7))
    counts = sending.deliveries_send(channel="sms", limit=5)
    assert (counts["sent"], counts["more"]) == (5, 1)
    assert len(sms.accepted) == 5
    assert states() == {"sent": 5, "queued": 2}
