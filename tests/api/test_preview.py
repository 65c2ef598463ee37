"""Headless preview (cms.preview): an editor's unsaved page, shown by the portal.

Wagtail's preview of a page answers with the portal at /podglad?token=…; the token reads
the draft through `pagePreview(token:)`, for the editor who made it only, for a few
minutes, never from a cache. Only someone who may edit the page makes a token."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.test import Client
from django.utils import timezone

from cms.core.exceptions import ServiceError
from cms.core.graphql import response_cache
from cms.news.models import NewsPage
from cms.preview import services
from cms.preview.models import PagePreview
from cms.preview.wagtail_hooks import print_url
from operations.residents.roles import StaffRole
from tests.factories import content as f
from tests.factories.admin import html_form, staff_client

pytestmark = pytest.mark.django_db

PREVIEW = """query ($token: String!) {
  pagePreview(token: $token) {
    __typename title urlPath
    ... on NewsItem { lead kind validFrom validUntil affectedBuildings { code } }
    ... on Investment { summary progress }
    ... on NewsIndexPage { intro }
  }
}"""
PAGE = "query ($path: String!) { page(urlPath: $path) { title } }"


@pytest.fixture
def editor():
    return staff_client(StaffRole.EDITOR)


@pytest.fixture
def news(site_tree, building_a):
    return f.make_alert(
        site_tree.news, title="Awaria wody", slug="awaria-wody", lead="Brak wody.", buildings=[building_a]
    )


def _graphql(client, query, variables=None):
    response = client.post(
        "/graphql", data=json.dumps({"query": query, "variables": variables or {}}), content_type="application/json"
    )
    assert response.status_code == 200, response.content[:500]
    return response


def _preview(client, token):
    response = _graphql(client, PREVIEW, {"token": token})
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]["pagePreview"], response


def _token_of(response) -> str:
    content = response.content.decode() if response.status_code == 200 else response["Location"]
    found = re.search(r"/podglad\?token=([^\"'&\s]+)", content)
    assert found, content[:1000]
    return unquote(found.group(1))


def _admin_preview(client, page, **changes):
    """What the editor's preview panel does: post the edit form as it is now, then load the preview."""
    edit = client.get(f"/admin/pages/{page.pk}/edit/")
    assert edit.status_code == 200
    data = html_form(edit, "page-edit-form")
    data.update(changes)
    url = f"/admin/pages/{page.pk}/edit/preview/"
    posted = client.post(url, data)
    assert posted.json()["is_valid"], posted.content
    return client.get(url + "?in_preview_panel=true")


# --- Through Wagtail's preview ----------------------------------------------------------------


def test_the_admin_preview_shows_the_portal_with_the_unsaved_draft(editor, news):
    shown = _admin_preview(editor, news, title="Awaria wody – nowy termin", lead="Woda wróci jutro.")
    assert shown.status_code == 200
    # The portal itself, framed by the admin, started at /podglad?token=…
    assert b'<div id="app">' in shown.content
    assert shown["X-Frame-Options"] == "SAMEORIGIN"
    assert "no-store" in shown["Cache-Control"]
    draft, response = _preview(editor, _token_of(shown))
    assert draft["__typename"] == "NewsItem"
    assert draft["title"] == "Awaria wody – nowy termin"
    assert draft["lead"] == "Woda wróci jutro."
    assert draft["urlPath"] == "/aktualnosci/awaria-wody/"
    assert [b["code"] for b in draft["affectedBuildings"]] == ["A"]
    assert "no-store" in response["Cache-Control"]
    # Nothing was saved or published: residents still read the live page.
    assert _graphql(Client(), PAGE, {"path": "/aktualnosci/awaria-wody/"}).json()["data"]["page"]["title"] == (
        "Awaria wody"
    )
    assert not NewsPage.objects.get(pk=news.pk).has_unpublished_changes


def test_a_page_not_created_yet_is_previewed_too(editor, site_tree):
    url = f"/admin/pages/add/news/newspage/{site_tree.news.pk}/"
    data = html_form(editor.get(url), "page-edit-form")
    data.update(title="Nowy komunikat", slug="nowy-komunikat", lead="Jeszcze nie ma go na stronie.")
    posted = editor.post(url + "preview/", data)
    assert posted.json()["is_valid"], posted.content
    shown = editor.get(url + "preview/?in_preview_panel=true")
    draft, _response = _preview(editor, _token_of(shown))
    assert draft["title"] == "Nowy komunikat"
    assert draft["urlPath"] == "/aktualnosci/nowy-komunikat/"
    assert not NewsPage.objects.filter(slug="nowy-komunikat").exists()


def test_investments_and_sections_are_previewed_as_their_own_types(editor, site_tree):
    investment = f.make_investment(site_tree.investments, summary="Docieplenie", progress=10)
    draft, _ = _preview(editor, _token_of(_admin_preview(editor, investment, summary="Docieplenie i okna")))
    assert (draft["__typename"], draft["summary"]) == ("Investment", "Docieplenie i okna")
    draft, _ = _preview(editor, _token_of(_admin_preview(editor, site_tree.news, title="Komunikaty")))
    assert (draft["__typename"], draft["title"]) == ("NewsIndexPage", "Komunikaty")


def test_every_page_type_is_previewed_in_the_portal():
    """No editor meets a server-rendered template in the preview: each page type of the
    site serves its preview through the portal."""
    from wagtail.models import Page, get_page_models

    from cms.preview.pages import PortalPreviewMixin

    templated = [
        model.__name__ for model in get_page_models() if model is not Page and not issubclass(model, PortalPreviewMixin)
    ]
    assert templated == []


def test_the_document_directory_is_previewed_as_its_own_type(editor, site_tree):
    draft, _ = _preview(editor, _token_of(_admin_preview(editor, site_tree.documents, title="Dokumenty spółdzielni")))
    assert (draft["__typename"], draft["title"]) == ("DocumentIndexPage", "Dokumenty spółdzielni")


def test_without_the_portals_files_the_preview_redirects_to_the_portal(editor, news, settings, tmp_path):
    settings.PORTAL_DIR = tmp_path  # no index.html: the portal is hosted elsewhere
    settings.PORTAL_URL = "https://portal.example"
    shown = _admin_preview(editor, news)
    assert shown.status_code == 302
    assert shown["Location"].startswith("https://portal.example/podglad?token=")
    draft, _ = _preview(editor, _token_of(shown))
    assert draft["title"] == "Awaria wody"


def test_people_who_may_not_edit_the_page_get_no_preview_from_the_admin(news, resident, unit_a1):
    dispatcher = staff_client(StaffRole.DISPATCHER)
    assert dispatcher.get(f"/admin/pages/{news.pk}/edit/preview/").status_code in (302, 403)
    person = Client()
    person.force_login(resident(unit_a1))
    assert person.get(f"/admin/pages/{news.pk}/edit/preview/").status_code == 302  # to the admin's sign-in
    assert Client().get(f"/admin/pages/{news.pk}/edit/preview/").status_code == 302
    assert not PagePreview.objects.exists()


# --- Who may make a token -----------------------------------------------------------------------


def test_anonymous_residents_and_staff_without_page_rights_cannot_make_a_token(news, resident, unit_a1):
    dispatcher = staff_client(StaffRole.DISPATCHER).user
    for user in (AnonymousUser(), resident(unit_a1), dispatcher):
        with pytest.raises(ServiceError) as refused:
            services.page_preview_create(user=user, page=news)
        assert refused.value.code == "NOT_ALLOWED"
    assert not PagePreview.objects.exists()


# --- What a token reads ---------------------------------------------------------------------------


def test_a_token_reads_its_own_page_and_never_another(editor, site_tree, news):
    other = f.make_news(site_tree.news, title="Zebranie", slug="zebranie")
    token_news = services.page_preview_create(user=editor.user, page=news)
    token_other = services.page_preview_create(user=editor.user, page=other)
    assert _preview(editor, token_news)[0]["title"] == "Awaria wody"
    assert _preview(editor, token_other)[0]["title"] == "Zebranie"
    # One token's signature on the other's key is worth nothing.
    key_other = PagePreview.objects.get(page=other).key
    forged = key_other + token_news[token_news.index(":") :]
    assert _preview(editor, forged)[0] is None


def test_a_token_answers_only_the_editor_who_made_it(editor, news, resident, unit_a1):
    token = services.page_preview_create(user=editor.user, page=news)
    person = Client()
    person.force_login(resident(unit_a1))
    colleague = staff_client(StaffRole.EDITOR, username="staff.editor2")
    for client in (Client(), person, colleague):
        draft, response = _preview(client, token)
        assert draft is None
        assert "no-store" in response["Cache-Control"]
    assert _preview(editor, token)[0]["title"] == "Awaria wody"


def test_an_editor_who_loses_the_right_to_edit_loses_the_preview(editor, news):
    token = services.page_preview_create(user=editor.user, page=news)
    editor.user.groups.clear()
    assert _preview(editor, token)[0] is None


@pytest.mark.parametrize(
    "alter",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        lambda token: "x" + token,  # the key
        lambda token: token.rsplit(":", 1)[0],  # no signature
        lambda token: "",
        lambda token: "nie-token",
        lambda token: token * 20,
    ],
    ids=["signature", "key", "unsigned", "empty", "garbage", "long"],
)
def test_an_altered_token_reads_nothing(editor, news, alter):
    token = services.page_preview_create(user=editor.user, page=news)
    draft, response = _preview(editor, alter(token))
    assert draft is None
    assert "no-store" in response["Cache-Control"]


def test_text_the_api_would_refuse_is_no_token_either():
    from cms.preview.tokens import key_of

    assert key_of("\ud800:abc:def") is None
    assert key_of(None) is None


def test_an_expired_token_reads_nothing(editor, news, monkeypatch):
    token = services.page_preview_create(user=editor.user, page=news)
    assert _preview(editor, token)[0] is not None
    # The signature's own clock: signed more than ten minutes ago.
    later = signing.time.time() + 601
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert _preview(editor, token)[0] is None


def test_a_preview_kept_past_its_lifetime_reads_nothing_and_is_deleted(editor, news, site_tree):
    token = services.page_preview_create(user=editor.user, page=news)
    PagePreview.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    assert _preview(editor, token)[0] is None
    services.page_preview_create(user=editor.user, page=site_tree.news)  # the next preview cleans up
    assert list(PagePreview.objects.values_list("page_id", flat=True)) == [site_tree.news.pk]


def test_the_scheduled_task_deletes_drafts_past_their_lifetime_when_nobody_previews(editor, news, site_tree):
    from django.conf import settings as django_settings

    from cms.preview.tasks import page_previews_delete_stale

    services.page_preview_create(user=editor.user, page=news)
    services.page_preview_create(user=editor.user, page=site_tree.news)
    PagePreview.objects.filter(page_id=news.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    assert page_previews_delete_stale.delay().get() == 1
    assert list(PagePreview.objects.values_list("page_id", flat=True)) == [site_tree.news.pk]
    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "cms.preview.tasks.page_previews_delete_stale" in scheduled


# --- Caching ----------------------------------------------------------------------------------------


def test_previews_are_never_in_the_shared_response_cache(editor, news, settings):
    assert "pagePreview" not in response_cache.SHARED_FIELDS
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 300
    token = services.page_preview_create(user=editor.user, page=news)
    assert _preview(editor, token)[0]["title"] == "Awaria wody"
    PagePreview.objects.all().delete()  # no content version is raised: a cached answer would survive
    assert _preview(editor, token)[0] is None
    # Asked together with shared fields, the answer is not shared either.
    both = "query ($token: String!) { site { name } pagePreview(token: $token) { title } }"
    response = _graphql(editor, both, {"token": token})
    assert "no-store" in response["Cache-Control"]

    class Request:
        method = "POST"
        content_type = "application/json"

    assert response_cache.lookup(Request(), {"query": both, "variables": {"token": token}}).key is None


def test_reading_a_preview_costs_the_same_whatever_it_holds(editor, site_tree, building_a, building_b):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories.residents import BuildingFactory

    few = f.make_alert(site_tree.news, slug="jeden", buildings=[building_a])
    many = f.make_alert(
        site_tree.news,
        slug="wiele",
        buildings=[building_a, building_b, *(BuildingFactory(estate=building_a.estate) for _ in range(4))],
    )
    counts = []
    for page in (few, many):
        token = services.page_preview_create(user=editor.user, page=page)
        _preview(editor, token)  # warm the site root and the viewer's denial
        with CaptureQueriesContext(connection) as captured:
            draft, _ = _preview(editor, token)
        assert draft is not None
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


# --- Print for the staircase -------------------------------------------------------------------------


def test_news_items_have_a_print_button_in_the_admin(editor, news, site_tree, settings):
    settings.PORTAL_URL = "https://portal.example"
    assert print_url(news) == "https://portal.example/druk/aktualnosci/awaria-wody/"
    page = editor.get(f"/admin/pages/{news.pk}/edit/").content.decode()
    assert 'href="https://portal.example/druk/aktualnosci/awaria-wody/"' in page
    listing = editor.get(f"/admin/pages/{site_tree.news.pk}/").content.decode()
    assert "https://portal.example/druk/aktualnosci/awaria-wody/" in listing
    investment = f.make_investment(site_tree.investments)
    assert "/druk/" not in editor.get(f"/admin/pages/{investment.pk}/edit/").content.decode()
