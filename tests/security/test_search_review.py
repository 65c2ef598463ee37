"""Security review of the directory search (issue 16): attempts to make the search leak
restricted content or stall, through every channel and input.

Each test builds a small directory of its own (function scope): a restricted section, an
alias of it, collections, and viewers of every standing. The gate terms Elasticsearch
keeps (`search.sources.gates_of` / `failed_gates`) are compared with the database's
visibility (`cms.core.visibility`) for every viewer and restriction: the two must hide
exactly the same items, since no Elasticsearch server runs here.
"""

from __future__ import annotations

import base64
import json
import time

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.documents import get_document_model

from cms.core import visibility
from cms.news.models import NewsPage
from operations.residents import services as residents
from search import sources
from search.backends.base import KINDS, SearchQuery
from tests.factories import content as f
from tests.factories.residents import (
    BuildingFactory,
    EstateFactory,
    MembershipFactory,
    SuperUserFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


class World:
    pass


@pytest.fixture
def world(db):
    w = World()
    w.tree = tree = f.build_site_tree()
    estate = EstateFactory(name="Osiedle Review", slug="osiedle-review")
    w.building_a = BuildingFactory(estate=estate, code="RA", street="ul. Review", number="1")
    w.building_b = BuildingFactory(estate=estate, code="RB", street="ul. Review", number="3")
    w.group_a = residents.audience_group(building=w.building_a)
    w.group_b = residents.audience_group(building=w.building_b)
    w.plain_group = Group.objects.create(name="Review plain group")
    w.users = {"anonymous": AnonymousUser()}
    for name, building in (("resident_a", w.building_a), ("resident_b", w.building_b)):
        user = UserFactory(username=f"review-{name}")
        MembershipFactory(user=user, unit=UnitFactory(building=building, number="9"), verified=True)
        w.users[name] = user
    pending = UserFactory(username="review-pending")
    MembershipFactory(user=pending, unit=UnitFactory(building=w.building_a, number="10"))
    w.users["pending"] = pending
    grouped = UserFactory(username="review-grouped")  # in a group, but no audience
    grouped.groups.add(w.plain_group)
    w.users["grouped"] = grouped
    w.users["superuser"] = SuperUserFactory(username="review-superuser")

    # Sections under the news index, each restricted differently, with one news item each
    # holding a word found nowhere else.
    w.sections = {}
    w.items = {}
    for key, restriction in (
        ("login", {"login": True}),
        ("password", {"password": "tajne"}),
        ("groupa", {"groups": [w.group_a]}),
        ("plain", {"groups": [w.plain_group]}),
        ("nobody", {"groups": []}),
        ("open", None),
    ):
        section = f.publish(tree.news, NewsPage(title=f"Dział {key}", slug=f"dzial-{key}", lead="x"))
        if restriction is not None:
            f.restrict_page(section, **restriction)
        w.sections[key] = section
        w.items[key] = f.publish(
            section, NewsPage(title=f"Komunikat {key}", slug=f"komunikat-{key}", lead=f"slowo{key}unikat")
        )
    # Collections likewise, each with one document.
    w.documents = {}
    for index, (key, restriction) in enumerate(
        (
            ("login", {"login": True}),
            ("password", {"password": "tajne"}),
            ("groupa", {"groups": [w.group_a]}),
            ("nobody", {"groups": []}),
            ("open", None),
        )
    ):
        # Numbered: collections are kept in name order, so a later one never moves an
        # earlier one (and the objects held here keep their tree paths).
        parent = f.make_collection(f"Review {index} {key}")
        if restriction is not None:
            f.restrict_collection(parent, **restriction)
        child = f.make_collection(f"Review {key} sub", parent=parent)
        w.documents[key] = f.make_document(title=f"Pismo dok{key}unikat", collection=child, building=w.building_a)
    from search.indexing import reindex_all

    reindex_all()
    return w


def run_search(world, text, viewer, **options):
    from search.selectors import search

    options.setdefault("kinds", frozenset(KINDS))
    return search(SearchQuery(text=text, **options), user=world.users[viewer])


VIEWERS = ("anonymous", "pending", "grouped", "resident_a", "resident_b", "superuser")


def visible_pages(world, viewer):
    user = world.users[viewer]
    return set(visibility.restrict_pages(NewsPage.objects.all(), user).values_list("pk", flat=True))


def visible_documents(world, viewer):
    user = world.users[viewer]
    queryset = visibility.restrict_by_collection(get_document_model().objects.all(), user)
    return set(queryset.values_list("pk", flat=True))


def gates_hide(world, viewer, item) -> bool:
    user = world.users[viewer]
    failed = sources.failed_gates(user)
    return bool(set(sources.gates_of(item)) & failed)


# --- Elasticsearch's gates against the database's visibility -------------------------------


@pytest.mark.parametrize("viewer", VIEWERS)
def test_gates_hide_exactly_what_visibility_hides(world, viewer):
    pages = visible_pages(world, viewer)
    documents = visible_documents(world, viewer)
    for key, page in world.items.items():
        assert gates_hide(world, viewer, page) == (page.pk not in pages), (viewer, key)
    for key, document in world.documents.items():
        assert gates_hide(world, viewer, document) == (document.pk not in documents), (viewer, key)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_gates_follow_aliases_like_visibility(world, viewer):
    """An alias of a restricted section placed in the open, with a page of its own added
    under the alias: the page shows through hidden content, so it is hidden to whoever
    fails the source's restriction, in both the gates and the database."""
    source = world.sections["groupa"]
    alias = source.create_alias(parent=world.tree.news, update_slug="alias-groupa", recursive=False)
    under = f.publish(alias, NewsPage(title="Pod aliasem", slug="pod-aliasem", lead="slowopodaliasem"))
    visibility.forget_denials()
    hidden = under.pk not in visible_pages(world, viewer)
    assert gates_hide(world, viewer, under) == hidden
    found = {hit.object_id for hit in run_search(world, "slowopodaliasem", viewer).hits}
    assert (under.pk in found) == (not hidden)
    assert hidden == (viewer not in ("resident_a", "superuser"))


# --- Every channel, every restriction, every viewer ----------------------------------------


@pytest.mark.parametrize("viewer", VIEWERS)
def test_no_channel_reveals_what_the_viewer_may_not_open(world, viewer):
    pages = visible_pages(world, viewer)
    documents = visible_documents(world, viewer)
    for key, page in world.items.items():
        results = run_search(world, f"slowo{key}unikat", viewer)
        found = {(hit.kind, hit.object_id) for hit in results.hits}
        if page.pk in pages:
            assert ("news", page.pk) in found, (viewer, key)
        else:
            assert results.total == 0 and not found, (viewer, key)
            assert all(value.count == 0 for facet in results.facets for value in facet.values), (viewer, key)
            assert not results.suggestion or f"{key}unikat" not in results.suggestion
        # A typo: "did you mean" must not offer the hidden word.
        typo = run_search(world, f"slowo{key}unikta", viewer)
        if page.pk not in pages:
            assert typo.total == 0 and not typo.suggestion, (viewer, key, typo.suggestion)
        from search.selectors import suggest

        offered = {(s.kind, s.object_id) for s in suggest(f"slowo{key}un", user=world.users[viewer])}
        if page.pk not in pages:
            assert ("news", page.pk) not in offered, (viewer, key)
    for key, document in world.documents.items():
        results = run_search(world, f"dok{key}unikat", viewer)
        found = {(hit.kind, hit.object_id) for hit in results.hits}
        if document.pk in documents:
            assert ("document", document.pk) in found, (viewer, key)
        else:
            assert results.total == 0 and not found, (viewer, key)
            building = {v.value for facet in results.facets if facet.name == "building" for v in facet.values}
            assert not building, (viewer, key)


def test_other_sites_pages_are_not_found(world):
    within = world.tree.contractors.path  # a "site" holding only the contractors
    from search.selectors import search

    results = search(
        SearchQuery(text="slowoopenunikat", kinds=frozenset(KINDS)), user=world.users["superuser"], within=within
    )
    assert results.total == 0 and not results.hits


def test_scheduled_and_draft_pages_are_not_found(world):
    from datetime import timedelta

    from django.utils import timezone

    f.schedule(
        world.tree.news,
        NewsPage(title="Przyszly", slug="przyszly", lead="slowoprzyszle"),
        timezone.now() + timedelta(days=3),
    )
    f.draft(world.tree.news, NewsPage(title="Szkic", slug="szkic", lead="slowoszkicowe"))
    for word in ("slowoprzyszle", "slowoszkicowe"):
        results = run_search(world, word, "superuser")
        assert results.total == 0 and not results.suggestion


def test_a_draft_revision_of_a_public_page_is_not_indexed(world):
    """Saving a draft of a live page (not publishing it) must not put the draft's words
    in the index."""
    page = world.items["open"].specific
    page.lead = "slowowersjirobocza"
    page.save_revision()
    assert run_search(world, "slowowersjirobocza", "superuser").total == 0


# --- The API: inputs --------------------------------------------------------------------------

SEARCH = """
query ($query: String!, $filter: SearchFilter, $first: Int, $after: String) {
  search(query: $query, filter: $filter, first: $first, after: $after) {
    totalCount suggestion
    facets { name values { value label count } }
    edges { cursor node { kind highlights { field parts { text match } } } }
  }
}
"""

SUGGEST = "query ($prefix: String!) { searchSuggest(prefix: $prefix) { text kind } }"

CONTRACTORS = "query ($filter: ContractorFilter) { contractors(filter: $filter) { totalCount } }"
DOCUMENTS = "query ($filter: DocumentFilter) { documents(filter: $filter) { totalCount } }"


def post_raw(client, query: str, variables_json: str):
    """Posts a body whose variables are written as raw JSON, so that lone surrogates
    (valid JSON escapes, invalid Unicode) reach the server as a client can send them."""
    body = f'{{"query": {json.dumps(query)}, "variables": {variables_json}}}'
    return client.post("/graphql", data=body.encode(), content_type="application/json")


def typed_error_or_data(response) -> dict:
    assert response.status_code == 200, response.content[:300]
    answer = response.json()
    for error in answer.get("errors") or ():
        # Typed errors say what is wrong; an unexpected exception is an internal error.
        code = (error.get("extensions") or {}).get("code")
        assert code and code != "INTERNAL_SERVER_ERROR", error
    return answer


@pytest.mark.parametrize(
    "operation,variables",
    [
        (SEARCH, '{"query": "abc\\ud800def"}'),
        (SEARCH, '{"query": "\\udfff"}'),
        (SEARCH, '{"query": "hydraulik", "filter": {"areas": ["\\ud800"]}}'),
        (SUGGEST, '{"prefix": "ab\\ud800"}'),
        (CONTRACTORS, '{"filter": {"search": "ab\\ud800"}}'),
        (DOCUMENTS, '{"filter": {"search": "ab\\ud800"}}'),
    ],
)
def test_lone_surrogates_get_a_typed_error_or_an_answer(world, client, operation, variables):
    typed_error_or_data(post_raw(client, operation, variables))


@pytest.mark.parametrize(
    "text",
    [
        "%",
        "_",
        "\\",
        "%_%\\%",
        "a%",
        "ｈｙｄｒａｕｌｉｋ",
        "z\u0301\u0301\u0301\u0301ólty",
        "\u202eklat\u202c",
        "\u200b\u200b",
        "🙂" * 50,
        "ǅ ß ẞ İ ı",
        "\x7f\x01\x1b",
    ],
)
def test_odd_texts_answer_without_error(world, gql, text):
    for operation, variables in (
        (SEARCH, {"query": text}),
        (SUGGEST, {"prefix": text}),
        (CONTRACTORS, {"filter": {"search": text}}),
        (DOCUMENTS, {"filter": {"search": text}}),
    ):
        answer = gql.execute(operation, variables)
        for error in answer.get("errors") or ():
            assert (error.get("extensions") or {}).get("code") not in (None, "INTERNAL_SERVER_ERROR"), error


def test_like_metacharacters_match_nothing_more(world):
    """`%`, `_` and `\\` are not wildcards: a text holding them finds what its words do."""
    from search.selectors import suggest

    superuser = world.users["superuser"]
    for text in ("%", "_", "\\", "%%", "_%_"):
        assert run_search(world, text, "superuser").total == 0, text
        assert suggest(text, user=superuser) == [], text
    for text, words in (("slowo%", "slowo"), ("slowo_", "slowo"), ("%unikat", "unikat"), ("slo_o", "slo o")):
        found = {hit.object_id for hit in run_search(world, text, "superuser").hits}
        assert found == {hit.object_id for hit in run_search(world, words, "superuser").hits}, text


@pytest.mark.parametrize(
    "text",
    [
        " ".join("abcdefghijklmnopqrstuvwxyz"[i % 26] for i in range(100)),  # 100 one-letter words
        " ".join(f"s{chr(97 + i % 26)}{chr(97 + i // 26)}" for i in range(50)),  # 50 short unknown words
        " ".join(f"slowo{chr(97 + i)}" for i in range(18)),  # words near many vocabulary terms
        "slowo " * 33,
    ],
)
def test_many_words_cost_a_bounded_number_of_queries(world, gql, text):
    """Each unknown word costs the database search vocabulary look-ups of its own (typos,
    prefixes, "did you mean"): a text of many words must be refused (a typed error) or
    answered in a bounded number of queries, whatever the entry point."""
    text = text[:200]
    for operation, variables in (
        (SEARCH, {"query": text}),
        (SUGGEST, {"prefix": text}),
        (CONTRACTORS, {"filter": {"search": text}}),
        (DOCUMENTS, {"filter": {"search": text}}),
    ):
        with CaptureQueriesContext(connection) as captured:
            start = time.monotonic()
            answer = gql.execute(operation, variables)
            elapsed = time.monotonic() - start
        for error in answer.get("errors") or ():
            assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert len(captured.captured_queries) <= 40, (operation, len(captured.captured_queries))
        assert elapsed < 5, elapsed


def test_sixteen_words_are_still_a_search(world, gql):
    text = " ".join(["slowoopenunikat"] + ["komunikat"] * 15)
    assert gql.data(SEARCH, {"query": text})["search"]["totalCount"] == 1


def _cursor(payload: str) -> str:
    return base64.b64encode(payload.encode()).decode()


@pytest.mark.parametrize(
    "after",
    ["", "x", _cursor("search:-5"), _cursor("search:99999999"), _cursor("other:3"), _cursor("search:1e3"), "\u0000"],
)
def test_forged_cursors_get_a_typed_error(world, gql, after):
    answer = gql.execute(SEARCH, {"query": "slowo", "after": after})
    assert answer.get("errors"), answer
    for error in answer["errors"]:
        assert (error.get("extensions") or {}).get("code") not in (None, "INTERNAL_SERVER_ERROR"), error


@pytest.mark.parametrize("first", [-1, 10**6, 2**31 - 1])
def test_big_or_negative_first_gets_a_typed_error(world, gql, first):
    answer = gql.execute(SEARCH, {"query": "slowo", "first": first})
    assert answer.get("errors"), answer
    for error in answer["errors"]:
        assert (error.get("extensions") or {}).get("code") not in (None, "INTERNAL_SERVER_ERROR"), error


def test_huge_filter_lists_get_a_typed_error(world, gql):
    answer = gql.execute(SEARCH, {"query": "slowo", "filter": {"areas": ["x"] * 5000}})
    assert answer.get("errors")
    assert answer["errors"][0]["extensions"]["code"] != "INTERNAL_SERVER_ERROR"


def test_building_facet_labels_name_only_buildings_of_visible_matches(world, gql):
    """The documents are all for building RA; those the anonymous viewer may read are the
    open one only, so the facet names RA with count 1 and nothing else."""
    answer = gql.data(SEARCH, {"query": "pismo"})
    building = next(facet for facet in answer["search"]["facets"] if facet["name"] == "building")
    assert [value["count"] for value in building["values"]] == [1]
    assert answer["search"]["totalCount"] == 1


def test_highlights_never_come_from_restricted_items(world, gql):
    gql.login(world.users["resident_b"])
    answer = gql.data(SEARCH, {"query": "pismo"})
    texts = " ".join(
        part["text"] for edge in answer["search"]["edges"] for h in edge["node"]["highlights"] for part in h["parts"]
    )
    assert "dokgroupaunikat" not in texts and "dokloginunikat" in texts
