"""Independent security review of cfacbdd (broadcasts moved out of messaging into an app
of their own; cancelling withdraws the broadcast's messages; messaging no longer reads
residents' AccountConfirmation but a `for_account_activation` flag on the Message).

Each test drives the hub's own services, workers, sweeps and migrations; the only stand-ins
are the outside providers (tests/factories/messaging.py's ScriptedProvider) and, in one
test, the clock the rate limiter sleeps on. Nothing is marked xfail: a failing test is an
open finding (its docstring says which), a passing one guards an attack that held.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.apps import apps as global_apps
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms.core.cache import counter_incr
from operations.broadcasts import services as broadcasts
from operations.broadcasts import tasks as broadcast_tasks
from operations.broadcasts.models import Broadcast
from operations.messaging import services as messaging
from operations.messaging import tasks as messaging_tasks
from operations.messaging.kinds import Channel, MessageKind
from operations.messaging.models import Delivery, Message
from operations.messaging.providers import TemporaryFailure
from operations.messaging.rendering import CompiledTexts
from operations.messaging.services import sending
from operations.residents import services as residents
from operations.residents.roles import ROLE_PERMISSIONS, STAFF_GROUP_NAMES, permissions_named
from tests.factories import broadcasts as bf
from tests.factories import messaging as mf
from tests.factories.accounts import LINK, NEW_PASSWORD, mails_to
from tests.factories.residents import UserFactory

User = get_user_model()

ADDRESS = "maria.zielinska@example.pl"


@pytest.fixture
def fake_provider(settings):
    with mf.scripted_providers(settings) as install:
        yield install


def _awaiting_without_password(username: str, *, email: str | None = None):
    """An account that is not active and has no usable password (what a registration
    leaves, and also what staff leave when they make an account without a password and
    later disable it)."""
    person = UserFactory(username=username, email=email or f"{username}@example.pl", is_active=False)
    person.set_unusable_password()
    person.save(update_fields=["password"])
    return person


def _sms_resident(building, username: str, phone: str):
    return mf.reachable_resident(building, username, phone=phone, sms=True)


# =====================================================================================
# (a) A cancelled broadcast delivers nothing more
# =====================================================================================


class _RateLimiterClock:
    """The `time` module as sending.py sees it, except that the first time the rate
    limiter waits, staff cancel the broadcast (as they might at any moment of a long,
    rate-limited run)."""

    def __init__(self, on_first_wait):
        self.waits = 0
        self.on_first_wait = on_first_wait

    def __getattr__(self, name):
        return getattr(time, name)

    def sleep(self, seconds):
        self.waits += 1
        if self.waits == 1:
            self.on_first_wait()
        time.sleep(seconds)


@pytest.mark.django_db
def test_a_delivery_waiting_for_the_rate_limit_is_not_sent_once_its_broadcast_is_cancelled(
    fake_provider, building_a, monkeypatch
):
    """FINDING (medium): the worker checks its claim (`_still_claimed`) *before* waiting
    for the provider's rate limit, then sends without looking again. A broadcast cancelled
    while the worker waits for its slot (up to a window per wait, longer when several
    workers share the budget) is still sent: not only the one send already at the
    provider, as messages_withdraw's docstring promises ("it stops at once")."""
    _sms_resident(building_a, "anna", "+48600100200")
    sms = fake_provider("sms", rate_per_second=1)
    broadcast = bf.make_broadcast(buildings=[building_a], channels=["sms"])
    bf.broadcast_now(broadcast)
    assert Delivery.objects.filter(broadcast=broadcast, state=Delivery.State.QUEUED).count() == 1

    # Other workers of the same provider have spent this second's and the next one's sends.
    now_slot = int(time.time())
    for slot in (now_slot, now_slot + 1):
        counter_incr(f"messaging:rate:sms:scripted:1:{slot}", amount=1, timeout=10)
    clock = _RateLimiterClock(lambda: broadcasts.broadcast_cancel(broadcast=broadcast, user=None))
    monkeypatch.setattr(sending, "time", clock)

    sending.deliveries_send(channel="sms")

    assert clock.waits >= 1, "the worker never waited for the rate limit; the test proved nothing"
    assert Broadcast.objects.get(pk=broadcast.pk).status == Broadcast.Status.CANCELLED
    assert sms.addresses == [], "sent after its broadcast was cancelled (the claim was checked before the wait)"


@pytest.mark.django_db
def test_a_delivery_that_went_out_while_its_broadcast_was_cancelled_is_logged_as_sent(fake_provider, building_a):
    """FINDING (low, pre-existing): the one send already at the provider when staff cancel
    cannot be stopped, but its outcome is then thrown away (`delivery_record` needs the
    claim that messages_withdraw cleared), so the delivery log and the broadcast report say
    "failed: cancelled by staff" for a resident who did get the message. Staff deciding
    whom to send a correction to rely on that log."""
    _sms_resident(building_a, "anna", "+48600100200")
    broadcast = bf.make_broadcast(buildings=[building_a], channels=["sms"])

    def staff_cancel_meanwhile(_message, _call):
        broadcasts.broadcast_cancel(broadcast=broadcast, user=None)

    sms = fake_provider("sms", behaviour=staff_cancel_meanwhile)
    bf.broadcast_now(broadcast)

    sending.deliveries_send(channel="sms")

    assert sms.addresses == ["+48600100200"]  # it reached the provider before the cancel
    delivery = Delivery.objects.get(broadcast=broadcast)
    assert (delivery.state, delivery.error) == (Delivery.State.SENT, ""), (
        f"the log says {delivery.state!r} ({delivery.error!r}) for a message that was sent"
    )


@pytest.mark.django_db
def test_cancel_stops_every_delivery_state_through_retries_requeues_and_the_sweeps(fake_provider, building_a):
    """HELD: deliveries due now, a retry scheduled before the cancel, one leased by a dead
    worker and one held by a live worker all stay unsent after the cancel, through the
    back-off, the dead-worker requeue, both sweeps and the live worker's late report; the
    broadcast is not turned into "sent" by the finishing sweep."""
    phones = [f"+4860010010{index}" for index in range(4)]
    for index, phone in enumerate(phones):
        _sms_resident(building_a, f"osoba{index}", phone)
    broadcast = bf.make_broadcast(buildings=[building_a], channels=["sms"])
    bf.broadcast_now(broadcast)
    deliveries = Delivery.objects.filter(broadcast=broadcast).order_by("pk")
    first, second, third, _fourth = deliveries

    # A retry scheduled before the cancel.
    claim, held = sending.deliveries_claim(channel="sms", limit=1)
    assert held[0].pk == first.pk
    sending.delivery_record(delivery=held[0], claim=claim, outcome="temporary", error="busy")
    # A worker that died holding one, and a live one holding another.
    dead_claim, _dead = sending.deliveries_claim(channel="sms", limit=1)
    live_claim, live = sending.deliveries_claim(channel="sms", limit=1)
    assert [d.pk for d in _dead + live] == [second.pk, third.pk]

    sms = fake_provider("sms")
    broadcasts.broadcast_cancel(broadcast=broadcast, user=None)

    assert sending.delivery_record(delivery=live[0], claim=live_claim, outcome="temporary") is False
    deliveries.update(lease_expires_at=mf.now() - timedelta(seconds=1), next_attempt_at=mf.now())
    messaging_tasks.outbox_sweep()
    broadcast_tasks.broadcasts_sweep()
    sending.deliveries_send(channel="sms")

    assert sms.addresses == []
    assert set(deliveries.values_list("state", flat=True)) == {Delivery.State.FAILED}
    assert Broadcast.objects.get(pk=broadcast.pk).status == Broadcast.Status.CANCELLED


# =====================================================================================
# (b) Nothing but the confirmation e-mail reaches an inactive account
# =====================================================================================


@pytest.mark.django_db
def test_sms_and_push_never_reach_an_account_staff_deactivated(fake_provider, building_a):
    """FINDING (medium, pre-existing; the new docstring of message_send promises the
    opposite): "Nothing reaches an account that is not active" holds for e-mail only.
    `_address_moved` checks is_active for e-mail, but for SMS it only checks the phone
    number in the settings and for push only the device token. A broadcast (or a ticket
    update, a membership decision) queued before staff deactivate an account, or still
    being retried, is sent by SMS and to the app of a disabled account: e.g. a phone that
    was lost or sold, the reason the account was disabled."""
    mf.reachable_resident(building_a, "anna", phone="+48600100200", push=True, sms=True)
    sms, push = fake_provider("sms"), fake_provider("push")
    broadcast = bf.make_broadcast(buildings=[building_a], channels=["sms", "push", "email"])
    bf.broadcast_now(broadcast)
    assert set(Delivery.objects.filter(broadcast=broadcast).values_list("channel", flat=True)) == {
        "sms",
        "push",
        "email",
    }

    User.objects.filter(username="anna").update(is_active=False)  # staff disable the account
    for channel in ("email", "sms", "push"):
        sending.deliveries_send(channel=channel)

    assert mails_to("anna@example.pl") == []  # e-mail is stopped...
    assert (sms.addresses, push.addresses) == ([], []), "SMS / push reached a deactivated account"


@pytest.mark.django_db
def test_a_stale_confirmation_email_does_not_reach_an_account_disabled_after_confirming(
    fake_provider, django_capture_on_commit_callbacks
):
    """FINDING (low, a regression of this commit): the send-time rule is now "flagged and
    no usable password", no longer "its confirmation is still pending". A confirmation
    e-mail still being retried (the mail server said 421 the first time) after the person
    confirmed through another copy, and after staff then disabled the account and locked
    its password (set_unusable_password, the usual way to lock an account, or a staff-made
    account without a password), is delivered to the disabled account. Before the commit
    it failed: its AccountConfirmation was confirmed. (Its link is dead, so no takeover;
    but "nothing reaches a disabled account" is broken.)"""

    def busy_first(_message, call):
        if call == 1:
            raise TemporaryFailure("421 try again later")

    email = fake_provider("email", behaviour=busy_first)
    with django_capture_on_commit_callbacks(execute=True):
        residents.user_register(email=ADDRESS, first_name="Maria", last_name="Zielińska")
    person = User.objects.get(username=ADDRESS)
    confirmation = Message.objects.get(recipient=person, for_account_activation=True)
    assert Delivery.objects.get(message=confirmation).state == Delivery.State.QUEUED  # a retry is due later
    link = LINK.search(confirmation.body_text)
    residents.account_confirm(uid=link["uid"], token=link["token"], password=NEW_PASSWORD)

    person.refresh_from_db()
    person.is_active = False  # staff disable the account and lock it
    person.set_unusable_password()
    person.save(update_fields=["is_active", "password"])
    Delivery.objects.filter(message=confirmation).update(next_attempt_at=mf.now())  # the back-off passes
    sending.deliveries_send(channel="email")

    assert email.addresses == [], "a confirmation e-mail reached an account staff disabled after it was confirmed"


@pytest.mark.django_db
def test_a_password_reset_flagged_as_an_activation_email_still_never_reaches_an_inactive_account():
    """FINDING (low, hardening): message_send refuses the flag only for kinds other than
    ACCOUNT, not for account templates other than the confirmation, although messaging
    owns the templates ("account-confirm" is in its default_templates). One wrong
    expression in a caller (`for_account_activation=True` on a reset, an "account exists"
    or a membership decision) sends a set-password link to a disabled account with no
    password: exactly the kind of account staff lock. Either refusal at message_send or a
    check of the template at send time would do."""
    locked = _awaiting_without_password("zablokowany")
    try:
        messaging.message_send(
            kind=MessageKind.ACCOUNT,
            template_key="password-reset",
            recipients=[locked],
            context={"link": "https://portal.example/konto/nowe-haslo/x/y/", "username": "zablokowany"},
            dedupe_key="password-reset:review",
            channels=[Channel.EMAIL],
            inbox=False,
            for_account_activation=True,
        )
    except ValueError:
        pass  # refused: fine
    sending.deliveries_send(channel="email")
    assert mails_to(locked.email) == [], "a password-reset e-mail reached an inactive account"


@pytest.mark.django_db
def test_nothing_but_a_flagged_confirmation_reaches_an_inactive_account_without_password():
    """HELD: an account with no password that is not active gets no password reset, no
    "password changed", no ticket update and no broadcast by e-mail (the new rule opens
    only for ACCOUNT messages flagged for activation), while a flagged one goes through."""
    mf.message_template("review-ticket", kind=MessageKind.TICKET_UPDATE.value)
    person = _awaiting_without_password("czeka")
    for key, kind, context in (
        ("password-reset", MessageKind.ACCOUNT, {"link": "https://x/", "username": "czeka"}),
        ("password-changed", MessageKind.ACCOUNT, {"link": "https://x/", "username": "czeka"}),
        ("review-ticket", MessageKind.TICKET_UPDATE, {"what": "zgłoszenie przyjęte"}),
    ):
        messaging.message_send(
            kind=kind,
            template_key=key,
            recipients=[person],
            context=context,
            dedupe_key=f"{key}:review",
            channels=[Channel.EMAIL],
        )
    broadcast = bf.make_broadcast(everyone=True)
    messaging.composed_message_send(
        kind=MessageKind.ANNOUNCEMENT,
        recipients=[person],
        texts_by_language={"pl": CompiledTexts.compile(subject="Woda", body_text="Brak wody.", sms_text="")},
        channels=[Channel.EMAIL],
        dedupe_key=f"broadcast:{broadcast.pk}",
        broadcast_id=broadcast.pk,
    )
    sending.deliveries_send(channel="email")
    assert mails_to(person.email) == []
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.FAILED}

    messaging.message_send(
        kind=MessageKind.ACCOUNT,
        template_key="account-confirm",
        recipients=[person],
        context={"link": "https://x/", "username": "czeka"},
        dedupe_key="account-confirm:review",
        channels=[Channel.EMAIL],
        inbox=False,
        for_account_activation=True,
    )
    sending.deliveries_send(channel="email")
    assert len(mails_to(person.email)) == 1


@pytest.mark.django_db
def test_sign_up_and_reset_send_nothing_to_a_disabled_staff_made_account_without_password(
    django_capture_on_commit_callbacks,
):
    """HELD: a staff-made account without a password that staff disabled (inactive, no
    usable password: what the send-time rule lets a flagged e-mail through to) is never
    sent a confirmation by a sign-up or a reset request for its address: residents treat
    it as disabled (no pending AccountConfirmation), so nothing flagged is ever queued."""
    disabled = _awaiting_without_password("wylaczony.bez.hasla", email=ADDRESS)
    with django_capture_on_commit_callbacks(execute=True):
        residents.user_register(email=ADDRESS, first_name="Maria", last_name="Zielińska")
    with django_capture_on_commit_callbacks(execute=True):
        residents.password_reset_request(email=ADDRESS)
    assert not Message.objects.filter(recipient=disabled).exists()
    assert mails_to(ADDRESS) == []
    assert User.objects.filter(email__iexact=ADDRESS).count() == 1


# =====================================================================================
# Migrations, permissions and names left behind
# =====================================================================================

BEFORE_THE_MOVE = ("messaging", "0003_message_in_inbox")
MOVED = {"messaging", "broadcasts"}


def _migrate_back():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_THE_MOVE, ("broadcasts", None)])
    ContentType.objects.clear_cache()
    loader = MigrationExecutor(connection).loader
    # The state of exactly what is applied now: apps whose migrations depend on messaging
    # after the move (billing's reminders name its messages) were rolled back with it.
    applied = [node for node in loader.applied_migrations if node in loader.graph.nodes]  # not squashed-away ones
    return loader.project_state(applied, at_end=True).apps


def _migrate_forward() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def _broadcast_rights(app_label: str) -> dict[str, set[str]]:
    """Every group's permissions on the broadcast model of `app_label`, by group name."""
    rows = Permission.objects.filter(content_type__app_label=app_label, content_type__model="broadcast")
    rights: dict[str, set[str]] = {}
    for group in Group.objects.order_by("name"):
        codes = set(rows.filter(group=group).values_list("codename", flat=True))
        if codes:
            rights[group.name] = codes
    return rights


@pytest.mark.django_db(transaction=True)
def test_staff_roles_keep_exactly_their_broadcast_rights_back_and_forth():
    """HELD: the role groups made by the roles sync (and a right granted by hand) hold the
    same broadcast rights under `messaging.*` after migrating back and under
    `broadcasts.*` after migrating forward again and syncing the roles, no more, no less."""
    residents.staff_groups_ensure()
    board = Group.objects.get(name=STAFF_GROUP_NAMES["board"])
    board.permissions.add(Permission.objects.get(content_type__app_label="broadcasts", codename="delete_broadcast"))
    before = _broadcast_rights("broadcasts")
    assert before[STAFF_GROUP_NAMES["accountant"]] == {"view_broadcast"}
    assert before[STAFF_GROUP_NAMES["dispatcher"]] == {
        "add_broadcast",
        "change_broadcast",
        "view_broadcast",
        "send_broadcast",
    }

    _migrate_back()
    assert _broadcast_rights("messaging") == before
    assert _broadcast_rights("broadcasts") == {}

    _migrate_forward()
    residents.staff_groups_ensure()
    assert _broadcast_rights("broadcasts") == before
    assert _broadcast_rights("messaging") == {}


@pytest.mark.django_db(transaction=True)
def test_rolling_back_and_forward_again_keeps_the_broadcasts_history():
    """FINDING (low, migration): roll back the usual way (`migrate messaging 0003` run by
    the new release, then deploy the old one): Django's post_migrate of the release that
    ran it recreates a `broadcasts | broadcast` content type with fresh permissions (the
    residents app even creates every app's permissions and syncs the roles). Migrating
    forward later takes broadcasts 0001's "both exist" branch: the grants are merged, but
    Wagtail's history (ModelLogEntry.content_type) stays on the old `messaging |
    broadcast` content type, which the migration calls "stale and harmless" and suggests
    removing: the broadcasts' history (who sent, who cancelled) vanishes from the admin,
    and `remove_stale_contenttypes` would null it for good (SET_NULL)."""
    from operations.residents.signals import ensure_groups_after_migrate

    old = _migrate_back()
    ensure_groups_after_migrate(sender=None)  # the post_migrate of the release that migrated back
    ContentType.objects.clear_cache()
    assert ContentType.objects.filter(app_label="broadcasts", model="broadcast").exists()

    OldBroadcast = old.get_model("messaging", "Broadcast")
    OldContentType, OldPermission = old.get_model("contenttypes", "ContentType"), old.get_model("auth", "Permission")
    OldGroup, OldLogEntry = old.get_model("auth", "Group"), old.get_model("wagtailcore", "ModelLogEntry")
    cancelled = OldBroadcast.objects.create(
        title="Odwołany po powrocie", kind="announcement", subject="S", body="B", status="cancelled"
    )
    old_type = OldContentType.objects.get(app_label="messaging", model="broadcast")
    senders = OldGroup.objects.create(name="Nadawcy w czasie powrotu")
    senders.permissions.add(OldPermission.objects.get(content_type=old_type, codename="send_broadcast"))
    OldLogEntry.objects.create(
        content_type=old_type,
        object_id=str(cancelled.pk),
        label=cancelled.title,
        action="messaging.broadcast_cancel",
        timestamp=timezone.now(),
    )

    _migrate_forward()

    broadcast = Broadcast.objects.get(pk=cancelled.pk)
    assert (
        Group.objects.get(pk=senders.pk)
        .permissions.filter(content_type__app_label="broadcasts", codename="send_broadcast")
        .exists()
    )  # the grants are merged (held)
    history = [entry.action for entry in ModelLogEntry.objects.for_instance(broadcast)]
    assert history == ["messaging.broadcast_cancel"], "the broadcast's history stayed on the stale content type"


@pytest.mark.django_db(transaction=True)
def test_migrating_forward_stops_every_state_of_cancelled_broadcasts_and_keeps_the_rest(fake_provider):
    """HELD: after messaging 0004 (run on a database from before the move), nothing of a
    broadcast cancelled before it is ever sent, whether its delivery was queued, waiting
    for a retry or leased by a worker that died at the deploy; a broadcast mid-send goes
    on, and a confirmation e-mail already queued still reaches its inactive account."""
    old = _migrate_back()
    user_model = get_user_model()
    OldUser = old.get_model(user_model._meta.app_label, user_model._meta.model_name)
    OldBroadcast = old.get_model("messaging", "Broadcast")
    OldMessage, OldDelivery = old.get_model("messaging", "Message"), old.get_model("messaging", "Delivery")
    anna = OldUser.objects.create(username="anna.m", email="anna.m@example.pl", is_active=True, password="x")
    waiting = OldUser.objects.create(
        username="czeka.m", email="czeka.m@example.pl", is_active=False, password="!unusable"
    )
    cancelled = OldBroadcast.objects.create(
        title="Odwołany", kind="announcement", subject="S", body="B", status="cancelled"
    )
    mid_send = OldBroadcast.objects.create(title="W toku", kind="announcement", subject="S", body="B", status="sending")
    now = timezone.now()
    delivery_states = {
        "queued": dict(state="queued", next_attempt_at=now),
        "retry": dict(state="queued", attempts=1, next_attempt_at=now + timedelta(minutes=5)),
        "leased": dict(state="sending", claim="6f1c1e3a-0000-4000-8000-000000000001", lease_expires_at=now),
    }
    for name, fields in delivery_states.items():
        message = OldMessage.objects.create(
            recipient=anna,
            kind="announcement",
            broadcast=cancelled,
            dedupe_key=f"broadcast:{cancelled.pk}:{name}",
            subject="Odwołany",
            body_text="B",
        )
        OldDelivery.objects.create(message=message, broadcast=cancelled, channel="email", address=anna.email, **fields)
    going_on = OldMessage.objects.create(
        recipient=anna,
        kind="announcement",
        broadcast=mid_send,
        dedupe_key=f"broadcast:{mid_send.pk}",
        subject="W toku",
        body_text="B",
    )
    OldDelivery.objects.create(
        message=going_on, broadcast=mid_send, channel="email", address=anna.email, next_attempt_at=now
    )
    confirm = OldMessage.objects.create(
        recipient=waiting,
        kind="account",
        dedupe_key="account-confirm:0123abcd",
        subject="Potwierdź",
        body_text="B",
        in_inbox=False,
    )
    OldDelivery.objects.create(message=confirm, channel="email", address=waiting.email, next_attempt_at=now)

    _migrate_forward()
    email = fake_provider("email")
    Delivery.objects.update(next_attempt_at=mf.now() - timedelta(seconds=1))
    Delivery.objects.filter(state=Delivery.State.SENDING).update(lease_expires_at=mf.now() - timedelta(seconds=1))
    messaging_tasks.outbox_sweep()
    Delivery.objects.filter(state=Delivery.State.QUEUED).update(next_attempt_at=mf.now())  # any back-off passes
    sending.deliveries_send(channel="email")

    assert sorted(message.subject for message in email.accepted) == ["Potwierdź", "W toku"]
    assert set(Delivery.objects.filter(broadcast_id=cancelled.pk).values_list("state", flat=True)) == {
        Delivery.State.FAILED
    }


def test_every_role_permission_exists_and_none_names_the_old_app(db):
    """HELD: staff_groups_ensure silently skips a permission that does not exist, so a
    misspelt rename would quietly take a right away from a role. Every name in
    ROLE_PERMISSIONS exists, and none still names messaging's broadcast."""
    for role, names in ROLE_PERMISSIONS.items():
        found = {f"{p.content_type.app_label}.{p.codename}" for p in permissions_named(names)}
        assert found == set(names), (role, set(names) - found)
        assert not [name for name in names if name.startswith("messaging.") and name.endswith("_broadcast")]


def test_beat_schedule_and_former_task_names_are_registered():
    """HELD: every task the beat schedule names exists (a name left at the old module would
    make the broadcasts sweep silently never run), and the tasks' former names are still
    known to workers during the deploy."""
    from cms.celery import app as celery_app

    celery_app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    registered = set(celery_app.tasks.keys())
    for entry in django_settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in registered, entry["task"]
    assert "operations.broadcasts.tasks.broadcasts_sweep" in {
        entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert "operations.messaging.tasks.broadcast_queue" in registered
    assert not hasattr(messaging, "broadcast_queue") and not hasattr(messaging, "broadcasts_finish")
    assert global_apps.get_model("broadcasts", "Broadcast")._meta.db_table == "messaging_broadcast"
