"""The tickets API for every kind of viewer: who sees which tickets, comments, photos and
contacts; what `actions` offers and whether the mutations agree with it; typed refusals
that change nothing; access that ends (reassignment, ended membership, left firm,
deactivated account); bearer tokens; and SQL query counts that do not grow with the
number of tickets, comments or photos.

One world is built per module (tickets in every place that matters, with public and
internal comments and photos); each test runs in a savepoint inside it.
"""

from __future__ import annotations

import inspect
import io
import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from PIL import Image
from strawberry import relay

from cms.contractors import services as contractors
from operations.messaging.models import Delivery, Message
from operations.residents import services as residents
from operations.residents.models import Membership
from operations.tickets import services
from operations.tickets.errors import TicketErrorCode
from operations.tickets.models import Category, Ticket, TicketComment, TicketEvent, TicketPhoto
from operations.tickets.photos import process_photo
from tests.factories import tickets as tf

pytestmark = pytest.mark.django_db

S = Ticket.Status
ERROR_CODES = {code.value for code in TicketErrorCode}

# --- Operations ------------------------------------------------------------------------------

TICKET_FIELDS = """
  id reference title description status statusLabel source isOverdue location createdAt dueAt
  reopenableUntil workerName rating reopenedCount
  category { id name urgency }
  building { code address estate { name } }
  unit { number building { code } }
  contractor { id name phone }
  contact { name phone email }
  comments { id body isInternal authorName isMine photos { id url thumbnailUrl isInternal } }
  photos { id url thumbnailUrl width height thumbnailWidth thumbnailHeight isInternal }
  history { kind fromStatus toStatus note actorName }
  actions { transitionTo comment commentInternal assign changeDeadline contractorAccept rate reopen }
"""

TICKETS = f"""
query($filter: TicketFilter, $order: TicketOrder! = NEWEST, $first: Int = 100) {{
  tickets(filter: $filter, order: $order, first: $first) {{
    totalCount
    edges {{ node {{ {TICKET_FIELDS} }} }}
  }}
}}
"""

TICKET_IDS = """
query($filter: TicketFilter, $order: TicketOrder! = NEWEST) {
  tickets(filter: $filter, order: $order, first: 100) { totalCount edges { node { id } } }
}
"""

TICKET = f"query($id: ID!) {{ ticket(id: $id) {{ {TICKET_FIELDS} }} }}"

ACTIONS = """
query($id: ID!) {
  ticket(id: $id) {
    id status
    actions { transitionTo comment commentInternal assign changeDeadline contractorAccept rate reopen }
  }
}
"""

CATEGORIES = "{ ticketCategories { id name slug description responseHours resolutionHours urgency } }"

ERRORS = "errors { field message code }"

CREATE = f"""
mutation($input: TicketCreateInput!) {{
  ticketCreate(input: $input) {{ ticket {{ {TICKET_FIELDS} }} {ERRORS} }}
}}
"""

ANONYMOUS_CREATE = f"""
mutation($input: TicketAnonymousCreateInput!) {{
  ticketAnonymousCreate(input: $input) {{ reference {ERRORS} }}
}}
"""

COMMENT = f"""
mutation($id: ID!, $body: String! = "", $internal: Boolean! = false) {{
  ticketCommentAdd(ticketId: $id, body: $body, internal: $internal) {{
    comment {{ id body isInternal isMine photos {{ id }} }}
    ticket {{ id comments {{ body isInternal }} photos {{ id isInternal }} contact {{ phone }} }}
    {ERRORS}
  }}
}}
"""

TRANSITION = f"""
mutation($id: ID!, $status: TicketStatus!, $note: String! = "") {{
  ticketTransition(ticketId: $id, status: $status, note: $note) {{ ticket {{ id status }} {ERRORS} }}
}}
"""

ASSIGN = f"""
mutation($id: ID!, $contractorId: ID!, $workerId: ID, $note: String! = "") {{
  ticketAssign(ticketId: $id, contractorId: $contractorId, workerId: $workerId, note: $note) {{
    ticket {{ id status contractor {{ id }} workerName }} {ERRORS}
  }}
}}
"""

ACCEPT = f"""
mutation($id: ID!) {{ ticketContractorAccept(ticketId: $id) {{ ticket {{ id status }} {ERRORS} }} }}
"""

DEADLINE = f"""
mutation($id: ID!, $dueAt: DateTime!, $reason: String!) {{
  ticketDeadlineChange(ticketId: $id, dueAt: $dueAt, reason: $reason) {{ ticket {{ id dueAt }} {ERRORS} }}
}}
"""

RATE = f"""
mutation($id: ID!, $rating: Int!, $comment: String! = "") {{
  ticketRate(ticketId: $id, rating: $rating, comment: $comment) {{ ticket {{ id status rating }} {ERRORS} }}
}}
"""

REOPEN = f"""
mutation($id: ID!, $reason: String!) {{
  ticketReopen(ticketId: $id, reason: $reason) {{ ticket {{ id status }} {ERRORS} }}
}}
"""

# The same mutations returning every field of the ticket, for the query counts.
FULL = {
    "comment": f"""mutation($id: ID!) {{ ticketCommentAdd(ticketId: $id, body: "Dzień dobry") {{
        comment {{ id body photos {{ id }} }} ticket {{ {TICKET_FIELDS} }} {ERRORS} }} }}""",
    "transition": f"""mutation($id: ID!) {{ ticketTransition(ticketId: $id, status: IN_PROGRESS) {{
        ticket {{ {TICKET_FIELDS} }} {ERRORS} }} }}""",
    "assign": f"""mutation($id: ID!, $contractorId: ID!) {{ ticketAssign(ticketId: $id, contractorId: $contractorId) {{
        ticket {{ {TICKET_FIELDS} }} {ERRORS} }} }}""",
    "accept": f"""mutation($id: ID!) {{ ticketContractorAccept(ticketId: $id) {{
        ticket {{ {TICKET_FIELDS} }} {ERRORS} }} }}""",
    "deadline": f"""mutation($id: ID!, $dueAt: DateTime!) {{
        ticketDeadlineChange(ticketId: $id, dueAt: $dueAt, reason: "Czekamy na część") {{
        ticket {{ {TICKET_FIELDS} }} {ERRORS} }} }}""",
    "rate": f"""mutation($id: ID!) {{ ticketRate(ticketId: $id, rating: 5) {{
        ticket {{ {TICKET_FIELDS} }} {ERRORS} }} }}""",
    "reopen": f"""mutation($id: ID!) {{ ticketReopen(ticketId: $id, reason: "Nadal cieknie") {{
        ticket {{ {TICKET_FIELDS} }} {ERRORS} }} }}""",
}


def gid(type_name: str, pk) -> str:
    return str(relay.GlobalID(type_name, str(pk)))


def tid(ticket) -> str:
    return gid("Ticket", ticket.pk)


def jpeg(width: int = 32, height: int = 24, colour=(10, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG")
    return buffer.getvalue()


_PHOTO = []


def photo():
    """A processed photo, ready for the services (processed once: Pillow is slow)."""
    if not _PHOTO:
        _PHOTO.append(process_photo(jpeg()))
    return _PHOTO[0]


# --- The world ---------------------------------------------------------------------------------

VIEWERS = [
    "anonymous",
    "reporter",
    "co_resident",
    "neighbour",
    "stranger",
    "firm_worker",
    "firm_manager",
    "other_worker",
    "dispatcher",
    "administrator",
    "board",
]
STAFF = {"dispatcher", "administrator", "board"}
ALL_TICKETS = {"own", "by_co_resident", "neighbours", "common", "other_building", "anonymous"}
VISIBLE = {
    "anonymous": set(),
    "reporter": {"own", "by_co_resident"},
    "co_resident": {"own", "by_co_resident"},
    "neighbour": {"neighbours", "common"},
    "stranger": {"other_building"},
    "firm_worker": {"own"},
    "firm_manager": {"own"},
    "other_worker": {"other_building"},
    "dispatcher": ALL_TICKETS,
    "administrator": ALL_TICKETS,
    "board": ALL_TICKETS,
}
OWN_PHONE = "600100200"  # the reporter's call-back phone on the own ticket
ANONYMOUS_PHONE = "+48600999888"


def sees_internal(viewer: str, name: str) -> bool:
    if viewer in STAFF:
        return True
    if viewer in {"firm_worker", "firm_manager"}:
        return name == "own"
    if viewer == "other_worker":
        return name == "other_building"
    return False


@dataclass
class World:
    cast: tf.Cast
    tickets: dict[str, Ticket]
    fast: Category
    inactive: Category

    def user(self, viewer: str):
        return None if viewer == "anonymous" else getattr(self.cast, viewer)

    def name_of(self, global_id: str) -> str:
        pk = int(relay.GlobalID.from_id(global_id).node_id)
        return next(name for name, ticket in self.tickets.items() if ticket.pk == pk)


def anonymous_photos() -> dict:
    """One photo for services.ticket_anonymous_create, which takes the raw uploads (or, in
    older versions, processed photos)."""
    if "uploads" in inspect.signature(services.ticket_anonymous_create).parameters:
        return {"uploads": [jpeg()]}
    return {"photos": [photo()]}


def build_world(cast) -> World:
    slow = cast.category
    fast = tf.CategoryFactory(response_hours=2, resolution_hours=10)
    inactive = tf.CategoryFactory(is_active=False)
    own = services.ticket_create(
        reporter=cast.reporter,
        category=slow,
        unit=cast.unit,
        title="Cieknie kran",
        description="Kapie od wczoraj.",
        contact_phone=OWN_PHONE,
        photos=[photo()],
    )
    services.ticket_assign(ticket=own, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    services.ticket_comment_add(ticket=own, author=cast.dispatcher, body="PUBLIC note from the dispatcher")
    services.ticket_comment_add(
        ticket=own, author=cast.firm_worker, body="INTERNAL note from the firm", internal=True, photos=[photo()]
    )
    services.ticket_comment_add(
        ticket=own, author=cast.dispatcher, body="INTERNAL note from the dispatcher", internal=True
    )
    services.ticket_comment_add(ticket=own, author=cast.reporter, body="PUBLIC reply of the reporter", photos=[photo()])
    by_co_resident = services.ticket_create(
        reporter=cast.co_resident, category=fast, unit=cast.unit, title="Domofon", description="Nie działa."
    )
    neighbours = services.ticket_create(
        reporter=cast.neighbour, category=slow, unit=cast.other_unit, title="Okno", description="Nie domyka się."
    )
    Ticket.objects.filter(pk=neighbours.pk).update(overdue_at=timezone.now())
    common = services.ticket_create(
        reporter=cast.neighbour, category=fast, building=cast.building, title="Lampa", description="Na klatce."
    )
    other_building = tf.report(cast.stranger, category=slow, title="Winda", description="Stoi między piętrami.")
    services.ticket_assign(ticket=other_building, actor=cast.dispatcher, contractor=cast.other_firm)
    services.ticket_comment_add(
        ticket=other_building,
        author=cast.other_worker,
        body="INTERNAL note of the other firm",
        internal=True,
        photos=[photo()],
    )
    services.ticket_comment_add(ticket=other_building, author=cast.other_worker, body="PUBLIC note of the other firm")
    anonymous = services.ticket_anonymous_create(
        category=slow,
        building=cast.building,
        title="Drzwi",
        description="Drzwi wejściowe się nie zamykają.",
        contact_phone="600 999 888",
        ip_address="10.9.8.7",
        **anonymous_photos(),
    )
    tickets = {
        "own": own,
        "by_co_resident": by_co_resident,
        "neighbours": neighbours,
        "common": common,
        "other_building": other_building,
        "anonymous": anonymous,
    }
    for ticket in tickets.values():
        ticket.refresh_from_db()
    return World(cast=cast, tickets=tickets, fast=fast, inactive=inactive)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, api_media_root):
    with override_settings(MEDIA_ROOT=api_media_root):
        with tf.shared_cast(django_db_blocker) as cast:
            yield build_world(cast)


@pytest.fixture
def as_(gql, world):
    def sign_in(viewer: str):
        gql.logout()
        user = world.user(viewer)
        if user is not None:
            gql.login(user)
        return gql

    return sign_in


@contextmanager
def rolled_back():
    """Whatever happens inside is undone (a savepoint rolled back)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def photo_files() -> list[str]:
    folder = Path(django_settings.MEDIA_ROOT) / "ticket-photos"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def snapshot() -> dict:
    """Everything a refused mutation must leave as it was."""
    return {
        "tickets": list(Ticket.objects.order_by("pk").values()),
        "events": list(TicketEvent.objects.order_by("pk").values_list("pk", flat=True)),
        "comments": list(TicketComment.objects.order_by("pk").values_list("pk", flat=True)),
        "photos": list(TicketPhoto.objects.order_by("pk").values_list("pk", flat=True)),
        "messages": Message.objects.count(),
        "deliveries": Delivery.objects.count(),
        "files": photo_files(),
    }


def payload_of(result: dict) -> dict:
    assert not result.get("errors"), result["errors"]
    (payload,) = result["data"].values()
    return payload


def codes(payload: dict) -> list[str]:
    return [error["code"] for error in payload["errors"]]


def error_codes(result: dict) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in result.get("errors") or []]


def ids_of(data: dict) -> list[str]:
    return [edge["node"]["id"] for edge in data["tickets"]["edges"]]


def expected_comments(ticket: Ticket, internal: bool) -> list[str]:
    comments = TicketComment.objects.filter(ticket=ticket).order_by("created_at", "id")
    if not internal:
        comments = comments.filter(is_internal=False)
    return [str(pk) for pk in comments.values_list("pk", flat=True)]


def expected_photos(ticket: Ticket, internal: bool) -> set[str]:
    photos = TicketPhoto.objects.filter(ticket=ticket)
    if not internal:
        photos = photos.filter(is_internal=False)
    return {str(pk) for pk in photos.values_list("pk", flat=True)}


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


def mutation_calls(world, ticket_id: str) -> list[tuple[str, dict]]:
    """Every mutation on an existing ticket, with arguments that would be accepted."""
    later = (timezone.now() + timedelta(days=20)).isoformat()
    return [
        (COMMENT, {"id": ticket_id, "body": "Dzień dobry"}),
        (COMMENT, {"id": ticket_id, "body": "Notatka", "internal": True}),
        (TRANSITION, {"id": ticket_id, "status": "IN_PROGRESS", "note": "Już jadę"}),
        (TRANSITION, {"id": ticket_id, "status": "REJECTED", "note": "Nie nasze"}),
        (ASSIGN, {"id": ticket_id, "contractorId": gid("Contractor", world.cast.firm.pk)}),
        (ACCEPT, {"id": ticket_id}),
        (DEADLINE, {"id": ticket_id, "dueAt": later, "reason": "Czekamy"}),
        (RATE, {"id": ticket_id, "rating": 5}),
        (REOPEN, {"id": ticket_id, "reason": "Nadal cieknie"}),
    ]


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


# --- ticketCreate ------------------------------------------------------------------------------


def create_input(world, **extra) -> dict:
    return {
        "categoryId": str(world.cast.category.pk),
        "unitId": str(world.cast.unit.pk),
        "title": "Nie grzeje kaloryfer",
        "description": "W pokoju od ulicy.",
        **extra,
    }


@pytest.mark.parametrize(
    ("viewer", "extra", "expected"),
    [
        ("reporter", {}, None),
        ("co_resident", {}, None),
        ("reporter", {"unitId": None, "buildingId": "building"}, None),
        ("reporter", {"unitId": "other_unit"}, "PLACE_INVALID"),
        ("neighbour", {}, "PLACE_INVALID"),
        ("stranger", {}, "PLACE_INVALID"),
        ("stranger", {"unitId": None, "buildingId": "building"}, "PLACE_INVALID"),
        ("firm_worker", {}, "PLACE_INVALID"),
        ("other_worker", {"unitId": None, "buildingId": "building"}, "PLACE_INVALID"),
        ("board", {}, "PLACE_INVALID"),
        ("dispatcher", {}, "PLACE_INVALID"),  # staff have no flat of their own here
        ("dispatcher", {"reporterId": "reporter", "source": "PHONE"}, None),
        ("administrator", {"reporterId": "reporter", "source": "OFFICE"}, None),
        ("dispatcher", {"reporterId": "stranger", "source": "PHONE"}, "PLACE_INVALID"),
        ("board", {"reporterId": "reporter", "source": "PHONE"}, "FORBIDDEN"),
        ("reporter", {"source": "PHONE"}, "FORBIDDEN"),
        ("reporter", {"reporterId": "co_resident"}, "FORBIDDEN"),
        ("firm_worker", {"reporterId": "reporter", "source": "PHONE"}, "FORBIDDEN"),
        ("reporter", {"categoryId": "inactive"}, "CATEGORY_INVALID"),
        ("reporter", {"categoryId": "999999"}, "CATEGORY_INVALID"),
        ("reporter", {"unitId": "999999"}, "PLACE_INVALID"),
        ("reporter", {"title": "   "}, "TITLE_REQUIRED"),
        ("reporter", {"latitude": 52.1}, "POSITION_INVALID"),
    ],
)
def test_ticket_create_for_each_viewer(world, as_, viewer, extra, expected):
    cast = world.cast
    resolve = {
        "building": str(cast.building.pk),
        "other_unit": str(cast.other_unit.pk),
        "reporter": str(cast.reporter.pk),
        "stranger": str(cast.stranger.pk),
        "co_resident": str(cast.co_resident.pk),
        "inactive": str(world.inactive.pk),
    }
    extra = {key: resolve.get(value, value) if isinstance(value, str) else value for key, value in extra.items()}
    gql = as_(viewer)
    before = snapshot()
    payload = payload_of(gql.execute(CREATE, {"input": create_input(world, **extra)}))
    if expected is not None:
        assert payload["ticket"] is None and codes(payload) == [expected], payload
        assert snapshot() == before
        return
    assert payload["errors"] == []
    ticket = Ticket.objects.get(pk=relay.GlobalID.from_id(payload["ticket"]["id"]).node_id)
    on_behalf = "reporterId" in extra
    assert ticket.reporter == (cast.reporter if on_behalf else getattr(cast, viewer))
    assert ticket.recorded_by == (getattr(cast, viewer) if on_behalf else None)
    # The reporter's own contact is for those who work it.
    assert (payload["ticket"]["contact"] is not None) == on_behalf
    assert payload["ticket"]["comments"] == [] and payload["ticket"]["photos"] == []
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.CREATED).count() == 1
    # The new ticket is in the reporter's list, and not in a neighbour's.
    as_(viewer)
    assert payload["ticket"]["id"] in ids_of(gql.data(TICKET_IDS))
    assert payload["ticket"]["id"] not in ids_of(as_("neighbour").data(TICKET_IDS))


def test_a_report_in_a_category_with_a_firm_goes_to_that_firm_at_once(world, as_):
    cast = world.cast
    category = tf.CategoryFactory(default_contractor=cast.firm)
    created = payload_of(as_("reporter").execute(CREATE, {"input": create_input(world, categoryId=str(category.pk))}))
    assert created["errors"] == [] and created["ticket"]["status"] == "ASSIGNED"
    assert created["ticket"]["contact"] is None
    ticket_id = created["ticket"]["id"]
    for viewer in ("firm_worker", "firm_manager"):
        seen = as_(viewer).data(TICKET, {"id": ticket_id})["ticket"]
        assert seen is not None and seen["contact"] is not None, viewer
        assert seen["actions"]["contractorAccept"] is True
    for viewer in ("other_worker", "neighbour", "stranger"):
        assert as_(viewer).data(TICKET, {"id": ticket_id}) == {"ticket": None}, viewer


def test_a_malformed_id_in_ticket_create_is_bad_user_input(world, as_):
    gql = as_("reporter")
    before = snapshot()
    for extra in ({"unitId": "abc"}, {"categoryId": "x"}, {"unitId": None, "buildingId": "-1"}):
        assert error_codes(gql.execute(CREATE, {"input": create_input(world, **extra)})) == ["BAD_USER_INPUT"]
    gql = as_("dispatcher")
    bad = create_input(world, reporterId="abc", source="PHONE")
    assert error_codes(gql.execute(CREATE, {"input": bad})) == ["BAD_USER_INPUT"]
    assert snapshot() == before


# --- ticketAnonymousCreate ---------------------------------------------------------------------


def anonymous_input(world, **extra) -> dict:
    return {
        "categoryId": str(world.cast.category.pk),
        "buildingId": str(world.cast.building.pk),
        "title": "Zepsuta lampa",
        "description": "Na parterze.",
        "contactPhone": "601 222 333",
        **extra,
    }


def test_an_anonymous_reporter_gets_the_reference_and_nothing_else(world, as_):
    gql = as_("anonymous")
    payload = payload_of(gql.execute(ANONYMOUS_CREATE, {"input": anonymous_input(world)}))
    assert payload["errors"] == [] and payload["reference"].startswith("ZG/")
    ticket = Ticket.objects.get(contact_phone="+48601222333")
    assert payload["reference"] == ticket.reference and ticket.reporter is None
    # The payload type offers nothing but the reference.
    fields = gql.data('{ __type(name: "TicketAnonymousCreatePayload") { fields { name } } }')["__type"]["fields"]
    assert {field["name"] for field in fields} == {"reference", "errors"}
    # Afterwards the anonymous visitor still sees nothing, not even their own report or its photos.
    assert gql.data(TICKET_IDS)["tickets"]["totalCount"] == 0
    assert gql.data(TICKET, {"id": tid(ticket)}) == {"ticket": None}
    shown = world.tickets["anonymous"].photos.get()
    assert gql.client.get(f"/tickets/photos/{shown.pk}/").status_code == 404
    # Residents of the building do not see it either; staff do, with the contact.
    for viewer in ("reporter", "neighbour", "stranger", "firm_worker"):
        assert as_(viewer).data(TICKET, {"id": tid(ticket)}) == {"ticket": None}, viewer
    seen = as_("dispatcher").data(TICKET, {"id": tid(ticket)})["ticket"]
    assert seen["contact"]["phone"] == "+48601222333"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"contactPhone": ""}, "CONTACT_REQUIRED"),
        ({"contactPhone": "abc"}, "CONTACT_INVALID"),
        ({"categoryId": "999999"}, "CATEGORY_INVALID"),
        ({"buildingId": "999999"}, "PLACE_INVALID"),
        ({"description": " "}, "DESCRIPTION_REQUIRED"),
    ],
)
def test_anonymous_create_refusals_are_typed_and_write_nothing(world, as_, extra, expected):
    gql = as_("anonymous")
    before = snapshot()
    payload = payload_of(gql.execute(ANONYMOUS_CREATE, {"input": anonymous_input(world, **extra)}))
    assert payload["reference"] is None and codes(payload) == [expected]
    assert snapshot() == before


def test_anonymous_create_with_malformed_ids_is_bad_user_input(world, as_):
    gql = as_("anonymous")
    before = snapshot()
    for extra in ({"categoryId": "abc"}, {"buildingId": gid("Ticket", 1)}, {"buildingId": str(10**30)}):
        result = gql.execute(ANONYMOUS_CREATE, {"input": anonymous_input(world, **extra)})
        assert error_codes(result) == ["BAD_USER_INPUT"], extra
    assert snapshot() == before


# --- ticketCommentAdd --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "internal", "expected"),
    [
        ("anonymous", False, "NOT_AUTHENTICATED"),
        ("reporter", False, None),
        ("reporter", True, "FORBIDDEN"),
        ("co_resident", False, None),
        ("co_resident", True, "FORBIDDEN"),
        ("neighbour", False, "NOT_FOUND"),
        ("stranger", False, "NOT_FOUND"),
        ("firm_worker", False, None),
        ("firm_worker", True, None),
        ("firm_manager", True, None),
        ("other_worker", False, "NOT_FOUND"),
        ("other_worker", True, "NOT_FOUND"),
        ("dispatcher", False, None),
        ("dispatcher", True, None),
        ("administrator", True, None),
        ("board", False, "FORBIDDEN"),
        ("board", True, "FORBIDDEN"),
    ],
)
def test_ticket_comment_add_for_each_viewer(world, as_, viewer, internal, expected):
    ticket = world.tickets["own"]
    gql = as_(viewer)
    before = snapshot()
    body = f"Komentarz {viewer} {'wewnętrzny' if internal else 'publiczny'}"
    payload = payload_of(gql.execute(COMMENT, {"id": tid(ticket), "body": body, "internal": internal}))
    if expected is not None:
        assert codes(payload) == [expected] and payload["comment"] is None and payload["ticket"] is None
        assert snapshot() == before
        return
    assert payload["errors"] == []
    assert payload["comment"]["body"] == body and payload["comment"]["isInternal"] == internal
    assert payload["comment"]["isMine"] is True
    # The ticket returned is the ticket as this viewer sees it.
    returned = payload["ticket"]
    privileged = sees_internal(viewer, "own")
    assert any(c["isInternal"] for c in returned["comments"]) == privileged
    assert any(p["isInternal"] for p in returned["photos"]) == privileged
    assert (returned["contact"] is not None) == privileged
    # The reporter hears of public comments by those who work it; nobody of internal ones.
    told = Message.objects.filter(dedupe_key=f"ticket:{ticket.pk}:comment:{payload['comment']['id']}")
    if internal:
        assert not told.exists()
    elif viewer in {"firm_worker", "firm_manager", "dispatcher", "administrator"}:
        assert set(told.values_list("recipient", flat=True)) == {world.cast.reporter.pk}
    else:
        assert world.cast.reporter.pk not in set(told.values_list("recipient", flat=True))


def test_a_comment_with_neither_words_nor_photos_is_refused(world, as_):
    gql = as_("reporter")
    before = snapshot()
    for body in ("", "   "):
        payload = payload_of(gql.execute(COMMENT, {"id": tid(world.tickets["own"]), "body": body}))
        assert codes(payload) == ["COMMENT_REQUIRED"]
    assert snapshot() == before


# --- actions tell the truth ----------------------------------------------------------------------

# (status, firm assigned?, days since done)
STATES = [
    (S.NEW, False, 0),
    (S.ACCEPTED, False, 0),
    (S.ASSIGNED, True, 0),
    (S.IN_PROGRESS, True, 0),
    (S.WAITING, True, 0),
    (S.DONE, True, 0),
    (S.DONE, False, 0),
    (S.DONE, True, 30),
    (S.CLOSED, True, 0),
    (S.REJECTED, False, 0),
]


def put(world, status: str, with_firm: bool, done_days_ago: float) -> None:
    ticket, cast = world.tickets["own"], world.cast
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(
        status=status,
        contractor=cast.firm if with_firm else None,
        worker=cast.firm_worker if with_firm else None,
        contractor_accepted_at=None,
        done_at=now - timedelta(days=done_days_ago) if status in {S.DONE, S.CLOSED} else None,
        closed_at=now if status in {S.CLOSED, S.REJECTED} else None,
    )


def attempts(world) -> list[tuple[str, str, dict, callable]]:
    ticket_id = tid(world.tickets["own"])
    later = (timezone.now() + timedelta(days=20)).isoformat()
    tried = [
        (f"transition to {target}", TRANSITION, {"id": ticket_id, "status": target, "note": "Tak trzeba."}, target)
        for target in ("ACCEPTED", "IN_PROGRESS", "WAITING", "DONE", "CLOSED", "REJECTED")
    ]
    tried = [
        (label, query, variables, lambda a, t=target: t in a["transitionTo"])
        for label, query, variables, target in tried
    ]
    return [
        *tried,
        ("comment", COMMENT, {"id": ticket_id, "body": "Pytanie"}, lambda a: a["comment"]),
        (
            "internal comment",
            COMMENT,
            {"id": ticket_id, "body": "Uwaga", "internal": True},
            lambda a: a["commentInternal"],
        ),
        (
            "assign",
            ASSIGN,
            {"id": ticket_id, "contractorId": gid("Contractor", world.cast.firm.pk)},
            lambda a: a["assign"],
        ),
        ("deadline", DEADLINE, {"id": ticket_id, "dueAt": later, "reason": "Czekamy"}, lambda a: a["changeDeadline"]),
        ("contractor accept", ACCEPT, {"id": ticket_id}, lambda a: a["contractorAccept"]),
        ("rate", RATE, {"id": ticket_id, "rating": 4}, lambda a: a["rate"]),
        ("reopen", REOPEN, {"id": ticket_id, "reason": "Nadal cieknie"}, lambda a: a["reopen"]),
    ]


def actions_mismatches(world, as_, viewer: str) -> list[str]:
    """Every (state, attempt) where `actions` and the mutation disagree."""
    gql = as_(viewer)
    ticket_id = tid(world.tickets["own"])
    problems = []
    for status, with_firm, days in STATES:
        with rolled_back():
            put(world, status, with_firm, days)
            seen = gql.data(ACTIONS, {"id": ticket_id})["ticket"]
            offered_actions = seen["actions"] if seen else None
            before = snapshot()
            for label, query, variables, offered in attempts(world):
                with rolled_back():
                    payload = payload_of(gql.execute(query, variables))
                accepted = payload["errors"] == []
                should = bool(offered_actions) and offered(offered_actions)
                state = f"{status}{' +firm' if with_firm else ''}{f' done {days}d ago' if days else ''}"
                if accepted != should:
                    problems.append(
                        f"{viewer} / {state} / {label}: offered={should} but {codes(payload) or 'accepted'}"
                    )
                if not accepted:
                    assert set(codes(payload)) <= ERROR_CODES and codes(payload), payload
                    assert snapshot() == before, (state, label)
    return problems


@pytest.mark.parametrize("viewer", ["reporter", "firm_worker", "dispatcher", "board"])
def test_actions_offer_exactly_what_the_mutations_accept(world, as_, viewer):
    assert actions_mismatches(world, as_, viewer) == []


@pytest.mark.parametrize(("viewer", "same_as"), [("co_resident", "reporter"), ("administrator", "dispatcher")])
def test_people_of_the_same_part_are_offered_the_same(world, as_, viewer, same_as):
    """A co-resident of the unit is its reporter to the workflow, an administrator a dispatcher
    (the matrix above checks the latter's offers against the mutations)."""
    ticket_id = tid(world.tickets["own"])
    for status, with_firm, days in STATES:
        with rolled_back():
            put(world, status, with_firm, days)
            offered = [as_(name).data(ACTIONS, {"id": ticket_id})["ticket"] for name in (viewer, same_as)]
        assert offered[0] == offered[1], (status, with_firm, days)


@pytest.mark.parametrize("viewer", ["reporter", "firm_worker", "dispatcher"])
def test_assignment_and_reopening_are_never_plain_transitions(world, as_, viewer):
    ticket_id = tid(world.tickets["own"])
    for status, with_firm, days in STATES:
        with rolled_back():
            put(world, status, with_firm, days)
            before = snapshot()
            for target in ("NEW", "ASSIGNED"):
                variables = {"id": ticket_id, "status": target, "note": "Tak trzeba."}
                payload = payload_of(as_(viewer).execute(TRANSITION, variables))
                assert codes(payload) in (["TRANSITION_NOT_ALLOWED"], ["NOT_FOUND"]), (status, target, payload)
            assert snapshot() == before


@pytest.mark.parametrize("status", [S.IN_PROGRESS, S.WAITING])
def test_assignment_is_offered_to_a_dispatcher_only_where_it_is_accepted(world, as_, status):
    gql = as_("dispatcher")
    ticket_id = tid(world.tickets["own"])
    put(world, status, True, 0)
    offered = gql.data(ACTIONS, {"id": ticket_id})["ticket"]["actions"]["assign"]
    payload = payload_of(
        gql.execute(ASSIGN, {"id": ticket_id, "contractorId": gid("Contractor", world.cast.other_firm.pk)})
    )
    assert offered == (payload["errors"] == []), (offered, payload["errors"])


@pytest.mark.parametrize("viewer", ["neighbour", "stranger", "other_worker", "anonymous"])
def test_outsiders_are_refused_every_mutation_in_every_state(world, as_, viewer):
    gql = as_(viewer)
    ticket_id = tid(world.tickets["own"])
    expected = "NOT_AUTHENTICATED" if viewer == "anonymous" else "NOT_FOUND"
    for status, with_firm, days in (STATES[2], STATES[5]):
        with rolled_back():
            put(world, status, with_firm, days)
            before = snapshot()
            assert gql.data(ACTIONS, {"id": ticket_id}) == {"ticket": None}
            for label, query, variables, _offered in attempts(world):
                assert codes(payload_of(gql.execute(query, variables))) == [expected], label
            assert snapshot() == before


def test_refusals_of_each_mutation_are_typed_and_change_nothing(world, as_):
    t, cast = world.tickets, world.cast
    own = tid(t["own"])
    past = (t["own"].created_at - timedelta(hours=1)).isoformat()
    later = (timezone.now() + timedelta(days=3)).isoformat()
    cases = [
        (
            "dispatcher",
            ASSIGN,
            {"id": own, "contractorId": gid("Contractor", cast.firm.pk), "workerId": str(cast.other_worker.pk)},
            "WORKER_INVALID",
        ),
        (
            "dispatcher",
            ASSIGN,
            {"id": own, "contractorId": gid("Contractor", cast.firm.pk), "workerId": str(cast.reporter.pk)},
            "WORKER_INVALID",
        ),
        (
            "dispatcher",
            ASSIGN,
            {"id": own, "contractorId": gid("Contractor", cast.firm.pk), "workerId": "999999"},
            "WORKER_INVALID",
        ),
        ("dispatcher", ASSIGN, {"id": own, "contractorId": gid("Contractor", 999999)}, "CONTRACTOR_INVALID"),
        ("dispatcher", DEADLINE, {"id": own, "dueAt": past, "reason": "Bo tak"}, "DEADLINE_INVALID"),
        ("dispatcher", DEADLINE, {"id": own, "dueAt": later, "reason": "  "}, "NOTE_REQUIRED"),
        ("firm_worker", DEADLINE, {"id": own, "dueAt": later, "reason": "Chcemy więcej czasu"}, "FORBIDDEN"),
        ("reporter", DEADLINE, {"id": own, "dueAt": later, "reason": "Proszę szybciej"}, "FORBIDDEN"),
        ("firm_worker", TRANSITION, {"id": own, "status": "ACCEPTED"}, "NOTE_REQUIRED"),
        ("reporter", TRANSITION, {"id": own, "status": "IN_PROGRESS"}, "TRANSITION_NOT_ALLOWED"),
        ("reporter", ASSIGN, {"id": own, "contractorId": gid("Contractor", cast.other_firm.pk)}, "FORBIDDEN"),
        ("firm_worker", ASSIGN, {"id": own, "contractorId": gid("Contractor", cast.other_firm.pk)}, "FORBIDDEN"),
        ("reporter", RATE, {"id": own, "rating": 5}, "TRANSITION_NOT_ALLOWED"),
        ("reporter", REOPEN, {"id": own, "reason": "Nie działa"}, "TRANSITION_NOT_ALLOWED"),
        ("reporter", ACCEPT, {"id": own}, "FORBIDDEN"),
        ("dispatcher", ACCEPT, {"id": own}, "FORBIDDEN"),
    ]
    for viewer, query, variables, expected in cases:
        before = snapshot()
        payload = payload_of(as_(viewer).execute(query, variables))
        assert codes(payload) == [expected] and payload["ticket"] is None, (viewer, variables, payload)
        assert snapshot() == before
    # A firm that is no longer live cannot be given work.
    from cms.contractors.models import ContractorPage

    ContractorPage.objects.filter(pk=cast.other_firm.pk).update(live=False)
    before = snapshot()
    payload = payload_of(
        as_("dispatcher").execute(ASSIGN, {"id": own, "contractorId": gid("Contractor", cast.other_firm.pk)})
    )
    assert codes(payload) == ["CONTRACTOR_INVALID"] and snapshot() == before
    # Malformed contractor and worker ids are the client's mistake.
    for variables in (
        {"id": own, "contractorId": "abc"},
        {"id": own, "contractorId": gid("Ticket", cast.firm.pk)},
        {"id": own, "contractorId": gid("Contractor", cast.firm.pk), "workerId": "abc"},
    ):
        assert error_codes(as_("dispatcher").execute(ASSIGN, variables)) == ["BAD_USER_INPUT"], variables
    assert snapshot() == before


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_an_out_of_range_rating_is_refused(world, as_, rating):
    put(world, S.DONE, True, 0)
    before = snapshot()
    payload = payload_of(as_("reporter").execute(RATE, {"id": tid(world.tickets["own"]), "rating": rating}))
    assert codes(payload) == ["RATING_INVALID"] and snapshot() == before


def test_a_ticket_done_too_long_ago_cannot_be_reopened(world, as_):
    put(world, S.DONE, True, 30)
    before = snapshot()
    for viewer in ("reporter", "dispatcher"):
        payload = payload_of(as_(viewer).execute(REOPEN, {"id": tid(world.tickets["own"]), "reason": "Dalej cieknie"}))
        assert codes(payload) == ["REOPEN_EXPIRED"], viewer
    assert snapshot() == before


def test_the_workflow_through_the_api_from_report_to_reopening(world, as_):
    """Each step by the person whose step it is, checked against actions on the way."""
    cast = world.cast
    created = payload_of(as_("co_resident").execute(CREATE, {"input": create_input(world)}))["ticket"]
    ticket_id = created["id"]
    steps = [
        ("dispatcher", TRANSITION, {"status": "ACCEPTED"}, "ACCEPTED"),
        (
            "dispatcher",
            ASSIGN,
            {"contractorId": gid("Contractor", cast.firm.pk), "workerId": str(cast.firm_worker.pk)},
            "ASSIGNED",
        ),
        ("firm_worker", ACCEPT, {}, "ASSIGNED"),
        ("firm_worker", TRANSITION, {"status": "IN_PROGRESS"}, "IN_PROGRESS"),
        ("firm_worker", TRANSITION, {"status": "WAITING", "note": "Czekamy na część"}, "WAITING"),
        ("firm_manager", TRANSITION, {"status": "IN_PROGRESS"}, "IN_PROGRESS"),
        ("firm_worker", TRANSITION, {"status": "DONE", "note": "Wymieniono zawór"}, "DONE"),
        ("reporter", REOPEN, {"reason": "Nadal kapie"}, "ASSIGNED"),
        ("firm_worker", TRANSITION, {"status": "IN_PROGRESS"}, "IN_PROGRESS"),
        ("firm_worker", TRANSITION, {"status": "DONE", "note": "Poprawione"}, "DONE"),
        ("co_resident", RATE, {"rating": 4}, "CLOSED"),
    ]
    for viewer, query, variables, status in steps:
        payload = payload_of(as_(viewer).execute(query, {"id": ticket_id, **variables}))
        assert payload["errors"] == [] and payload["ticket"]["status"] == status, (viewer, variables, payload)
    history = as_("reporter").data(TICKET, {"id": ticket_id})["ticket"]["history"]
    assert [entry["kind"] for entry in history].count("STATUS") == 9
    assert history[-1]["toStatus"] == "CLOSED"


# --- Access that ends ----------------------------------------------------------------------------


PHOTO_PATHS = ("/tickets/photos/{}/", "/tickets/photos/{}/thumbnail/")


def fetch(client, photo_pk, **headers) -> list[int]:
    return [client.get(path.format(photo_pk), **headers).status_code for path in PHOTO_PATHS]


def test_reassigning_to_another_firm_ends_the_old_firms_access_at_once(world, as_):
    cast, ticket = world.cast, world.tickets["own"]
    internal_photo = ticket.photos.filter(is_internal=True).get()
    public_photo = ticket.photos.filter(is_internal=False).first()
    gql = as_("firm_worker")
    assert tid(ticket) in ids_of(gql.data(TICKET_IDS))
    assert fetch(gql.client, internal_photo.pk) == [200, 200]

    moved = payload_of(
        as_("dispatcher").execute(ASSIGN, {"id": tid(ticket), "contractorId": gid("Contractor", cast.other_firm.pk)})
    )
    assert moved["errors"] == []

    for viewer in ("firm_worker", "firm_manager"):
        gql = as_(viewer)
        assert ids_of(gql.data(TICKET_IDS)) == [], viewer
        assert gql.data(TICKET, {"id": tid(ticket)}) == {"ticket": None}
        for photo_pk in (internal_photo.pk, public_photo.pk):
            assert fetch(gql.client, photo_pk) == [404, 404], (viewer, photo_pk)
        before = snapshot()
        for query, variables in mutation_calls(world, tid(ticket)):
            assert codes(payload_of(gql.execute(query, variables))) == ["NOT_FOUND"], query
        assert snapshot() == before
    # The new firm sees it all, internal notes of the old firm included (they are the cooperative's).
    gql = as_("other_worker")
    node = gql.data(TICKET, {"id": tid(ticket)})["ticket"]
    assert [c["id"] for c in node["comments"]] == expected_comments(ticket, True)
    assert node["contact"]["phone"].endswith(OWN_PHONE)
    assert fetch(gql.client, internal_photo.pk) == [200, 200]


def test_a_firm_that_gives_a_ticket_back_loses_it(world, as_):
    ticket = world.tickets["own"]
    internal_photo = ticket.photos.filter(is_internal=True).get()
    gql = as_("firm_worker")
    payload = payload_of(gql.execute(TRANSITION, {"id": tid(ticket), "status": "ACCEPTED", "note": "Nie mamy części"}))
    assert payload["errors"] == []
    assert gql.data(TICKET, {"id": tid(ticket)}) == {"ticket": None}
    assert fetch(gql.client, internal_photo.pk) == [404, 404]


def test_a_worker_who_leaves_the_firm_loses_every_ticket_and_photo(world, as_):
    cast, ticket = world.cast, world.tickets["own"]
    photo_pks = list(ticket.photos.values_list("pk", flat=True))
    contractors.contractor_staff_remove(user=cast.firm_worker)
    gql = as_("firm_worker")
    assert gql.data(TICKET_IDS)["tickets"]["totalCount"] == 0
    assert gql.data(TICKET, {"id": tid(ticket)}) == {"ticket": None}
    for photo_pk in photo_pks:
        assert fetch(gql.client, photo_pk) == [404, 404]
    before = snapshot()
    for query, variables in mutation_calls(world, tid(ticket)):
        assert codes(payload_of(gql.execute(query, variables))) == ["NOT_FOUND"], query
    assert snapshot() == before


def end_membership(user) -> None:
    membership = Membership.objects.get(user=user, status=Membership.Status.VERIFIED)
    residents.membership_end(membership=membership, ended_by=user)


def test_an_ex_member_loses_the_units_tickets_reported_by_others(world, as_):
    cast, t = world.cast, world.tickets
    end_membership(cast.co_resident)
    gql = as_("co_resident")
    assert tid(t["own"]) not in ids_of(gql.data(TICKET_IDS))
    assert gql.data(TICKET, {"id": tid(t["own"])}) == {"ticket": None}
    for photo in t["own"].photos.all():
        assert fetch(gql.client, photo.pk) == [404, 404]
    before = snapshot()
    for query, variables in mutation_calls(world, tid(t["own"])):
        assert codes(payload_of(gql.execute(query, variables))) == ["NOT_FOUND"], query
    assert codes(payload_of(gql.execute(CREATE, {"input": create_input(world)}))) == ["PLACE_INVALID"]
    assert snapshot() == before


def test_an_ex_member_loses_even_the_tickets_they_reported(world, as_):
    cast, t = world.cast, world.tickets
    end_membership(cast.co_resident)
    gql = as_("co_resident")
    assert gql.data(TICKET_IDS)["tickets"]["totalCount"] == 0
    assert gql.data(TICKET, {"id": tid(t["by_co_resident"])}) == {"ticket": None}
    payload = payload_of(gql.execute(COMMENT, {"id": tid(t["by_co_resident"]), "body": "Już tu nie mieszkam"}))
    assert codes(payload) == ["NOT_FOUND"]


def test_a_pending_membership_gives_no_access(world, as_, gql):
    from tests.factories.residents import MembershipFactory, UserFactory

    pending = UserFactory()
    MembershipFactory(user=pending, unit=world.cast.unit)
    gql.login(pending)
    assert gql.data(TICKET_IDS)["tickets"]["totalCount"] == 0
    assert gql.data(TICKET, {"id": tid(world.tickets["own"])}) == {"ticket": None}
    photo_pk = world.tickets["own"].photos.filter(is_internal=False).first().pk
    assert fetch(gql.client, photo_pk) == [404, 404]


@pytest.mark.parametrize("viewer", ["reporter", "firm_worker", "dispatcher", "board"])
def test_a_deactivated_account_sees_nothing_and_changes_nothing(world, as_, viewer):
    gql = as_(viewer)  # signed in while still active
    ticket = world.tickets["own"]
    assert gql.data(TICKET, {"id": tid(ticket)})["ticket"] is not None
    type(world.cast.reporter).objects.filter(pk=world.user(viewer).pk).update(is_active=False)
    assert gql.data(TICKET_IDS)["tickets"]["totalCount"] == 0
    assert gql.data(TICKET, {"id": tid(ticket)}) == {"ticket": None}
    for photo in ticket.photos.all():
        assert fetch(gql.client, photo.pk) == [404, 404]
    before = snapshot()
    for query, variables in mutation_calls(world, tid(ticket)):
        assert codes(payload_of(gql.execute(query, variables))) == ["NOT_AUTHENTICATED"], query
    assert codes(payload_of(gql.execute(CREATE, {"input": create_input(world)}))) == ["NOT_AUTHENTICATED"]
    assert snapshot() == before


# --- Photos over HTTP agree with the API -------------------------------------------------------


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_photo_view_serves_exactly_the_photos_the_api_lists(world, as_, viewer):
    gql = as_(viewer)
    listed = {int(p["id"]) for edge in gql.data(TICKETS)["tickets"]["edges"] for p in edge["node"]["photos"]}
    for photo in TicketPhoto.objects.filter(ticket__in=[t.pk for t in world.tickets.values()]):
        expected = [200, 200] if photo.pk in listed else [404, 404]
        assert fetch(gql.client, photo.pk) == expected, (viewer, photo.pk, photo.is_internal)


def test_photo_urls_in_the_api_lead_to_the_photo_view(world, as_):
    node = as_("reporter").data(TICKET, {"id": tid(world.tickets["own"])})["ticket"]
    client = as_("reporter").client
    for shown in node["photos"]:
        assert shown["url"] == f"http://testserver/tickets/photos/{shown['id']}/"
        assert shown["thumbnailUrl"] == f"http://testserver/tickets/photos/{shown['id']}/thumbnail/"
        response = client.get(shown["url"].removeprefix("http://testserver"))
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content).startswith(b"\xff\xd8")


def test_the_photo_view_refuses_odd_ids_with_a_404(world, as_):
    client = as_("dispatcher").client
    for path in ("/tickets/photos/99999999/", "/tickets/photos/99999999999999999999999999/thumbnail/"):
        assert client.get(path).status_code == 404, path


# --- Bearer tokens -----------------------------------------------------------------------------


def token_for(user) -> str:
    return residents.api_token_issue(user=user, client_name="Telefon testowy")


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_bearer_token_fetches_the_photos_its_owner_may_see(world, client):
    ticket = world.tickets["own"]
    public_photo = ticket.photos.filter(is_internal=False).first()
    internal_photo = ticket.photos.filter(is_internal=True).get()
    resident_token = token_for(world.cast.reporter)
    assert fetch(client, public_photo.pk, **bearer(resident_token)) == [200, 200]
    assert fetch(client, internal_photo.pk, **bearer(resident_token)) == [404, 404]
    head = client.head(f"/tickets/photos/{public_photo.pk}/", **bearer(resident_token))
    assert head.status_code == 200
    firm_token = token_for(world.cast.firm_worker)
    assert fetch(client, internal_photo.pk, **bearer(firm_token)) == [200, 200]
    stranger_token = token_for(world.cast.stranger)
    assert fetch(client, public_photo.pk, **bearer(stranger_token)) == [404, 404]
    # Without a token, nobody.
    assert fetch(client, public_photo.pk) == [404, 404]


def test_a_bearer_token_works_on_the_api_without_csrf(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/graphql",
        data=json.dumps({"query": TICKET_IDS}),
        content_type="application/json",
        **bearer(token_for(world.cast.reporter)),
    )
    assert response.status_code == 200
    names = {world.name_of(edge["node"]["id"]) for edge in response.json()["data"]["tickets"]["edges"]}
    assert names == VISIBLE["reporter"]


def test_a_bearer_token_is_not_accepted_outside_the_api_and_its_files(world, client):
    token = token_for(world.cast.dispatcher)
    admin = client.get("/admin/", **bearer(token))
    assert admin.status_code == 302 and "/login/" in admin["Location"]
    photo_pk = world.tickets["own"].photos.first().pk
    # Files are read with GET and HEAD only; a token does not make a POST anything else.
    assert client.post(f"/tickets/photos/{photo_pk}/", **bearer(token)).status_code == 405


def test_a_request_with_a_token_speaks_for_the_token_alone(world, client):
    photo_pk = world.tickets["own"].photos.filter(is_internal=False).first().pk
    client.force_login(world.cast.reporter)
    assert fetch(client, photo_pk) == [200, 200]
    assert fetch(client, photo_pk, **bearer("not-a-real-token")) == [404, 404]
    assert fetch(client, photo_pk, **bearer(token_for(world.cast.stranger))) == [404, 404]


def test_a_revoked_or_expired_token_or_an_inactive_owner_fetches_nothing(world, client, settings):
    from wagtail.models import APIToken

    photo_pk = world.tickets["own"].photos.filter(is_internal=False).first().pk
    revoked = token_for(world.cast.reporter)
    residents.api_token_revoke(raw_token=revoked)
    assert fetch(client, photo_pk, **bearer(revoked)) == [404, 404]
    old = token_for(world.cast.reporter)
    APIToken.objects.filter(user=world.cast.reporter, revoked_at__isnull=True).update(
        created=timezone.now() - timedelta(days=settings.API_TOKEN_TTL_DAYS + 1)
    )
    assert fetch(client, photo_pk, **bearer(old)) == [404, 404]
    inactive = token_for(world.cast.co_resident)
    type(world.cast.co_resident).objects.filter(pk=world.cast.co_resident.pk).update(is_active=False)
    assert fetch(client, photo_pk, **bearer(inactive)) == [404, 404]


# --- Query counts --------------------------------------------------------------------------------


def busy_ticket(world, n: int) -> Ticket:
    """A ticket of the reporter's unit, assigned to the firm, with public and internal comments
    and photos, and a history of several entries."""
    cast = world.cast
    ticket = services.ticket_create(
        reporter=cast.reporter,
        category=world.cast.category,
        unit=cast.unit,
        title=f"Usterka {n}",
        description="Opis usterki.",
        photos=[photo()],
    )
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    services.ticket_comment_add(ticket=ticket, author=cast.dispatcher, body="Publiczny", photos=[photo()])
    services.ticket_comment_add(
        ticket=ticket, author=cast.firm_worker, body="Wewnętrzny", internal=True, photos=[photo()]
    )
    return ticket


def measure(gql, query: str, variables: dict | None = None) -> tuple[int, dict]:
    gql.execute(query, variables)  # warm-up: sessions, content types, caches
    return gql.count_queries(query, variables)


def report_counts(name: str, few: int, many: int) -> None:
    """What a counting test measured (shown with pytest -s)."""
    print(f"queries {name}: {few} -> {many}")


def test_the_list_costs_the_same_for_2_and_12_busy_tickets(world, as_):
    viewers = ("reporter", "firm_worker", "dispatcher", "board")
    for n in range(2):
        busy_ticket(world, n)
    few = {}
    for viewer in viewers:
        few[viewer], data = measure(as_(viewer), TICKETS)
        assert data["tickets"]["totalCount"] >= 2
    for n in range(2, 12):
        busy_ticket(world, n)
    for viewer in viewers:
        many, data = measure(as_(viewer), TICKETS)
        counts = [len(edge["node"]["comments"]) for edge in data["tickets"]["edges"]]
        assert data["tickets"]["totalCount"] >= 12 and sum(counts) >= 12
        report_counts(f"tickets/{viewer}", few[viewer], many)
        assert many == few[viewer], (viewer, few[viewer], many)


def test_a_page_holds_at_most_the_maximum_and_costs_the_same_as_a_short_one(world, as_):
    cast = world.cast
    maximum = django_settings.GRAPHQL_MAX_PAGE_SIZE
    gql = as_("reporter")
    few, data = measure(gql, TICKETS, {"first": maximum})
    assert data["tickets"]["totalCount"] == 2
    now = timezone.now()
    Ticket.objects.bulk_create(
        Ticket(
            category=cast.category,
            title=f"Zgłoszenie {n}",
            description="Opis.",
            building=cast.building,
            unit=cast.unit,
            reporter=cast.co_resident,
            created_at=now - timedelta(minutes=n),
            response_due_at=now + timedelta(hours=4),
            due_at=now + timedelta(hours=48),
        )
        for n in range(maximum + 5)
    )
    many, data = measure(gql, TICKETS, {"first": maximum})
    assert data["tickets"]["totalCount"] == maximum + 7
    assert len(data["tickets"]["edges"]) == maximum
    report_counts("tickets/reporter, 2 vs a full page", few, many)
    assert many == few
    # Asking for more than the maximum is the client's mistake; asking for nothing gives at most a page.
    assert error_codes(gql.execute(TICKET_IDS.replace("first: 100", "first: 1000"))) == ["BAD_USER_INPUT"]
    unbounded = gql.data("{ tickets { edges { node { id } } } }")["tickets"]["edges"]
    assert 0 < len(unbounded) <= maximum


def test_one_ticket_costs_the_same_with_1_and_10_comments_and_photos(world, as_):
    cast = world.cast
    ticket = busy_ticket(world, 0)
    viewers = ("reporter", "firm_worker", "dispatcher")
    few = {viewer: measure(as_(viewer), TICKET, {"id": tid(ticket)})[0] for viewer in viewers}
    for n in range(9):
        services.ticket_comment_add(ticket=ticket, author=cast.reporter, body=f"Jeszcze {n}", photos=[photo()])
        services.ticket_comment_add(
            ticket=ticket, author=cast.firm_worker, body=f"Notatka {n}", internal=True, photos=[photo()][: n % 2]
        )
        services.ticket_deadline_change(
            ticket=ticket, actor=cast.dispatcher, due_at=timezone.now() + timedelta(days=n + 3), reason=f"Powód {n}"
        )
    for viewer in viewers:
        many, data = measure(as_(viewer), TICKET, {"id": tid(ticket)})
        assert len(data["ticket"]["comments"]) >= 10 and len(data["ticket"]["photos"]) >= 10
        report_counts(f"ticket/{viewer}", few[viewer], many)
        assert many == few[viewer], (viewer, few[viewer], many)


MUTATION_CASES = [
    # (name, viewer, status to start from, extra variables)
    ("comment", "reporter", S.ASSIGNED, {}),
    ("comment", "firm_worker", S.ASSIGNED, {}),
    ("transition", "firm_worker", S.ASSIGNED, {}),
    ("assign", "dispatcher", S.ASSIGNED, {"contractorId": "other_firm"}),
    ("accept", "firm_worker", S.ASSIGNED, {}),
    ("deadline", "dispatcher", S.ASSIGNED, {"dueAt": "later"}),
    ("rate", "reporter", S.DONE, {}),
    ("reopen", "reporter", S.DONE, {}),
]


def test_mutations_cost_the_same_whatever_the_ticket_already_holds(world, as_):
    cast = world.cast
    ticket = busy_ticket(world, 0)
    resolve = {
        "other_firm": gid("Contractor", cast.other_firm.pk),
        "later": (timezone.now() + timedelta(days=9)).isoformat(),
    }

    def run_all() -> dict[str, int]:
        counts = {}
        for name, viewer, status, extra in MUTATION_CASES:
            variables = {"id": tid(ticket), **{key: resolve[value] for key, value in extra.items()}}
            gql = as_(viewer)
            gql.execute(ACTIONS, {"id": tid(ticket)})  # warm-up: sessions, content types
            with rolled_back():
                Ticket.objects.filter(pk=ticket.pk).update(
                    status=status, done_at=timezone.now() if status == S.DONE else None
                )
                with CaptureQueriesContext(connection) as captured:
                    payload = payload_of(gql.execute(FULL[name], variables))
                assert payload["errors"] == [], (name, payload)
            counts[f"{name}/{viewer}"] = len(captured.captured_queries)
        return counts

    run_all()  # warm-up
    few = run_all()
    for n in range(10):
        services.ticket_comment_add(ticket=ticket, author=cast.reporter, body=f"Jeszcze {n}", photos=[photo()])
        services.ticket_comment_add(ticket=ticket, author=cast.dispatcher, body=f"Notatka {n}", internal=True)
    many = run_all()
    for key in few:
        report_counts(f"mutation {key}", few[key], many[key])
    assert many == few


def test_creating_costs_the_same_whatever_the_reporter_already_reported(world, as_):
    gql = as_("reporter")

    def create_count() -> int:
        with rolled_back():
            with CaptureQueriesContext(connection) as captured:
                payload = payload_of(gql.execute(CREATE, {"input": create_input(world)}))
            assert payload["errors"] == []
        return len(captured.captured_queries)

    create_count()  # warm-up
    few = create_count()
    for n in range(6):
        busy_ticket(world, n)
    many = create_count()
    report_counts("mutation create/reporter", few, many)
    assert many == few
