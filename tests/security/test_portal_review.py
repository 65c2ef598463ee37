"""Independent security review of the resident portal's commits (a08be2a..6e014d7).

Each test attacks one surface through a public interface (the portal's own JS logic run
in Node's WHATWG URL implementation, /portal/<path>, the catch-all, /graphql under
GRAPHQL_PERSISTED_ONLY, CORS, refusals). Nothing is marked xfail: a failing test is an
open finding; the others record what held.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from operations.messaging import services as messaging
from operations.messaging.kinds import MessageKind
from tests.factories.messaging import message_template
from tests.factories.residents import UserFactory

pytestmark = pytest.mark.django_db

PORTAL_DIR = Path(django_settings.PORTAL_DIR)
HUB = "https://hub.example.org"
PORTAL = "https://portal.example.org"


# --- HIGH: open redirect through the portal's sign-in ?next= ---------------------------------

NEXT_PAYLOADS = [
    "/\\evil.example",  # "/\evil.example": backslash is a slash to the URL parser
    "/\\/evil.example",
    "/\t/evil.example",  # tab and newlines are stripped by the URL parser
    "/\n/evil.example",
    "/\r\n/evil.example",
]


def _js_function(source: str, name: str) -> str:
    match = re.search(rf"function {name}\(\) \{{.*?\n\}}", source, re.S)
    assert match, f"{name}() not found"
    return match.group(0)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
@pytest.mark.parametrize("payload", NEXT_PAYLOADS)
def test_sign_in_next_never_leads_to_another_origin(payload):
    """pages/sign-in.js accepts `next` when it starts with "/" and not "//", then hands it
    to router.navigate(), which resolves it with `new URL(next, location)` and, for another
    origin, calls window.location.assign. Browsers read "/\\evil" and "/<TAB>/evil" as
    "//evil": a phishing link https://hub/zaloguj?next=/%5Cevil.example sends a resident
    who just typed their password to the attacker's site."""
    next_path = _js_function((PORTAL_DIR / "pages" / "sign-in.js").read_text(), "nextPath")
    script = f"""
const window = {{ location: {{ search: "?next=" + encodeURIComponent({json.dumps(payload)}),
                               href: "{HUB}/zaloguj", origin: "{HUB}" }} }};
{next_path}
// router.navigate(): where the browser ends up.
process.stdout.write(new URL(nextPath(), window.location.href).origin);
"""
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=30, check=True)
    assert result.stdout == HUB, f"next={payload!r} leads to {result.stdout}"


def test_the_hubs_own_sign_in_link_keeps_next_a_path():
    from cms.core.portal_links import sign_in_url

    for payload in ("//evil.example", "https://evil.example", "/\\evil.example"):
        url = sign_in_url(payload)
        assert "evil" not in url or "next=%2F%5Cevil" in url  # only ever a query value
    # The hub only ever passes its own request paths; the value is validated by the portal.


# --- MEDIUM: stored XSS through a message template's HTML, rendered by the portal -------------


def test_inbox_body_html_is_sanitised_before_the_portal_inserts_it():
    """pages/inbox.js renders `bodyHtml` with dangerouslySetInnerHTML on the hub's own origin
    (the admin's and the API's). The HTML comes verbatim from MessageTemplate.body_html,
    written in the admin as "the HTML version of the e-mail" by anyone with the template
    permission: script there runs in every recipient's session (and in a superuser's, whose
    inbox the portal shows too). It must be sanitised server-side (an allow-list of tags,
    attributes and URL schemes), not trusted."""
    resident = UserFactory(username="celina")
    message_template(
        "xss-probe",
        body_html="<p>Dzień dobry</p><img src=x onerror=\"fetch('/graphql')\">"
        '<script>alert(1)</script><a href="javascript:alert(2)">x</a>',
    )
    messaging.message_send(
        kind=MessageKind.ANNOUNCEMENT,
        template_key="xss-probe",
        recipients=[resident],
        context={"what": "x"},
        dedupe_key="xss-probe",
        channels=[],
    )
    client = Client()
    client.force_login(resident)
    answer = client.post(
        "/graphql",
        json.dumps({"query": "{ viewer { inbox(first: 5) { edges { node { bodyHtml } } } } }"}),
        content_type="application/json",
    ).json()
    bodies = [edge["node"]["bodyHtml"] for edge in answer["data"]["viewer"]["inbox"]["edges"]]
    assert bodies, answer
    for body in bodies:
        lowered = body.lower()
        assert "<script" not in lowered
        assert "onerror" not in lowered
        assert "javascript:" not in lowered


def test_a_broadcast_or_plain_text_message_is_escaped():
    """What a message template's *text* (and every broadcast) holds is escaped into HTML."""
    resident = UserFactory(username="dorota")
    message_template("text-probe", body_text="<img src=x onerror=alert(1)> {{ what }}")
    messaging.message_send(
        kind=MessageKind.ANNOUNCEMENT,
        template_key="text-probe",
        recipients=[resident],
        context={"what": "<script>alert(2)</script>"},
        dedupe_key="text-probe",
        channels=[],
    )
    client = Client()
    client.force_login(resident)
    answer = client.post(
        "/graphql",
        json.dumps({"query": "{ viewer { inbox(first: 5) { edges { node { bodyHtml } } } } }"}),
        content_type="application/json",
    ).json()
    body = answer["data"]["viewer"]["inbox"]["edges"][0]["node"]["bodyHtml"]
    assert "<img" not in body and "<script" not in body


# --- Held: /portal/<path> and the catch-all disclose nothing ----------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/portal/../cms/settings/base.py",
        "/portal/%2e%2e/cms/settings/base.py",
        "/portal/%2E%2E%2Fcms%2Fsettings%2Fbase.py",
        "/portal/vendor/%2e%2e/%2e%2e/%2e%2e/cms/settings/base.py",
        "/portal/..%5c..%5ccms%5csettings%5cbase.py",
        "/portal//etc/passwd",
        "/portal/%2fetc%2fpasswd",
        "/portal/.git/config",
        "/portal/vendor/",
        "/portal/pages",
        "/portal/pages/%00.js",
    ],
)
def test_portal_files_stay_inside_the_portal(path):
    response = Client().get(path)
    assert response.status_code in (400, 404), (path, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"SECRET_KEY" not in body and b"root:" not in body


def test_no_symlink_in_the_portal_leads_out_of_it():
    for entry in PORTAL_DIR.rglob("*"):
        assert not entry.is_symlink(), entry


@pytest.mark.parametrize("path", ["/cms/settings/base.py", "/manage.py", "/.env", "/%2e%2e/manage.py"])
def test_the_catch_all_answers_only_the_index(path):
    response = Client().get(path)
    assert response.status_code == 200
    assert response.content == (PORTAL_DIR / "index.html").read_bytes()
    assert "no-cache" in response["Cache-Control"]


def test_the_catch_all_takes_no_writes():
    assert Client().post("/zgloszenia/1", {"x": 1}).status_code == 405


# --- Held: persisted operations only, whatever the shape of the request -----------------------


@pytest.fixture
def persisted_only(settings):
    settings.GRAPHQL_PERSISTED_ONLY = True


FREE_QUERY = "{ viewer { username } }"


def _refused(response) -> bool:
    if response.status_code >= 400:
        return True
    body = response.json()
    return body.get("data") is None and bool(body.get("errors"))


def _file_hash(name: str) -> str:
    raw = (Path(django_settings.GRAPHQL_OPERATIONS_DIR) / name).read_bytes()
    return hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize(
    "payload",
    [
        {"query": FREE_QUERY},
        {"query": FREE_QUERY, "extensions": {}},
        {"query": FREE_QUERY, "extensions": {"persistedQuery": None}},
        {"query": FREE_QUERY, "extensions": "x"},
        {"query": FREE_QUERY, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "SITE"}}},
        {"query": FREE_QUERY + " ", "extensions": {"persistedQuery": {"version": 2, "sha256Hash": "x"}}},
    ],
)
def test_persisted_only_refuses_free_text_posts(persisted_only, payload):
    if payload.get("extensions", {}) and isinstance(payload["extensions"], dict):
        persisted = payload["extensions"].get("persistedQuery")
        if isinstance(persisted, dict) and persisted.get("sha256Hash") == "SITE":
            persisted["sha256Hash"] = _file_hash("Site.graphql")
    response = Client().post("/graphql", json.dumps(payload), content_type="application/json")
    assert _refused(response), response.content


def test_persisted_only_refuses_get_multipart_batch_and_odd_content_types(persisted_only):
    client = Client()
    assert _refused(client.get("/graphql", {"query": FREE_QUERY}))
    assert _refused(client.get("/graphql", {"query": FREE_QUERY, "extensions": "{}"}))
    multipart = client.post("/graphql", {"operations": json.dumps({"query": FREE_QUERY}), "map": "{}"})
    assert _refused(multipart)
    batch = client.post("/graphql", json.dumps([{"query": FREE_QUERY}]), content_type="application/json")
    assert _refused(batch)
    odd = client.post("/graphql", json.dumps({"query": FREE_QUERY}), content_type="application/json-x")
    assert _refused(odd)
    odd_batch = client.post("/graphql", json.dumps([{"query": FREE_QUERY}]), content_type="x-application/json")
    assert _refused(odd_batch)


def test_persisted_only_runs_a_published_operation(persisted_only):
    payload = {
        "operationName": "Site",
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": _file_hash("Site.graphql")}},
    }
    response = Client().post("/graphql", json.dumps(payload), content_type="application/json")
    assert response.status_code == 200 and "errors" not in response.json(), response.content


# --- Held: CORS opens the API only to named origins ------------------------------------------


@pytest.fixture
def portal_origin(settings):
    settings.PORTAL_ORIGINS = [PORTAL]


@pytest.mark.parametrize(
    "origin", ["null", "https://evil.example", PORTAL + ".evil.example", PORTAL.replace("https", "http"), PORTAL + "/"]
)
def test_cors_never_reflects_other_origins(portal_origin, origin):
    client = Client()
    pre = client.options(
        "/graphql",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-csrftoken",
    )
    answer = client.post(
        "/graphql", json.dumps({"query": "{ __typename }"}), content_type="application/json", HTTP_ORIGIN=origin
    )
    for response in (pre, answer):
        assert "Access-Control-Allow-Origin" not in response
        assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize(
    "path", ["/admin/", "/documents/1/x.pdf", "/zaloguj", "/portal/app.js", "/graphql/", "/messages/"]
)
def test_cors_is_only_for_the_api(portal_origin, path):
    response = Client().get(path, HTTP_ORIGIN=PORTAL)
    assert "Access-Control-Allow-Origin" not in response


def test_a_cross_site_post_with_the_session_cookie_needs_the_token(portal_origin):
    user = UserFactory(username="ewelina")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    for content_type in ("application/json", "text/plain", "application/x-www-form-urlencoded"):
        response = client.generic(
            "POST",
            "/graphql",
            json.dumps({"query": FREE_QUERY}),
            content_type=content_type,
            HTTP_ORIGIN="https://evil.example",
        )
        assert response.status_code in (400, 403), (content_type, response.status_code)


# --- Held: refusals, the 403 page and personal answers ---------------------------------------


def test_personal_answers_are_private_and_vary_on_the_cookie():
    user = UserFactory(username="felicja")
    client = Client()
    client.force_login(user)
    response = client.post("/graphql", json.dumps({"query": FREE_QUERY}), content_type="application/json")
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_the_not_available_page_names_nothing(rf):
    from cms.core.access_views import not_available

    request = rf.get("/documents/9/zarzad-wynagrodzenia.pdf")
    request.user = UserFactory(username="gosia")
    response = not_available(request).render()
    assert response.status_code == 403
    assert b"zarzad" not in response.content and b"wynagrodzenia" not in response.content
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
