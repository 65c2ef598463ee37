"""Production hands strangers no map of the API: no introspection, no "Did you mean …?"
in errors, unless GRAPHQL_INTROSPECTION turns both on (a trusted environment). In
development and tests both are on, and the schema export never depends on either.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = pytest.mark.django_db

INTROSPECTION = [
    "{ __schema { types { name } } }",
    '{ __type(name: "Query") { name } }',
    "{ news { totalCount } __schema { queryType { name } } }",
    "query { ...F } fragment F on Query { __schema { queryType { name } } }",
]

# Each asks for a suggestion in one of the places graphql-core makes them: validation of
# the document, and coercion of the variables.
MISTAKES = [
    ("{ newz { totalCount } }", None, "news"),
    ("{ news { totalCont } }", None, "totalCount"),
    ("{ news(frist: 1) { totalCount } }", None, "first"),
    ("{ news(order: NEWES) { totalCount } }", None, "NEWEST"),
    ("query($f: NewsFiltr) { news(filter: $f) { totalCount } }", None, "NewsFilter"),
    ("query($f: NewsFilter) { news(filter: $f) { totalCount } }", {"f": {"knd": "OUTAGE"}}, "kind"),
    ("query($f: NewsFilter) { news(filter: $f) { totalCount } }", {"f": {"kind": "OUTAG"}}, "OUTAGE"),
    ("query($o: NewsOrder!) { news(order: $o) { totalCount } }", {"o": "NEWES"}, "NEWEST"),
]


def post(client, query: str, variables: dict | None = None) -> dict:
    response = client.post(
        "/graphql", data=json.dumps({"query": query, "variables": variables or {}}), content_type="application/json"
    )
    assert response.status_code == 200, response.content[:300]
    return response.json()


def codes(result: dict) -> set[str]:
    return {(error.get("extensions") or {}).get("code") for error in result.get("errors") or []}


@pytest.fixture
def closed(settings):
    settings.GRAPHQL_INTROSPECTION = False


@pytest.fixture
def opened(settings):
    settings.GRAPHQL_INTROSPECTION = True


@pytest.mark.parametrize("query", INTROSPECTION)
def test_introspection_is_refused_when_closed(client, closed, query):
    result = post(client, query)
    assert result.get("data") is None, result
    assert codes(result) == {"GRAPHQL_VALIDATION_FAILED"}, result
    assert "introspection" in result["errors"][0]["message"].lower()


@pytest.mark.parametrize("query", INTROSPECTION)
def test_introspection_is_answered_when_open(client, opened, query):
    result = post(client, query)
    assert not result.get("errors"), result


def test_signed_in_people_are_not_shown_the_schema_either(client, closed):
    from tests.factories.residents import UserFactory

    client.force_login(UserFactory())
    assert codes(post(client, INTROSPECTION[0])) == {"GRAPHQL_VALIDATION_FAILED"}


def test_typename_and_ordinary_queries_still_work_when_closed(client, closed):
    result = post(client, "{ __typename news(first: 1) { __typename totalCount } }")
    assert not result.get("errors"), result
    assert result["data"]["__typename"] == "Query"


@pytest.mark.parametrize(("query", "variables", "suggested"), MISTAKES, ids=[m[2] for m in MISTAKES])
def test_mistakes_get_no_suggestion_when_closed(client, closed, query, variables, suggested):
    result = post(client, query, variables)
    assert result.get("errors"), result
    assert codes(result) <= {"GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"}, result
    for error in result["errors"]:
        assert "Did you mean" not in error["message"] and suggested not in error["message"], error


@pytest.mark.parametrize(("query", "variables", "suggested"), MISTAKES, ids=[m[2] for m in MISTAKES])
def test_mistakes_get_a_suggestion_when_open(client, opened, query, variables, suggested):
    result = post(client, query, variables)
    assert any("Did you mean" in error["message"] and suggested in error["message"] for error in result["errors"])


def test_development_and_tests_keep_the_schema_open():
    assert settings.GRAPHQL_INTROSPECTION is True


def _production_setting(**environment) -> str:
    """GRAPHQL_INTROSPECTION as the production settings module computes it from `environment`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"GRAPHQL_INTROSPECTION", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(SECRET_KEY="s" * 50, ALLOWED_HOSTS="hub.example.org", **environment)
    completed = subprocess.run(
        [sys.executable, "-c", "from cms.settings import production; print(production.GRAPHQL_INTROSPECTION)"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


def test_production_closes_the_schema_unless_told_otherwise():
    assert _production_setting() == "False"
    assert _production_setting(GRAPHQL_INTROSPECTION="1") == "True"


def test_the_schema_export_does_not_depend_on_introspection(settings, tmp_path):
    exported = {}
    for disclosed in (True, False):
        settings.GRAPHQL_INTROSPECTION = disclosed
        path = tmp_path / f"schema-{disclosed}.graphql"
        call_command("export_schema", "cms.schema", "--path", str(path))
        exported[disclosed] = path.read_text()
    assert "type Query {" in exported[False]
    assert exported[False] == exported[True]
