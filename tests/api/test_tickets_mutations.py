"""The tickets API's mutations for every kind of viewer: reporting (with and without an
account), comments, and whether `actions` offers exactly what the mutations accept;
typed refusals that change nothing; the workflow from report to reopening.

The world is built once per module (`world` in conftest.py, from `tickets_world.py`); each test runs in a savepoint.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from strawberry import relay

from operations.messaging.models import Message
from operations.tickets.models import Ticket, TicketEvent
from tests.api.tickets_world import (
    ACCEPT,
    ACTIONS,
    ANONYMOUS_CREATE,
    ASSIGN,
    COMMENT,
    CREATE,
    DEADLINE,
    ERROR_CODES,
    RATE,
    REOPEN,
    TICKET,
    TICKET_IDS,
    TRANSITION,
    S,
    codes,
    create_input,
    error_codes,
    gid,
    ids_of,
    payload_of,
    rolled_back,
    sees_internal,
    snapshot,
    tid,
)
from tests.factories import tickets as tf

pytestmark = pytest.mark.django_db


# --- ticketCreate ------------------------------------------------------------------------------


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
