"""A document found valid is validated once (`cms.core.graphql.disclosure`), and what it
was found valid under still decides: the disclosure setting and the limits are part of
what is remembered, so a document valid in one setting is refused in another.
"""

from __future__ import annotations

import json

import graphql
import pytest

from cms.core.graphql import disclosure
from cms.core.memo import BoundedMemo

pytestmark = pytest.mark.django_db

NEWS = "{ news(first: 2) { totalCount } }"
INTROSPECTION = "{ news(first: 1) { totalCount } __schema { queryType { name } } }"
DEEP = "{ news(first: 1) { edges { node { leadImage { title } } } } }"


def post(client, query: str) -> dict:
    response = client.post("/graphql", data=json.dumps({"query": query}), content_type="application/json")
    assert response.status_code == 200, response.content[:300]
    return response.json()


@pytest.fixture
def validations(monkeypatch):
    """Counts graphql-core's validations of a document (the library's function, spied on)."""
    disclosure.forget_valid_documents()
    calls = []
    real = graphql.validate

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(disclosure, "validate", counting)
    yield calls
    disclosure.forget_valid_documents()


def test_a_valid_document_is_validated_once(client, validations):
    first = post(client, NEWS)
    second = post(client, NEWS)
    assert first == second and "errors" not in first
    assert len(validations) == 1


def test_an_invalid_document_is_validated_each_time_with_the_same_answer(client, validations):
    first = post(client, "{ news { totalCont } }")
    second = post(client, "{ news { totalCont } }")
    assert first == second
    assert first["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert len(validations) == 2


def test_a_document_valid_while_disclosed_is_refused_once_closed(client, settings, validations):
    settings.GRAPHQL_INTROSPECTION = True
    assert "errors" not in post(client, INTROSPECTION)
    settings.GRAPHQL_INTROSPECTION = False
    refused = post(client, INTROSPECTION)
    assert refused["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "data" not in refused or refused["data"] is None


def test_a_document_valid_under_a_higher_depth_limit_is_refused_under_a_lower(client, settings, validations):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0  # the news list's answer would be shared
    settings.GRAPHQL_MAX_DEPTH = 12
    assert "errors" not in post(client, DEEP)
    settings.GRAPHQL_MAX_DEPTH = 2
    refused = post(client, DEEP)
    assert refused["errors"], refused


def test_the_memo_forgets_the_oldest_beyond_its_size():
    memo = BoundedMemo(kept=2)
    for key in ("a", "b", "c"):
        memo.put(key, True)
    assert memo.get("a") is None
    assert memo.get("b") and memo.get("c")
