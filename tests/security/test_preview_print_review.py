"""Independent security review of the headless preview (cms/preview), the portal's print
view (/druk/..., graphql/operations/Print.graphql, the admin's print buttons) and the
hub's own HTTP edges (portal files, CORS, refusals, links, persisted operations).

Goes past tests/api/test_preview.py, tests/security/test_portal_review.py and
tests/security/test_perf_memos_review.py: editors whose rights end at a subtree,
reviewers who may publish or moderate but not edit, revisions of other pages, shapes of
a query that might carry a draft into the shared response cache, tokens over GET and
bearer tokens, drafts and restricted items through the print operation, and the sign-in
doors the hub leaves open beside the portal's.

Nothing is marked xfail: a failing test is an open finding; the others record what held.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, Permission
from django.test import Client
from wagtail.models import GroupPagePermission

from cms.core import portal_links
from cms.core.exceptions import ServiceError
from cms.news.models import NewsPage
from cms.preview import services as preview_services
from cms.preview.models import PagePreview
from operations.residents import services as residents
from operations.residents.roles import ADMIN_ACCESS, StaffRole
from tests.factories import content as f
from tests.factories.admin import html_form, staff_client
from tests.factories.residents import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PREVIEW = "query ($token: String!) { pagePreview(token: $token) { __typename title urlPath } }"
PAGE = "query ($path: String!) { page(urlPath: $path) { title } }"


def _post(client, query: str, variables: dict | None = None, **extra):
    body = {"query": query, "variables": variables or {}}
    response = client.post("/graphql", json.dumps(body), content_type="application/json", **extra)
    assert response.status_code == 200, response.content[:500]
    return response


def _data(client, query: str, variables: dict | None = None, **extra) -> dict:
    answer = _post(client, query, variables, **extra).json()
    assert not answer.get("errors"), answer
    return answer["data"]


def _draft(client, token: str):
    return _data(client, PREVIEW, {"token": token})["pagePreview"]


def _token_of(response) -> str:
    content = response.content.decode() if response.status_code == 200 else response["Location"]
    found = re.search(r"/podglad\?token=([^\"'&\s]+)", content)
    assert found, content[:1000]
    return unquote(found.group(1))


def _file_hash(name: str) -> str:
    raw = (Path(django_settings.GRAPHQL_OPERATIONS_DIR) / name).read_bytes()
    return hashlib.sha256(raw).hexdigest()


def _persisted(name: str, operation: str, variables: dict) -> dict:
    return {
        "operationName": operation,
        "variables": variables,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": _file_hash(name)}},
    }


def _section_editor(section, *, username: str, permissions=("add_page", "change_page", "publish_page")) -> Client:
    """A member of staff who may enter the admin and work on `section` and below only."""
    user = UserFactory(username=username)
    group = Group.objects.create(name=f"Sekcja {username}")
    app, codename = ADMIN_ACCESS.split(".")
    group.permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    for codename in permissions:
        GroupPagePermission.objects.create(
            group=group, page=section, permission=Permission.objects.get(codename=codename)
        )
    user.groups.add(group)
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def editor():
    return staff_client(StaffRole.EDITOR)


@pytest.fixture
def news(site_tree, building_a):
    return f.make_alert(site_tree.news, title="Awaria wody", slug="awaria-wody", lead="Brak wody.")


@pytest.fixture
def board_item(site_tree):
    """A news item for the board only (restricted to the board's audience group)."""
    board = residents.audience_group(role="board")
    page = f.make_news(site_tree.news, title="Wynagrodzenia zarzadu", slug="wynagrodzenia", lead="Tajne.")
    f.restrict_page(page, groups=[board])
    return page


# --- Preview: who gets a token, and what it reads ---------------------------------------------


def test_an_editor_of_one_section_gets_no_preview_of_another_sections_page(site_tree, board_item):
    """Wagtail's edit preview, its "view draft" and the service refuse an editor whose
    page rights end at the investments section a preview of a news item, restricted or
    not, and no PagePreview row is made."""
    outsider = _section_editor(site_tree.investments, username="redaktor.inwestycji")
    for url in (
        f"/admin/pages/{board_item.pk}/edit/preview/",
        f"/admin/pages/{board_item.pk}/view_draft/",
    ):
        assert outsider.get(url).status_code in (302, 403, 404), url
    add_url = f"/admin/pages/add/news/newspage/{site_tree.news.pk}/preview/"
    assert outsider.get(add_url).status_code in (302, 403, 404)
    with pytest.raises(ServiceError):
        preview_services.page_preview_create(user=outsider.user, page=board_item.specific)
    assert not PagePreview.objects.exists()
    # ...while the same person previews a page of their own section.
    investment = f.make_investment(site_tree.investments)
    token = preview_services.page_preview_create(user=outsider.user, page=investment.specific)
    assert _draft(outsider, token)["title"] == investment.title


def test_a_revision_of_another_page_is_not_previewed_through_a_page_the_editor_may_edit(site_tree, board_item):
    """RevisionsView takes the page id and the revision id from the address: a revision
    of the board's item, asked for under a page of the editor's own section, is not found."""
    outsider = _section_editor(site_tree.investments, username="redaktor.rewizje")
    investment = f.make_investment(site_tree.investments)
    secret = NewsPage.objects.get(pk=board_item.pk)
    secret.lead = "Nowa kwota: 99 999 zł"
    revision = secret.save_revision()
    for url in (
        f"/admin/pages/{investment.pk}/revisions/{revision.pk}/view/",
        f"/admin/pages/{board_item.pk}/revisions/{revision.pk}/view/",
    ):
        response = outsider.get(url)
        assert response.status_code in (302, 403, 404), (url, response.status_code)
        assert b"99 999" not in response.content
    assert not PagePreview.objects.exists()


def test_a_publisher_or_moderator_who_may_not_edit_gets_no_token(site_tree, news):
    """Wagtail lets someone who may publish but not edit "view the draft"; the hub's policy
    (edit rights) refuses them the portal's preview rather than handing out a token."""
    publisher = _section_editor(site_tree.news, username="tylko.publikuje", permissions=("publish_page",))
    response = publisher.get(f"/admin/pages/{news.pk}/view_draft/")
    assert response.status_code in (302, 403), response.status_code
    assert not PagePreview.objects.exists()


def test_a_token_stops_answering_once_the_page_is_moved_out_of_the_editors_reach(site_tree, news):
    section_editor = _section_editor(site_tree.news, username="redaktor.aktualnosci")
    token = preview_services.page_preview_create(user=section_editor.user, page=news.specific)
    assert _draft(section_editor, token)["title"] == "Awaria wody"
    news.move(site_tree.investments, pos="last-child")
    assert _draft(section_editor, token) is None


def test_a_new_pages_token_stops_answering_once_the_editor_may_no_longer_add_there(site_tree):
    section_editor = _section_editor(site_tree.news, username="redaktor.nowy")
    page = NewsPage(title="Nowy", slug="nowy-komunikat", lead="Jeszcze nie.")
    page.depth = site_tree.news.depth + 1
    page.path = page._get_path(site_tree.news.path, page.depth, site_tree.news.numchild + 50)
    token = preview_services.page_preview_create(user=section_editor.user, page=page)
    assert _draft(section_editor, token)["title"] == "Nowy"
    GroupPagePermission.objects.filter(group__user=section_editor.user).delete()
    assert _draft(section_editor, token) is None


def test_a_token_answers_its_editor_over_a_bearer_token_and_nobody_else_over_get(editor, news, resident, unit_a1):
    """The token read over GET (address and logs) by another person, signed in or by a
    bearer token of theirs, reads nothing, and every answer is no-store."""
    token = preview_services.page_preview_create(user=editor.user, page=news.specific)
    thief = Client()
    thief.force_login(resident(unit_a1))
    params = {"query": PREVIEW, "variables": json.dumps({"token": token})}
    for client in (Client(), thief):
        response = client.get("/graphql", params)
        assert response.status_code == 200
        assert response.json()["data"]["pagePreview"] is None
        assert "no-store" in response["Cache-Control"]
    own = editor.get("/graphql", params)
    assert own.json()["data"]["pagePreview"]["title"] == "Awaria wody"
    assert "no-store" in own["Cache-Control"] and "private" in own["Cache-Control"]


@pytest.mark.parametrize(
    "query",
    [
        # pagePreview under the alias of a shared field
        "query ($token: String!) { page: pagePreview(token: $token) { title } site { name } }",
        # through a fragment on Query
        "query ($token: String!) { site { name } ...Q } fragment Q on Query { pagePreview(token: $token) { title } }",
        # through an inline fragment
        "query ($token: String!) { ... on Query { news: pagePreview(token: $token) { title } } }",
        # behind a directive, still a root field of the operation
        "query ($token: String!) { site { name } pagePreview(token: $token) @include(if: true) { title } }",
    ],
    ids=["alias", "fragment", "inline", "directive"],
)
def test_a_draft_never_reaches_the_shared_response_cache_whatever_the_querys_shape(editor, news, settings, query):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 300
    token = preview_services.page_preview_create(user=editor.user, page=news.specific)
    first = _post(editor, query, {"token": token})
    assert "Awaria wody" in first.content.decode()
    assert "no-store" in first["Cache-Control"]
    PagePreview.objects.all().delete()  # no content version raised: a kept answer would survive
    second = _post(editor, query, {"token": token})
    assert "Awaria wody" not in second.content.decode()


def test_the_admin_preview_and_the_portal_address_send_no_referrer_elsewhere(editor, news):
    """The token is in /podglad?token=…: neither the admin's answer nor the portal's index
    at that address lets a browser send it to another site in a Referer."""
    edit = editor.get(f"/admin/pages/{news.pk}/edit/")
    url = f"/admin/pages/{news.pk}/edit/preview/"
    assert editor.post(url, html_form(edit, "page-edit-form")).json()["is_valid"]
    shown = editor.get(url + "?in_preview_panel=true")
    assert shown["Referrer-Policy"] == "same-origin"
    assert "no-store" in shown["Cache-Control"]
    token = _token_of(shown)
    portal = Client().get("/podglad", {"token": token})
    assert portal.status_code == 200
    assert portal["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin")
    assert token not in portal.content.decode()


# --- Print: what the print operation shows -------------------------------------------------------


def _print(client, path: str) -> dict:
    payload = _persisted("Print.graphql", "PrintPage", {"urlPath": path})
    response = client.post("/graphql", json.dumps(payload), content_type="application/json")
    assert response.status_code == 200
    answer = response.json()
    assert not answer.get("errors"), answer
    return answer["data"]["page"]


def test_print_shows_the_published_item_never_its_draft(site_tree, news, editor):
    page = NewsPage.objects.get(pk=news.pk)
    page.title = "Szkic: woda wróci za miesiąc"
    page.lead = "Nieopublikowane."
    page.save_revision()  # a draft over the live item
    f.make_news(site_tree.news, title="Nigdy nie opublikowany", slug="szkic", live=False)
    for client in (Client(), editor):
        printed = _print(client, "/aktualnosci/awaria-wody/")
        assert (printed["title"], printed["lead"]) == ("Awaria wody", "Brak wody.")
        assert _print(client, "/aktualnosci/szkic/") is None


def test_print_of_a_restricted_item_answers_only_its_audience_even_from_the_cache(
    settings, site_tree, board_item, editor
):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 300
    board_member = UserFactory(username="czlonek.zarzadu")
    board_member.groups.add(residents.audience_group(role="board"))
    member = Client()
    member.force_login(board_member)
    assert _print(member, "/aktualnosci/wynagrodzenia/")["title"] == "Wynagrodzenia zarzadu"
    assert _print(member, "/aktualnosci/wynagrodzenia/")["title"] == "Wynagrodzenia zarzadu"  # kept
    # An editor (who prints for the staircase) is not the board: the sheet is not for them.
    for client in (Client(), editor):
        assert _print(client, "/aktualnosci/wynagrodzenia/") is None
    # Other spellings of the address (what /druk/<rest> may hand the operation) reach the
    # same page, for its audience only, or none.
    for path in ("aktualnosci/wynagrodzenia", "/aktualnosci//wynagrodzenia/", "/../aktualnosci/wynagrodzenia/"):
        assert _print(Client(), path) is None
        assert _print(editor, path) is None
        printed = _print(member, path)
        assert printed is None or printed["title"] == "Wynagrodzenia zarzadu"


def test_the_print_button_is_only_for_published_news(site_tree, editor):
    draft = f.make_news(site_tree.news, title="Szkic", slug="szkic-druk", live=False)
    page = editor.get(f"/admin/pages/{draft.pk}/edit/").content.decode()
    assert "/druk/" not in page


# --- Sign-in doors beside the portal's ----------------------------------------------------------


def test_wagtails_own_front_end_login_is_not_an_unthrottled_way_to_guess_passwords(settings):
    """cms/urls.py mounts wagtail.urls under /strony/, and with it Wagtail's stock
    `_util/login/` (django.contrib.auth's LoginView with the plain AuthenticationForm),
    where passwords would skip `user_sign_in`: no limit, no record. The hub routes that
    address to the portal's sign-in instead: no password is checked there at all, so the
    right one after many wrong ones opens no session."""
    settings.SIGNIN_DELAY_SECONDS = 0.0
    victim = UserFactory(username="ofiara")
    guesser = Client()
    url = "/strony/_util/login/"
    limit = settings.SIGNIN_HARD_LIMIT_ADDRESS + 1
    for attempt in range(limit):
        guesser.post(url, {"username": "ofiara", "password": f"zgaduje-{attempt}"})
    answer = guesser.post(url + "?next=/aktualnosci/", {"username": "ofiara", "password": DEFAULT_PASSWORD})
    assert guesser.session.get("_auth_user_id") != str(victim.pk), "signed in through Wagtail's stock form"
    assert answer.status_code == 302
    assert answer["Location"] == portal_links.sign_in_url("/aktualnosci/")
    assert guesser.get(url + "?next=//evil.example/")["Location"] == portal_links.sign_in_url()


# --- Persisted operations: typed refusals, and CSRF for operations sent by hash ---------------


FREE_QUERY = "{ viewer { username } }"


def _refusal_code(response) -> str | None:
    body = response.json()
    assert body.get("data") is None, body
    return body["errors"][0].get("extensions", {}).get("code")


def test_persisted_only_refuses_free_text_with_its_typed_code_by_any_route(settings):
    settings.GRAPHQL_PERSISTED_ONLY = True
    client = Client()
    routes = {
        "post": lambda: client.post("/graphql", json.dumps({"query": FREE_QUERY}), content_type="application/json"),
        "get": lambda: client.get("/graphql", {"query": FREE_QUERY}),
        "multipart": lambda: client.post("/graphql", {"operations": json.dumps({"query": FREE_QUERY}), "map": "{}"}),
        "json-ish": lambda: client.generic(
            "POST", "/graphql", json.dumps({"query": FREE_QUERY}), content_type="application/json-patch"
        ),
        # a published text's hash with another text
        "hash-and-text": lambda: client.post(
            "/graphql",
            json.dumps({"query": FREE_QUERY, **_persisted("Site.graphql", "Site", {})}),
            content_type="application/json",
        ),
    }
    for name, send in routes.items():
        response = send()
        code = _refusal_code(response)
        assert code in ("PERSISTED_QUERY_REQUIRED", "BAD_REQUEST"), (name, response.status_code, code)
        assert b"username" not in response.content or b"errors" in response.content


def test_an_operation_sent_by_hash_with_the_session_cookie_still_needs_the_csrf_token(settings):
    """A persisted mutation is a mutation: the hash is no way around the CSRF check."""
    settings.GRAPHQL_PERSISTED_ONLY = True
    person = UserFactory(username="bez.tokenu")
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    payload = _persisted("SignIn.graphql", "SessionSignOut", {})
    response = client.post(
        "/graphql", json.dumps(payload), content_type="application/json", HTTP_ORIGIN="https://evil.example"
    )
    assert response.status_code == 403
    assert client.session.get("_auth_user_id") == str(person.pk)  # still signed in
    # ...and over GET a mutation is never run at all.
    params = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in payload.items()}
    assert client.get("/graphql", params).status_code in (400, 405)
    assert client.session.get("_auth_user_id") == str(person.pk)


# --- Portal files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["head", "get"])
@pytest.mark.parametrize(
    "path", ["/portal/..", "/portal/./index.html", "/portal/pages/.", "/portal/vendor/../../README.md"]
)
def test_portal_files_refuse_dot_segments_by_any_safe_method(method, path):
    response = getattr(Client(), method)(path)
    assert response.status_code in (400, 404), (method, path, response.status_code)
