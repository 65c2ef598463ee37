"""The document directory as the portal asks for it, against the hand-written floor view.

Run on purpose: `PYTEST_WORKERS=0 scripts/test.sh -m benchmark -s tests/benchmarks/test_documents_list.py`
(`BENCHMARK_PROFILE=20` adds a cProfile of each case, see `kit.py`).

`graphql/operations/Documents.graphql` with `first: 100`: 110 documents (10 in a
collection restricted to building A), each with its collection, download address and,
for half, a building. Anonymous and a resident of building A, warm and cold. Asserts
only that GraphQL and the floor return the same JSON.
"""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.benchmarks import content_data, kit

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]


@override_settings(ROOT_URLCONF="tests.benchmarks.urls")
def test_documents_list_graphql_against_floor():
    people = content_data.build_people()
    content_data.build_documents(people)
    anonymous, resident = Client(), Client()
    resident.force_login(people.resident_a)

    cases = kit.list_cases("Documents", "/floor/documents", {"anonymous": anonymous, "resident of A": resident})
    assert kit.answer(cases["anonymous"][0])["data"]["documents"]["totalCount"] == content_data.ITEMS
    assert kit.answer(cases["resident of A"][0])["data"]["documents"]["totalCount"] == content_data.ITEMS + 10

    kit.compare_warm_and_cold("documents", cases, items=content_data.ITEMS)
