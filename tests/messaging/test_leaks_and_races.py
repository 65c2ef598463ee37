"""Leaks and races a security review found in the outbox, each kept as a guarantee: a link
sent to an address the person no longer has shows nothing of the new one, and a push
token that moved to another person's phone gets nothing queued for the previous person.
(The broadcasts' own: tests/broadcasts/test_broadcasts_leaks_and_races.py.)"""

from __future__ import annotations

import pytest

from operations.messaging.services import sending
from tests.factories import broadcasts as bf
from tests.factories import messaging as mf

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(db, site_tree):
    return mf.owners_in_two_buildings()


def test_link_sent_to_an_old_address_no_longer_works(place, client):
    from operations.messaging.services.preferences import email_preferences_url

    user = place["owner_a"]
    link = email_preferences_url(user_id=user.pk, kind="announcement")
    user.email = "new-private@example.pl"
    user.save()
    body = client.get(link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])).content.decode()
    assert "new-private@example.pl" not in body


def test_push_queued_for_a_is_not_sent_once_the_token_moved_to_b(place, settings):
    from operations.messaging.services import preferences

    a, b = place["owner_a"], place["owner_b"]
    token = "ExponentPushToken[shared-family-phone]"
    preferences.push_device_register(user=a, token=token)
    broadcast = bf.make_broadcast(everyone=True, channels=["push"], body="Osobiste dla {{ recipient.name }}")
    bf.broadcast_now(broadcast)
    preferences.push_device_unregister(user=a, token=token)  # A signs out on the phone
    preferences.push_device_register(user=b, token=token)  # B signs in on the same phone
    script = mf.ProviderScript()
    settings.MESSAGING_PROVIDERS = mf.provider_settings(settings.MESSAGING_PROVIDERS, "push", script)
    sending.deliveries_send(channel="push")
    to_phone = [m for m in script.accepted if m.address == token]
    assert not any(a.username in m.text or "Anna" in m.text for m in to_phone), [m.text for m in to_phone]
