"""The directory search as the portal asks for it, against a floor that is the search
itself: what the GraphQL layer costs over the search backend's own answer.

Run on purpose: `.venv/bin/python -m pytest -m benchmark -s -q -n 0 tests/benchmarks/test_search_list.py`
(`BENCHMARK_PROFILE=20` adds a cProfile of each case, see `kit.py`).

The floor (`floor_views.search_floor`) calls `search.selectors.search` directly, with the
request's denial and site root as the resolver passes them, and serialises the hits'
objects read with `.values()` through the content apps' selectors (one query per kind),
the facets' labels and the highlights, into the same JSON. Both sides therefore run the
same search (the database backend here: query parsing, Polish word forms, typo
candidates, ranking, facets, highlights); the ratio measures the GraphQL layer over the
search, not the search against a hand-written SQL query (that is
`test_search_scale.py`'s floor).

`graphql/operations/Search.graphql` with `first: 100`, every kind and no filter, over
the directory of `search_data.build` (300 firms in twenty trades, 300 documents, 1 %
and 10 % restricted to building A's audience) with 25 news items and 25 investments of
`content_data` (5 of each for building A's audience), indexed in one go. Two searches
of 100 hits or more: "wymiana" (mostly firms, some documents and investments) and
"budynku" (documents, news, investments); as a resident of building A, and "budynku"
as an anonymous visitor. Search answers are never kept in the shared response cache
(`search.api.queries`); warm is what the processes keep anyway (the site root, the
denial by content version), cold empties every cache before each request.

Asserts only that GraphQL and the floor return the same JSON and that a page of 100
costs no more queries over a page of 10 than the floor's (one per kind of content on
the page); speed is reported, never asserted.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client, override_settings

from search import indexing
from tests.benchmarks import content_data, kit, search_data
from tests.factories import content as f

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

PAGE = 100
# (text, viewer): the label of each case
SEARCHES = [("wymiana", "resident of A"), ("budynku", "resident of A"), ("budynku", "anonymous")]


def _case(client: Client, text: str, first: int):
    graphql_call = kit.graphql(client, kit.operation("Search"), {"query": text, "first": first})
    floor_call = kit.get(client, "/floor/search?" + urlencode({"query": text, "first": first}))
    return graphql_call, floor_call


@override_settings(ROOT_URLCONF="tests.benchmarks.urls")
def test_search_list_graphql_against_floor():
    data = search_data.build(contractors=300, documents=300)
    tree = f.build_site_tree()
    content_data.build_news(tree, data.people, count=20, restricted=5, alerts=0)
    content_data.build_investments(tree, data.people, count=20, restricted=5, gallery=0)
    indexing.reindex_all()
    clients = {"resident of A": Client(), "anonymous": Client()}
    clients["resident of A"].force_login(data.people.resident_a)

    cases, queries_at = {}, {}
    for text, viewer in SEARCHES:
        label = f"{text}, {viewer.replace('resident of A', 'resident A')}"
        cases[label] = _case(clients[viewer], text, PAGE)
        graphql_call, floor_call = cases[label]
        got = kit.answer(graphql_call)
        assert got == kit.answer(floor_call), label
        search = got["data"]["search"]
        assert search["totalCount"] > PAGE and len(search["edges"]) == PAGE, (label, search["totalCount"])
        small_graphql, small_floor = _case(clients[viewer], text, 10)
        assert kit.answer(small_graphql) == kit.answer(small_floor), label
        queries_at[label] = [
            (kit.queries(small_graphql), kit.queries(graphql_call)),
            (kit.queries(small_floor), kit.queries(floor_call)),
        ]
        # A page reads the objects of each kind on it in one query: a page of 10 may hold
        # fewer kinds than a page of 100, on both sides alike.
        (graphql_10, graphql_100), (floor_10, floor_100) = queries_at[label]
        assert graphql_100 - graphql_10 == floor_100 - floor_10, (label, queries_at[label])
    kinds = {edge["node"]["kind"] for case in cases.values() for edge in kit.answer(case[0])["data"]["search"]["edges"]}
    assert kinds == {"CONTRACTOR", "DOCUMENT", "NEWS", "INVESTMENT"}, kinds

    kit.compare_warm_and_cold(
        "search",
        cases,
        items=PAGE,
        queries_at_first_10_and_100_graphql_and_floor="; ".join(
            f"{label}: {g10}/{g100} and {f10}/{f100}" for label, ((g10, g100), (f10, f100)) in queries_at.items()
        ),
    )
