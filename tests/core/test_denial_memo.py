"""What a viewer may not read is remembered by a process between requests, by content
version and the viewer's standing (`visibility.denial_for_request`): a request that finds
it makes no query for it, and every change to what decides it is seen by the next
request. Shared answers are switched off here, so every answer is made afresh."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import content as f
from tests.factories.residents import estate_audience_member

pytestmark = pytest.mark.django_db

NEWS = "{ news(first: 50) { edges { node { title } } } }"


@pytest.fixture(autouse=True)
def _no_shared_answers(settings):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0


@pytest.fixture
def world():
    tree = f.build_site_tree()
    resident_a, group_a = estate_audience_member("mieszkaniec-a", "Budynek A")
    resident_b, group_b = estate_audience_member("mieszkaniec-b", "Budynek B")
    f.make_news(tree.news, title="Dla wszystkich")
    for_a = f.make_news(tree.news, title="Dla A")
    f.restrict_page(for_a, groups=[group_a])
    return {"tree": tree, "a": resident_a, "b": resident_b, "group_a": group_a, "group_b": group_b, "for_a": for_a}


def _titles(client, user=None) -> list[str]:
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.post("/graphql", json.dumps({"query": NEWS}), content_type="application/json")
    assert response.status_code == 200
    return sorted(edge["node"]["title"] for edge in response.json()["data"]["news"]["edges"])


def _denial_queries(client) -> int:
    """Queries of one news request that read the aliases and the trees' depths (`denial_of`)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/graphql", json.dumps({"query": NEWS}), content_type="application/json")
    assert response.status_code == 200
    return sum("MAX" in query["sql"] and "UNION" in query["sql"] for query in captured.captured_queries)


def test_a_second_request_of_the_same_standing_makes_no_denial_query(client, world):
    client.force_login(world["a"])
    assert _denial_queries(client) == 1
    assert _denial_queries(client) == 0


def test_viewers_of_different_standing_never_share_what_they_may_not_read(client, world):
    for _ in range(2):  # the second round finds every standing remembered
        assert _titles(client, world["a"]) == ["Dla A", "Dla wszystkich"]
        assert _titles(client, world["b"]) == ["Dla wszystkich"]
        assert _titles(client) == ["Dla wszystkich"]


def test_a_new_restriction_is_seen_by_the_next_request(client, world):
    assert _titles(client, world["b"]) == ["Dla wszystkich"]
    public = f.make_news(world["tree"].news, title="Jeszcze jawny")
    assert _titles(client, world["b"]) == ["Dla wszystkich", "Jeszcze jawny"]
    f.restrict_page(public, groups=[world["group_a"]])
    assert _titles(client, world["b"]) == ["Dla wszystkich"]


def test_a_restriction_opened_to_another_group_is_seen_by_the_next_request(client, world):
    assert _titles(client, world["b"]) == ["Dla wszystkich"]
    world["for_a"].view_restrictions.get().groups.add(world["group_b"])
    assert _titles(client, world["b"]) == ["Dla A", "Dla wszystkich"]


def test_joining_a_group_is_seen_by_the_next_request(client, world):
    assert _titles(client, world["b"]) == ["Dla wszystkich"]
    world["b"].groups.add(world["group_a"])  # not content: the standing itself changes
    assert _titles(client, world["b"]) == ["Dla A", "Dla wszystkich"]


def test_an_alias_of_restricted_content_made_later_is_hidden_at_once(client, world):
    assert _titles(client, world["b"]) == ["Dla wszystkich"]
    world["for_a"].create_alias(parent=world["tree"].news, update_slug="kopia-dla-a")
    assert _titles(client, world["b"]) == ["Dla wszystkich"]
    assert _titles(client, world["a"]) == ["Dla A", "Dla A", "Dla wszystkich"]
