"""GraphiQL in development loads nothing from outside the hub: a cooperative's server may
have no internet, and strawberry's own page (scripts from a CDN) stays blank there."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage

pytestmark = pytest.mark.django_db

VENDORED = Path(__file__).resolve().parents[2] / "cms" / "core" / "static" / "graphiql"
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""")


class _References(HTMLParser):
    """Every URL a page names in an attribute (src, href, srcset, action, data, poster...)."""

    ATTRIBUTES = {"src", "href", "srcset", "action", "data", "poster", "formaction", "manifest", "background"}

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                parts = value.split(",") if name == "srcset" else [value]
                self.urls += [part.strip().split(" ")[0] for part in parts]


@pytest.fixture
def graphiql_page(client, settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setattr("cms.core.views._graphql_view", None)  # built again, as DEBUG builds it
    response = client.get("/graphql", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def _static_path(url: str) -> str:
    assert url.startswith(settings.STATIC_URL), url
    return url[len(settings.STATIC_URL) :]


def test_graphiql_loads_only_the_hub_s_static_files(graphiql_page):
    page = _References()
    page.feed(graphiql_page)
    assert page.urls, "the page names no files"
    scripts = []
    for url in page.urls:
        parts = urlsplit(url)
        if parts.scheme == "data":
            continue
        assert not parts.scheme and not parts.netloc, f"{url} is on another host"
        assert finders.find(_static_path(url)), f"{url} is not one of the hub's static files"
        if url.endswith(".js"):
            scripts.append(url)
    assert {Path(url).name for url in scripts} >= {
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphiql.min.js",
        "boot.js",
    }
    # Nothing added by script from elsewhere either: no inline script, no module import map.
    assert "importmap" not in graphiql_page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", graphiql_page)
    assert "//" not in re.sub(r"<!--.*?-->", "", graphiql_page.replace("data:,", ""))


def test_the_vendored_stylesheets_load_nothing_from_elsewhere():
    for css in VENDORED.rglob("*.css"):
        for match in CSS_URL.finditer(css.read_text(encoding="utf-8")):
            url = match.group(1) or match.group(2)
            assert url.startswith("data:"), f"{css.name} loads {url[:80]}"


def test_the_vendored_files_carry_their_licences():
    for folder in ("react", "react-dom", "graphiql", "plugin-explorer"):
        assert (VENDORED / folder / "LICENSE").read_text().startswith("MIT License"), folder
    size = sum(path.stat().st_size for path in VENDORED.rglob("*") if path.is_file())
    assert size < 2 * 1024 * 1024, f"{size} bytes vendored"


def test_the_vendored_files_survive_production_s_collectstatic(tmp_path):
    """Production hashes static files (ManifestStaticFilesStorage), which follows every
    reference in CSS and JS, source maps included: a reference to a file not vendored
    would stop collectstatic."""
    shutil.copytree(VENDORED, tmp_path / "graphiql")
    storage = ManifestStaticFilesStorage(location=tmp_path, base_url=settings.STATIC_URL)
    paths = {
        str(path.relative_to(tmp_path)): (storage, str(path.relative_to(tmp_path)))
        for path in (tmp_path / "graphiql").rglob("*")
        if path.is_file()
    }
    for name, _hashed, processed in storage.post_process(paths):
        assert not isinstance(processed, Exception), (name, processed)


def test_graphiql_sends_the_csrf_token(graphiql_page):
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', graphiql_page)
    assert token and len(token.group(1)) >= 32
    assert "X-CSRFToken" in (VENDORED / "boot.js").read_text()


def test_graphiql_is_not_served_outside_development(client):
    response = client.get("/graphql", HTTP_ACCEPT="text/html")
    assert response.status_code == 404
