"""What the tickets upload tests share (`test_tickets_uploads`,
`test_tickets_uploads_endpoint`): the multipart operations they send, pictures made to
order (with GPS metadata, transparent, truncated, a decompression bomb), sending a
multipart request, counting rows and media files, checking that a refusal wrote nothing,
and what the fixtures of tests/api/conftest.py build on (`cast`, `ticket`, `prepared`,
`media_per_test`).
"""

from __future__ import annotations

import functools
import io
import json
import struct
import zlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from operations.messaging.models import Delivery, Message
from operations.tickets import services
from operations.tickets.models import Ticket, TicketComment, TicketEvent, TicketPhoto
from tests.factories import pictures
from tests.factories import tickets as tf
from tests.factories.graphql import gid
from tests.factories.pictures import encode

S = Ticket.Status


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


# --- Pictures --------------------------------------------------------------------------------


def noisy(width: int, height: int, seed: int = 1) -> Image.Image:
    return pictures.noisy((width, height), seed=seed)


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


def assigned_ticket(cast) -> Ticket:
    """A ticket of the reporter's, assigned to the firm (its worker named), without photos."""
    made = tf.report(cast.reporter, category=cast.category, unit=cast.unit)
    services.ticket_assign(ticket=made, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
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


def assert_no_metadata(content: bytes) -> None:
    image = Image.open(io.BytesIO(content))
    assert not image.getexif(), dict(image.getexif())
    assert "exif" not in image.info and "xmp" not in image.info and "comment" not in image.info
    assert "icc_profile" not in image.info
    for marker in (b"Exif\x00\x00", b"GPS", b"PhoneCorp", b"Pocket 12", b"secret comment", b"52.2297", b"2026:01:02"):
        assert marker not in content, marker


def assert_refused_cleanly(settings, before: dict, files_before: list[Path]) -> None:
    assert rows() == before
    assert media_files(settings) == files_before
