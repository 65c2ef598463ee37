"""The tickets upload endpoint: its size limit, NUL and malformed multipart requests, its
CSRF rule (sessions need a token, bearer tokens and anonymous reports do not), the
private photo view, and reporting with photos while the message broker is down.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from strawberry import relay

from operations.messaging import tasks as messaging_tasks
from operations.messaging.models import Delivery, Message
from operations.residents import services as residents
from operations.tickets.models import Ticket, TicketPhoto
from tests.api.tickets_uploads_kit import (
    ANONYMOUS_CREATE,
    COMMENT,
    CREATE,
    JPEG,
    MUTATIONS,
    anonymous_input,
    assert_no_metadata,
    assert_refused_cleanly,
    create_input,
    encode,
    gid,
    jpeg_with_gps,
    media_files,
    noisy,
    post_multipart,
    rows,
    send,
)

# `cast`, `ticket` and `prepared` are fixtures of tests/api/conftest.py; a media folder per test.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_per_test")]


# --- The endpoint: size, NUL, malformed requests, CSRF -------------------------------------------


@pytest.mark.parametrize("name", MUTATIONS)
def test_a_request_over_the_upload_limit_is_refused_with_413_before_any_processing(
    prepared, settings, monkeypatch, name
):
    settings.GRAPHQL_MAX_UPLOAD_BYTES = 50_000
    client, query, variables = prepared(name)

    def must_not_run(*args, **kwargs):
        raise AssertionError("a photo of a refused request was processed")

    monkeypatch.setattr("operations.tickets.photos.process_photo", must_not_run)
    monkeypatch.setattr("operations.tickets.services.attachments.process_photo", must_not_run)
    before, files_before = rows(), media_files(settings)
    big = encode(noisy(200, 200, seed=2), "PNG")  # about 120 kB: twice the limit
    assert len(big) > 2 * settings.GRAPHQL_MAX_UPLOAD_BYTES
    response = post_multipart(client, query, variables, [big])
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert_refused_cleanly(settings, before, files_before)
    # Several photos each under the limit, together over it, are refused alike.
    response = post_multipart(client, query, variables, [encode(noisy(90, 90, seed=n), "PNG") for n in range(3)])
    assert response.status_code == 413
    assert_refused_cleanly(settings, before, files_before)


def test_a_request_under_the_upload_limit_goes_through(prepared, settings):
    settings.GRAPHQL_MAX_UPLOAD_BYTES = 50_000
    client, query, variables = prepared("ticketCreate")
    assert send(client, query, variables, [JPEG])["errors"] == []


def test_nul_in_a_multipart_operation_is_refused_and_writes_nothing(cast, client, settings):
    client.force_login(cast.reporter)
    before, files_before = rows(), media_files(settings)
    response = post_multipart(client, CREATE, {"input": create_input(cast, title="Kran\u0000")}, [JPEG])
    assert response.status_code == 200
    assert [error["extensions"]["code"] for error in response.json()["errors"]] == ["BAD_USER_INPUT"]
    assert_refused_cleanly(settings, before, files_before)


def _operations(variables: dict) -> str:
    return json.dumps({"query": CREATE, "variables": variables})


MALFORMED = {
    "operations not json": ({"operations": "not json", "map": "{}"}, False),
    "map not json": ({"operations": _operations({}), "map": "not json"}, True),
    "file missing": ({"operations": _operations({"photos": [None]}), "map": '{"0": ["variables.photos.0"]}'}, False),
    "map to nowhere": ({"operations": _operations({"photos": [None]}), "map": '{"0": ["variables.nowhere.7"]}'}, True),
    "batch": ({"operations": json.dumps([{"query": CREATE}]), "map": "{}"}, False),
    "bare string": ({"operations": json.dumps("query"), "map": "{}"}, False),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_multipart_requests_are_client_errors_and_write_nothing(cast, client, settings, case):
    data, with_file = MALFORMED[case]
    client.force_login(cast.reporter)
    before, files_before = rows(), media_files(settings)
    data = dict(data)
    if with_file:
        data["0"] = SimpleUploadedFile("photo0.jpg", JPEG, content_type="image/jpeg")
    response = client.post("/graphql", data=data)
    refused = 400 <= response.status_code < 500 or (response.status_code == 200 and response.json().get("errors"))
    assert refused, (response.status_code, response.content[:300])
    assert_refused_cleanly(settings, before, files_before)


# Maps the endpoint passes on to strawberry unchecked, where they end in a server error.
BROKEN_MAPS = [
    '["variables.photos.0"]',
    '"variables.photos.0"',
    "5",
    '{"0": [1]}',
    '{"0": [null]}',
    '{"0": ["variables.photos.5"]}',
    '{"0": ["variables.photos.0.x.y"]}',
    '{"0": ["variables.input.title.0"]}',
]


@pytest.mark.parametrize("files_map", BROKEN_MAPS)
def test_a_malformed_multipart_map_is_a_client_error(cast, client, settings, files_map):
    client.force_login(cast.reporter)
    before, files_before = rows(), media_files(settings)
    data = {
        "operations": _operations({"input": create_input(cast), "photos": [None]}),
        "map": files_map,
        "0": SimpleUploadedFile("photo0.jpg", JPEG, content_type="image/jpeg"),
    }
    response = client.post("/graphql", data=data)
    assert 400 <= response.status_code < 500, response.status_code
    assert_refused_cleanly(settings, before, files_before)


def test_a_file_where_text_is_expected_is_refused(cast, client, settings):
    client.force_login(cast.reporter)
    before, files_before = rows(), media_files(settings)
    operations = json.dumps({"query": CREATE, "variables": {"input": create_input(cast, title=None)}})
    response = client.post(
        "/graphql",
        data={
            "operations": operations,
            "map": json.dumps({"0": ["variables.input.title"]}),
            "0": SimpleUploadedFile("title.jpg", JPEG, content_type="image/jpeg"),
        },
    )
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json().get("errors")
    assert_refused_cleanly(settings, before, files_before)


def test_a_session_upload_without_a_csrf_token_is_refused(cast, settings):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.reporter)
    before, files_before = rows(), media_files(settings)
    response = post_multipart(browser, CREATE, {"input": create_input(cast)}, [JPEG])
    assert response.status_code == 403
    assert_refused_cleanly(settings, before, files_before)
    # With the token from the cookie, the same request goes through.
    secret = "k" * 32
    browser.cookies[settings.CSRF_COOKIE_NAME] = secret
    response = post_multipart(browser, CREATE, {"input": create_input(cast)}, [JPEG], HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 200 and response.json()["data"]["ticketCreate"]["errors"] == []


def test_a_bearer_token_upload_needs_no_csrf_token(cast, settings):
    phone = Client(enforce_csrf_checks=True)
    token = residents.api_token_issue(user=cast.reporter, client_name="Telefon")
    response = post_multipart(
        phone, CREATE, {"input": create_input(cast)}, [jpeg_with_gps()], HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200
    payload = response.json()["data"]["ticketCreate"]
    assert payload["errors"] == [] and len(payload["ticket"]["photos"]) == 1
    photo_id = payload["ticket"]["photos"][0]["id"]
    fetched = phone.get(f"/tickets/photos/{photo_id}/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert fetched.status_code == 200
    assert_no_metadata(b"".join(fetched.streaming_content))


def test_an_anonymous_upload_without_cookies_needs_no_csrf_token(cast, settings):
    kiosk = Client(enforce_csrf_checks=True)
    payload = send(kiosk, ANONYMOUS_CREATE, {"input": anonymous_input(cast)}, [JPEG])
    assert payload["errors"] == [] and payload["reference"].startswith("ZG/")
    assert TicketPhoto.objects.filter(ticket__reporter=None).count() == 1


def test_an_anonymous_report_with_photos_shows_its_author_nothing(cast, client):
    payload = send(client, ANONYMOUS_CREATE, {"input": anonymous_input(cast)}, [JPEG])
    photo = TicketPhoto.objects.get()
    assert set(payload) == {"reference", "errors"}
    assert client.get(f"/tickets/photos/{photo.pk}/").status_code == 404
    assert client.get(f"/tickets/photos/{photo.pk}/thumbnail/").status_code == 404
    client.force_login(cast.dispatcher)
    assert client.get(f"/tickets/photos/{photo.pk}/").status_code == 200


# --- The photo view -------------------------------------------------------------------------------


@pytest.fixture
def stored_photo(cast, client):
    client.force_login(cast.reporter)
    payload = send(client, CREATE, {"input": create_input(cast)}, [JPEG])
    return TicketPhoto.objects.get(pk=payload["ticket"]["photos"][0]["id"])


@pytest.mark.parametrize("variant", ["", "thumbnail/"])
def test_the_photo_view_answers_privately_with_the_right_type(client, stored_photo, variant):
    for method in ("get", "head"):
        response = getattr(client, method)(f"/tickets/photos/{stored_photo.pk}/{variant}")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"
        if method == "get":
            assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_the_photo_view_accepts_only_get_and_head(client, stored_photo, method):
    for variant in ("", "thumbnail/"):
        response = getattr(client, method)(f"/tickets/photos/{stored_photo.pk}/{variant}")
        assert response.status_code == 405
    assert TicketPhoto.objects.filter(pk=stored_photo.pk).exists()
    with stored_photo.file.open("rb"):
        pass


def test_a_photo_whose_file_is_gone_is_a_404(client, stored_photo):
    stored_photo.file.storage.delete(stored_photo.file.name)
    assert client.get(f"/tickets/photos/{stored_photo.pk}/").status_code == 404
    assert client.get(f"/tickets/photos/{stored_photo.pk}/thumbnail/").status_code == 200


def test_stored_files_have_unguessable_names_outside_any_public_folder(stored_photo, settings):
    for stored in (stored_photo.file, stored_photo.thumbnail):
        name = Path(stored.name)
        assert name.parent.as_posix() == "ticket-photos"
        assert len(name.stem) == 32 and "photo" not in name.stem
    # Not served as plain media either.
    client = Client()
    assert client.get(f"{settings.MEDIA_URL}{stored_photo.file.name}").status_code == 404


# --- The broker down -----------------------------------------------------------------------------


def test_a_report_with_photos_succeeds_while_the_broker_is_down_and_is_told_once_it_is_back(
    cast, client, broker_down, django_capture_on_commit_callbacks, caplog
):
    client.force_login(cast.reporter)
    mail.outbox.clear()
    with caplog.at_level(logging.WARNING, logger="cms.core.queue"):
        with django_capture_on_commit_callbacks(execute=True):
            payload = send(client, CREATE, {"input": create_input(cast)}, [jpeg_with_gps()])
    assert payload["errors"] == [] and payload["ticket"]["status"] == "NEW"
    ticket = Ticket.objects.get(pk=relay.GlobalID.from_id(payload["ticket"]["id"]).node_id)
    assert ticket.photos.count() == 1
    queued = Delivery.objects.filter(message__dedupe_key__startswith=f"ticket:{ticket.pk}:")
    assert queued.exists()
    assert set(queued.values_list("state", flat=True)) == {Delivery.State.QUEUED}
    told = set(
        Message.objects.filter(dedupe_key__startswith=f"ticket:{ticket.pk}:").values_list("recipient", flat=True)
    )
    assert cast.reporter.pk in told and cast.dispatcher.pk in told
    assert mail.outbox == []
    assert any("sweep will send it" in record.getMessage() for record in caplog.records)

    broker_down()  # the broker is back; beat runs the sweep
    with django_capture_on_commit_callbacks(execute=True):
        messaging_tasks.outbox_sweep.delay()
    assert set(queued.values_list("state", flat=True)) == {Delivery.State.SENT}
    about_it = [email for email in mail.outbox if ticket.reference in email.subject]
    assert {address for email in about_it for address in email.to} >= {cast.reporter.email, cast.dispatcher.email}
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        messaging_tasks.outbox_sweep.delay()
    assert len(mail.outbox) == sent  # nothing twice


def test_a_comment_with_photos_while_the_broker_is_down_is_kept_and_sent_later(
    cast, client, ticket, broker_down, django_capture_on_commit_callbacks
):
    client.force_login(cast.firm_worker)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        payload = send(client, COMMENT, {"id": gid("Ticket", ticket.pk), "body": "Jutro o 8:00"}, [JPEG])
    assert payload["errors"] == []
    key = f"ticket:{ticket.pk}:comment:{payload['comment']['id']}"
    queued = Delivery.objects.filter(message__dedupe_key=key)
    assert queued.exists() and set(queued.values_list("state", flat=True)) == {Delivery.State.QUEUED}
    broker_down()
    with django_capture_on_commit_callbacks(execute=True):
        messaging_tasks.outbox_sweep.delay()
    assert set(queued.values_list("state", flat=True)) == {Delivery.State.SENT}
    assert any(cast.reporter.email in email.to for email in mail.outbox)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"operations": "not json", "map": "{}"}, "The multipart operations part is not JSON."),
        ({"map": "{}"}, "The multipart operations part is not JSON."),
        (
            {"operations": json.dumps({"query": CREATE}), "map": "not json"},
            "The multipart map does not fit the operation.",
        ),
    ],
    ids=["operations not json", "operations missing", "map not json"],
)
def test_a_malformed_multipart_request_says_which_part_is_wrong(cast, client, data, message):
    client.force_login(cast.reporter)
    response = client.post("/graphql", data=data)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]
