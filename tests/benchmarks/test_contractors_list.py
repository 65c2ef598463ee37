"""The contractor directory as the portal asks for it, against the hand-written floor view.

Run on purpose: `PYTEST_WORKERS=0 scripts/test.sh -m benchmark -s tests/benchmarks/test_contractors_list.py`
(`BENCHMARK_PROFILE=20` adds a cProfile of each case, see `kit.py`).

`graphql/operations/Contractors.graphql` with `first: 100`: the trades and 110 firms (10
restricted to building A's audience) in five trades. Anonymous and a resident of
building A, warm and cold. Asserts only that GraphQL and the floor return the same JSON.
"""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.benchmarks import content_data, kit
from tests.factories import content as f

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]


@override_settings(ROOT_URLCONF="tests.benchmarks.urls")
def test_contractors_list_graphql_against_floor():
    tree = f.build_site_tree()
    people = content_data.build_people()
    content_data.build_contractors(tree, people)
    anonymous, resident = Client(), Client()
    resident.force_login(people.resident_a)

    cases = kit.list_cases("Contractors", "/floor/contractors", {"anonymous": anonymous, "resident of A": resident})
    assert kit.answer(cases["anonymous"][0])["data"]["contractors"]["totalCount"] == content_data.ITEMS
    assert kit.answer(cases["resident of A"][0])["data"]["contractors"]["totalCount"] == content_data.ITEMS + 10

    kit.compare_warm_and_cold("contractors", cases, items=content_data.ITEMS)
