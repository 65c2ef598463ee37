"""`search`, `searchSuggest` and the lists' `search` filter, for every kind of viewer.

The cooperative of tests/api/scenario.py, indexed once per module: every kind of content
under every kind of restriction. Each item's text holds its key ("Komunikat building-a",
document "building-a-inspections"), so a word of a key finds exactly the items whose key
holds it, and the scenario's tables say which of them each viewer may open. A viewer's
results, counts, facets, highlights and suggestions must stay inside that set; the items
of it that hold the word must all be found.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.api.scenario import CONTRACTORS, DOCUMENTS, INVESTMENTS, NEWS

pytestmark = pytest.mark.django_db

VIEWERS = ("anonymous", "resident_a", "resident_b", "tenant_a", "contractor", "staff")

SEARCH = """
query Find($query: String!, $kinds: [SearchKind!], $filter: SearchFilter, $first: Int, $after: String) {
  search(query: $query, kinds: $kinds, filter: $filter, first: $first, after: $after) {
    totalCount
    suggestion
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    facets { name values { value label count } }
    edges {
      cursor
      node {
        kind
        score
        highlights { field parts { text match } }
        node {
          __typename
          ... on Contractor { slug trade { slug } }
          ... on NewsItem { slug }
          ... on Investment { slug }
          ... on Document { title category year building { id } }
        }
      }
    }
  }
}
"""

SUGGEST = """
query Suggest($prefix: String!, $kinds: [SearchKind!], $first: Int) {
  searchSuggest(prefix: $prefix, kinds: $kinds, first: $first) {
    text
    kind
    node {
      __typename
      ... on Contractor { slug }
      ... on NewsItem { slug }
      ... on Investment { slug }
      ... on Document { title }
    }
  }
}
"""

CONTRACTOR_LIST = """
query ($filter: ContractorFilter, $first: Int) {
  contractors(filter: $filter, first: $first) { totalCount edges { node { slug } } }
}
"""

DOCUMENT_LIST = """
query ($filter: DocumentFilter, $first: Int) {
  documents(filter: $filter, first: $first) { totalCount edges { node { title } } }
}
"""

# What each item's searchable text is made of in the scenario (title, lead, notes...).
TEXT_OF = {
    "NewsItem": lambda key: f"Komunikat {key} lead of {key}",
    "Investment": lambda key: f"Inwestycja {key} summary of {key}",
    "Contractor": lambda key: f"Firma {key} notes of {key}",
    "Document": lambda key: key,
}


@pytest.fixture(scope="module")
def indexed(scenario, django_db_blocker):
    """The scenario, indexed as `search_rebuild` indexes a site."""
    from search.indexing import reindex_all

    with django_db_blocker.unblock():
        reindex_all()
    return scenario


@pytest.fixture
def as_(as_viewer, indexed):
    return as_viewer


def visible(viewer: str) -> set[tuple[str, str]]:
    return (
        {("NewsItem", key) for key in NEWS[viewer]}
        | {("Investment", key) for key in INVESTMENTS[viewer]}
        | {("Contractor", key) for key in CONTRACTORS[viewer]}
        | {("Document", key) for key in DOCUMENTS[viewer]}
    )


def holding(viewer: str, word: str) -> set[tuple[str, str]]:
    """The items `viewer` may open whose text holds `word` as a word of its own."""
    found = set()
    for typename, key in visible(viewer):
        words = TEXT_OF[typename](key).lower().replace("-", " ").split()
        if word in words:
            found.add((typename, key))
    return found


def key_of(node: dict) -> tuple[str, str]:
    return node["__typename"], node.get("slug") or node["title"]


def search(gql, query: str, **variables) -> dict:
    return gql.data(SEARCH, {"query": query, "first": 100, **variables})["search"]


def keys(answer: dict) -> list[tuple[str, str]]:
    return [key_of(edge["node"]["node"]) for edge in answer["edges"]]


def facet(answer: dict, name: str) -> dict[str, int]:
    for found in answer["facets"]:
        if found["name"] == name:
            return {value["value"]: value["count"] for value in found["values"]}
    return {}


# --- Results, counts, facets and highlights, per viewer --------------------------------------


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("word", ["building", "owners", "staff", "contractors", "firma", "komunikat", "inwestycja"])
def test_results_hold_what_the_viewer_may_open_and_nothing_else(as_, viewer, word):
    answer = search(as_(viewer), word)
    found = keys(answer)
    assert len(found) == len(set(found)), found
    assert set(found) <= visible(viewer), set(found) - visible(viewer)
    assert holding(viewer, word) <= set(found), holding(viewer, word) - set(found)
    # Counted inside the search: the total and the per-kind counts are the viewer's own.
    assert answer["totalCount"] == len(found)
    kinds = Counter(edge["node"]["kind"] for edge in answer["edges"])
    assert facet(answer, "kind") == {kind.lower(): count for kind, count in kinds.items()}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_building_restricted_document_counts_only_for_its_building(as_, indexed, viewer):
    answer = search(as_(viewer), "inspections")
    found = set(keys(answer))
    building_a = str(indexed.building_a.pk)
    if viewer in ("resident_a", "tenant_a"):
        assert found == {("Document", "building-a-inspections")}
        assert facet(answer, "building") == {building_a: 1}
        assert facet(answer, "category") == {"technical": 1}
        assert facet(answer, "year") == {"2025": 1}
        highlighted = "".join(part["text"] for part in answer["edges"][0]["node"]["highlights"][0]["parts"])
        assert "inspections" in highlighted
    else:
        # Not in results, counts, facets nor highlights: as if it did not exist.
        assert found == set()
        assert answer["totalCount"] == 0
        assert all(not found_facet["values"] for found_facet in answer["facets"]), answer["facets"]
        assert "inspections" not in str(answer)
        # Nor offered as the spelling meant when the word is mistyped.
        misspelt = search(as_(viewer), "inspectons")
        assert misspelt["totalCount"] == 0
        assert "inspect" not in (misspelt["suggestion"] or "")


def test_facets_count_per_value_and_are_labelled_in_the_viewers_language(as_, indexed):
    gql = as_("resident_a")
    answer = search(gql, "building")
    labels = {
        (found["name"], value["value"]): value["label"] for found in answer["facets"] for value in found["values"]
    }
    assert labels[("kind", "document")] == "Dokumenty"
    assert labels[("kind", "news")] == "Aktualności"
    assert labels[("building", str(indexed.building_a.pk))] == str(indexed.building_a)
    assert labels[("year", "2026")] == "2026"
    assert labels[("category", "technical")].lower() != "technical"  # translated
    documents = [edge["node"]["node"] for edge in answer["edges"] if edge["node"]["kind"] == "DOCUMENT"]
    assert facet(answer, "year") == Counter(str(node["year"]) for node in documents)
    english = gql.execute(SEARCH, {"query": "building", "first": 100}, HTTP_ACCEPT_LANGUAGE="en")["data"]["search"]
    english_labels = {
        (found["name"], value["value"]): value["label"] for found in english["facets"] for value in found["values"]
    }
    assert english_labels[("kind", "document")] == "Documents"
    assert english_labels[("category", "technical")] == "Technical documentation"

    firms = search(gql, "firma")
    assert facet(firms, "trade") == {"hydraulik": 2, "elektryk": 2}
    trade_labels = {value["value"]: value["label"] for found in firms["facets"] for value in found["values"]}
    assert trade_labels["hydraulik"] == "Hydraulik"


def test_unpublished_text_and_password_protected_content_are_never_found(as_):
    for viewer in (*VIEWERS, "superuser"):
        gql = as_(viewer)
        # The public news item's newer draft says SEKRET; only its live text is served.
        assert search(gql, "sekret")["totalCount"] == 0
        assert not {key for key in keys(search(gql, "password"))} & {
            ("NewsItem", "password"),
            ("Document", "password"),
            ("Investment", "inv-password"),
        }
        assert ("Contractor", "firm-draft") not in keys(search(gql, "firma"))


def test_a_restriction_added_after_indexing_holds_at_once(as_, indexed):
    from tests.factories import content as f

    assert ("NewsItem", "public") in keys(search(as_("anonymous"), "komunikat"))
    f.restrict_page(indexed.pages["public"], groups=[indexed.groups["staff"]])
    assert ("NewsItem", "public") not in keys(search(as_("anonymous"), "komunikat"))
    assert ("NewsItem", "public") in keys(search(as_("staff"), "komunikat"))


# --- Narrowing -------------------------------------------------------------------------------


def test_kinds_and_facet_filters_narrow_and_unknown_values_match_nothing(as_, indexed):
    gql = as_("resident_a")
    documents = search(gql, "building", kinds=["DOCUMENT"])
    assert {key for key in keys(documents)} == {("Document", "building-a"), ("Document", "building-a-inspections")}
    # Kind counts ignore the kinds asked for, so tabs show every kind's count.
    assert facet(documents, "kind") == facet(search(gql, "building"), "kind")
    assert facet(documents, "kind")["document"] == 2

    years = search(gql, "building", filter={"years": [2025]})
    assert keys(years) == [("Document", "building-a-inspections")]
    buildings = search(gql, "building", kinds=["DOCUMENT"], filter={"buildings": [str(indexed.building_a.pk)]})
    assert len(keys(buildings)) == 2
    plumbers = search(gql, "firma", filter={"trades": ["hydraulik"]})
    assert set(keys(plumbers)) == {("Contractor", "plumber"), ("Contractor", "plumber-2")}
    for unknown in ({"trades": ["nie-ma-takiej"]}, {"categories": ["NOPE"]}, {"buildings": ["999999"]}):
        answer = search(gql, "firma", filter=unknown)
        assert answer["totalCount"] == 0 and answer["edges"] == [], unknown


# --- Paging ----------------------------------------------------------------------------------


def test_cursors_page_through_every_result_once(as_):
    gql = as_("staff")
    everything = keys(search(gql, "firma", kinds=["CONTRACTOR"]))
    assert len(everything) == len(CONTRACTORS["staff"])
    seen, after, pages = [], None, 0
    while True:
        page = gql.data(SEARCH, {"query": "firma", "kinds": ["CONTRACTOR"], "first": 2, "after": after})["search"]
        pages += 1
        assert page["totalCount"] == len(everything)
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        assert len(page["edges"]) <= 2
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        seen += keys(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == 3
    assert seen == everything  # the same order, nothing twice, nothing left out


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"query": ""}, "query"),
        ({"query": "   "}, "query"),
        ({"query": "x" * 201}, "query"),
        ({"query": "firma", "first": -1}, "first"),
        ({"query": "firma", "first": 101}, "first"),
        ({"query": "firma", "after": "nonsense"}, "after"),
        ({"query": "firma", "after": "YXJyYXljb25uZWN0aW9uOjI="}, "after"),  # another list's cursor
        ({"query": "firma", "after": "c2VhcmNoOi0x"}, "after"),  # search:-1
        ({"query": "firma", "after": "c2VhcmNoOjk5OTk5OTk5OTk5"}, "after"),  # far past the last page
        ({"query": "firma", "filter": {"areas": ["x" * 201]}}, "filter.areas"),
    ],
)
def test_bad_input_is_a_typed_error(as_, variables, field):
    answer = as_("anonymous").execute(SEARCH, variables)
    assert answer["data"] is None
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["field"] == field


def test_a_nul_in_the_text_is_a_typed_error_too(indexed):
    # The endpoint refuses NUL before GraphQL; the schema refuses it for any other caller.
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from strawberry.django.context import StrawberryDjangoContext

    from cms.schema import schema

    request = RequestFactory().post("/graphql")
    request.user = AnonymousUser()
    result = schema.execute_sync(
        "query ($q: String!) { search(query: $q) { totalCount } }",
        variable_values={"q": "fir\x00ma"},
        context_value=StrawberryDjangoContext(request=request, response=None),
    )
    [error] = result.errors
    assert error.extensions["code"] == "BAD_USER_INPUT"
    assert error.extensions["field"] == "query"


# --- Suggestions -----------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", VIEWERS)
def test_suggestions_name_only_what_the_viewer_may_open(as_, viewer):
    gql = as_(viewer)
    for prefix in ("buil", "own", "staf", "contr", "fir", "komu", "inwe", "insp"):
        suggestions = gql.data(SUGGEST, {"prefix": prefix, "first": 20})["searchSuggest"]
        assert {key_of(item["node"]) for item in suggestions} <= visible(viewer), (prefix, suggestions)
    inspections = gql.data(SUGGEST, {"prefix": "inspe"})["searchSuggest"]
    if viewer in ("resident_a", "tenant_a"):
        assert [key_of(item["node"]) for item in inspections] == [("Document", "building-a-inspections")]
        assert inspections[0]["kind"] == "DOCUMENT"
    else:
        assert inspections == []


def test_suggestions_follow_kinds_and_limits(as_):
    gql = as_("staff")
    firms = gql.data(SUGGEST, {"prefix": "fir", "kinds": ["CONTRACTOR"], "first": 2})["searchSuggest"]
    assert 1 <= len(firms) <= 2
    assert {item["kind"] for item in firms} == {"CONTRACTOR"}
    assert gql.data(SUGGEST, {"prefix": "fir", "kinds": ["DOCUMENT"]})["searchSuggest"] == []
    assert gql.data(SUGGEST, {"prefix": "  "})["searchSuggest"] == []
    for variables, field in (({"prefix": "x" * 201}, "prefix"), ({"prefix": "fir", "first": 21}, "first")):
        [error] = gql.execute(SUGGEST, variables)["errors"]
        assert (error["extensions"]["code"], error["extensions"]["field"]) == ("BAD_USER_INPUT", field)


# --- The lists' `search` ---------------------------------------------------------------------


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_contractor_list_searches_as_the_search_does(as_, viewer):
    gql = as_(viewer)
    listed = gql.data(CONTRACTOR_LIST, {"filter": {"search": "plumber"}, "first": 100})["contractors"]
    slugs = [edge["node"]["slug"] for edge in listed["edges"]]
    expected = {key for typename, key in holding(viewer, "plumber")}
    assert set(slugs) == expected
    assert listed["totalCount"] == len(slugs)
    # Ordered by relevance, exactly as the search ranks them.
    ranked = [key for _, key in keys(search(gql, "plumber", kinds=["CONTRACTOR"]))]
    assert slugs == ranked
    # Combined with the other filters.
    electricians = gql.data(CONTRACTOR_LIST, {"filter": {"search": "plumber", "trade": "elektryk"}})
    assert electricians["contractors"]["edges"] == []


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_document_list_searches_as_the_search_does(as_, viewer):
    gql = as_(viewer)
    listed = gql.data(DOCUMENT_LIST, {"filter": {"search": "building"}, "first": 100})["documents"]
    titles = [edge["node"]["title"] for edge in listed["edges"]]
    assert set(titles) == {key for typename, key in holding(viewer, "building") if typename == "Document"}
    ranked = [key for _, key in keys(search(gql, "building", kinds=["DOCUMENT"]))]
    assert titles == ranked
    narrowed = gql.data(DOCUMENT_LIST, {"filter": {"search": "building", "year": 2025}, "first": 100})
    assert {edge["node"]["title"] for edge in narrowed["documents"]["edges"]} <= {"building-a-inspections"}


def test_a_blank_list_search_is_no_search_and_a_bad_one_is_a_typed_error(as_):
    gql = as_("anonymous")
    everything = gql.data(CONTRACTOR_LIST, {"first": 100})["contractors"]
    blank = gql.data(CONTRACTOR_LIST, {"filter": {"search": "  "}, "first": 100})["contractors"]
    assert blank == everything
    for query in (CONTRACTOR_LIST, DOCUMENT_LIST):
        [error] = gql.execute(query, {"filter": {"search": "x" * 201}})["errors"]
        assert (error["extensions"]["code"], error["extensions"]["field"]) == ("BAD_USER_INPUT", "search")


def test_a_list_search_pages_with_the_lists_cursors(as_):
    gql = as_("staff")
    first = gql.data(
        'query { contractors(first: 2, filter: {search: "firma"}) { totalCount pageInfo { endCursor hasNextPage } '
        "edges { node { slug } } } }"
    )["contractors"]
    assert first["totalCount"] == len(CONTRACTORS["staff"]) and first["pageInfo"]["hasNextPage"]
    rest = gql.data(
        'query ($after: String) { contractors(first: 100, after: $after, filter: {search: "firma"}) '
        "{ edges { node { slug } } } }",
        {"after": first["pageInfo"]["endCursor"]},
    )["contractors"]
    slugs = [edge["node"]["slug"] for edge in first["edges"] + rest["edges"]]
    assert sorted(slugs) == sorted(CONTRACTORS["staff"])


def test_refusals_are_in_the_viewers_language(as_):
    gql = as_("anonymous")
    [blank] = gql.execute(SEARCH, {"query": " "})["errors"]
    assert blank["message"] == "To pole jest wymagane."
    [long] = gql.execute(SEARCH, {"query": "x" * 201})["errors"]
    assert long["message"] == "Wpisz najwyżej 200 znaków."
    [english] = gql.execute(SEARCH, {"query": " "}, HTTP_ACCEPT_LANGUAGE="en")["errors"]
    assert english["message"] == "This field is required."


def test_a_list_keeps_the_rank_order_of_as_many_matches_as_it_may_hold(indexed):
    # The most a list holds (`MAX_RANKED`), in one query: ids of rows gone or never made
    # are simply not there, and the others come in the order given.
    from cms.contractors.models import ContractorPage
    from cms.core.directory_search import MAX_RANKED, in_rank_order

    real = list(ContractorPage.objects.order_by("-pk").values_list("pk", flat=True))
    absent = [10_000_000 + n for n in range(MAX_RANKED - len(real))]
    ranked = absent[: len(absent) // 2] + real + absent[len(absent) // 2 :]
    assert len(ranked) == MAX_RANKED
    assert list(in_rank_order(ContractorPage.objects.all(), ranked).values_list("pk", flat=True)) == real
    assert list(in_rank_order(ContractorPage.objects.all(), []).values_list("pk", flat=True)) == []
