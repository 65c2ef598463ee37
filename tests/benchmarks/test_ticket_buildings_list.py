"""The buildings an anonymous reporter may pick (`graphql/operations/TicketBuildings.graphql`),
against the hand-written floor view.

Run on purpose: `.venv/bin/python -m pytest -m benchmark -s -q -n 0 tests/benchmarks/test_ticket_buildings_list.py`
(`BENCHMARK_PROFILE=20` adds a cProfile of each case, see `kit.py`).

The operation asks the first 100 investments and the first 100 news items for their
buildings (the API has no public list of buildings yet), so it grows with the content,
not with the buildings: 110 news items and 110 investments of `content_data` (10 of
each for building A's audience), every one naming building A and a third of the news
building B too. As an anonymous visitor (who reports without an account) and as a
resident of building A. Warm (requests repeated; the response cache may serve it) and
cold (every cache emptied before each). Asserts only that GraphQL and the floor return
the same JSON and that the GraphQL query count (cold) is the same for 10 and for 110 of
each.

`TicketCategories` has no benchmark: `ticketCategories` is the active categories the
cooperative configures in the admin (a dozen at most), a fixed list that does not grow
with use.
"""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from cms.investments.models import InvestmentPage
from cms.news.models import NewsPage
from tests.benchmarks import content_data, kit
from tests.factories import content as f

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

FIRST = 10


def _cold_queries(call) -> int:
    """Queries of a request with every cache emptied (warm, the response cache answers)."""
    kit.forget_caches()
    return kit.queries(call)


@override_settings(ROOT_URLCONF="tests.benchmarks.urls")
def test_ticket_buildings_list_graphql_against_floor():
    tree = f.build_site_tree()
    people = content_data.build_people()
    anonymous, resident = Client(), Client()
    resident.force_login(people.resident_a)
    viewers = {"anonymous": anonymous, "resident of A": resident}

    content_data.build_news(tree, people, count=FIRST, restricted=0, alerts=0)
    content_data.build_investments(tree, people, count=FIRST, restricted=0, gallery=0)
    cases = kit.list_cases("TicketBuildings", "/floor/ticket-buildings", viewers, variables={})
    at_10 = {viewer: (_cold_queries(g), _cold_queries(fl)) for viewer, (g, fl) in cases.items()}
    for page in [*NewsPage.objects.all(), *InvestmentPage.objects.all()]:
        page.delete()  # made again below, with the same slugs
    content_data.build_news(tree, people, count=content_data.ITEMS, restricted=10)
    content_data.build_investments(tree, people, count=content_data.ITEMS, restricted=10)
    cases = kit.list_cases("TicketBuildings", "/floor/ticket-buildings", viewers, variables={})
    at_100 = {viewer: (_cold_queries(g), _cold_queries(fl)) for viewer, (g, fl) in cases.items()}

    got = kit.answer(cases["anonymous"][0])["data"]
    assert len(got["investments"]["edges"]) == 100 and len(got["news"]["edges"]) == 100
    assert {b["code"] for edge in got["news"]["edges"] for b in edge["node"]["affectedBuildings"]} == {
        people.building_a.code,
        people.building_b.code,
    }
    assert all(at_10[viewer][0] == at_100[viewer][0] for viewer in viewers), (at_10, at_100)

    kit.compare_warm_and_cold(
        "ticket buildings",
        cases,
        bound_query=kit.operation("TicketBuildings"),
        bound_variables={},
        items="100 news items and 100 investments",
        queries_at_10_and_100_graphql_and_floor="; ".join(
            f"{viewer}: {at_10[viewer][0]}/{at_100[viewer][0]} and {at_10[viewer][1]}/{at_100[viewer][1]}"
            for viewer in viewers
        ),
    )
