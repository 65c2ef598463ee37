"""The portal's files themselves (no browser): every string it shows is in both
catalogues, Polish plurals have every form Polish needs, it runs only stored operations,
and it loads nothing from outside the hub."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
PORTAL = ROOT / "frontend-templates" / "portal"
SCRIPTS = sorted(PORTAL.glob("*.js")) + sorted(PORTAL.glob("pages/*.js"))
LANGUAGES = ("pl", "en")
AREAS = re.search(r"const AREAS = \[([^\]]*)\]", (PORTAL / "i18n.js").read_text()).group(1)
AREAS = re.findall(r'"(\w+)"', AREAS)


def _catalogue(language: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for area in AREAS:
        entries = json.loads((PORTAL / "locales" / language / f"{area}.json").read_text())
        assert not set(entries) & set(merged), f"{language}/{area}.json repeats keys of another area"
        merged.update(entries)
    return merged


CATALOGUES = {language: _catalogue(language) for language in LANGUAGES}
# Polish needs one/few/many (and other, for fractions); English one/other.
POLISH_PLURALS = {"one", "few", "many", "other"}


def _keys_used() -> set[str]:
    return {key for script in SCRIPTS for key in re.findall(r'\bt\("([\w.]+)"', script.read_text())}


def _prefixes_used() -> set[str]:
    """Prefixes of keys built from data: t(`documents.category.${node.category}`)."""
    return {key for script in SCRIPTS for key in re.findall(r"\bt\(`([\w.]+)\.\$\{", script.read_text())}


def _is_plural(key: str, catalogue: dict) -> bool:
    return key not in catalogue and any(k.startswith(f"{key}.") for k in catalogue)


def test_every_string_the_portal_shows_is_in_the_polish_catalogue():
    polish = CATALOGUES["pl"]
    missing = sorted(key for key in _keys_used() if key not in polish and not _is_plural(key, polish))
    assert not missing, missing


def test_every_area_the_portal_loads_has_a_catalogue_and_no_other_exists():
    for language in LANGUAGES:
        assert sorted(p.stem for p in (PORTAL / "locales" / language).glob("*.json")) == sorted(AREAS)


def test_the_catalogues_have_the_same_keys_and_polish_plurals_every_form():
    assert set(CATALOGUES["pl"]) == set(CATALOGUES["en"])
    plurals = {key.rsplit(".", 1)[0] for key in CATALOGUES["pl"] if key.rsplit(".", 1)[-1] in POLISH_PLURALS}
    for key in plurals:
        forms = {k.rsplit(".", 1)[1] for k in CATALOGUES["pl"] if k.rsplit(".", 1)[0] == key}
        assert forms == POLISH_PLURALS, (key, forms)


def test_no_catalogue_entry_is_unused():
    used, prefixes = _keys_used(), _prefixes_used()
    unused = sorted(
        key
        for key in CATALOGUES["pl"]
        if key not in used and key.rsplit(".", 1)[0] not in used and key.rsplit(".", 1)[0] not in prefixes
    )
    assert not unused, unused


def test_the_portal_runs_only_operations_the_hub_stores():
    stored = {
        match
        for path in (ROOT / "graphql" / "operations").glob("*.graphql")
        for match in re.findall(r"^(?:query|mutation)\s+(\w+)", path.read_text(), re.MULTILINE)
    }
    calls = r'(?:gql|useQuery|useMore)\("(\w+)"'
    asked = {name for script in SCRIPTS for name in re.findall(calls, script.read_text())}
    assert asked and asked <= stored, sorted(asked - stored)


def test_the_portal_loads_nothing_from_elsewhere():
    for path in [PORTAL / "index.html", PORTAL / "styles.css", *SCRIPTS]:
        text = path.read_text()
        assert not re.search(r"""(?:src|href|import|from|url)\s*\(?\s*["']?(?:https?:)?//""", text), path


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["/", "/zgloszenia", "/aktualnosci/cokolwiek/", "/zaloguj?next=/"])
def test_the_hub_serves_the_portal_at_its_addresses(address):
    response = Client().get(address)
    assert response.status_code == 200
    assert b'<div id="app">' in response.content
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["/media/images/none.jpg", "/documents/999/x.pdf", "/static/none.css", "/admin"])
def test_the_hubs_own_addresses_are_not_the_portals(address):
    response = Client().get(address)
    assert b'<div id="app">' not in response.content


@pytest.mark.django_db
def test_the_portals_files_are_served_and_nothing_beside_them():
    assert Client().get("/portal/app.js").status_code == 200
    assert Client().get("/portal/locales/pl/common.json").status_code == 200
    assert Client().get("/portal/../manage.py").status_code == 404
    assert Client().get("/portal/%2e%2e/manage.py").status_code == 404
    assert Client().get("/portal/.hidden").status_code == 404
