"""The channel a report came through (`Ticket.source`) through the API: a report without
an account is ANONYMOUS, a resident's is PORTAL unless the client says APP (the mobile
app's `source: APP`), staff recording for a resident say PHONE, EMAIL or OFFICE; nobody
else claims those, nor ANONYMOUS. And the tickets list's `sources` filter.

The world is built once per module (`world` in conftest.py); each test runs in a savepoint.
"""

from __future__ import annotations

import pytest
from strawberry import relay

from operations.tickets.models import Ticket
from tests.api.tickets_world import (
    ANONYMOUS_CREATE,
    CREATE,
    TICKET_IDS,
    codes,
    create_input,
    gid,
    ids_of,
    payload_of,
    snapshot,
)

pytestmark = pytest.mark.django_db


def created(payload: dict) -> Ticket:
    assert payload["errors"] == [], payload
    return Ticket.objects.get(pk=relay.GlobalID.from_id(payload["ticket"]["id"]).node_id)


def test_a_report_without_an_account_is_recorded_as_anonymous(world, as_):
    gql = as_("anonymous")
    report = {
        "categoryId": str(world.cast.category.pk),
        "buildingId": str(world.cast.building.pk),
        "title": "Zepsuta lampa",
        "description": "Na parterze.",
        "contactPhone": "601 444 555",
    }
    payload = payload_of(gql.execute(ANONYMOUS_CREATE, {"input": report}))
    assert payload["errors"] == []
    ticket = Ticket.objects.get(contact_phone="+48601444555")
    assert (ticket.source, ticket.reporter) == (Ticket.Source.ANONYMOUS, None)
    seen = as_("dispatcher").data(f'{{ ticket(id: "{gid("Ticket", ticket.pk)}") {{ source }} }}')
    assert seen == {"ticket": {"source": "ANONYMOUS"}}


@pytest.mark.parametrize(
    ("extra", "expected"), [({}, "PORTAL"), ({"source": "PORTAL"}, "PORTAL"), ({"source": "APP"}, "APP")]
)
def test_a_residents_report_is_portal_unless_the_client_says_app(world, as_, extra, expected):
    payload = payload_of(as_("reporter").execute(CREATE, {"input": create_input(world, **extra)}))
    assert payload["ticket"]["source"] == expected
    ticket = created(payload)
    assert (ticket.source, ticket.reporter, ticket.recorded_by) == (expected.lower(), world.cast.reporter, None)


@pytest.mark.parametrize("source", ["PHONE", "EMAIL", "OFFICE", "ANONYMOUS"])
def test_a_resident_cannot_claim_a_staff_channel_or_anonymity(world, as_, source):
    before = snapshot()
    payload = payload_of(as_("reporter").execute(CREATE, {"input": create_input(world, source=source)}))
    assert payload["ticket"] is None and codes(payload) == ["FORBIDDEN"]
    assert snapshot() == before


@pytest.mark.parametrize("source", ["PHONE", "EMAIL", "OFFICE"])
def test_staff_record_the_channel_they_took_the_report_through(world, as_, source):
    extra = {"reporterId": str(world.cast.reporter.pk), "source": source}
    payload = payload_of(as_("dispatcher").execute(CREATE, {"input": create_input(world, **extra)}))
    ticket = created(payload)
    assert (ticket.source, ticket.reporter, ticket.recorded_by) == (
        source.lower(),
        world.cast.reporter,
        world.cast.dispatcher,
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [(None, "SOURCE_INVALID"), ("PORTAL", "SOURCE_INVALID"), ("APP", "SOURCE_INVALID"), ("ANONYMOUS", "FORBIDDEN")],
)
def test_staff_recording_for_a_resident_must_say_phone_email_or_office(world, as_, source, expected):
    extra = {"reporterId": str(world.cast.reporter.pk)}
    if source:
        extra["source"] = source
    before = snapshot()
    payload = payload_of(as_("dispatcher").execute(CREATE, {"input": create_input(world, **extra)}))
    assert payload["ticket"] is None and codes(payload) == [expected]
    if expected == "SOURCE_INVALID":
        assert payload["errors"][0]["field"] == "source"
    assert snapshot() == before


def test_the_list_filters_by_channel(world, as_):
    cast = world.cast
    phone = payload_of(
        as_("dispatcher").execute(
            CREATE, {"input": create_input(world, reporterId=str(cast.reporter.pk), source="PHONE")}
        )
    )["ticket"]["id"]
    app = payload_of(as_("reporter").execute(CREATE, {"input": create_input(world, source="APP")}))["ticket"]["id"]
    gql = as_("dispatcher")
    everything = Ticket.objects.count()
    assert gql.data(TICKET_IDS)["tickets"]["totalCount"] == everything

    def listed(*sources: str) -> set[str]:
        return set(ids_of(gql.data(TICKET_IDS, {"filter": {"sources": list(sources)}})))

    expected = {
        source: {gid("Ticket", pk) for pk in Ticket.objects.filter(source=source.lower()).values_list("pk", flat=True)}
        for source in ("PORTAL", "APP", "PHONE", "ANONYMOUS")
    }
    assert phone in listed("PHONE") and app in listed("APP")
    for source, ids in expected.items():
        assert listed(source) == ids, source
    assert listed("PHONE", "APP") == expected["PHONE"] | expected["APP"]
    assert listed("OFFICE") == set()
    # A resident's own list narrows alike: their app report, not their portal ones.
    assert set(ids_of(as_("reporter").data(TICKET_IDS, {"filter": {"sources": ["APP"]}}))) == {app}
