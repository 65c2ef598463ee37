"""A reader refused a restricted document or page never lands on the admin's staff sign-in.

The hub's own serving (document downloads, Wagtail's server-rendered pages) sends a
reader who is not signed in to the portal's sign-in, with the way back; a signed-in
reader who still may not see the item gets a plain "not available to you" page (403),
in their language, with no admin in sight. Password restrictions keep Wagtail's form.
The scenario is tests/api/scenario.py: building A's documents and news are for building
A's residents, so resident_b (building B) is refused them.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories.content import PDF_BYTES

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return raw.decode(errors="replace")


def _wagtail_page_url(scenario, key: str) -> str:
    """The page on Wagtail's own serving, wherever cms/urls.py mounts it."""
    return reverse("wagtail_serve", args=[scenario.path(key).lstrip("/")])


def _assert_portal_sign_in(response, next_path: str) -> None:
    assert response.status_code == 302
    location = response["Location"]
    assert "/admin" not in location
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == settings.PORTAL_URL + "/zaloguj"
    assert parse_qs(parts.query) == {"next": [next_path]}
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def _assert_not_available(response, *, title: str = "") -> str:
    body = _body(response)
    assert response.status_code == 403
    assert "/admin" not in body and "/admin" not in response.get("Location", "")
    assert "userbar" not in body  # no admin chrome, whoever is signed in
    assert PDF_BYTES.decode(errors="replace") not in body
    if title:
        assert title not in body
    assert "private" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    return body


# --- Documents --------------------------------------------------------------------------------


def test_wagtail_is_told_to_send_readers_to_the_portal():
    assert settings.WAGTAIL_FRONTEND_LOGIN_URL == settings.PORTAL_URL + "/zaloguj"
    assert "/admin" not in settings.WAGTAIL_FRONTEND_LOGIN_URL


@pytest.mark.parametrize("key", ["building-a", "login", "staff-minutes"])
def test_an_anonymous_reader_of_a_restricted_document_signs_in_on_the_portal(client, scenario, key):
    document = scenario.documents[key]
    response = client.get(document.url)
    _assert_portal_sign_in(response, document.url)


def test_another_buildings_resident_gets_not_available_for_a_document(as_viewer, client, scenario):
    as_viewer("resident_b")
    body = _assert_not_available(client.get(scenario.documents["building-a"].url))
    assert "Ta treść nie jest dla Ciebie dostępna" in body
    assert '<html lang="pl"' in body
    # A way on, to the portal.
    assert f'href="{settings.PORTAL_URL}/"' in body


def test_the_not_available_page_speaks_english_to_english_readers(as_viewer, client, scenario):
    as_viewer("resident_b")
    response = client.get(scenario.documents["building-a"].url, HTTP_ACCEPT_LANGUAGE="en")
    body = _assert_not_available(response)
    assert "This is not available to you" in body
    assert '<html lang="en"' in body


def test_staff_refused_a_document_see_no_admin_either(as_viewer, client, scenario):
    as_viewer("staff")  # may use the admin, but is not in building A
    _assert_not_available(client.get(scenario.documents["building-a"].url))


def test_an_unverified_account_is_told_it_awaits_verification(as_viewer, client, scenario):
    as_viewer("pending")
    response = client.get(scenario.documents["login"].url)
    body = _body(response)
    assert response.status_code == 403
    assert "Twoje konto czeka na weryfikację" in body
    assert "/admin" not in body
    # A group's document is simply not available to them.
    _assert_not_available(client.get(scenario.documents["building-a"].url))


def test_the_resident_it_is_for_still_downloads_it(as_viewer, client, scenario):
    as_viewer("resident_a")
    response = client.get(scenario.documents["building-a"].url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


@pytest.mark.parametrize("viewer", ["anonymous", "resident_b"])
def test_a_password_document_keeps_wagtails_password_form(as_viewer, client, scenario, viewer):
    as_viewer(viewer)
    document = scenario.documents["password"]
    response = client.get(document.url)
    body = _body(response)
    assert response.status_code == 200
    assert 'name="password"' in body
    restriction_form = reverse(
        "wagtaildocs_authenticate_with_password",
        args=[scenario.collections["password"].get_view_restrictions().get().pk],
    )
    assert restriction_form in body
    assert PDF_BYTES.decode(errors="replace") not in body


# --- Wagtail's own page serving ---------------------------------------------------------------


def test_an_anonymous_reader_of_a_restricted_page_signs_in_and_goes_on_to_the_portal_page(client, scenario):
    response = client.get(_wagtail_page_url(scenario, "building-a"))
    # Back to the page as the portal shows it, by its path within the site.
    _assert_portal_sign_in(response, "/aktualnosci/building-a/")


@pytest.mark.parametrize("key", ["building-a", "staff"])
def test_a_signed_in_reader_refused_a_page_gets_not_available(as_viewer, client, scenario, key):
    as_viewer("resident_b")
    response = client.get(_wagtail_page_url(scenario, key))
    body = _assert_not_available(response, title=scenario.page(key).title)
    assert "Ta treść nie jest dla Ciebie dostępna" in body


def test_a_password_page_keeps_wagtails_password_form(client, scenario):
    page = scenario.pages["password"]
    response = client.get(_wagtail_page_url(scenario, "password"))
    body = _body(response)
    assert response.status_code == 200
    assert 'name="password"' in body and page.title not in body
    assert "/admin" not in body


def test_the_page_opens_for_the_resident_it_is_for(as_viewer, client, scenario):
    as_viewer("resident_a")
    response = client.get(_wagtail_page_url(scenario, "building-a"))
    assert response.status_code == 200
    assert f"<h1>{scenario.pages['building-a'].title}</h1>" in _body(response)
