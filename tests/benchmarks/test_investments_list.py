"""The investments list as the portal asks for it, against the hand-written floor view.

Run on purpose: `PYTEST_WORKERS=0 scripts/test.sh -m benchmark -s tests/benchmarks/test_investments_list.py`
(`BENCHMARK_PROFILE=20` adds a cProfile of each case, see `kit.py`).

`graphql/operations/Investments.graphql` with `first: 100`: 110 investments (10 restricted
to building A's audience), each with a lead image at the CARD size and a gallery of two
photos (THUMBNAIL and a `srcset`; every tenth photo in a collection restricted to
building A), buildings, budget and dates. Anonymous and a resident of building A, warm
and cold. Asserts only that GraphQL and the floor return the same JSON.
"""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.benchmarks import content_data, kit
from tests.factories import content as f

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]


@override_settings(ROOT_URLCONF="tests.benchmarks.urls")
def test_investments_list_graphql_against_floor():
    tree = f.build_site_tree()
    people = content_data.build_people()
    content_data.build_investments(tree, people)
    anonymous, resident = Client(), Client()
    resident.force_login(people.resident_a)

    cases = kit.list_cases("Investments", "/floor/investments", {"anonymous": anonymous, "resident of A": resident})
    anonymous_list = kit.answer(cases["anonymous"][0])["data"]["investments"]
    assert anonymous_list["totalCount"] == content_data.ITEMS
    galleries = [len(edge["node"]["gallery"]) for edge in anonymous_list["edges"]]
    assert 1 in galleries and 2 in galleries  # some photos hidden from the anonymous visitor
    assert kit.answer(cases["resident of A"][0])["data"]["investments"]["totalCount"] == content_data.ITEMS + 10

    kit.compare_warm_and_cold("investments", cases, items=content_data.ITEMS)
