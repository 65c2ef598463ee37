"""News list of 100 items with images: GraphQL against the hand-written floor view.

Run on purpose: `scripts/test.sh -m benchmark -s tests/benchmarks`. Reports requests per
second of each, their ratio, and SQL queries per request; asserts only that both return
the same JSON (speed is reported, never asserted).
"""

from __future__ import annotations

import json
import time

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from tests.factories import content as factories

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

ITEMS = 100
DURATION_SECONDS = 5.0

NEWS_QUERY = """
query News {
  news(first: 100) {
    edges { node {
      title urlPath kind priority date lead
      leadImage { alt rendition(size: CARD) { url width height } }
    } }
  }
}
"""

urlpatterns = [
    path("", include("tests.benchmarks.floor_views")),
    path("", include("cms.urls")),
]


def _graphql(client: Client):
    return client.post("/graphql", data=json.dumps({"query": NEWS_QUERY}), content_type="application/json")


def _floor(client: Client):
    return client.get("/floor/news")


def _measure(call, client) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as captured:
        call(client)
    queries = len(captured.captured_queries)
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < DURATION_SECONDS:
        call(client)
        done += 1
    return done / (time.perf_counter() - started), queries


@override_settings(ROOT_URLCONF=__name__)
def test_news_list_graphql_against_floor():
    tree = factories.build_site_tree()
    for _ in range(ITEMS):
        factories.make_news(tree.news, image=factories.make_image(), lead="Przerwa w dostawie wody.")
    client = Client()
    _graphql(client)  # the first request renders the images once; not measured

    graphql_json = _graphql(client).json()
    floor_json = _floor(client).json()
    assert len(graphql_json["data"]["news"]["edges"]) == ITEMS
    assert graphql_json == floor_json

    floor_rps, floor_queries = _measure(_floor, client)
    graphql_rps, graphql_queries = _measure(_graphql, client)
    report = {
        "items": ITEMS,
        "database": connection.vendor,
        "floor_requests_per_second": round(floor_rps, 1),
        "graphql_requests_per_second": round(graphql_rps, 1),
        "graphql_to_floor_time_ratio": round(floor_rps / graphql_rps, 2),
        "floor_sql_queries": floor_queries,
        "graphql_sql_queries": graphql_queries,
    }
    print("\nnews list benchmark:", json.dumps(report, indent=2))
