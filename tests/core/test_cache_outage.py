"""With the cache server down, the hub serves on without it (issue 9, item 2).

Production puts the broker and the cache on Redis. Before, `cache.add` raised in the
hourly limit counters and every fault report, anonymous report and sign-up answered
INTERNAL_SERVER_ERROR while Redis was away. These tests point the cache at an address
where nothing listens, as the production settings build it from REDIS_URL, and use the
hub: limits let requests through, plain caching misses, the outage is logged.
"""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache
from django.test import Client
from django.test.utils import override_settings

from cms.core import cache as degrading
from operations.messaging.models import Delivery
from operations.messaging.services import sending
from operations.residents import throttling
from operations.tickets.models import Ticket
from tests.factories import content as f
from tests.factories import tickets as t

pytestmark = pytest.mark.django_db

NOBODY_LISTENS = "redis://127.0.0.1:1/0"
REDIS_DOWN = {
    "default": {
        "BACKEND": "cms.core.cache.DegradingRedisCache",
        "LOCATION": NOBODY_LISTENS,
        "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
    }
}


@pytest.fixture
def redis_down():
    degrading._down_until.clear()
    with override_settings(CACHES=REDIS_DOWN):
        yield
    degrading._down_until.clear()


def test_reads_miss_writes_are_dropped_and_claims_say_they_cannot_answer(redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="cms.core.cache"):
        assert cache.get("k", "default") == "default"
        cache.set("k", 1)
        assert cache.get_many(["a", "b"]) == {}
        assert cache.get_or_set("k", lambda: 7) == 7
        cache.delete("k")
        with pytest.raises(degrading.CacheUnavailable):
            cache.add("k", 1)
        with pytest.raises(degrading.CacheUnavailable):
            cache.incr("k")
        assert degrading.counter_incr("k", timeout=60) is None
    # Logged once when the outage started, not once per operation.
    assert [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()] != []
    assert len([r for r in caplog.records if "unreachable" in r.getMessage()]) == 1


def test_hourly_limits_let_attempts_through_while_the_cache_is_down(redis_down):
    assert all(throttling.hourly_count_allows("test:scope", "192.0.2.1", limit=1) for _ in range(5))


CREATE = """
mutation($input: TicketCreateInput!) {
  ticketCreate(input: $input) { ticket { reference } errors { code } }
}
"""

ANONYMOUS = """
mutation($input: TicketAnonymousCreateInput!) {
  ticketAnonymousCreate(input: $input) { reference errors { code } }
}
"""


def test_a_resident_reports_a_fault_while_the_cache_is_down(gql, redis_down):
    cast = t.build_cast()
    gql.login(cast.reporter)
    payload = gql.data(
        CREATE,
        {
            "input": {
                "categoryId": str(cast.category.pk),
                "unitId": str(cast.unit.pk),
                "title": "Kran",
                "description": "Kapie.",
            }
        },
    )["ticketCreate"]
    assert payload["errors"] == [] and payload["ticket"]["reference"].startswith("ZG/")
    assert Ticket.objects.filter(reporter=cast.reporter).count() == 1


def test_an_anonymous_report_is_taken_while_the_cache_is_down(gql, redis_down):
    cast = t.build_cast()
    variables = {
        "input": {
            "categoryId": str(cast.category.pk),
            "buildingId": str(cast.building.pk),
            "title": "Nie świeci lampa",
            "description": "Klatka 2.",
            "contactPhone": "600 123 456",
        }
    }
    payload = gql.data(ANONYMOUS, variables)["ticketAnonymousCreate"]
    assert payload["errors"] == [] and payload["reference"].startswith("ZG/")


SIGN_IN = """
mutation($username: String!, $password: String!) {
  sessionSignIn(username: $username, password: $password) { viewer { username } errors { code } }
}
"""


def test_sign_in_and_the_admin_work_while_the_cache_is_down(gql, redis_down):
    cast = t.build_cast()
    cast.dispatcher.set_password("haslo-dyspozytora-2026")
    cast.dispatcher.save()
    payload = gql.data(SIGN_IN, {"username": cast.dispatcher.username, "password": "haslo-dyspozytora-2026"})
    assert payload["sessionSignIn"]["errors"] == []
    admin = Client()
    admin.force_login(cast.dispatcher)
    assert admin.get("/admin/").status_code == 200


NEWS = "{ news(first: 5) { edges { node { title leadImage { rendition(size: THUMBNAIL) { url } } } } } }"


def test_news_with_image_renditions_is_served_while_the_cache_is_down(gql, site_tree, redis_down):
    # Wagtail keeps renditions and site roots in the default cache.
    f.make_news(site_tree.news, title="Przerwa w dostawie wody", image=f.make_image())
    nodes = [edge["node"] for edge in gql.data(NEWS)["news"]["edges"]]
    assert nodes[0]["title"] == "Przerwa w dostawie wody" and nodes[0]["leadImage"]["rendition"]["url"]


def test_messages_are_sent_at_the_providers_rate_while_the_cache_is_down(
    redis_down, monkeypatch, django_capture_on_commit_callbacks
):
    from operations.messaging import services as messaging

    cast = t.build_cast(with_firms=False)
    slept = []
    monkeypatch.setattr(sending.time, "sleep", slept.append)
    limiter = sending._RateLimiter("email:test", per_second=4)
    limiter.wait()
    limiter.wait()
    # No shared count: this worker keeps to the rate on its own.
    assert slept == [0.25, 0.25]

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        messaging.message_send(
            kind="account",
            template_key="membership-verified",
            recipients=[cast.reporter],
            context={"unit": "A/1", "address": "ul. Lipowa 1", "role": "właściciel", "reason": ""},
            dedupe_key="outage-test",
        )
    assert Delivery.objects.filter(message__recipient=cast.reporter, state=Delivery.State.SENT).exists()


def test_the_outbox_sweep_sends_what_is_queued_while_the_cache_is_down(redis_down):
    from operations.messaging import services as messaging
    from operations.messaging.tasks import outbox_sweep

    cast = t.build_cast(with_firms=False)
    messaging.message_send(  # queued; the after-commit send never runs in this test
        kind="account",
        template_key="membership-verified",
        recipients=[cast.reporter],
        context={"unit": "A/1", "address": "ul. Lipowa 1", "role": "właściciel", "reason": ""},
        dedupe_key="outage-sweep",
    )
    assert Delivery.objects.filter(message__recipient=cast.reporter, state=Delivery.State.QUEUED).exists()
    outbox_sweep()
    assert not Delivery.objects.filter(message__recipient=cast.reporter, state=Delivery.State.QUEUED).exists()
