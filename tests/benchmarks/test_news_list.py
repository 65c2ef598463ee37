"""The news list as the portal asks for it, against the hand-written floor view.

Run on purpose: `PYTEST_WORKERS=0 scripts/test.sh -m benchmark -s tests/benchmarks/test_news_list.py`
(on PostgreSQL too, with DATABASE_URL set; `BENCHMARK_PROFILE=20` adds a cProfile of each
case, see `kit.py`).

The operation is the portal's own (`graphql/operations/News.graphql`, `News` with
`first: 100`): 100 items, each with its lead image (alt, size, the CARD rendition and a
`srcset` of three widths), affected buildings, validity; and `CurrentAlerts`. Data:
110 published items (10 restricted to building A's audience, 5 of the images in a
collection restricted to building A, 5 current outage alerts), `content_data.py`.

Viewers: an anonymous visitor, and residents of building A as they hit the list:
two people of the same audiences one after the other (what a shared cache may serve to
both). Each case warm (requests repeated) and cold (every cache emptied before each
request); the floor gets the same treatment. Reports median milliseconds per request,
the ratio to the floor and SQL queries per request; asserts only that GraphQL and the
floor return the same JSON.
"""

from __future__ import annotations

import itertools

import pytest
from django.test import Client, override_settings

from tests.benchmarks import content_data, kit
from tests.factories import content as f

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]


def alternating(*calls):
    """One call after another, round robin: two residents of one building taking turns."""
    turns = itertools.cycle(calls)
    return lambda: next(turns)()


@override_settings(ROOT_URLCONF="tests.benchmarks.urls")
def test_news_list_graphql_against_floor():
    tree = f.build_site_tree()
    people = content_data.build_people()
    content_data.build_news(tree, people)

    anonymous = Client()
    residents = [Client(), Client()]
    residents[0].force_login(people.resident_a)
    residents[1].force_login(people.neighbour_a)

    news = kit.operation("News")
    cases = {
        "news, anonymous": (
            kit.graphql(anonymous, news, {"first": 100}, "News"),
            kit.get(anonymous, "/floor/news"),
        ),
        "news, residents of A": (
            alternating(*(kit.graphql(c, news, {"first": 100}, "News") for c in residents)),
            alternating(*(kit.get(c, "/floor/news") for c in residents)),
        ),
        "current alerts, anonymous": (
            kit.graphql(anonymous, news, {}, "CurrentAlerts"),
            kit.get(anonymous, "/floor/alerts"),
        ),
    }
    for case, (graphql_call, floor_call) in cases.items():
        got, expected = kit.answer(graphql_call), kit.answer(floor_call)
        assert got == expected, case
    assert len(kit.answer(cases["news, anonymous"][0])["data"]["news"]["edges"]) == content_data.ITEMS
    resident_news = kit.answer(cases["news, residents of A"][0])["data"]["news"]
    assert resident_news["totalCount"] == content_data.ITEMS + 10
    assert all(edge["node"]["leadImage"]["srcset"].count("w,") == 2 for edge in resident_news["edges"])

    rows = {}
    for cold in (False, True):
        for case, (graphql_call, floor_call) in cases.items():
            label = f"{case}, {'cold' if cold else 'warm'}"
            rows[label] = kit.compare(label, graphql_call, floor_call, cold=cold)
    kit.report("news list", rows, items=content_data.ITEMS)
