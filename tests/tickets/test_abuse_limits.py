"""What the security review found, kept as tests: who is still told about a ticket, who
reads its messages in the delivery log, and the limits that keep one person (or many
addresses) from flooding the dispatchers or the server's CPU.

Each limit is an hourly counter in the cache (cleared around every test by conftest).
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from cms.core.exceptions import ServiceError
from operations.messaging.kinds import MessageKind
from operations.messaging.models import Delivery, Message, MessageTemplate
from operations.residents import services as residents
from operations.residents import throttling
from operations.residents.models import Membership
from operations.tickets import photos, services
from operations.tickets.errors import TicketErrorCode
from operations.tickets.models import Ticket
from operations.tickets.services import attachments
from tests.factories import tickets as t

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return t.build_cast()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def codes(call) -> list[str]:
    with pytest.raises(ServiceError) as refused:
        call()
    return [str(error.code) for error in getattr(refused.value, "errors", [refused.value])]


# --- Who is told ------------------------------------------------------------------------------


def test_someone_who_moved_out_is_no_longer_told_about_their_old_report(cast):
    ticket = t.report(cast.reporter, category=cast.category, unit=cast.unit)
    membership = Membership.objects.get(user=cast.reporter, unit=cast.unit)
    residents.membership_end(membership=membership, ended_by=cast.administrator)
    services.ticket_comment_add(ticket=ticket, author=cast.dispatcher, body="Dla nowych lokatorów: klucz u dozorcy.")
    assert not Message.objects.filter(recipient=cast.reporter, body_text__contains="nowych lokatorów").exists()


def test_a_responsible_person_who_lost_the_staff_role_is_no_longer_told(cast):
    category = t.CategoryFactory(default_responsible=cast.administrator)
    residents.staff_role_remove(user=cast.administrator, role="administrator")
    ticket = t.report(cast.reporter, category=category, unit=cast.unit)
    services.ticket_comment_add(ticket=ticket, author=cast.reporter, body="Dalej kapie.")
    assert not Message.objects.filter(recipient=cast.administrator, dedupe_key__startswith=f"ticket:{ticket.pk}:")


# --- The delivery log and the templates ---------------------------------------------------------


def test_an_editor_neither_reads_ticket_messages_in_the_delivery_log_nor_rewords_their_templates(cast, client):
    t.report(cast.reporter, category=cast.category, unit=cast.unit)
    ticket_delivery = Delivery.objects.filter(message__kind=MessageKind.TICKET_UPDATE).first()
    assert ticket_delivery is not None
    editor = t.staff("editor")
    client.force_login(editor)
    listing = client.get(reverse("deliveries:index"))
    assert listing.status_code == 200
    assert ticket_delivery.message.subject not in listing.content.decode()
    ticket_template = MessageTemplate.objects.get(key="ticket-comment", language="pl")
    other_template = MessageTemplate.objects.get(key="membership-verified", language="pl")
    for name in ("edit", "delete"):
        response = client.get(reverse(f"message-templates:{name}", args=[ticket_template.pk]))
        assert response.status_code in (302, 403) and "ticket-comment" not in response.content.decode()
    assert client.get(reverse("message-templates:edit", args=[other_template.pk])).status_code == 200
    client.force_login(cast.dispatcher)
    assert ticket_delivery.message.subject in client.get(reverse("deliveries:index")).content.decode()


# --- Limits -----------------------------------------------------------------------------------


def test_an_ipv6_network_counts_as_one_address():
    assert throttling.address_key("2001:db8:1:2:aaaa::1") == throttling.address_key("2001:db8:1:2:bbbb::9")
    assert throttling.address_key("2001:db8:1:3::1") != throttling.address_key("2001:db8:1:2::1")
    assert throttling.address_key("192.0.2.7") == "192.0.2.7"


def anonymous(cast, *, phone: str, ip: str, building=None):
    return services.ticket_anonymous_create(
        category=cast.category,
        building=building or cast.building,
        title="Nie świeci lampa",
        description="Klatka 2, drugie piętro.",
        contact_phone=phone,
        ip_address=ip,
    )


def test_anonymous_reports_are_limited_per_network_building_and_in_all(cast, settings):
    settings.TICKET_ANONYMOUS_LIMIT_PER_ADDRESS = 2
    for index in range(2):
        anonymous(cast, phone=f"60000000{index}", ip=f"2001:db8:7:7::{index + 1}")
    refused = codes(lambda: anonymous(cast, phone="600000009", ip="2001:db8:7:7::99"))
    assert refused == [TicketErrorCode.RATE_LIMITED]

    settings.TICKET_ANONYMOUS_LIMIT_PER_ADDRESS = 100
    settings.TICKET_ANONYMOUS_LIMIT_PER_BUILDING = 4  # three attempts above (refused ones count), one more fits
    anonymous(cast, phone="600000010", ip="198.51.100.1")
    assert codes(lambda: anonymous(cast, phone="600000011", ip="198.51.100.2")) == [TicketErrorCode.RATE_LIMITED]
    anonymous(cast, phone="600000012", ip="198.51.100.3", building=cast.other_building)

    settings.TICKET_ANONYMOUS_LIMIT_TOTAL = 6  # six attempts so far, refused ones included
    assert codes(lambda: anonymous(cast, phone="600000013", ip="198.51.100.4", building=cast.other_building)) == [
        TicketErrorCode.RATE_LIMITED
    ]
    assert Ticket.objects.filter(reporter=None).count() == 4


def test_a_resident_may_report_and_comment_only_so_often_staff_and_firms_are_not_limited(cast, settings):
    settings.TICKET_REPORTS_PER_USER_PER_HOUR = 2
    settings.TICKET_COMMENTS_PER_USER_PER_HOUR = 1
    ticket = t.report(cast.reporter, category=cast.category, unit=cast.unit)
    t.report(cast.reporter, category=cast.category, unit=cast.unit)
    assert codes(lambda: t.report(cast.reporter, category=cast.category, unit=cast.unit)) == ["RATE_LIMITED"]
    # A dispatcher recording reports by phone is not limited by the resident's count.
    services.ticket_create(
        reporter=cast.reporter,
        category=cast.category,
        unit=cast.unit,
        title="Zgłoszenie telefoniczne",
        description="Przyjęte przez telefon.",
        source=Ticket.Source.PHONE,
        recorded_by=cast.dispatcher,
    )
    services.ticket_comment_add(ticket=ticket, author=cast.reporter, body="Pierwszy")
    assert codes(lambda: services.ticket_comment_add(ticket=ticket, author=cast.reporter, body="Drugi")) == [
        "RATE_LIMITED"
    ]
    for _ in range(3):
        services.ticket_comment_add(ticket=ticket, author=cast.dispatcher, body="Od spółdzielni")
    assert ticket.comments.count() == 4


def test_photos_one_person_may_have_decoded_in_an_hour_are_limited(cast, settings):
    settings.TICKET_PHOTOS_PER_USER_PER_HOUR = 3
    assert len(services.photos_process([jpeg(), jpeg()], by=cast.reporter)) == 2
    assert codes(lambda: services.photos_process([jpeg(), jpeg()], by=cast.reporter)) == ["RATE_LIMITED"]
    assert len(services.photos_process([jpeg()], by=cast.neighbour)) == 1


# --- Requests -----------------------------------------------------------------------------------


CREATE = """
mutation($input: TicketCreateInput!, $photos: [Upload!]) {
  ticketCreate(input: $input, photos: $photos) { ticket { id } errors { field code } }
}
"""


def multipart(client, variables: dict, files: dict, upload_map: dict):
    data = {"operations": json.dumps({"query": CREATE, "variables": variables}), "map": json.dumps(upload_map)}
    for key, content in files.items():
        data[key] = SimpleUploadedFile(f"{key}.jpg", content, content_type="image/jpeg")
    return client.post("/graphql", data=data)


def create_input(cast, unit) -> dict:
    return {"categoryId": str(cast.category.pk), "unitId": str(unit.pk), "title": "Kran", "description": "Kapie."}


def test_one_file_named_in_many_places_or_too_many_files_are_refused_before_decoding(
    cast, client, monkeypatch, settings
):
    decoded = []
    monkeypatch.setattr(photos, "process_photo", lambda *a, **k: decoded.append(1) or pytest.fail("decoded"))
    client.force_login(cast.reporter)
    variables = {"input": create_input(cast, cast.unit), "photos": [None, None]}
    twice = multipart(client, variables, {"0": jpeg()}, {"0": ["variables.photos.0", "variables.photos.1"]})
    assert twice.status_code == 400 and twice.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    count = settings.GRAPHQL_MAX_UPLOAD_FILES + 1
    many = {str(index): jpeg() for index in range(count)}
    variables = {"input": create_input(cast, cast.unit), "photos": [None] * count}
    too_many = multipart(client, variables, many, {key: [f"variables.photos.{key}"] for key in many})
    assert too_many.status_code == 400
    assert decoded == [] and not Ticket.objects.exists()


def test_a_report_nobody_may_make_costs_no_photo_decoding(cast, client, monkeypatch):
    monkeypatch.setattr(attachments, "process_photo", lambda *a, **k: pytest.fail("decoded before the place check"))
    client.force_login(cast.stranger)  # a resident of another building
    variables = {"input": create_input(cast, cast.unit), "photos": [None]}
    response = multipart(client, variables, {"0": jpeg()}, {"0": ["variables.photos.0"]})
    assert response.json()["data"]["ticketCreate"]["errors"] == [{"field": "unitId", "code": "PLACE_INVALID"}]


def test_json_nested_too_deeply_is_a_client_error():
    body = '{"query": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = Client().post("/graphql", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
