"""Each GraphQL document is parsed once (`cms.core.graphql.extensions.ParsedDocuments`):
the same text is not parsed again, a document that does not parse is reported on every
request as before, and the token limit still holds, since it is part of what a parsed
document is kept by."""

from __future__ import annotations

import json

import pytest
from graphql import GraphQLError

from cms.core.graphql import extensions

pytestmark = pytest.mark.django_db


def _post(client, query: str) -> dict:
    response = client.post("/graphql", data=json.dumps({"query": query}), content_type="application/json")
    assert response.status_code == 200, response.content[:300]
    return response.json()


@pytest.fixture
def parses(monkeypatch):
    """The texts graphql-core's parser was given through the extension (a count, the
    parsing unchanged); the kept documents forgotten before and after."""
    given: list[str] = []
    real = extensions.parse

    def counting(query, **options):
        given.append(query)
        return real(query, **options)

    extensions._parsed.cache_clear()
    monkeypatch.setattr(extensions, "parse", counting)
    yield given
    extensions._parsed.cache_clear()


def test_the_same_document_is_parsed_once(client, parses):
    query = "query Kto { __typename site { name } }"
    first, second = _post(client, query), _post(client, query)
    assert first == second and "errors" not in first
    assert parses == [query]
    _post(client, "{ __typename }")
    assert len(parses) == 2


def test_a_document_that_does_not_parse_is_reported_every_time(client, parses):
    for _ in range(2):
        errors = _post(client, "{ news { totalCount }")["errors"]
        assert errors[0]["message"].startswith("Syntax Error"), errors
    assert len(parses) == 2  # tried each time: an error is never kept


def test_the_token_limit_holds_and_is_part_of_what_a_document_is_kept_by(client, parses, settings):
    too_long = "{ " + " ".join(["__typename"] * (settings.GRAPHQL_MAX_TOKENS + 10)) + " }"
    for _ in range(2):
        errors = _post(client, too_long)["errors"]
        assert "tokens" in errors[0]["message"], errors
    short = "{ __typename __typename __typename }"
    assert extensions._parsed(short, (("max_tokens", 100),))
    with pytest.raises(GraphQLError):
        extensions._parsed(short, (("max_tokens", 3),))
