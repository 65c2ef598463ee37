"""A broadcast's texts: each recipient reads it in their language, and Polish when they
chose no other or staff wrote no complete English version."""

from __future__ import annotations

import pytest

from operations.messaging.models import Message
from operations.residents.models import Membership
from tests.factories import broadcasts as bf
from tests.factories import messaging as mf
from tests.factories.residents import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return mf.people_by_language()


def test_broadcast_in_each_recipients_language_and_polish_without_english(people, building_a, unit_a1):
    for index, person in enumerate(people):
        MembershipFactory(user=person, unit=unit_a1, role=list(Membership.Role)[index], verified=True)
    bilingual = bf.make_broadcast(
        buildings=[building_a],
        subject="Brak wody",
        body="Dzień dobry {{ recipient.name }}, jutro brak wody.",
        subject_en="No water",
        body_en="Hello {{ recipient.name }}, no water tomorrow.",
    )
    bf.broadcast_now(bilingual)
    texts = dict(Message.objects.filter(broadcast=bilingual).values_list("recipient__username", "body_text"))
    assert texts == {
        "pl": "Dzień dobry Zofia Wójcik, jutro brak wody.",
        "en": "Hello John Smith, no water tomorrow.",
        "unset": "Dzień dobry Jan Nowak, jutro brak wody.",
    }

    # An English subject without an English text is not an English version.
    half = bf.make_broadcast(
        buildings=[building_a], subject="Brak prądu", body="Jutro brak prądu.", subject_en="No power"
    )
    bf.broadcast_now(half)
    english = Message.objects.get(broadcast=half, recipient__username="en")
    assert (english.subject, english.body_text) == ("Brak prądu", "Jutro brak prądu.")
