"""Broadcasts moved from the messaging app into an app of their own (broadcasts 0001,
messaging 0004 and 0005). A database migrated forward from before the move keeps every
broadcast with its chosen places, the messages and deliveries that name it, Wagtail's
history of it and the groups' permissions on it (now `broadcasts.*`); the messages of a
cancelled broadcast are withdrawn and confirmation e-mails already queued are marked as
the ones that may reach an inactive account.

The database is migrated back to before the move with Django's MigrationExecutor, rows
are written through the historical models of then, and it is migrated forward again;
what is read afterwards is read through today's models.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from wagtail.models import ModelLogEntry

from operations.broadcasts.models import Broadcast
from operations.messaging.models import Delivery, Message

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVE = ("messaging", "0003_message_in_inbox")
MOVED = {"messaging", "broadcasts"}


def _migrate_back():
    """Migrate to just before the move and return the historical models of then."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_THE_MOVE, ("broadcasts", None)])
    graph = MigrationExecutor(connection).loader
    # The state of exactly what is applied now: apps whose migrations depend on messaging
    # after the move (billing's reminders name its messages) were rolled back with it.
    applied = [node for node in graph.applied_migrations if node in graph.graph.nodes]  # not squashed-away ones
    return graph.project_state(applied, at_end=True).apps


def _migrate_forward() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def test_moving_broadcasts_keeps_every_row_link_permission_and_history():
    old = _migrate_back()
    user_model = get_user_model()
    User = old.get_model(user_model._meta.app_label, user_model._meta.model_name)
    Estate, Building, Unit = (old.get_model("residents", name) for name in ("Estate", "Building", "Unit"))
    OldBroadcast = old.get_model("messaging", "Broadcast")
    OldMessage, OldDelivery = old.get_model("messaging", "Message"), old.get_model("messaging", "Delivery")
    OldContentType, Permission = old.get_model("contenttypes", "ContentType"), old.get_model("auth", "Permission")
    OldGroup, OldLogEntry = old.get_model("auth", "Group"), old.get_model("wagtailcore", "ModelLogEntry")

    estate = Estate.objects.create(name="Osiedle Przed", slug="osiedle-przed")
    building = Building.objects.create(
        estate=estate, code="P", street="ul. Stara", number="1", postal_code="00-950", city="Warszawa"
    )
    unit = Unit.objects.create(building=building, number="1", area=Decimal("48.50"), share=Decimal("0.010000"))
    anna = User.objects.create(username="anna.przed", email="anna.przed@example.pl", is_active=True)
    waiting = User.objects.create(username="czeka.przed", email="czeka.przed@example.pl", is_active=False)
    sending = OldBroadcast.objects.create(
        title="Przed przeniesieniem",
        kind="announcement",
        subject="Woda",
        body="Jutro brak wody.",
        channels=["email"],
        roles=["owners"],
        status="sending",
        recipient_count=1,
    )
    sending.estates.add(estate)
    sending.buildings.add(building)
    sending.units.add(unit)
    cancelled = OldBroadcast.objects.create(
        title="Odwołany", kind="announcement", subject="Prąd", body="Jutro brak prądu.", status="cancelled"
    )
    rows = {}
    for name, broadcast, recipient, key, kind in (
        ("sending", sending, anna, f"broadcast:{sending.pk}", "announcement"),
        ("cancelled", cancelled, anna, f"broadcast:{cancelled.pk}", "announcement"),
        ("confirmation", None, waiting, "account-confirm:0123abcd", "account"),
    ):
        message = OldMessage.objects.create(
            recipient=recipient, kind=kind, broadcast=broadcast, dedupe_key=key, subject="S", body_text="B"
        )
        delivery = OldDelivery.objects.create(
            message=message, broadcast=broadcast, channel="email", address=recipient.email
        )
        rows[name] = (message.pk, delivery.pk)
    content_type, _created = OldContentType.objects.get_or_create(app_label="messaging", model="broadcast")
    send_permission, _created = Permission.objects.get_or_create(
        content_type=content_type, codename="send_broadcast", defaults={"name": "Can send broadcasts"}
    )
    senders = OldGroup.objects.create(name="Nadawcy przed przeniesieniem")
    senders.permissions.add(send_permission)
    anna.groups.add(senders)
    OldLogEntry.objects.create(
        content_type=content_type,
        object_id=str(sending.pk),
        label=sending.title,
        action="messaging.broadcast_send",
        timestamp=timezone.now(),
    )

    _migrate_forward()

    broadcast = Broadcast.objects.get(pk=sending.pk)
    assert (broadcast.title, broadcast.status, broadcast.roles, broadcast.channels, broadcast.recipient_count) == (
        "Przed przeniesieniem",
        Broadcast.Status.SENDING,
        ["owners"],
        ["email"],
        1,
    )
    assert [e.pk for e in broadcast.estates.all()] == [estate.pk]
    assert [b.pk for b in broadcast.buildings.all()] == [building.pk]
    assert [u.pk for u in broadcast.units.all()] == [unit.pk]
    message_pk, delivery_pk = rows["sending"]
    assert Message.objects.get(pk=message_pk).broadcast == broadcast
    assert Delivery.objects.get(pk=delivery_pk).broadcast == broadcast
    assert list(broadcast.messages.values_list("pk", flat=True)) == [message_pk]
    assert Message.objects.get(pk=message_pk).withdrawn_at is None

    # The content type moved with the model: its id, its permissions and their grants stay.
    assert ContentType.objects.get_for_model(Broadcast).pk == content_type.pk
    assert not ContentType.objects.filter(app_label="messaging", model="broadcast").exists()
    group = Group.objects.get(pk=senders.pk)
    assert group.permissions.filter(content_type__app_label="broadcasts", codename="send_broadcast").exists()
    assert get_user_model().objects.get(pk=anna.pk).has_perm("broadcasts.send_broadcast")
    assert [entry.action for entry in ModelLogEntry.objects.for_instance(broadcast)] == ["messaging.broadcast_send"]

    # What messaging keeps without reading the broadcasts' rows any more.
    assert Message.objects.get(pk=rows["cancelled"][0]).withdrawn_at is not None
    assert Broadcast.objects.get(pk=cancelled.pk).status == Broadcast.Status.CANCELLED
    confirmation = Message.objects.get(pk=rows["confirmation"][0])
    assert confirmation.for_account_activation and not Message.objects.get(pk=message_pk).for_account_activation
