"""What visibility costs as restrictions pile up: 10, 1,000 and 10,000 restricted items.

Run on purpose: `PYTEST_WORKERS=0 scripts/test.sh -m benchmark -s tests/benchmarks/test_visibility_scale.py`
(on PostgreSQL too, with DATABASE_URL set). The site is the same in every round: 10,100
news items, 10,100 collections (100 documents among them) and one public item to fetch by
its address; only the number of restrictions changes. The newest N items and N
collections are restricted to building A, the worst case for an anonymous list: it must
pass over all of them to find twenty it may read. Each GraphQL request is timed as a
client sees it; the rounds for 10, 1,000 and 10,000 are interleaved three times and the
medians reported, with each one's ratio to the 10-restriction round of the same viewer.
A request that fails is reported as failed (the rule before issue 11 failed on SQLite
from about 700 restrictions on), never hidden. Nothing about speed is asserted.
"""

from __future__ import annotations

import json
import statistics
import time

import pytest
from django.db import connection
from django.test import Client
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from tests.factories import bulk_content as bulk
from tests.factories import content as f
from tests.factories.residents import estate_audience_member

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

SITE_ITEMS = 10_100
RESTRICTED_COUNTS = (10, 1_000, 10_000)
PASSES = 3
REQUESTS_PER_PASS = 10

OPERATIONS = {
    "news list": "{ news(first: 20) { totalCount edges { node { title urlPath date } } } }",
    "documents list": "{ documents(first: 20) { totalCount edges { node { title collection { name } } } } }",
    "page by address": '{ page(urlPath: "/aktualnosci/na-adres/") { title } }',
}


def _restrict_newest(news, collections, count, group):
    PageViewRestriction.objects.all().delete()
    CollectionViewRestriction.objects.all().delete()
    bulk.bulk_restrict_pages(news[-count:], groups=[group])
    bulk.bulk_restrict_collections(collections[-count:], groups=[group])
    if connection.vendor == "postgresql":
        # What autovacuum does after such a change in production: fresh planner statistics,
        # so that a round is not timed against the previous round's row counts.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _timed(client: Client, query: str) -> float | None:
    started = time.perf_counter()
    response = client.post("/graphql", data=json.dumps({"query": query}), content_type="application/json")
    elapsed = time.perf_counter() - started
    if response.status_code != 200 or response.json().get("errors"):
        return None
    return elapsed


def test_visibility_cost_as_restrictions_grow():
    tree = f.build_site_tree()
    resident_a, building_a = estate_audience_member("resident-a", "Budynek A")
    resident_b, _ = estate_audience_member("resident-b", "Budynek B")

    f.make_news(tree.news, title="Na adres", slug="na-adres")
    news = bulk.bulk_news(tree.news, SITE_ITEMS, slug_prefix="wpis")
    collections = bulk.bulk_restricted_collections(f.root_collection(), SITE_ITEMS)
    CollectionViewRestriction.objects.all().delete()
    for n in range(100):
        f.make_document(title=f"Dokument {n}", collection=collections[-1 - n * 100])
    collections = list(Collection.objects.filter(pk__in=[c.pk for c in collections]).order_by("path"))

    viewers = {"anonymous": Client(), "resident of A": Client(), "resident of B": Client()}
    viewers["resident of A"].force_login(resident_a)
    viewers["resident of B"].force_login(resident_b)

    samples: dict[tuple[str, str, int], list[float | None]] = {}
    for _ in range(PASSES):
        for count in RESTRICTED_COUNTS:
            _restrict_newest(news, collections, count, building_a)
            for viewer, client in viewers.items():
                for operation, query in OPERATIONS.items():
                    _timed(client, query)  # warm this shape once per pass
                    times = samples.setdefault((viewer, operation, count), [])
                    times.extend(_timed(client, query) for _ in range(REQUESTS_PER_PASS))

    report = []
    for viewer in viewers:
        for operation in OPERATIONS:
            row = {"viewer": viewer, "operation": operation}
            base = None
            for count in RESTRICTED_COUNTS:
                times = samples[(viewer, operation, count)]
                if any(t is None for t in times):
                    row[f"{count}"] = "failed"
                    continue
                median_ms = statistics.median(times) * 1000
                base = base or (median_ms if count == RESTRICTED_COUNTS[0] else None)
                row[f"{count}"] = f"{median_ms:.1f} ms" + (f" ({median_ms / base:.2f}x)" if base else "")
            report.append(row)
    print(f"\nvisibility at scale ({connection.vendor}, {SITE_ITEMS} items; median of {PASSES * REQUESTS_PER_PASS}):")
    for row in report:
        print(json.dumps(row, ensure_ascii=False))
