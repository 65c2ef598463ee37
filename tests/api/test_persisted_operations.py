"""Persisted operations: the files of graphql/operations/ run by their SHA-256, and in
production (GRAPHQL_PERSISTED_ONLY) nothing else runs (cms/core/graphql/persisted.py)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from graphql import OperationDefinitionNode, parse

from cms.core.graphql import persisted

pytestmark = pytest.mark.django_db

OPERATIONS = Path(__file__).resolve().parents[2] / "graphql" / "operations"
SITE = OPERATIONS / "Site.graphql"
NEWS = OPERATIONS / "News.graphql"
ARBITRARY = "{ site { name } }"


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _extensions(digest: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def _post(client, body: dict, **headers):
    return client.post("/graphql", data=json.dumps(body), content_type="application/json", **headers)


def _get(client, params: dict, accept: str = "*/*"):
    params = {key: json.dumps(value) if isinstance(value, dict) else value for key, value in params.items()}
    return client.get("/graphql", params, HTTP_ACCEPT=accept)


def _code(response) -> str:
    body = json.loads(response.content)
    assert body["data"] is None, body
    (error,) = body["errors"]
    return error["extensions"]["code"]


def _fresh(client, body: dict) -> bytes:
    with override_settings(GRAPHQL_RESPONSE_CACHE_SECONDS=0):
        response = _post(client, body)
    assert response.status_code == 200
    return response.content


@pytest.fixture
def graphiql_on(settings, monkeypatch):
    """The endpoint as development builds it: GraphiQL answers a GET without a query."""
    settings.DEBUG = True
    monkeypatch.setattr("cms.core.views._graphql_view", None)


CASES = [
    pytest.param(SITE, "Site", None, id="site"),
    pytest.param(NEWS, "News", {"first": 2}, id="news"),
    pytest.param(NEWS, "CurrentAlerts", None, id="alerts-second-operation-of-a-file"),
]


# --- the manifest ----------------------------------------------------------------------


def test_every_operation_of_every_file_is_in_the_manifest(client):
    expected = {}
    for path in sorted(OPERATIONS.glob("*.graphql")):
        for definition in parse(path.read_text(encoding="utf-8")).definitions:
            if isinstance(definition, OperationDefinitionNode):
                assert definition.name is not None, path.name
                assert definition.name.value not in expected, f"{definition.name.value} twice"
                expected[definition.name.value] = _hash(path)
    assert len(expected) >= 20
    assert persisted.manifest() == expected

    response = client.get("/graphql/operations.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == expected
    assert "max-age" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert len(response.content) < 4096
    etag = response["ETag"]
    again = client.get("/graphql/operations.json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert client.post("/graphql/operations.json").status_code == 405


def test_the_allow_list_refuses_to_start_on_a_duplicate_or_unnamed_operation(tmp_path):
    (tmp_path / "A.graphql").write_text("query Same { site { name } }\n")
    (tmp_path / "B.graphql").write_text("query Same { site { phone } }\n")
    with override_settings(GRAPHQL_OPERATIONS_DIR=tmp_path), pytest.raises(ImproperlyConfigured, match="Same"):
        persisted.allow_list()
    (tmp_path / "B.graphql").write_text("{ site { phone } }\n")
    with override_settings(GRAPHQL_OPERATIONS_DIR=tmp_path), pytest.raises(ImproperlyConfigured, match="name"):
        persisted.allow_list()


def test_in_development_an_edited_operation_is_read_again(tmp_path):
    path = tmp_path / "Site.graphql"
    path.write_text("query Site { site { name } }\n")
    with override_settings(GRAPHQL_OPERATIONS_DIR=tmp_path, DEBUG=True):
        before = persisted.manifest()["Site"]
        path.write_text("query Site { site { name phone } }\n")
        after = persisted.manifest()["Site"]
    assert before != after == _hash(path)


# --- running by hash ------------------------------------------------------------------


@pytest.mark.parametrize(("path", "name", "variables"), CASES)
def test_a_hash_runs_its_file_by_post_with_the_text_s_answer(client, scenario, path, name, variables):
    text_request = {"query": path.read_text(encoding="utf-8"), "operationName": name, "variables": variables}
    by_hash = {"extensions": _extensions(_hash(path)), "operationName": name, "variables": variables}
    expected = _fresh(client, text_request)
    assert "errors" not in json.loads(expected)
    with override_settings(GRAPHQL_RESPONSE_CACHE_SECONDS=0):
        response = _post(client, by_hash)
    assert response.status_code == 200
    assert response.content == expected


@pytest.mark.parametrize(("path", "name", "variables"), CASES)
@pytest.mark.parametrize("accept", ["*/*", "application/json", "text/html,*/*"])
def test_a_hash_runs_its_file_by_get_with_the_text_s_answer(
    client, scenario, graphiql_on, path, name, variables, accept
):
    expected = _fresh(
        client, {"query": path.read_text(encoding="utf-8"), "operationName": name, "variables": variables}
    )
    params = {"extensions": _extensions(_hash(path)), "operationName": name}
    if variables:
        params["variables"] = variables
    response = _get(client, params, accept=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == expected


def test_a_persisted_mutation_is_refused_by_get(client):
    mutation = OPERATIONS / "MessageMarkRead.graphql"
    response = _get(client, {"extensions": _extensions(_hash(mutation))})
    assert response.status_code == 400


def test_a_hash_runs_in_a_multipart_request(client, scenario):
    expected = _fresh(client, {"query": SITE.read_text(encoding="utf-8"), "operationName": "Site"})
    operations = {"extensions": _extensions(_hash(SITE)), "operationName": "Site", "variables": {}}
    response = client.post("/graphql", {"operations": json.dumps(operations), "map": "{}"})
    assert response.status_code == 200
    assert response.content == expected


def test_a_hash_with_its_own_text_runs(client, scenario):
    text = SITE.read_text(encoding="utf-8")
    response = _post(client, {"query": text, "extensions": _extensions(_hash(SITE))})
    assert response.status_code == 200
    assert json.loads(response.content)["data"]["site"] is not None


# --- refusals --------------------------------------------------------------------------


@pytest.mark.parametrize("persisted_only", [False, True])
def test_an_unknown_hash_is_refused(client, persisted_only):
    unknown = hashlib.sha256(b"query Stolen { viewer { id } }").hexdigest()
    with override_settings(GRAPHQL_PERSISTED_ONLY=persisted_only):
        by_post = _post(client, {"extensions": _extensions(unknown)})
        by_get = _get(client, {"extensions": _extensions(unknown)})
    for response in (by_post, by_get):
        assert response.status_code == 200
        assert _code(response) == "PERSISTED_QUERY_NOT_FOUND"


def test_a_hash_that_is_not_its_query_s_is_refused(client):
    """A client may not run a text under an allow-listed hash."""
    body = {"query": "{ viewer { id email } }", "extensions": _extensions(_hash(SITE))}
    response = _post(client, body)
    assert response.status_code == 400
    assert _code(response) == "BAD_REQUEST"
    response = _get(client, body)
    assert response.status_code == 400
    assert _code(response) == "BAD_REQUEST"


@pytest.mark.parametrize(
    "extension",
    [
        {"version": 2, "sha256Hash": "0" * 64},
        {"version": 1},
        {"version": 1, "sha256Hash": 12},
        "yes",
    ],
    ids=["version-2", "no-hash", "hash-not-text", "not-an-object"],
)
def test_a_malformed_persisted_query_is_refused(client, extension):
    response = _post(client, {"extensions": {"persistedQuery": extension}})
    assert response.status_code == 400
    assert _code(response) == "BAD_REQUEST"


@override_settings(GRAPHQL_PERSISTED_ONLY=True)
def test_persisted_only_refuses_any_other_text(client):
    assert _code(_post(client, {"query": ARBITRARY})) == "PERSISTED_QUERY_REQUIRED"
    assert _code(_get(client, {"query": ARBITRARY})) == "PERSISTED_QUERY_REQUIRED"
    multipart = client.post("/graphql", {"operations": json.dumps({"query": ARBITRARY}), "map": "{}"})
    assert _code(multipart) == "PERSISTED_QUERY_REQUIRED"
    # A text with its own (correct) hash is still not one of the files.
    digest = hashlib.sha256(ARBITRARY.encode()).hexdigest()
    assert _code(_post(client, {"query": ARBITRARY, "extensions": _extensions(digest)})) == "PERSISTED_QUERY_REQUIRED"
    # A content type strawberry reads as JSON though the endpoint's own checks do not:
    # the allow-list is applied to what strawberry parsed.
    sideways = client.post("/graphql", data=json.dumps({"query": ARBITRARY}), content_type="application/json-seq")
    assert _code(sideways) == "PERSISTED_QUERY_REQUIRED"


@override_settings(GRAPHQL_PERSISTED_ONLY=True)
def test_persisted_only_runs_the_files(client, scenario):
    by_hash = _post(client, {"extensions": _extensions(_hash(SITE)), "operationName": "Site"})
    assert json.loads(by_hash.content)["data"]["site"] is not None
    # The exact text of a file is one of the files.
    by_text = _post(client, {"query": SITE.read_text(encoding="utf-8")})
    assert by_text.content == by_hash.content
    by_get = _get(client, {"extensions": _extensions(_hash(NEWS)), "operationName": "CurrentAlerts"})
    assert "errors" not in json.loads(by_get.content)


def _production_setting(**environment) -> str:
    """GRAPHQL_PERSISTED_ONLY as the production settings module computes it from `environment`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"GRAPHQL_PERSISTED_ONLY", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(SECRET_KEY="s" * 50, ALLOWED_HOSTS="hub.example.org", **environment)
    completed = subprocess.run(
        [sys.executable, "-c", "from cms.settings import production; print(production.GRAPHQL_PERSISTED_ONLY)"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


def test_production_runs_only_the_files_unless_told_otherwise():
    assert _production_setting() == "True"
    assert _production_setting(GRAPHQL_PERSISTED_ONLY="0") == "False"
    assert settings.GRAPHQL_PERSISTED_ONLY is False  # development and tests


# --- the shared response cache ------------------------------------------------------------


@pytest.mark.parametrize("first", ["text", "hash"])
def test_a_persisted_request_shares_the_text_s_cached_answer(client, scenario, first):
    """A persisted request is the request its text would be: whichever comes first, the
    second is served from the shared cache (the content version only, no content read)."""
    text_request = {"query": NEWS.read_text(encoding="utf-8"), "operationName": "News", "variables": {"first": 3}}
    by_hash = {"extensions": _extensions(_hash(NEWS)), "operationName": "News", "variables": {"first": 3}}
    one, two = (text_request, by_hash) if first == "text" else (by_hash, text_request)
    answer = _post(client, one).content
    assert json.loads(answer)["data"]["news"]["edges"]
    with CaptureQueriesContext(connection) as captured:
        again = _post(client, two).content
    queries = [query["sql"] for query in captured.captured_queries]
    assert again == answer
    assert len(queries) <= 1, queries
    assert not [sql for sql in queries if "wagtailcore_page" in sql or "news_" in sql], queries
