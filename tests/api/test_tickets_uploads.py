"""Photos sent to the tickets API as multipart requests (the GraphQL multipart request
spec), the way a browser or a phone sends them: what is stored, what is refused, and that
a refusal leaves neither rows nor files; the size limit of the endpoint, its CSRF rule,
the private photo view, and reporting while the message broker is down.
"""

from __future__ import annotations

import functools
import io
import json
import logging
import random
import struct
import zlib
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import ExifTags, Image
from strawberry import relay

from operations.messaging import tasks as messaging_tasks
from operations.messaging.models import Delivery, Message
from operations.residents import services as residents
from operations.tickets import services
from operations.tickets.models import Ticket, TicketComment, TicketEvent, TicketPhoto
from tests.factories import tickets as tf

pytestmark = pytest.mark.django_db

S = Ticket.Status


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """A media folder per test (tests/api/conftest.py shares one per session), so that
    "no files were written" means exactly that."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="module")
def cast(django_db_setup, django_db_blocker):
    with tf.shared_cast(django_db_blocker) as built:
        yield built


# --- Operations ------------------------------------------------------------------------------

ERRORS = "errors { field message code }"
PHOTO_FIELDS = "photos { id width height thumbnailWidth thumbnailHeight isInternal url thumbnailUrl }"

CREATE = f"""
mutation($input: TicketCreateInput!, $photos: [Upload!]) {{
  ticketCreate(input: $input, photos: $photos) {{ ticket {{ id status {PHOTO_FIELDS} }} {ERRORS} }}
}}
"""

ANONYMOUS_CREATE = f"""
mutation($input: TicketAnonymousCreateInput!, $photos: [Upload!]) {{
  ticketAnonymousCreate(input: $input, photos: $photos) {{ reference {ERRORS} }}
}}
"""

COMMENT = f"""
mutation($id: ID!, $body: String! = "", $internal: Boolean! = false, $photos: [Upload!]) {{
  ticketCommentAdd(ticketId: $id, body: $body, internal: $internal, photos: $photos) {{
    comment {{ id body isInternal photos {{ id isInternal }} }}
    ticket {{ id {PHOTO_FIELDS} }}
    {ERRORS}
  }}
}}
"""

TRANSITION = f"""
mutation($id: ID!, $status: TicketStatus!, $note: String! = "", $photos: [Upload!]) {{
  ticketTransition(ticketId: $id, status: $status, note: $note, photos: $photos) {{
    ticket {{ id status {PHOTO_FIELDS} }} {ERRORS}
  }}
}}
"""


def gid(type_name: str, pk) -> str:
    return str(relay.GlobalID(type_name, str(pk)))


# --- Pictures --------------------------------------------------------------------------------


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def noisy(width: int, height: int, seed: int = 1) -> Image.Image:
    rng = random.Random(seed)
    return Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCorp"
    exif[ExifTags.Base.Model] = "Pocket 12"
    exif[ExifTags.Base.DateTimeOriginal] = "2026:01:02 03:04:05"
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (52.0, 13.0, 37.5), 3: "E", 4: (21.0, 0.0, 42.25)}
    return exif


def jpeg_with_gps(width: int = 64, height: int = 48) -> bytes:
    return encode(
        Image.new("RGB", (width, height), (200, 30, 30)),
        "JPEG",
        exif=gps_exif(),
        comment=b"secret comment",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">GPSLatitude 52.2297</x:xmpmeta>',
    )


def png_with_gps() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPSLatitude 52.2297")
    return encode(Image.new("RGB", (40, 30), (0, 200, 0)), "PNG", exif=gps_exif(), pnginfo=info)


def webp_with_gps() -> bytes:
    return encode(Image.new("RGB", (40, 30), (0, 0, 200)), "WEBP", exif=gps_exif().tobytes())


def transparent_png() -> bytes:
    image = Image.new("RGBA", (50, 40), (255, 0, 0, 255))
    image.paste((0, 0, 0, 0), (0, 0, 25, 40))
    return encode(image, "PNG")


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture: a decompression bomb's opening move."""
    raw = encode(Image.new("L", (1, 1)), "PNG")
    ihdr_at = raw.index(b"IHDR")
    body = struct.pack(">II", width, height) + raw[ihdr_at + 12 : ihdr_at + 17]
    chunk = b"IHDR" + body
    patched = chunk + struct.pack(">I", zlib.crc32(chunk) & 0xFFFFFFFF)
    return raw[:ihdr_at] + patched + raw[ihdr_at + 4 + 13 + 4 :]


@functools.cache
def real_png_bomb() -> bytes:
    """A valid PNG of 7000 × 7000 (49 megapixels, above the 40 allowed) of a few kilobytes."""
    return encode(Image.new("1", (7000, 7000), 0), "PNG", optimize=True)


def truncated_jpeg() -> bytes:
    whole = encode(noisy(300, 200), "JPEG", quality=90)
    return whole[: len(whole) // 2]


JPEG = encode(Image.new("RGB", (64, 48), (90, 90, 200)), "JPEG")


# --- Requests --------------------------------------------------------------------------------


def post_multipart(client, query: str, variables: dict, photos: list[bytes], **extra):
    """POST a GraphQL multipart request with `photos` as `variables.photos`; the response as it is."""
    variables = {**variables, "photos": [None] * len(photos)}
    paths = {str(index): [f"variables.photos.{index}"] for index in range(len(photos))}
    data = {"operations": json.dumps({"query": query, "variables": variables}), "map": json.dumps(paths)}
    for index, content in enumerate(photos):
        data[str(index)] = SimpleUploadedFile(f"photo{index}.jpg", content, content_type="image/jpeg")
    return client.post("/graphql", data=data, **extra)


def send(client, query: str, variables: dict, photos: list[bytes], **extra) -> dict:
    """The payload of a multipart mutation that must be answered without a top-level error."""
    response = post_multipart(client, query, variables, photos, **extra)
    assert response.status_code == 200, response.content[:500]
    result = response.json()
    assert not result.get("errors"), result["errors"]
    (payload,) = result["data"].values()
    return payload


def codes(payload: dict) -> list[tuple[str | None, str]]:
    return [(error["field"], error["code"]) for error in payload["errors"]]


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def rows() -> dict[str, int]:
    return {
        "tickets": Ticket.objects.count(),
        "events": TicketEvent.objects.count(),
        "comments": TicketComment.objects.count(),
        "photos": TicketPhoto.objects.count(),
        "messages": Message.objects.count(),
        "deliveries": Delivery.objects.count(),
        "statuses": list(Ticket.objects.order_by("pk").values_list("status", flat=True)),
    }


def create_input(cast, **extra) -> dict:
    return {
        "categoryId": str(cast.category.pk),
        "unitId": str(cast.unit.pk),
        "title": "Cieknie kran",
        "description": "Kapie z kranu w kuchni.",
        **extra,
    }


def anonymous_input(cast, **extra) -> dict:
    return {
        "categoryId": str(cast.category.pk),
        "buildingId": str(cast.building.pk),
        "title": "Nie świeci lampa",
        "description": "Na klatce schodowej.",
        "contactPhone": "600 123 456",
        **extra,
    }


@pytest.fixture
def ticket(cast):
    """The reporter's ticket, assigned to the firm (its worker named), without photos."""
    made = tf.report(cast.reporter, category=cast.category, unit=cast.unit)
    services.ticket_assign(ticket=made, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    made.refresh_from_db()
    return made


# Each mutation that takes photos, as the person who may use it: (client setup, query, variables).
def mutations(cast, ticket_factory):
    return {
        "ticketCreate": (cast.reporter, CREATE, lambda: {"input": create_input(cast)}),
        "ticketAnonymousCreate": (None, ANONYMOUS_CREATE, lambda: {"input": anonymous_input(cast)}),
        "ticketCommentAdd": (
            cast.reporter,
            COMMENT,
            lambda: {"id": gid("Ticket", ticket_factory().pk), "body": "Zdjęcie przecieku"},
        ),
        "ticketTransition": (
            cast.firm_worker,
            TRANSITION,
            lambda: {"id": gid("Ticket", ticket_factory().pk), "status": "IN_PROGRESS"},
        ),
    }


MUTATIONS = ["ticketCreate", "ticketAnonymousCreate", "ticketCommentAdd", "ticketTransition"]


@pytest.fixture
def prepared(cast, client):
    """`prepared(name)` -> (client signed in as the mutation's user, query, variables)."""

    def make_ticket():
        made = tf.report(cast.reporter, category=cast.category, unit=cast.unit)
        services.ticket_assign(ticket=made, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
        return made

    def prepare(name: str):
        user, query, variables = mutations(cast, make_ticket)[name]
        client.logout()
        if user is not None:
            client.force_login(user)
        return client, query, variables()

    return prepare


# --- What is stored ------------------------------------------------------------------------------


def assert_no_metadata(content: bytes) -> None:
    image = Image.open(io.BytesIO(content))
    assert not image.getexif(), dict(image.getexif())
    assert "exif" not in image.info and "xmp" not in image.info and "comment" not in image.info
    assert "icc_profile" not in image.info
    for marker in (b"Exif\x00\x00", b"GPS", b"PhoneCorp", b"Pocket 12", b"secret comment", b"52.2297", b"2026:01:02"):
        assert marker not in content, marker


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


def assert_refused_cleanly(settings, before: dict, files_before: list[Path]) -> None:
    assert rows() == before
    assert media_files(settings) == files_before


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
    monkeypatch.setattr("operations.tickets.services.process_photo", must_not_run)
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
        messaging_tasks.messaging_sweep.delay()
    assert set(queued.values_list("state", flat=True)) == {Delivery.State.SENT}
    about_it = [email for email in mail.outbox if ticket.reference in email.subject]
    assert {address for email in about_it for address in email.to} >= {cast.reporter.email, cast.dispatcher.email}
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        messaging_tasks.messaging_sweep.delay()
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
        messaging_tasks.messaging_sweep.delay()
    assert set(queued.values_list("state", flat=True)) == {Delivery.State.SENT}
    assert any(cast.reporter.email in email.to for email in mail.outbox)
