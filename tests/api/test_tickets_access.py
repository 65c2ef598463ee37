"""Access to tickets that ends, through the API and the photo view: reassignment, a firm
that gives a ticket back, a worker who leaves, an ended or pending membership, a
deactivated account, bearer tokens; and mutation payloads that are read back as the
viewer may now see them.

The world is built once per module (`world` in conftest.py, from `tickets_world.py`); each test runs in a savepoint.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from cms.contractors import services as contractors
from cms.contractors.models import ContractorStaff
from operations.residents import services as residents
from operations.residents.models import Membership
from operations.tickets.models import Ticket, TicketPhoto
from tests.api.tickets_world import (
    ACCEPT,
    ASSIGN,
    COMMENT,
    CREATE,
    DEADLINE,
    OWN_PHONE,
    RATE,
    REOPEN,
    TICKET,
    TICKET_IDS,
    TICKETS,
    TRANSITION,
    VIEWERS,
    VISIBLE,
    codes,
    create_input,
    expected_comments,
    gid,
    ids_of,
    mutation_calls,
    payload_of,
    snapshot,
    tid,
)

pytestmark = pytest.mark.django_db


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


# --- A mutation's payload is read back as the viewer may now see it --------------------------------


def test_a_firm_that_gives_a_ticket_back_does_not_receive_it_in_the_payload(world, as_):
    """The hand-back itself takes the ticket out of the firm's sight: the payload says the
    change was made (no errors) and holds no ticket, as `ticket(id)` would answer now."""
    ticket = world.tickets["own"]
    gql = as_("firm_worker")
    payload = payload_of(gql.execute(TRANSITION, {"id": tid(ticket), "status": "ACCEPTED", "note": "Nie mamy części"}))
    assert payload == {"ticket": None, "errors": []}
    ticket.refresh_from_db()
    assert (ticket.status, ticket.contractor_id) == ("accepted", None)


def _sight_lost(user) -> None:
    """What takes a ticket out of a person's sight while their mutation runs (another
    request, committed first): a resident's membership ends, a worker leaves the firm, a
    dispatcher's account is deactivated (staff read every ticket while active)."""
    Membership.objects.filter(user=user, status=Membership.Status.VERIFIED).update(status=Membership.Status.ENDED)
    if ContractorStaff.objects.filter(user=user).exists():
        contractors.contractor_staff_remove(user=user)
    if user.has_perm("tickets.view_ticket"):
        user.is_active = False  # the request's own user, as the selector reads it


# (mutation, the service it calls, viewer, the ticket's status and firm first, variables, the payload's fields)
PAYLOAD_CASES = [
    ("create", "ticket_create", "reporter", None, {}),
    ("comment", "ticket_comment_add", "reporter", ("assigned", True), {"body": "Dzień dobry"}),
    ("transition", "ticket_transition", "firm_worker", ("assigned", True), {"status": "IN_PROGRESS"}),
    ("assign", "ticket_assign", "dispatcher", ("accepted", False), {"contractorId": "firm"}),
    ("accept", "ticket_contractor_accept", "firm_worker", ("assigned", True), {}),
    ("deadline", "ticket_deadline_change", "dispatcher", ("assigned", True), {"dueAt": "later", "reason": "Części"}),
    ("rate", "ticket_rate", "reporter", ("done", True), {"rating": 5}),
    ("reopen", "ticket_reopen", "reporter", ("done", True), {"reason": "Nadal cieknie"}),
]


@pytest.mark.parametrize(
    ("name", "service", "viewer", "start", "extra"), PAYLOAD_CASES, ids=[case[0] for case in PAYLOAD_CASES]
)
def test_a_mutations_payload_holds_no_ticket_the_viewer_may_no_longer_see(
    world, as_, monkeypatch, name, service, viewer, start, extra
):
    """Every mutation reads its payload's ticket through the viewer's selector: when the
    viewer lost sight of the ticket while the change was made, the change stands (no
    errors) and the payload holds neither the ticket nor (for a comment) the comment."""
    from operations.tickets import services

    cast, ticket = world.cast, world.tickets["own"]
    if start is not None:
        status, with_firm = start
        Ticket.objects.filter(pk=ticket.pk).update(
            status=status,
            contractor=cast.firm if with_firm else None,
            worker=cast.firm_worker if with_firm else None,
            contractor_accepted_at=None,
            done_at=timezone.now() - timedelta(days=1) if status == "done" else None,
        )
    real = getattr(services, service)
    changed = []

    def then_sight_lost(**kwargs):
        result = real(**kwargs)
        changed.append(result)
        _sight_lost(kwargs.get("actor") or kwargs.get("author") or kwargs.get("recorded_by") or kwargs["reporter"])
        return result

    monkeypatch.setattr(services, service, then_sight_lost)
    gql = as_(viewer)
    resolve = {"firm": gid("Contractor", cast.firm.pk), "later": (timezone.now() + timedelta(days=9)).isoformat()}
    variables = {key: resolve.get(value, value) for key, value in extra.items()}
    query, variables = PAYLOAD_QUERIES[name], {"id": tid(ticket), **variables}
    if name == "create":
        variables = {"input": create_input(world)}
    payload = payload_of(gql.execute(query, variables))
    assert changed, "the service was called"
    assert payload["errors"] == [] and payload["ticket"] is None, payload
    if name == "comment":
        assert payload["comment"] is None


PAYLOAD_QUERIES = {
    "create": CREATE,
    "comment": COMMENT,
    "transition": TRANSITION,
    "assign": ASSIGN,
    "accept": ACCEPT,
    "deadline": DEADLINE,
    "rate": RATE,
    "reopen": REOPEN,
}
