"""N+1 is a bug: a search costs the same number of SQL queries for 2 items of each kind as
for 20, and so do `searchSuggest` and the lists filtered by `search`.

Two items of each kind hold the word "alfa", twenty the word "beta"; news and
investments carry images (lead, gallery) and buildings, documents a building and a
restricted collection, some pages a restriction, so the visibility path and every
relation a frontend shows are exercised. The first request renders the images it shows
(writes); it is a warm-up, and the second request is the one measured.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.test.utils import override_settings

from tests.factories import content as f
from tests.factories.residents import BuildingFactory, EstateFactory

pytestmark = pytest.mark.django_db

FEW, MANY = 2, 20
# Items of each kind holding each word: a search for one finds FEW, for the other MANY.
WORDS = {"alfa": FEW, "beta": MANY}

SEARCH = """
query ($query: String!, $first: Int, $after: String) {
  search(query: $query, first: $first, after: $after) {
    totalCount
    suggestion
    pageInfo { hasNextPage endCursor }
    facets { name values { value label count } }
    edges {
      cursor
      node {
        kind score highlights { field parts { text match } }
        node {
          __typename
          ... on Contractor { id title urlPath trade { name slug } services areaServed }
          ... on Document { id title category year downloadUrl collection { id name } building { id code } }
          ... on NewsItem {
            id title urlPath lead body affectedBuildings { code }
            leadImage { alt rendition(size: CARD) { url width height } srcset }
          }
          ... on Investment {
            id title urlPath summary buildings { code }
            leadImage { alt rendition(size: CARD) { url } }
            gallery { caption image { alt rendition(size: THUMBNAIL) { url } } }
          }
        }
      }
    }
  }
}
"""

SUGGEST = """
query ($prefix: String!, $kinds: [SearchKind!]) {
  searchSuggest(prefix: $prefix, kinds: $kinds, first: 20) {
    text kind
    node {
      __typename
      ... on Contractor { id title trade { name } }
      ... on Document { id title building { code } collection { name } }
      ... on NewsItem { id title leadImage { alt rendition(size: CARD) { url } } }
      ... on Investment { id title buildings { code } }
    }
  }
}
"""


def _operation(name: str) -> str:
    return (settings.BASE_DIR / "graphql" / "operations" / f"{name}.graphql").read_text()


def _build() -> dict:
    tree = f.build_site_tree()
    estate = EstateFactory()
    buildings = [BuildingFactory(estate=estate, code="A"), BuildingFactory(estate=estate, code="B")]
    insiders = Group.objects.create(name="Insiders")
    member = get_user_model().objects.create_user("member")
    member.groups.add(insiders)
    restricted = f.make_collection("Zastrzeżone")
    f.restrict_collection(restricted, groups=[insiders])
    collections = [None, restricted]
    trades = [f.make_trade("Hydraulik", "hydraulik"), f.make_trade("Elektryk", "elektryk")]
    n = 0
    for word, count in WORDS.items():
        for _ in range(count):
            n += 1
            image = f.make_image(title=f"Zdjęcie {n}", collection=collections[n % 2])
            firm = f.make_contractor(
                tree.contractors,
                title=f"{word} Instalacje {n}",
                trade=trades[n % 2],
                services="Naprawy\nPrzeglądy",
                area_served="Bemowo",
            )
            news = f.make_news(tree.news, title=f"{word} komunikat {n}", image=image, buildings=buildings[: 1 + n % 2])
            investment = f.make_investment(
                tree.investments, title=f"{word} inwestycja {n}", image=image, gallery=[image]
            )
            investment.buildings.set(buildings)
            f.make_document(
                title=f"{word} dokument {n}",
                collection=collections[n % 2],
                category="technical",
                year=2020 + n % 5,
                building=buildings[n % 2],
            )
            if n % 4 == 0:  # some pages restricted too: the visibility path is exercised
                for page in (firm, news, investment):
                    f.restrict_page(page, groups=[insiders])
    from search.indexing import reindex_all

    reindex_all()
    return {"member": member}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, api_media_root):
    """Built once for the module inside a transaction rolled back at its end (as
    tests/api/conftest.py's scenario); each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=api_media_root):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            cache.clear()
            yield _build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            cache.clear()


def _measure(gql, world, viewer: str, query: str, variables: dict) -> tuple[int, dict]:
    gql.logout()
    if viewer == "member":
        gql.login(world["member"])
    gql.execute(query, variables)  # warm-up: renders new images once
    return gql.count_queries(query, variables)


def _size(data: dict, field: str) -> int:
    answer = data[field]
    return len(answer["edges"]) if isinstance(answer, dict) else len(answer)


# name: (query, field measured, variables given the word)
CASES = {
    "search": (SEARCH, "search", lambda word: {"query": word, "first": 100}),
    "search, the portal's operation": (_operation("Search"), "search", lambda word: {"query": word, "first": 100}),
    **{
        f"searchSuggest of {kind.lower()}": (
            SUGGEST,
            "searchSuggest",
            lambda word, kind=kind: {"prefix": word[:3], "kinds": [kind]},
        )
        for kind in ("CONTRACTOR", "DOCUMENT", "NEWS", "INVESTMENT")
    },
    "searchSuggest, the portal's operation": (
        _operation("SearchSuggest"),
        "searchSuggest",
        lambda word: {"prefix": word[:3], "kinds": ["NEWS"], "first": 20},
    ),
    "contractors with search": (
        _operation("Contractors"),
        "contractors",
        lambda word: {"filter": {"search": word}, "first": 100},
    ),
    "documents with search": (
        _operation("Documents"),
        "documents",
        lambda word: {"filter": {"search": word}, "first": 100},
    ),
}


@pytest.mark.parametrize("viewer", ["anonymous", "member"])
@pytest.mark.parametrize("case", list(CASES))
def test_queries_do_not_grow_with_the_items_on_the_page(gql, world, viewer, case):
    query, field, variables = CASES[case]
    few, few_data = _measure(gql, world, viewer, query, variables("alfa"))
    many, many_data = _measure(gql, world, viewer, query, variables("beta"))
    assert _size(many_data, field) > _size(few_data, field) > 0, (few_data, many_data)
    assert many == few, (
        f"{case}: {few} queries for {_size(few_data, field)} items, {many} for {_size(many_data, field)}"
    )


def test_a_search_of_every_kind_stays_within_a_fixed_number_of_queries(gql, world):
    queries, data = _measure(gql, world, "member", SEARCH, {"query": "beta", "first": 100})
    kinds = {edge["node"]["kind"] for edge in data["search"]["edges"]}
    assert kinds == {"CONTRACTOR", "DOCUMENT", "NEWS", "INVESTMENT"}
    assert data["search"]["totalCount"] == 4 * MANY
    # Who may see what, the search and its facets, then each kind's rows with their
    # relations: a number to notice should it ever jump.
    assert queries <= 30, queries
