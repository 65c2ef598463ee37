"""The admin loads nothing from outside the hub: no Gravatar (a hash of each staff
e-mail address sent to a third party with every avatar, broken images offline), no
script, style or image from another host on the pages staff open most."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from operations.residents.roles import StaffRole
from tests.factories.admin import staff_client

pytestmark = pytest.mark.django_db

# What a browser fetches by itself when it renders the page.
FETCHED = {"img": "src", "script": "src", "link": "href", "source": "srcset", "iframe": "src"}


def _outside_addresses(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for tag, attribute in FETCHED.items():
        for element in soup.find_all(tag):
            value = element.get(attribute) or ""
            if re.match(r"^(https?:)?//", value.strip()) and "localhost" not in value and "testserver" not in value:
                found.append(f"<{tag} {attribute}={value}>")
    return found


@pytest.mark.parametrize("path", ["/admin/", "/admin/account/", "/admin/pages/", "/admin/users/"])
def test_admin_pages_load_nothing_from_another_host(path, site_tree):
    admin = staff_client(StaffRole.ADMINISTRATOR)
    response = admin.get(path, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "gravatar" not in html.lower()
    assert _outside_addresses(html) == []


def test_the_dashboard_is_titled_with_the_cooperatives_name(site_tree):
    """Issue 13: the admin's first page carries the name from the contact card."""
    from wagtail.models import Site

    from cms.home.models import CooperativeContact

    contact = CooperativeContact.for_site(Site.objects.get(is_default_site=True))
    contact.name = "SM „Zielone Wzgórze”"
    contact.save()
    html = staff_client(StaffRole.DISPATCHER).get("/admin/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("h1").get_text(strip=True) == "SM „Zielone Wzgórze”"
    assert soup.title.get_text(strip=True).startswith("SM „Zielone Wzgórze”")
    assert "Wagtail" not in soup.title.get_text()


def test_the_dashboard_summary_speaks_polish(site_tree):
    """Issue 13: Wagtail's images and documents catalogues leave the summary in English."""
    from tests.factories import content as f

    f.make_image()
    html = staff_client(StaffRole.EDITOR).get("/admin/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    summary = " ".join(BeautifulSoup(html, "html.parser").find("section", class_="w-summary").get_text(" ").split())
    assert "1 obraz" in summary and "0 dokumentów" in summary and "stron" in summary, summary
    assert "created in" not in summary and "Images" not in summary and "Documents" not in summary, summary
