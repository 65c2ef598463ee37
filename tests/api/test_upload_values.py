"""A value that is not a file, sent where the schema expects an `Upload`, is the client's
mistake: BAD_USER_INPUT before any resolver runs, so nothing is written and no hourly
limit (anonymous reports, a resident's reports, comments and photos) is counted.

Files only ever arrive as parts of a multipart request; a JSON string, number, object or
list in the variables (or a literal in the query) is never one.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from graphql import get_named_type
from PIL import Image
from strawberry import relay

from cms.schema import schema
from operations.tickets import services
from operations.tickets.models import Ticket, TicketComment, TicketEvent, TicketPhoto
from tests.factories import tickets as tf

pytestmark = pytest.mark.django_db

ERRORS = "errors { field code }"

OPERATIONS = {
    "ticketCreate": f"""
        mutation($input: TicketCreateInput!, $photos: [Upload!]) {{
          ticketCreate(input: $input, photos: $photos) {{ ticket {{ id }} {ERRORS} }}
        }}""",
    "ticketAnonymousCreate": f"""
        mutation($input: TicketAnonymousCreateInput!, $photos: [Upload!]) {{
          ticketAnonymousCreate(input: $input, photos: $photos) {{ reference {ERRORS} }}
        }}""",
    "ticketCommentAdd": f"""
        mutation($id: ID!, $photos: [Upload!]) {{
          ticketCommentAdd(ticketId: $id, body: "Zdjęcie", photos: $photos) {{ comment {{ id }} {ERRORS} }}
        }}""",
    "ticketTransition": f"""
        mutation($id: ID!, $photos: [Upload!]) {{
          ticketTransition(ticketId: $id, status: IN_PROGRESS, photos: $photos) {{ ticket {{ id }} {ERRORS} }}
        }}""",
}

NOT_FILES = {
    "string": "x",
    "empty string": "",
    "number": 5,
    "float": 1.5,
    "boolean": True,
    "object": {"filename": "photo.jpg", "content": "/9j/4AAQ"},
    "list of strings": ["x"],
    "list of numbers": [1, 2],
    "list of objects": [{"read": "x"}],
    "nested list": [[["x"]]],
    "a null among strings": ["x", None],
}


@pytest.fixture(scope="module")
def cast(django_db_setup, django_db_blocker):
    with tf.shared_cast(django_db_blocker) as built:
        yield built


@pytest.fixture
def prepared(cast, client):
    """`prepared(name)` -> (client signed in as whoever may use the mutation, its variables)."""

    def assigned_ticket() -> str:
        ticket = tf.report(cast.reporter, category=cast.category, unit=cast.unit)
        services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
        return str(relay.GlobalID("Ticket", str(ticket.pk)))

    def prepare(name: str):
        user, variables = {
            "ticketCreate": (
                cast.reporter,
                lambda: {
                    "input": {
                        "categoryId": str(cast.category.pk),
                        "unitId": str(cast.unit.pk),
                        "title": "Cieknie kran",
                        "description": "Kapie z kranu w kuchni.",
                    }
                },
            ),
            "ticketAnonymousCreate": (
                None,
                lambda: {
                    "input": {
                        "categoryId": str(cast.category.pk),
                        "buildingId": str(cast.building.pk),
                        "title": "Nie świeci lampa",
                        "description": "Na klatce schodowej.",
                        "contactPhone": "600 123 456",
                    }
                },
            ),
            "ticketCommentAdd": (cast.reporter, lambda: {"id": assigned_ticket()}),
            "ticketTransition": (cast.firm_worker, lambda: {"id": assigned_ticket()}),
        }[name]
        client.logout()
        if user is not None:
            client.force_login(user)
        return client, variables()

    return prepare


def rows() -> dict[str, int]:
    return {
        "tickets": Ticket.objects.count(),
        "events": TicketEvent.objects.count(),
        "comments": TicketComment.objects.count(),
        "photos": TicketPhoto.objects.count(),
    }


def post_json(client, query: str, variables: dict):
    body = json.dumps({"query": query, "variables": variables})
    return client.post("/graphql", data=body, content_type="application/json")


def post_with_photo(client, query: str, variables: dict):
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(buffer, "JPEG")
    data = {
        "operations": json.dumps({"query": query, "variables": {**variables, "photos": [None]}}),
        "map": json.dumps({"0": ["variables.photos.0"]}),
        "0": SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg"),
    }
    return client.post("/graphql", data=data)


def assert_refused_as_bad_input(response) -> None:
    assert response.status_code == 200, response.content[:300]
    result = response.json()
    assert result.get("data") is None, result
    codes = [(error.get("extensions") or {}).get("code") for error in result.get("errors") or []]
    assert codes and set(codes) == {"BAD_USER_INPUT"}, result


def test_these_are_all_the_upload_arguments():
    """A new mutation taking files must join OPERATIONS, so that it is tested here too."""
    taking_files = {
        name
        for name, field in schema._schema.mutation_type.fields.items()
        if any(get_named_type(argument.type).name == "Upload" for argument in field.args.values())
    }
    assert taking_files == set(OPERATIONS)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
@pytest.mark.parametrize("label", sorted(NOT_FILES))
def test_a_value_that_is_not_a_file_is_bad_input_and_writes_nothing(prepared, name, label):
    client, variables = prepared(name)
    before = rows()
    response = post_json(client, OPERATIONS[name], {**variables, "photos": NOT_FILES[label]})
    assert_refused_as_bad_input(response)
    assert rows() == before


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_a_literal_in_the_query_is_not_a_file_either(prepared, name):
    client, variables = prepared(name)
    before = rows()
    query = OPERATIONS[name].replace("photos: $photos", 'photos: ["x"]').replace(", $photos: [Upload!]", "")
    response = post_json(client, query, variables)
    assert response.status_code == 200
    result = response.json()
    codes = {(error.get("extensions") or {}).get("code") for error in result["errors"]}
    assert codes <= {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"} and result.get("data") is None, result
    assert rows() == before


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_refused_non_files_count_against_no_hourly_limit(prepared, settings, name):
    for limit in (
        "TICKET_ANONYMOUS_LIMIT_PER_ADDRESS",
        "TICKET_ANONYMOUS_LIMIT_PER_CONTACT",
        "TICKET_ANONYMOUS_LIMIT_PER_BUILDING",
        "TICKET_ANONYMOUS_LIMIT_TOTAL",
        "TICKET_REPORTS_PER_USER_PER_HOUR",
        "TICKET_COMMENTS_PER_USER_PER_HOUR",
        "TICKET_PHOTOS_PER_USER_PER_HOUR",
    ):
        setattr(settings, limit, 1)
    client, variables = prepared(name)
    for value in NOT_FILES.values():
        assert_refused_as_bad_input(post_json(client, OPERATIONS[name], {**variables, "photos": value}))
    response = post_with_photo(client, OPERATIONS[name], variables)
    assert response.status_code == 200
    result = response.json()
    assert not result.get("errors"), result
    (payload,) = result["data"].values()
    assert payload["errors"] == [], payload
    assert TicketPhoto.objects.count() >= 1
