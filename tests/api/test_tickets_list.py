"""The tickets API's reads for every kind of viewer: who sees which tickets, comments,
photos and contacts in `tickets` and `ticket(id)`; filters and orders that never widen
what a viewer sees; malformed and unknown ids; the categories.

The world (tickets in every place that matters, seen by every kind of viewer) is built
once per module (`world` in conftest.py, from `tickets_world.py`); each test runs in a savepoint inside it.
"""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from operations.tickets.models import Category, Ticket, TicketEvent
from tests.api.tickets_world import (
    ALL_TICKETS,
    ANONYMOUS_PHONE,
    CATEGORIES,
    CREATE,
    OWN_PHONE,
    TICKET,
    TICKET_IDS,
    TICKETS,
    VIEWERS,
    VISIBLE,
    S,
    codes,
    create_input,
    error_codes,
    expected_comments,
    expected_photos,
    gid,
    ids_of,
    mutation_calls,
    payload_of,
    sees_internal,
    snapshot,
    tid,
)
from tests.factories import tickets as tf

pytestmark = pytest.mark.django_db


# --- tickets and ticket(id): who sees what -------------------------------------------------------


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_list_holds_exactly_what_the_viewer_may_see(world, as_, viewer):
    gql = as_(viewer)
    response = gql.client.post(
        "/graphql", data=json.dumps({"query": TICKETS}), content_type="application/json"
    ).content.decode()
    data = json.loads(response)["data"]
    names = [world.name_of(node_id) for node_id in ids_of(data)]
    assert set(names) == VISIBLE[viewer] and len(names) == len(set(names))
    assert data["tickets"]["totalCount"] == len(names)
    for edge in data["tickets"]["edges"]:
        node = edge["node"]
        name = world.name_of(node["id"])
        ticket = world.tickets[name]
        internal = sees_internal(viewer, name)
        assert [c["id"] for c in node["comments"]] == expected_comments(ticket, internal), name
        assert all(internal or not c["isInternal"] for c in node["comments"])
        assert {p["id"] for p in node["photos"]} == expected_photos(ticket, internal), name
        nested = {p["id"] for c in node["comments"] for p in c["photos"]}
        assert nested <= {p["id"] for p in node["photos"]}
        # The reporter's phone: for staff and the assigned firm only.
        assert (node["contact"] is not None) == internal, (name, node["contact"])
        assert len(node["history"]) == TicketEvent.objects.filter(ticket=ticket).count()
    # No leak anywhere in the response text, whatever field might carry it.
    if not any(sees_internal(viewer, name) for name in VISIBLE[viewer]):
        assert "INTERNAL" not in response
        assert OWN_PHONE not in response and ANONYMOUS_PHONE not in response
    if viewer in {"firm_worker", "firm_manager"}:
        assert "INTERNAL note of the other firm" not in response and ANONYMOUS_PHONE not in response
    if viewer == "other_worker":
        assert "INTERNAL note from" not in response and OWN_PHONE not in response


@pytest.mark.parametrize("viewer", VIEWERS)
def test_one_ticket_is_what_the_list_shows_and_null_otherwise(world, as_, viewer):
    gql = as_(viewer)
    listed = {edge["node"]["id"]: edge["node"] for edge in gql.data(TICKETS)["tickets"]["edges"]}
    for name, ticket in world.tickets.items():
        one = gql.data(TICKET, {"id": tid(ticket)})["ticket"]
        if name in VISIBLE[viewer]:
            assert one == listed[tid(ticket)], name
        else:
            assert one is None, name


def test_the_reporter_sees_the_firms_and_dispatchers_public_comments_with_names(world, as_):
    node = as_("reporter").data(TICKET, {"id": tid(world.tickets["own"])})["ticket"]
    assert [c["body"] for c in node["comments"]] == [
        "PUBLIC note from the dispatcher",
        "PUBLIC reply of the reporter",
    ]
    assert [c["isMine"] for c in node["comments"]] == [False, True]
    assert node["contact"] is None
    assert node["workerName"] == world.cast.firm_worker.get_full_name()
    firm_view = as_("firm_worker").data(TICKET, {"id": tid(world.tickets["own"])})["ticket"]
    assert firm_view["contact"]["phone"].endswith(OWN_PHONE)
    assert [c["isInternal"] for c in firm_view["comments"]] == [False, True, True, False]


# --- Filters and orders ------------------------------------------------------------------------


def listed_names(world, gql, variables: dict) -> list[str]:
    return [world.name_of(node_id) for node_id in ids_of(gql.data(TICKET_IDS, variables))]


def test_each_filter_and_order_for_a_dispatcher(world, as_):
    gql = as_("dispatcher")
    t, cast = world.tickets, world.cast
    creation = ["own", "by_co_resident", "neighbours", "common", "other_building", "anonymous"]
    assert listed_names(world, gql, {}) == creation[::-1]
    assert listed_names(world, gql, {"order": "NEWEST"}) == creation[::-1]
    assert listed_names(world, gql, {"order": "OLDEST"}) == creation
    # Deadlines: the fast category's tickets first, then the others by their (later) deadlines.
    assert listed_names(world, gql, {"order": "DEADLINE"}) == [
        "by_co_resident",
        "common",
        "own",
        "neighbours",
        "other_building",
        "anonymous",
    ]
    cases = [
        ({"statuses": ["ASSIGNED"]}, {"own", "other_building"}),
        ({"statuses": ["NEW", "ASSIGNED"]}, ALL_TICKETS),
        ({"statuses": ["DONE"]}, set()),
        ({"openOnly": True}, ALL_TICKETS),
        ({"categoryId": str(world.fast.pk)}, {"by_co_resident", "common"}),
        ({"buildingId": str(cast.building.pk)}, ALL_TICKETS - {"other_building"}),
        ({"buildingId": str(cast.other_building.pk)}, {"other_building"}),
        ({"unitId": str(cast.unit.pk)}, {"own", "by_co_resident"}),
        ({"overdue": True}, {"neighbours"}),
        ({"overdue": False}, ALL_TICKETS - {"neighbours"}),
        ({"reportedByMe": True}, set()),
        ({"assignedToMe": True}, set()),
        (
            {"categoryId": str(world.fast.pk), "buildingId": str(cast.building.pk), "unitId": str(cast.unit.pk)},
            {"by_co_resident"},
        ),
    ]
    for filter_, expected in cases:
        for order in ("NEWEST", "OLDEST", "DEADLINE"):
            assert set(listed_names(world, gql, {"filter": filter_, "order": order})) == expected, (filter_, order)
    Ticket.objects.filter(pk=t["neighbours"].pk).update(status=S.DONE, done_at=timezone.now())
    assert set(listed_names(world, gql, {"filter": {"openOnly": True}})) == ALL_TICKETS - {"neighbours"}
    # Overdue means overdue and still open.
    assert set(listed_names(world, gql, {"filter": {"overdue": True}})) == set()


RESIDENTS = {"reporter", "co_resident", "neighbour", "stranger"}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_household_filter_shows_what_the_viewer_sees_as_a_resident(world, as_, viewer):
    """The resident portal's lists: a firm's and staff's wider view is left out."""
    expected = VISIBLE[viewer] if viewer in RESIDENTS else set()
    gql = as_(viewer)
    assert set(listed_names(world, gql, {"filter": {"household": True}})) == expected
    assert set(listed_names(world, gql, {"filter": {"household": True, "openOnly": True}})) == expected


def test_a_dispatcher_who_lives_here_sees_their_own_households_tickets(world, as_):
    from tests.factories.residents import MembershipFactory

    MembershipFactory(user=world.cast.dispatcher, unit=world.cast.other_unit, verified=True)
    gql = as_("dispatcher")
    assert set(listed_names(world, gql, {"filter": {"household": True}})) == {"neighbours"}
    assert set(listed_names(world, gql, {})) == ALL_TICKETS


def test_filters_never_widen_what_a_resident_or_a_firm_sees(world, as_):
    cast = world.cast
    gql = as_("reporter")
    assert set(listed_names(world, gql, {"filter": {"reportedByMe": True}})) == {"own"}
    assert listed_names(world, gql, {"filter": {"unitId": str(cast.other_unit.pk)}}) == []
    assert listed_names(world, gql, {"filter": {"buildingId": str(cast.other_building.pk)}}) == []
    assert set(listed_names(world, gql, {"filter": {"buildingId": str(cast.building.pk)}})) == {"own", "by_co_resident"}
    assert listed_names(world, gql, {"filter": {"assignedToMe": True}}) == []
    gql = as_("stranger")
    assert listed_names(world, gql, {"filter": {"buildingId": str(cast.building.pk)}}) == []
    assert listed_names(world, gql, {"filter": {"unitId": str(cast.unit.pk)}}) == []
    gql = as_("firm_worker")
    assert listed_names(world, gql, {"filter": {"assignedToMe": True}}) == ["own"]
    assert listed_names(world, gql, {"filter": {"buildingId": str(cast.other_building.pk)}}) == []
    gql = as_("firm_manager")
    assert listed_names(world, gql, {"filter": {"assignedToMe": True}}) == []
    assert listed_names(world, gql, {"filter": {"statuses": ["ASSIGNED"]}}) == ["own"]
    gql = as_("anonymous")
    for filter_ in ({"buildingId": str(cast.building.pk)}, {"openOnly": True}, {"reportedByMe": True}):
        assert gql.data(TICKET_IDS, {"filter": filter_})["tickets"] == {"totalCount": 0, "edges": []}


@pytest.mark.parametrize(
    "filter_",
    [
        {"categoryId": "abc"},
        {"buildingId": "1.5"},
        {"unitId": "-3"},
        {"unitId": str(10**30)},
        {"categoryId": gid("Ticket", 1)},
    ],
)
def test_a_malformed_filter_id_is_bad_user_input(world, as_, filter_):
    result = as_("dispatcher").execute(TICKET_IDS, {"filter": filter_})
    assert error_codes(result) == ["BAD_USER_INPUT"]


# --- Malformed and unknown ids -----------------------------------------------------------------


MALFORMED_IDS = ["abc", "", "VGlja2V0Og==", "Ticket:1", str(10**30)]


@pytest.mark.parametrize("viewer", ["dispatcher", "reporter", "anonymous"])
def test_malformed_ticket_ids_are_bad_user_input(world, as_, viewer):
    gql = as_(viewer)
    firm = world.cast.firm
    malformed = [
        *MALFORMED_IDS,
        gid("Contractor", firm.pk),  # a global id of another type
        gid("Ticket", "abc"),
        gid("Ticket", "-1"),
        gid("Ticket", "0"),
        gid("Ticket", str(2**63)),  # past any database's primary key
        gid("Ticket", "9" * 40),
    ]
    before = snapshot()
    for value in malformed:
        assert error_codes(gql.execute(TICKET, {"id": value})) == ["BAD_USER_INPUT"], value
    for value in ("abc", gid("Contractor", firm.pk), gid("Ticket", "9" * 40)):
        for query, variables in mutation_calls(world, value):
            result = gql.execute(query, variables)
            if viewer == "anonymous" and not result.get("errors"):
                # Refused for not being signed in before the id is read: fine, as long as it is typed.
                assert codes(payload_of(result)) == ["NOT_AUTHENTICATED"], (query, value)
            else:
                assert error_codes(result) == ["BAD_USER_INPUT"], (query, value, result)
    assert snapshot() == before


@pytest.mark.parametrize("pk", [2**31 + 7, 2**63 - 1])
def test_a_huge_but_valid_ticket_id_is_simply_not_found(world, as_, pk):
    gql = as_("dispatcher")
    assert gql.data(TICKET, {"id": gid("Ticket", pk)}) == {"ticket": None}
    for query, variables in mutation_calls(world, gid("Ticket", pk)):
        assert codes(payload_of(gql.execute(query, variables))) == ["NOT_FOUND"], query


@pytest.mark.parametrize("viewer", ["reporter", "neighbour", "stranger", "other_worker", "firm_worker"])
def test_an_invisible_ticket_and_a_missing_one_are_refused_alike(world, as_, viewer):
    gql = as_(viewer)
    invisible = next(t for name, t in world.tickets.items() if name not in VISIBLE[viewer])
    missing = gid("Ticket", Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000)
    before = snapshot()
    for (query, hidden), (_same, gone) in zip(
        mutation_calls(world, tid(invisible)), mutation_calls(world, missing), strict=True
    ):
        hidden_payload = payload_of(gql.execute(query, hidden))
        gone_payload = payload_of(gql.execute(query, gone))
        assert codes(hidden_payload) == ["NOT_FOUND"], query
        assert hidden_payload == gone_payload
    assert gql.data(TICKET, {"id": tid(invisible)}) == gql.data(TICKET, {"id": missing}) == {"ticket": None}
    assert snapshot() == before


def test_anonymous_visitors_are_refused_every_mutation_and_see_nothing(world, as_):
    gql = as_("anonymous")
    before = snapshot()
    for ticket in world.tickets.values():
        assert gql.data(TICKET, {"id": tid(ticket)}) == {"ticket": None}
        for query, variables in mutation_calls(world, tid(ticket)):
            assert codes(payload_of(gql.execute(query, variables))) == ["NOT_AUTHENTICATED"], query
    created = payload_of(gql.execute(CREATE, {"input": create_input(world)}))
    assert created["ticket"] is None and codes(created) == ["NOT_AUTHENTICATED"]
    assert snapshot() == before


# --- ticketCategories --------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", VIEWERS)
def test_every_viewer_gets_the_active_categories_in_order(world, as_, viewer):
    gql = as_(viewer)
    got = gql.data(CATEGORIES)["ticketCategories"]
    expected = list(Category.objects.filter(is_active=True).order_by("sort_order", "name").values_list("pk", flat=True))
    assert [int(c["id"]) for c in got] == expected
    assert str(world.inactive.pk) not in {c["id"] for c in got}


def test_categories_cost_the_same_whatever_their_number(world, as_):
    gql = as_("reporter")
    gql.execute(CATEGORIES)
    few, _ = gql.count_queries(CATEGORIES)
    for _ in range(15):
        tf.CategoryFactory()
    many, data = gql.count_queries(CATEGORIES)
    assert len(data["ticketCategories"]) >= 17
    assert many == few
