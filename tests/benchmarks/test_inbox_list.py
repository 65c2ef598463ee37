"""A resident's inbox as the portal asks for it, against the hand-written floor view.

Run on purpose: `PYTEST_WORKERS=0 scripts/test.sh -m benchmark -s tests/benchmarks/test_inbox_list.py`
(`BENCHMARK_PROFILE=20` adds a cProfile of each case, see `kit.py`).

`graphql/operations/Inbox.graphql` with `first: 100`: a resident with 120 messages, a
third read, some with an HTML version, some with a link. Personal data, never served from
a shared cache: warm (requests repeated) and cold (every cache emptied before each).
Asserts only that GraphQL and the floor return the same JSON. Also reports the execution
bound (`kit.compare`): the least ratio any GraphQL execution in Python could reach here.
"""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.benchmarks import content_data, kit

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]


@override_settings(ROOT_URLCONF="tests.benchmarks.urls")
def test_inbox_list_graphql_against_floor():
    people = content_data.build_people()
    content_data.build_inbox(people.resident_a)
    content_data.build_inbox(people.neighbour_a, count=5)  # someone else's messages stay theirs
    resident = Client()
    resident.force_login(people.resident_a)

    graphql_call = kit.graphql(resident, kit.operation("Inbox"), {"first": 100})
    floor_call = kit.get(resident, "/floor/inbox")
    got = kit.answer(graphql_call)
    assert got == kit.answer(floor_call)
    assert got["data"]["viewer"]["inbox"]["totalCount"] == content_data.ITEMS + 20
    assert len(got["data"]["viewer"]["inbox"]["edges"]) == content_data.ITEMS

    rows = {}
    for cold in (False, True):
        label = f"inbox, resident of A, {'cold' if cold else 'warm'}"
        rows[label] = kit.compare(
            label,
            graphql_call,
            floor_call,
            cold=cold,
            bound_query=kit.operation("Inbox"),
            bound_variables={"first": 100},
        )
    kit.report("inbox list", rows, items=content_data.ITEMS)
