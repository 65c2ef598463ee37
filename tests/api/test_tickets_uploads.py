"""Photos sent to the tickets API as multipart requests (the GraphQL multipart request
spec), the way a browser or a phone sends them: what is stored (no metadata, thumbnails,
photos of comments and of finished work), and what is refused, with a refusal leaving
neither rows nor files. The endpoint itself is `test_tickets_uploads_endpoint.py`.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image
from strawberry import relay

from operations.tickets import services
from operations.tickets.models import Ticket, TicketPhoto
from tests.api.tickets_uploads_kit import (
    ANONYMOUS_CREATE,
    COMMENT,
    CREATE,
    JPEG,
    MUTATIONS,
    TRANSITION,
    S,
    anonymous_input,
    assert_no_metadata,
    assert_refused_cleanly,
    codes,
    create_input,
    encode,
    gid,
    jpeg_with_gps,
    media_files,
    noisy,
    png_declaring,
    png_with_gps,
    real_png_bomb,
    rows,
    send,
    transparent_png,
    truncated_jpeg,
    webp_with_gps,
)

# `cast`, `ticket` and `prepared` are fixtures of tests/api/conftest.py; a media folder per test.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_per_test")]


# --- What is stored ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MUTATIONS)
@pytest.mark.parametrize("picture", [jpeg_with_gps, png_with_gps, webp_with_gps], ids=["jpeg", "png", "webp"])
def test_every_upload_path_stores_the_photo_without_any_metadata(prepared, settings, name, picture):
    client, query, variables = prepared(name)
    files_before = len(media_files(settings))
    payload = send(client, query, variables, [picture()])
    assert payload["errors"] == []
    photo = TicketPhoto.objects.order_by("-pk").first()
    assert photo is not None and photo.content_type == "image/jpeg"
    for stored in (photo.file, photo.thumbnail):
        with stored.open("rb") as handle:
            assert_no_metadata(handle.read())
    # The photo and its thumbnail, and nothing else, were written.
    assert len(media_files(settings)) == files_before + 2


def test_a_transparent_png_stays_a_png_and_its_thumbnail_is_a_jpeg(prepared, client):
    client, query, variables = prepared("ticketCreate")
    payload = send(client, query, variables, [transparent_png()])
    shown = payload["ticket"]["photos"][0]
    photo = TicketPhoto.objects.get(pk=shown["id"])
    assert photo.content_type == "image/png"
    response = client.get(f"/tickets/photos/{photo.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    content = b"".join(response.streaming_content)
    assert Image.open(io.BytesIO(content)).mode == "RGBA"
    assert_no_metadata(content)
    thumbnail = client.get(f"/tickets/photos/{photo.pk}/thumbnail/")
    assert thumbnail["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(b"".join(thumbnail.streaming_content))).format == "JPEG"


@pytest.mark.parametrize(
    ("size", "expected"), [((1200, 900), (400, 300)), ((300, 1000), (120, 400)), ((80, 60), (80, 60))]
)
def test_thumbnails_fit_400_pixels_and_large_photos_are_scaled_down(prepared, settings, size, expected):
    settings.TICKET_PHOTO_MAX_SIDE = 800
    client, query, variables = prepared("ticketCreate")
    payload = send(client, query, variables, [encode(noisy(*size), "JPEG", quality=70)])
    shown = payload["ticket"]["photos"][0]
    assert (shown["thumbnailWidth"], shown["thumbnailHeight"]) == expected
    assert max(shown["width"], shown["height"]) == min(800, max(size))
    served = client.get(f"/tickets/photos/{shown['id']}/thumbnail/")
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).size == expected
    full = client.get(f"/tickets/photos/{shown['id']}/")
    assert Image.open(io.BytesIO(b"".join(full.streaming_content))).size == (shown["width"], shown["height"])


def test_a_comment_may_be_photos_alone_and_an_internal_ones_photos_are_internal(cast, client, ticket):
    client.force_login(cast.reporter)
    payload = send(client, COMMENT, {"id": gid("Ticket", ticket.pk)}, [JPEG])
    assert payload["errors"] == [] and payload["comment"]["body"] == ""
    assert [p["isInternal"] for p in payload["comment"]["photos"]] == [False]
    client.force_login(cast.firm_worker)
    payload = send(client, COMMENT, {"id": gid("Ticket", ticket.pk), "internal": True}, [JPEG, JPEG])
    internal = [p["id"] for p in payload["comment"]["photos"]]
    assert len(internal) == 2 and all(p["isInternal"] for p in payload["comment"]["photos"])
    client.force_login(cast.reporter)
    for photo_id in internal:
        assert client.get(f"/tickets/photos/{photo_id}/").status_code == 404
        assert client.get(f"/tickets/photos/{photo_id}/thumbnail/").status_code == 404


def test_photos_of_the_finished_work_come_with_the_status_change(cast, client, ticket):
    services.ticket_transition(ticket=ticket, actor=cast.firm_worker, to_status=S.IN_PROGRESS)
    client.force_login(cast.firm_worker)
    payload = send(
        client, TRANSITION, {"id": gid("Ticket", ticket.pk), "status": "DONE", "note": "Wymieniono"}, [JPEG, JPEG]
    )
    assert payload["errors"] == [] and payload["ticket"]["status"] == "DONE"
    assert len(payload["ticket"]["photos"]) == 2 and not any(p["isInternal"] for p in payload["ticket"]["photos"])
    client.force_login(cast.reporter)
    for shown in payload["ticket"]["photos"]:
        assert client.get(f"/tickets/photos/{shown['id']}/").status_code == 200


# --- What is refused -------------------------------------------------------------------------


REFUSED = [
    ("bomb header", lambda: png_declaring(100_000, 100_000), "PHOTO_TOO_BIG"),
    ("real bomb", real_png_bomb, "PHOTO_TOO_BIG"),
    ("text file", lambda: b"Just some text, named photo0.jpg.\n" * 20, "PHOTO_FORMAT"),
    ("svg", lambda: b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', "PHOTO_FORMAT"),
    ("gif", lambda: encode(Image.new("RGB", (10, 10)), "GIF"), "PHOTO_FORMAT"),
    ("truncated jpeg", truncated_jpeg, "PHOTO_UNREADABLE"),
    ("empty file", lambda: b"", "PHOTO_UNREADABLE"),
]


@pytest.mark.parametrize("name", MUTATIONS)
@pytest.mark.parametrize(("label", "picture", "code"), REFUSED, ids=[case[0] for case in REFUSED])
def test_a_bad_photo_is_refused_with_its_code_and_nothing_is_written(prepared, settings, name, label, picture, code):
    client, query, variables = prepared(name)
    before, files_before = rows(), media_files(settings)
    # A good photo first: it must not be kept when the second is refused.
    payload = send(client, query, variables, [JPEG, picture()])
    assert codes(payload) == [("photos.1", code)], payload
    assert_refused_cleanly(settings, before, files_before)


def test_every_bad_photo_of_a_request_is_reported(prepared, settings):
    client, query, variables = prepared("ticketCreate")
    before, files_before = rows(), media_files(settings)
    payload = send(client, query, variables, [b"text", JPEG, truncated_jpeg(), png_declaring(60_000, 60_000)])
    assert codes(payload) == [
        ("photos.0", "PHOTO_FORMAT"),
        ("photos.2", "PHOTO_UNREADABLE"),
        ("photos.3", "PHOTO_TOO_BIG"),
    ]
    assert_refused_cleanly(settings, before, files_before)


@pytest.mark.parametrize("name", MUTATIONS)
def test_a_photo_over_the_byte_limit_is_refused(prepared, settings, name):
    settings.TICKET_PHOTO_MAX_BYTES = 20_000
    client, query, variables = prepared(name)
    before, files_before = rows(), media_files(settings)
    payload = send(client, query, variables, [encode(noisy(300, 300), "JPEG", quality=95)])
    assert codes(payload) == [("photos.0", "PHOTO_TOO_LARGE")]
    assert_refused_cleanly(settings, before, files_before)


@pytest.mark.parametrize("name", MUTATIONS)
def test_more_photos_than_a_request_may_carry_are_refused(prepared, settings, name):
    client, query, variables = prepared(name)
    before, files_before = rows(), media_files(settings)
    payload = send(client, query, variables, [JPEG] * (settings.TICKET_PHOTOS_PER_REQUEST + 1))
    assert codes(payload) == [("photos", "PHOTO_COUNT")]
    assert_refused_cleanly(settings, before, files_before)


def test_a_ticket_holds_at_most_the_photos_allowed_in_total(cast, client, settings):
    settings.TICKET_PHOTOS_MAX_PER_TICKET = 3
    client.force_login(cast.reporter)
    # Too many at once for one ticket, though few enough for one request.
    before, files_before = rows(), media_files(settings)
    payload = send(client, CREATE, {"input": create_input(cast)}, [JPEG] * 4)
    assert codes(payload) == [("photos", "PHOTO_COUNT")]
    assert_refused_cleanly(settings, before, files_before)

    created = send(client, CREATE, {"input": create_input(cast)}, [JPEG, JPEG])
    ticket_id = created["ticket"]["id"]
    ticket = Ticket.objects.get(pk=relay.GlobalID.from_id(ticket_id).node_id)
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    before, files_before = rows(), media_files(settings)
    payload = send(client, COMMENT, {"id": ticket_id, "body": "Jeszcze dwa"}, [JPEG, JPEG])
    assert codes(payload) == [("photos", "PHOTO_COUNT")] and payload["comment"] is None
    assert_refused_cleanly(settings, before, files_before)

    client.force_login(cast.firm_worker)
    payload = send(client, TRANSITION, {"id": ticket_id, "status": "IN_PROGRESS"}, [JPEG, JPEG])
    assert codes(payload) == [("photos", "PHOTO_COUNT")] and payload["ticket"] is None
    assert_refused_cleanly(settings, before, files_before)  # the status did not change either

    # The last place is taken, and then there is none.
    payload = send(client, COMMENT, {"id": ticket_id, "body": "Ostatnie", "internal": True}, [JPEG])
    assert payload["errors"] == []
    before, files_before = rows(), media_files(settings)
    payload = send(client, COMMENT, {"id": ticket_id, "body": "Za dużo"}, [JPEG])
    assert codes(payload) == [("photos", "PHOTO_COUNT")]
    assert_refused_cleanly(settings, before, files_before)
    assert TicketPhoto.objects.filter(ticket=ticket).count() == 3


@pytest.mark.parametrize(
    ("viewer", "code"), [("anonymous", "NOT_AUTHENTICATED"), ("stranger", "NOT_FOUND"), ("board", "FORBIDDEN")]
)
def test_photos_sent_by_someone_who_may_not_comment_are_not_kept(cast, client, settings, ticket, viewer, code):
    if viewer != "anonymous":
        client.force_login(getattr(cast, viewer))
    before, files_before = rows(), media_files(settings)
    payload = send(client, COMMENT, {"id": gid("Ticket", ticket.pk), "body": "Patrzcie"}, [JPEG])
    assert codes(payload)[0][1] == code
    assert_refused_cleanly(settings, before, files_before)


@pytest.mark.parametrize(
    ("extra", "code"),
    [({"unitId": None}, "PLACE_INVALID"), ({"title": ""}, "TITLE_REQUIRED"), ({"source": "PHONE"}, "FORBIDDEN")],
)
def test_a_report_refused_for_its_text_leaves_no_photo_files(cast, client, settings, extra, code):
    client.force_login(cast.reporter)
    before, files_before = rows(), media_files(settings)
    payload = send(client, CREATE, {"input": create_input(cast, **extra)}, [JPEG, JPEG])
    assert [c for _field, c in codes(payload)] == [code]
    assert_refused_cleanly(settings, before, files_before)


def test_an_anonymous_report_refused_for_its_contact_or_its_rate_leaves_no_photo_files(cast, client, settings):
    settings.TICKET_ANONYMOUS_LIMIT_PER_CONTACT = 1
    before, files_before = rows(), media_files(settings)
    payload = send(client, ANONYMOUS_CREATE, {"input": anonymous_input(cast, contactPhone="")}, [JPEG])
    assert [c for _field, c in codes(payload)] == ["CONTACT_REQUIRED"]
    assert_refused_cleanly(settings, before, files_before)
    assert send(client, ANONYMOUS_CREATE, {"input": anonymous_input(cast)}, [JPEG])["errors"] == []
    before, files_before = rows(), media_files(settings)
    payload = send(client, ANONYMOUS_CREATE, {"input": anonymous_input(cast)}, [JPEG])
    assert [c for _field, c in codes(payload)] == ["RATE_LIMITED"]
    assert_refused_cleanly(settings, before, files_before)
