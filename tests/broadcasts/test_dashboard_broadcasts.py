"""The broadcasts' panel of the situation centre, the admin's first page (issue 13): who
sees it (those who send broadcasts), that each number is exactly the length of the list
it opens, what counts as failed and partly failed, and that it costs the same queries
however many broadcasts and deliveries there are."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from operations.broadcasts import selectors
from operations.broadcasts.models import Broadcast
from operations.messaging.models import Delivery, Message
from operations.residents.roles import StaffRole
from tests.factories.admin import staff_client
from tests.factories.broadcasts import make_broadcast
from tests.factories.residents import UserFactory

pytestmark = pytest.mark.django_db

B = Broadcast.Status
D = Delivery.State
ROLES = [StaffRole.EDITOR, StaffRole.DISPATCHER, StaffRole.ADMINISTRATOR, StaffRole.BOARD, StaffRole.ACCOUNTANT]
SENDERS = {StaffRole.EDITOR, StaffRole.DISPATCHER, StaffRole.ADMINISTRATOR}
_serial = itertools.count(1)


def _page(client):
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def _panel(client):
    return _page(client).find("section", attrs={"aria-labelledby": "hub-dashboard-broadcasts"})


def _cards(panel) -> dict[str, dict]:
    cards = {}
    for card in panel.select(".hub-dashboard__card"):
        note = card.select_one(".hub-dashboard__note")
        cards[card.select_one(".hub-dashboard__label").get_text(strip=True)] = {
            "value": int(card.select_one(".hub-dashboard__value").get_text(strip=True)),
            "url": card.find("a")["href"],
            "note": note.get_text(strip=True) if note else "",
            "urgent": "hub-dashboard__card--urgent" in card["class"],
        }
    return cards


def _listed(client, url: str) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["paginator"].count == len(response.context["object_list"])  # one page
    return sorted(broadcast.pk for broadcast in response.context["object_list"])


def broadcast(status: str, *states: str, finished_days_ago: float | None = None) -> Broadcast:
    """A broadcast in `status` with one delivery in each of `states` (to a person each)."""
    now = timezone.now()
    finished = None if finished_days_ago is None else now - timedelta(days=finished_days_ago)
    made = make_broadcast(title=f"Rozsyłka {next(_serial)}", status=status, finished_at=finished, queued_at=now)
    for state in states:
        person = UserFactory()
        message = Message.objects.create(
            recipient=person,
            kind=made.kind,
            broadcast=made,
            dedupe_key=f"broadcast:{made.pk}",
            subject=made.subject,
            body_text=made.body,
        )
        Delivery.objects.create(message=message, broadcast=made, channel="email", address=person.email, state=state)
    return made


@pytest.fixture
def broadcasts() -> dict[str, Broadcast]:
    return {
        "draft": broadcast(B.DRAFT),
        "scheduled": broadcast(B.SCHEDULED),
        "sending": broadcast(B.SENDING, D.QUEUED, D.SENT),
        # Definite failures while the rest is still going: sending, not failed (yet).
        "sending_with_failures": broadcast(B.SENDING, D.SENDING, D.FAILED),
        "failed": broadcast(B.SENT, D.FAILED, D.FAILED, finished_days_ago=1),
        "bounced": broadcast(B.SENT, D.BOUNCED, D.FAILED, finished_days_ago=6),
        "failed_long_ago": broadcast(B.SENT, D.FAILED, finished_days_ago=8),
        "partly_failed": broadcast(B.SENT, D.SENT, D.SENT, D.BOUNCED, finished_days_ago=2),
        "partly_failed_long_ago": broadcast(B.SENT, D.SENT, D.FAILED, finished_days_ago=30),
        "delivered": broadcast(B.SENT, D.SENT, D.SENT, finished_days_ago=1),
        # Recipients who allow no channel read it in their inbox: no deliveries, no failure.
        "inbox_only": broadcast(B.SENT, finished_days_ago=1),
        # Staff stopped it: the deliveries it withdrew fail on purpose.
        "cancelled": broadcast(B.CANCELLED, D.SENT, D.FAILED, finished_days_ago=1),
    }


@pytest.mark.parametrize("role", ROLES, ids=[role.value for role in ROLES])
def test_those_who_send_broadcasts_see_the_panel(role):
    assert (_panel(staff_client(role)) is not None) == (role in SENDERS)


def test_every_number_is_the_length_of_the_list_it_opens(broadcasts):
    client = staff_client(StaffRole.EDITOR)
    cards = _cards(_panel(client))

    lately = "zakończone w ciągu ostatnich 7 dni"
    assert cards == {
        "rozsyłki w trakcie wysyłki": {
            "value": 2, "url": "/admin/broadcasts/?now=sending", "note": "", "urgent": False,
        },
        "nieudane rozsyłki": {
            "value": 2, "url": "/admin/broadcasts/?now=failed", "note": f"nic nie doręczono; {lately}", "urgent": True,
        },
        "częściowo nieudana rozsyłka": {
            "value": 1,
            "url": "/admin/broadcasts/?now=partly_failed",
            "note": f"część doręczeń się nie powiodła; {lately}",
            "urgent": False,
        },
    }  # fmt: skip
    expected = {
        "rozsyłki w trakcie wysyłki": ["sending", "sending_with_failures"],
        "nieudane rozsyłki": ["failed", "bounced"],
        "częściowo nieudana rozsyłka": ["partly_failed"],
    }
    for label, card in cards.items():
        assert _listed(client, card["url"]) == sorted(broadcasts[name].pk for name in expected[label]), label


def test_nothing_to_look_at_is_zero_in_polish():
    cards = _cards(_panel(staff_client(StaffRole.DISPATCHER)))
    assert {label: card["value"] for label, card in cards.items()} == {
        "rozsyłek w trakcie wysyłki": 0,
        "nieudanych rozsyłek": 0,
        "częściowo nieudanych rozsyłek": 0,
    }
    assert not any(card["urgent"] for card in cards.values())


def test_the_list_keeps_its_other_filters_and_offers_the_situation(broadcasts):
    client = staff_client(StaffRole.ADMINISTRATOR)
    sent = [b.pk for name, b in broadcasts.items() if b.status == B.SENT]
    assert _listed(client, "/admin/broadcasts/?status=sent") == sorted(sent)
    assert _listed(client, "/admin/broadcasts/?status=sent&now=failed") == sorted(
        [broadcasts["failed"].pk, broadcasts["bounced"].pk]
    )
    assert len(_listed(client, "/admin/broadcasts/")) == len(broadcasts)
    page = client.get("/admin/broadcasts/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    for label in ["Teraz", "W trakcie wysyłki", "Nieudane w ciągu ostatnich 7 dni", "Częściowo nieudane w ciągu"]:
        assert label in page


def test_the_figures_follow_the_clock(broadcasts):
    # Eight days on, the failures of the last week have left; what is sending stays.
    later = selectors.broadcast_situation(timezone.now() + timedelta(days=8))
    assert (later.sending, later.failed, later.partly_failed) == (2, 0, 0)
    earlier = selectors.broadcast_situation(timezone.now() - timedelta(days=2))
    assert (earlier.failed, earlier.partly_failed) == (3, 1)  # failed 8 days ago was within a week then


def test_the_page_costs_the_same_queries_with_more_broadcasts():
    client = staff_client(StaffRole.ADMINISTRATOR)
    broadcast(B.SENDING, D.QUEUED)
    broadcast(B.SENT, D.FAILED, finished_days_ago=1)
    _page(client)  # the session's and the site's first reads
    with CaptureQueriesContext(connection) as few:
        _page(client)
    for days in range(6):
        broadcast(B.SENDING, D.QUEUED, D.SENT, D.FAILED)
        broadcast(B.SENT, D.FAILED, D.BOUNCED, finished_days_ago=days)
        broadcast(B.SENT, D.SENT, D.FAILED, finished_days_ago=days)
        broadcast(B.CANCELLED, D.FAILED, finished_days_ago=days)
    with CaptureQueriesContext(connection) as many:
        _page(client)
    assert len(many) == len(few)
    ours = [q["sql"] for q in many.captured_queries if 'FROM "messaging_broadcast"' in q["sql"]]
    assert len(ours) == 1, ours
