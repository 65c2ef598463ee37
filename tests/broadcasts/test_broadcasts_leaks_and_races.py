"""Leaks and races a security review found in broadcasts, each kept as a guarantee: aliases
and deleted news items never widen a broadcast, restricted leads stay out of the admin of
people who cannot read them, addresses are shown only with the delivery-log permission, a
cancelled broadcast stops mid-batch, and editing a scheduled broadcast needs sending it
again. (The outbox's own, a moved push token or a changed address:
tests/messaging/test_leaks_and_races.py.)"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cms.core.visibility import page_is_visible
from cms.news.models import NewsPage
from operations.broadcasts import selectors, services
from operations.broadcasts.models import Broadcast
from operations.messaging.models import Delivery, Message
from operations.messaging.services import sending
from operations.residents import services as residents
from operations.residents.roles import StaffRole
from tests.factories import broadcasts as bf
from tests.factories import content as cf
from tests.factories import messaging as mf
from tests.factories.residents import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(db, site_tree):
    return mf.owners_in_two_buildings()


def test_alias_of_restricted_news_reaches_only_its_readers(place, site_tree):
    source = cf.make_news(site_tree.news, title="Tylko dla A", lead="Tajny lead dla A")
    alias = source.create_alias(update_slug="alias-tylko-dla-a")
    cf.restrict_page(source, groups=[place["group_a"]])  # the source is made private later
    alias = NewsPage.objects.get(pk=alias.pk)
    assert alias.live
    # The project's own visibility says owner.b may NOT read the alias:
    assert not page_is_visible(alias, place["owner_b"])
    broadcast = bf.make_broadcast(everyone=True, news_page=alias)
    got = set(selectors.broadcast_recipients(broadcast).values_list("username", flat=True))
    assert got == {"owner.a"}, got


def test_from_news_view_refuses_a_dispatcher_who_cannot_read_the_item(place, site_tree):
    item = cf.make_alert(site_tree.news, title="Zarzad tylko", lead="SEKRETNY LEAD ZARZADU")
    cf.restrict_page(item, groups=[place["group_a"]])
    user = UserFactory(username="disp")
    residents.staff_role_assign(user=user, role=StaffRole.DISPATCHER)
    assert not page_is_visible(item, user)
    client = Client()
    client.force_login(user)
    response = client.get(reverse("broadcasts:from_news", args=[item.pk]))
    assert response.status_code in (302, 403)  # Wagtail turns PermissionDenied into a redirect
    assert "SEKRETNY LEAD ZARZADU" not in response.content.decode()
    assert not Broadcast.objects.filter(news_page=item).exists()


def test_report_hides_failed_addresses_without_the_delivery_log_permission(place, site_tree):
    broadcast = bf.make_broadcast(everyone=True)
    bf.broadcast_now(broadcast)
    Delivery.objects.filter(broadcast=broadcast).update(state=Delivery.State.BOUNCED, error="550")
    user = UserFactory(username="acc")
    residents.staff_role_assign(user=user, role=StaffRole.ACCOUNTANT)
    assert not user.has_perm("messaging.view_delivery")
    client = Client()
    client.force_login(user)
    assert client.get(reverse("broadcasts:deliveries_csv", args=[broadcast.pk])).status_code == 403
    body = client.get(reverse("broadcasts:report", args=[broadcast.pk])).content.decode()
    assert "a@example.pl" not in body


def test_cancel_during_a_claimed_batch_stops_the_batch(place, site_tree, settings):
    for n in range(5):
        u = UserFactory(username=f"extra{n}", email=f"e{n}@example.pl")
        MembershipFactory(user=u, unit=UnitFactory(building=place["a"], number=f"9{n}"), verified=True)
    broadcast = bf.make_broadcast(everyone=True)
    bf.broadcast_now(broadcast)
    cancelled = []
    bkeys = {d.idempotency_key for d in Delivery.objects.filter(broadcast=broadcast)}

    def behaviour(message, n):
        if message.idempotency_key in bkeys and not cancelled:
            services.broadcast_cancel(broadcast=broadcast, user=None)
            cancelled.append(True)

    script = mf.ProviderScript(behaviour=behaviour)
    settings.MESSAGING_PROVIDERS = mf.provider_settings(settings.MESSAGING_PROVIDERS, "email", script)
    sending.deliveries_send(channel="email")
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.CANCELLED
    keys = {d.idempotency_key for d in Delivery.objects.filter(broadcast=broadcast)}
    sent_of_broadcast = [m for m in script.accepted if m.idempotency_key in keys]
    states = list(Delivery.objects.filter(broadcast=broadcast).values_list("state", flat=True))
    assert len(sent_of_broadcast) <= 1, (
        f"{len(sent_of_broadcast)} of {len(keys)} broadcast e-mails sent; cancelled first",
        states,
    )


def test_deleting_restricted_news_item_cancels_its_scheduled_broadcast(place, site_tree):
    item = cf.make_news(site_tree.news, title="Tylko A", lead="Tajne dla A")
    cf.restrict_page(item, groups=[place["group_a"]])
    broadcast = bf.make_broadcast(everyone=True, news_page=item, body="Tajne dla A")
    from datetime import timedelta

    services.broadcast_schedule(broadcast=broadcast, user=None, send_at=mf.now() + timedelta(hours=1))
    assert set(selectors.broadcast_recipients(broadcast).values_list("username", flat=True)) == {"owner.a"}
    item.delete()  # an editor removes the item before the broadcast goes out
    Broadcast.objects.filter(pk=broadcast.pk).update(send_at=mf.now())
    services.broadcast_queue(broadcast_id=broadcast.pk)
    got = set(Message.objects.filter(broadcast=broadcast).values_list("recipient__username", flat=True))
    assert got <= {"owner.a"}, got


@pytest.mark.parametrize("role", [StaffRole.ACCOUNTANT, StaffRole.BOARD, None])
def test_roles_without_send_cannot_send_cancel_or_export(place, role):
    from django.contrib.auth.models import Permission

    broadcast = bf.make_broadcast(everyone=True)
    user = UserFactory(username=f"r{role}")
    if role:
        residents.staff_role_assign(user=user, role=role)
    else:
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.force_login(user)
    codes = {}
    for name in ("send", "cancel"):
        codes[name] = client.post(reverse(f"broadcasts:{name}", args=[broadcast.pk])).status_code
    for name in ("deliveries_csv", "preview", "report", "edit"):
        codes[name] = client.get(reverse(f"broadcasts:{name}", args=[broadcast.pk])).status_code
    codes["from_news"] = client.get(reverse("broadcasts:from_news", args=[1])).status_code
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.DRAFT
    assert codes["send"] in (302, 403) and codes["cancel"] in (302, 403)
    assert codes["deliveries_csv"] in (302, 403)  # 302: Wagtail redirects PermissionDenied


def test_editing_a_scheduled_broadcast_returns_it_to_draft(place):
    from datetime import timedelta

    from django.contrib.auth.models import Permission

    broadcast = services.broadcast_draft_save(
        broadcast=Broadcast(title="T", kind="announcement", subject="S", body="B", channels=["email"]),
        user=None,
        buildings=[place["a"]],
    )
    services.broadcast_schedule(broadcast=broadcast, user=None, send_at=mf.now() + timedelta(days=3))
    user = UserFactory(username="changer")
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", "change_broadcast", "view_broadcast"])
    )
    assert not user.has_perm("broadcasts.send_broadcast")
    client = Client()
    client.force_login(user)
    data = {
        "title": "T",
        "kind": "announcement",
        "subject": "Zmienione",
        "body": "Zmienione",
        "sms_text": "",
        "subject_en": "",
        "body_en": "",
        "sms_text_en": "",
        "link": "",
        "everyone": "on",
        "channels": ["email"],
        "send_at": (mf.now() - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M"),
    }
    response = client.post(reverse("broadcasts:edit", args=[broadcast.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    services.broadcasts_queue_due()
    got = set(Message.objects.filter(broadcast=broadcast).values_list("recipient__username", flat=True))
    assert got == set(), got
