"""The tickets API end to end: reporting (with photos), the list and one ticket for each
kind of viewer, working a ticket through its mutations, and typed refusals.

The viewer matrix and query counts of every operation are in test_tickets_visibility.py;
this module follows one ticket's life through the API as the frontends would.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from operations.messaging.models import Message
from operations.tickets import services
from operations.tickets.models import Ticket, TicketPhoto
from tests.api.tickets_uploads_kit import create_input
from tests.factories import tickets as t
from tests.factories.graphql import gid

pytestmark = pytest.mark.django_db

TICKET_FIELDS = """
  id reference title status statusLabel isOverdue location
  category { name urgency } building { code } unit { number }
  contractor { id name } workerName
  contact { name phone }
  comments { body isInternal authorName isMine photos { id } }
  photos { id url thumbnailUrl width height isInternal }
  history { kind fromStatus toStatus note actorName }
  actions { transitionTo comment commentInternal assign changeDeadline contractorAccept rate reopen }
"""

CREATE = f"""
mutation($input: TicketCreateInput!, $photos: [Upload!]) {{
  ticketCreate(input: $input, photos: $photos) {{
    ticket {{ {TICKET_FIELDS} }}
    errors {{ field message ... on TicketError {{ code }} }}
  }}
}}
"""

TICKETS = f"""
query($filter: TicketFilter, $order: TicketOrder) {{
  tickets(filter: $filter, order: $order, first: 50) {{ totalCount edges {{ node {{ {TICKET_FIELDS} }} }} }}
}}
"""

TICKET = f"query($id: ID!) {{ ticket(id: $id) {{ {TICKET_FIELDS} }} }}"

TRANSITION = f"""
mutation($id: ID!, $status: TicketStatus!, $note: String! = "") {{
  ticketTransition(ticketId: $id, status: $status, note: $note) {{
    ticket {{ {TICKET_FIELDS} }}
    errors {{ field message ... on TicketError {{ code }} }}
  }}
}}
"""

ASSIGN = """
mutation($id: ID!, $contractorId: ID!, $workerId: ID) {
  ticketAssign(ticketId: $id, contractorId: $contractorId, workerId: $workerId) {
    ticket { status contractor { name } workerName }
    errors { field message ... on TicketError { code } }
  }
}
"""

COMMENT = """
mutation($id: ID!, $body: String!, $internal: Boolean! = false) {
  ticketCommentAdd(ticketId: $id, body: $body, internal: $internal) {
    comment { body isInternal isMine }
    ticket { comments { body } }
    errors { field message ... on TicketError { code } }
  }
}
"""

RATE = """
mutation($id: ID!, $rating: Int!) {
  ticketRate(ticketId: $id, rating: $rating) {
    ticket { status rating }
    errors { field message ... on TicketError { code } }
  }
}
"""

ANONYMOUS = """
mutation($input: TicketAnonymousCreateInput!) {
  ticketAnonymousCreate(input: $input) {
    reference
    errors { field message ... on TicketError { code } }
  }
}
"""


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x8825] = {2: (52.0, 14.0, 0.0), 1: "N"}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def upload(client, query: str, variables: dict, files: dict[str, bytes], paths: dict[str, list[str]]):
    """A multipart GraphQL request (the GraphQL multipart request spec), as a browser sends it."""
    import json

    data = {"operations": json.dumps({"query": query, "variables": variables}), "map": json.dumps(paths)}
    for key, content in files.items():
        data[key] = SimpleUploadedFile(f"{key}.jpg", content, content_type="image/jpeg")
    response = client.post("/graphql", data=data)
    assert response.status_code == 200, response.content[:500]
    return response.json()


@pytest.fixture
def cast():
    return t.build_cast()


def test_a_resident_reports_with_a_photo_and_the_gps_position_is_gone(client, gql, cast):
    gql.login(cast.reporter)
    variables = {"input": create_input(cast), "photos": [None]}
    result = upload(client, CREATE, variables, {"0": jpeg_with_gps()}, {"0": ["variables.photos.0"]})
    payload = result["data"]["ticketCreate"]
    assert payload["errors"] == []
    ticket = payload["ticket"]
    assert ticket["status"] == "NEW" and ticket["reference"].startswith("ZG/")
    assert len(ticket["photos"]) == 1
    photo = TicketPhoto.objects.get()
    with photo.file.open("rb") as stored:
        assert Image.open(stored).getexif().get(0x8825) is None
    # The reporter may fetch it; a resident of another building gets a 404.
    assert client.get(f"/tickets/photos/{photo.pk}/").status_code == 200
    client.force_login(cast.stranger)
    assert client.get(f"/tickets/photos/{photo.pk}/").status_code == 404
    assert client.get(f"/tickets/photos/{photo.pk}/thumbnail/").status_code == 404


def test_a_renamed_text_file_is_refused_and_nothing_is_written(client, gql, cast):
    gql.login(cast.reporter)
    variables = {"input": create_input(cast), "photos": [None, None]}
    files = {"0": jpeg_with_gps(), "1": b"not an image at all"}
    result = upload(client, CREATE, variables, files, {"0": ["variables.photos.0"], "1": ["variables.photos.1"]})
    payload = result["data"]["ticketCreate"]
    assert payload["ticket"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("photos.1", "PHOTO_FORMAT")]
    assert not Ticket.objects.exists() and not TicketPhoto.objects.exists()


def test_the_ticket_is_worked_through_to_a_rating(gql, cast):
    gql.login(cast.reporter)
    created = gql.data(CREATE, {"input": create_input(cast)})["ticketCreate"]
    ticket_id = created["ticket"]["id"]
    assert created["ticket"]["contact"] is None  # the reporter's own contact is for those who work it
    assert created["ticket"]["actions"]["transitionTo"] == []

    gql.login(cast.dispatcher)
    assigned = gql.data(
        ASSIGN,
        {"id": ticket_id, "contractorId": gid("Contractor", cast.firm.pk), "workerId": str(cast.firm_worker.pk)},
    )["ticketAssign"]
    assert assigned["errors"] == [] and assigned["ticket"]["status"] == "ASSIGNED"

    gql.login(cast.firm_worker)
    seen = gql.data(TICKET, {"id": ticket_id})["ticket"]
    assert seen["contact"]["name"] == "Anna Nowak"
    assert set(seen["actions"]["transitionTo"]) == {"ACCEPTED", "IN_PROGRESS"}
    gql.data(COMMENT, {"id": ticket_id, "body": "Klucz u dozorcy", "internal": True})
    started = gql.data(TRANSITION, {"id": ticket_id, "status": "IN_PROGRESS"})["ticketTransition"]
    assert started["errors"] == []
    refused = gql.data(TRANSITION, {"id": ticket_id, "status": "DONE"})["ticketTransition"]
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("note", "NOTE_REQUIRED")]
    done = gql.data(TRANSITION, {"id": ticket_id, "status": "DONE", "note": "Wymieniono uszczelkę"})
    assert done["ticketTransition"]["ticket"]["status"] == "DONE"

    gql.login(cast.reporter)
    mine = gql.data(TICKET, {"id": ticket_id})["ticket"]
    assert [c["body"] for c in mine["comments"]] == []  # the internal note stays internal
    assert mine["actions"]["rate"] and mine["actions"]["reopen"]
    rated = gql.data(RATE, {"id": ticket_id, "rating": 5})["ticketRate"]
    assert rated == {"ticket": {"status": "CLOSED", "rating": 5}, "errors": []}
    assert Message.objects.filter(recipient=cast.reporter).count() >= 3


def test_a_ticket_of_someone_else_is_not_found_whether_it_exists_or_not(gql, cast):
    ticket = t.report(cast.reporter, category=cast.category)
    gql.login(cast.stranger)
    assert gql.data(TICKET, {"id": gid("Ticket", ticket.pk)}) == {"ticket": None}
    for pk in (ticket.pk, 10**9):
        result = gql.data(COMMENT, {"id": gid("Ticket", pk), "body": "Hej"})["ticketCommentAdd"]
        assert [e["code"] for e in result["errors"]] == ["NOT_FOUND"]
    assert not ticket.comments.exists()


def test_lists_are_scoped_and_filtered(gql, cast):
    mine = t.report(cast.reporter, category=cast.category)
    t.report(cast.neighbour, category=cast.category)
    gql.login(cast.reporter)
    listed = gql.data(TICKETS)["tickets"]
    assert [edge["node"]["id"] for edge in listed["edges"]] == [gid("Ticket", mine.pk)]
    gql.login(cast.dispatcher)
    assert gql.data(TICKETS)["tickets"]["totalCount"] == 2
    assert gql.data(TICKETS, {"filter": {"statuses": ["DONE"]}})["tickets"]["totalCount"] == 0
    gql.logout()
    assert gql.data(TICKETS)["tickets"]["totalCount"] == 0


def test_anonymous_report_returns_only_the_reference_and_is_limited(gql, cast, settings):
    settings.TICKET_ANONYMOUS_LIMIT_PER_CONTACT = 2
    variables = {
        "input": {
            "categoryId": str(cast.category.pk),
            "buildingId": str(cast.building.pk),
            "title": "Nie świeci lampa",
            "description": "Na klatce schodowej, 2 piętro.",
            "contactPhone": "600 123 456",
        }
    }
    for _ in range(2):
        payload = gql.data(ANONYMOUS, variables)["ticketAnonymousCreate"]
        assert payload["errors"] == [] and payload["reference"].startswith("ZG/")
    refused = gql.data(ANONYMOUS, variables)["ticketAnonymousCreate"]
    assert [e["code"] for e in refused["errors"]] == ["RATE_LIMITED"] and refused["reference"] is None
    assert Ticket.objects.filter(reporter=None, contact_phone="+48600123456").count() == 2
    no_contact = {"input": {**variables["input"], "contactPhone": ""}}
    assert [e["code"] for e in gql.data(ANONYMOUS, no_contact)["ticketAnonymousCreate"]["errors"]] == [
        "CONTACT_REQUIRED"
    ]


STATISTICS = """
query($since: DateTime, $until: DateTime) {
  ticketStatistics(since: $since, until: $until) {
    since until
    today { reported handedToContractors done notDone rejected overdue avgFirstResponseHours avgResolutionHours }
    period { reported handedToContractors done notDone rejected overdue avgFirstResponseHours avgResolutionHours }
    byCategory { id label figures { reported } }
    byBuilding { id label figures { reported } }
    byContractor { id label figures { reported handedToContractors } }
    clusters { buildingId buildingLabel categoryId categoryLabel count }
  }
}
"""


def test_statistics_are_for_dispatchers_administrators_and_the_board_only(gql, cast):
    first = t.report(cast.reporter, category=cast.category)
    t.report(cast.co_resident, category=cast.category)
    services.ticket_assign(ticket=first, actor=cast.dispatcher, contractor=cast.firm)
    for viewer in (None, cast.reporter, cast.stranger, cast.firm_worker):
        gql.logout()
        if viewer is not None:
            gql.login(viewer)
        assert gql.data(STATISTICS) == {"ticketStatistics": None}
    for viewer in (cast.dispatcher, cast.administrator, cast.board):
        gql.login(viewer)
        figures = gql.data(STATISTICS)["ticketStatistics"]
        assert figures["today"]["reported"] == figures["period"]["reported"] == 2
        assert figures["period"]["handedToContractors"] == 1 and figures["period"]["notDone"] == 2
        assert figures["period"]["avgFirstResponseHours"] is not None
        assert [(row["label"], row["figures"]["reported"]) for row in figures["byContractor"]] == [
            (cast.firm.title, 1),
            ("Bez wykonawcy", 1),  # Polish is the default language
        ]
        assert figures["clusters"] == [
            {
                "buildingId": str(cast.building.pk),
                "buildingLabel": str(cast.building),
                "categoryId": str(cast.category.pk),
                "categoryLabel": cast.category.name,
                "count": 2,
            }
        ]


def test_statistics_refuse_a_period_that_ends_before_it_starts(gql, cast):
    gql.login(cast.dispatcher)
    result = gql.execute(STATISTICS, {"since": "2026-05-02T00:00:00+02:00", "until": "2026-05-01T00:00:00+02:00"})
    assert result["data"] == {"ticketStatistics": None}
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_statistics_cost_the_same_queries_for_few_and_many_tickets(gql, cast):
    other_category = t.CategoryFactory()
    t.report(cast.reporter, category=cast.category)
    gql.login(cast.dispatcher)
    few, _ = gql.count_queries(STATISTICS)
    for index in range(8):
        ticket = t.report(cast.reporter, category=other_category if index % 2 else cast.category)
        firm = cast.firm if index % 3 else cast.other_firm
        services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=firm)
    many, data = gql.count_queries(STATISTICS)
    assert data["ticketStatistics"]["period"]["reported"] == 9
    assert few == many


def test_a_contact_phone_is_stored_in_the_international_form_and_a_bad_one_refused(gql, cast):
    gql.login(cast.reporter)
    good = gql.data(CREATE, {"input": create_input(cast, contactPhone="600-123-456")})["ticketCreate"]
    assert good["errors"] == []
    assert Ticket.objects.get().contact_phone == "+48600123456"
    bad = gql.data(CREATE, {"input": create_input(cast, contactPhone="+48 (22) 641 28 37 wew. 12")})["ticketCreate"]
    assert [(e["field"], e["code"]) for e in bad["errors"]] == [("contactPhone", "CONTACT_INVALID")]
    assert Ticket.objects.count() == 1


def test_a_reopened_ticket_waits_for_the_firm_to_accept_it_again(cast):
    ticket = t.report(cast.reporter, category=cast.category)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm)
    services.ticket_contractor_accept(ticket=ticket, actor=cast.firm_worker)
    services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status="in_progress")
    services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status="done", note="Gotowe")
    services.ticket_reopen(ticket=ticket, actor=cast.reporter, reason="Dalej cieknie")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.ASSIGNED and ticket.contractor_accepted_at is None


def test_the_dispatchers_note_on_an_assignment_is_for_the_firm_not_the_resident(gql, cast):
    ticket = t.report(cast.reporter, category=cast.category)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, note="Klucz u dozorcy, pies.")
    history = "query($id: ID!) { ticket(id: $id) { history { kind note } } }"
    notes = {}
    for name in ("reporter", "firm_worker", "dispatcher"):
        gql.login(getattr(cast, name))
        events = gql.data(history, {"id": gid("Ticket", ticket.pk)})["ticket"]["history"]
        notes[name] = [event["note"] for event in events if event["kind"] == "ASSIGNED"]
    assert notes == {
        "reporter": [""],
        "firm_worker": ["Klucz u dozorcy, pies."],
        "dispatcher": ["Klucz u dozorcy, pies."],
    }
    firm_message = Message.objects.get(recipient=cast.firm_worker, dedupe_key__startswith=f"ticket:{ticket.pk}:event")
    assert "Klucz u dozorcy, pies." in firm_message.body_text
    assert not Message.objects.filter(recipient=cast.reporter, body_text__contains="Klucz u dozorcy").exists()


def test_the_firm_of_a_ticket_is_named_by_the_id_ticket_assign_takes(gql, cast):
    ticket = t.report(cast.reporter, category=cast.category)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm)
    gql.login(cast.dispatcher)
    firm_id = gql.data(TICKET, {"id": gid("Ticket", ticket.pk)})["ticket"]["contractor"]["id"]
    assert firm_id == gid("Contractor", cast.firm.pk)
    moved = gql.data(ASSIGN, {"id": gid("Ticket", ticket.pk), "contractorId": firm_id})["ticketAssign"]
    assert moved["errors"] == [] and moved["ticket"]["contractor"]["name"] == cast.firm.title


def test_statistics_read_a_time_without_an_offset_as_local_time(gql, cast):
    t.report(cast.reporter, category=cast.category)
    gql.login(cast.dispatcher)
    figures = gql.data(STATISTICS, {"since": "2020-01-01T00:00:00", "until": "2099-01-01T00:00:00+01:00"})
    assert figures["ticketStatistics"]["period"]["reported"] == 1
    assert figures["ticketStatistics"]["since"].startswith("2020-01-01T00:00:00+01:00")


def test_a_new_deadline_without_an_offset_is_local_time(gql, cast):
    ticket = t.report(cast.reporter, category=cast.category)
    gql.login(cast.dispatcher)
    change = """
    mutation($id: ID!, $dueAt: DateTime!) {
      ticketDeadlineChange(ticketId: $id, dueAt: $dueAt, reason: "Czekamy na część") {
        ticket { dueAt } errors { code }
      }
    }
    """
    payload = gql.data(change, {"id": gid("Ticket", ticket.pk), "dueAt": "2099-06-01T12:00:00"})["ticketDeadlineChange"]
    # Noon in Warsaw (summer time), answered in UTC like every time the API gives.
    assert payload["errors"] == [] and payload["ticket"]["dueAt"] == "2099-06-01T10:00:00+00:00"
