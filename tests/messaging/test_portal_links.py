"""The links residents get lead to the portal (PORTAL_URL), never to the Wagtail Site's
host (`http://localhost/...`, no port) nor to the admin; what the hub serves itself (a
document) is linked on BASE_URL. cms/core/portal_links.py builds them all."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.test import RequestFactory
from strawberry import relay

from cms.core import portal_links
from operations.messaging.models import Message
from tests.factories import broadcasts as bf
from tests.factories import content as f
from tests.factories import tickets as tf

pytestmark = pytest.mark.django_db

PORTAL = "https://portal.example"
HUB = "https://hub.example:8443"


@pytest.fixture(autouse=True)
def _addresses(settings):
    settings.PORTAL_URL = PORTAL
    settings.WAGTAILADMIN_BASE_URL = HUB


# --- The helper ---------------------------------------------------------------------------------


def test_portal_and_hub_addresses():
    assert portal_links.portal_url() == PORTAL + "/"
    assert portal_links.portal_url("/zgloszenia") == PORTAL + "/zgloszenia"
    assert portal_links.hub_url("/documents/1/a.pdf") == HUB + "/documents/1/a.pdf"
    assert portal_links.sign_in_url("/documents/1/a.pdf") == PORTAL + "/zaloguj?next=%2Fdocuments%2F1%2Fa.pdf"
    # Only a path of the hub's may be where sign-in leads on.
    assert portal_links.sign_in_url("https://evil.example/") == PORTAL + "/zaloguj"
    assert portal_links.sign_in_url("//evil.example/") == PORTAL + "/zaloguj"


def test_a_page_is_linked_by_its_path_within_the_site(site_tree):
    page = f.make_news(site_tree.news, slug="brak-wody")
    assert portal_links.page_portal_path(page) == "/aktualnosci/brak-wody/"
    assert portal_links.page_portal_url(page) == PORTAL + "/aktualnosci/brak-wody/"


def test_a_ticket_is_linked_by_the_apis_id():
    assert portal_links.ticket_portal_url(12) == f"{PORTAL}/zgloszenia/{relay.to_base64('Ticket', 12)}"


def test_a_document_is_linked_to_its_download_on_the_hub():
    document = f.make_document(title="Regulamin")
    assert portal_links.document_url(document) == HUB + document.url
    assert document.url.startswith("/documents/")


@pytest.mark.parametrize(
    "link, expected",
    [
        # What page.full_url gives: the Wagtail Site's host, no port, Wagtail's serving prefix.
        ("http://localhost/strony/aktualnosci/awaria/", PORTAL + "/aktualnosci/awaria/"),
        ("http://localhost/aktualnosci/awaria/?x=1#tresc", PORTAL + "/aktualnosci/awaria/?x=1#tresc"),
        (HUB + "/strony/aktualnosci/awaria/", PORTAL + "/aktualnosci/awaria/"),
        ("/aktualnosci/awaria/", PORTAL + "/aktualnosci/awaria/"),
        ("http://localhost/documents/3/plan.pdf", HUB + "/documents/3/plan.pdf"),
        (PORTAL + "/documents/3/plan.pdf", HUB + "/documents/3/plan.pdf"),
        # Already right, or not the hub's: kept.
        (PORTAL + "/aktualnosci/awaria/", PORTAL + "/aktualnosci/awaria/"),
        (HUB + "/documents/3/plan.pdf", HUB + "/documents/3/plan.pdf"),
        ("https://www.gov.pl/web/gov", "https://www.gov.pl/web/gov"),
        ("mailto:biuro@spoldzielnia.example", "mailto:biuro@spoldzielnia.example"),
        ("", ""),
    ],
)
def test_links_staff_type_lead_residents_to_the_portal(link, expected):
    assert portal_links.resident_link(link) == expected


# --- Broadcasts ---------------------------------------------------------------------------------


def test_a_news_broadcast_links_the_item_in_the_portal(site_tree, building_a, unit_a1, resident):
    from operations.broadcasts.admin.views import news_broadcast_draft
    from operations.residents.roles import StaffRole
    from tests.factories.admin import staff_client

    reader = resident(unit_a1, email="anna@example.pl")
    page = f.make_news(site_tree.news, slug="brak-wody", title="Brak wody", buildings=[building_a])
    request = RequestFactory().get("/admin/")
    request.user = staff_client(StaffRole.ADMINISTRATOR).user
    broadcast = news_broadcast_draft(page=page, request=request)  # as the admin's button makes it

    assert bf.broadcast_now(broadcast) == 1
    link = Message.objects.get(broadcast=broadcast, recipient=reader).link
    assert link == PORTAL + "/aktualnosci/brak-wody/"
    assert "localhost" not in link and "/admin" not in link


def test_a_broadcast_keeps_a_link_to_another_website(building_a, unit_a1, resident):
    reader = resident(unit_a1, email="anna@example.pl")
    broadcast = bf.make_broadcast(buildings=[building_a], link="https://www.gov.pl/web/gov")
    bf.broadcast_now(broadcast)
    assert Message.objects.get(broadcast=broadcast, recipient=reader).link == "https://www.gov.pl/web/gov"


# --- Ticket notifications -----------------------------------------------------------------------


def test_ticket_notifications_link_the_ticket_in_the_portal(cast):
    ticket = tf.report(cast.reporter, category=cast.category)
    expected = f"{PORTAL}/zgloszenia/{relay.to_base64('Ticket', ticket.pk)}"
    messages = Message.objects.filter(dedupe_key__startswith=f"ticket:{ticket.pk}:")
    received = messages.get(recipient=cast.reporter)
    assert received.link == expected
    # Everyone told about the ticket gets the same address (the API serves it to each).
    assert messages.count() >= 2
    assert set(messages.values_list("link", flat=True)) == {expected}


def test_the_ticket_link_opens_the_ticket_through_the_api(cast, gql):
    ticket = tf.report(cast.reporter, category=cast.category)
    link = Message.objects.get(recipient=cast.reporter, dedupe_key__startswith=f"ticket:{ticket.pk}:").link
    ticket_id = unquote(link.rsplit("/", 1)[-1])  # as the portal reads its path
    gql.login(cast.reporter)
    data = gql.data("query($id: ID!) { ticket(id: $id) { reference } }", {"id": ticket_id})
    assert data["ticket"]["reference"] == ticket.reference
