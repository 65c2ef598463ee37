"""The directory search on the database (search/backends/database.py) through
`search.selectors`: what is found, in which order, with which facets and highlights, and
never anything the viewer may not open (results, counts, facets, highlights,
suggestions), with a fixed number of queries whatever the page size."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.documents import get_document_model

from operations.residents import services as residents
from search import selectors
from search.backends.base import SearchQuery
from tests.factories import content as f

pytestmark = pytest.mark.django_db


def pdf_with_text(line: str) -> bytes:
    """A one-page PDF whose text is `line` (ASCII), with the cross-reference table a
    reader looks for."""
    stream = f"BT /F1 12 Tf 20 100 Td ({line}) Tj ET".encode()
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/MediaBox[0 0 400 200]/Parent 2 0 R/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
        b"<</Length %d>>stream\n%s\nendstream" % (len(stream), stream),
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def make_document(title, *, collection=None, description="", pdf_line=None, **fields):
    content = pdf_with_text(pdf_line) if pdf_line else f.PDF_BYTES
    document = get_document_model()(
        title=title,
        description=description,
        file=ContentFile(content, name="dokument.pdf"),
        collection=collection or f.root_collection(),
        **fields,
    )
    document.save()
    return document


@pytest.fixture
def people(building_a, building_b, resident):
    from tests.factories.residents import UnitFactory

    registered = User.objects.create_user("zarejestrowany")  # signed in, recognised by no audience
    registered.groups.add(Group.objects.create(name="Nie odbiorcy"))
    return {
        "anonymous": AnonymousUser(),
        "registered": registered,
        "resident_a": resident(UnitFactory(building=building_a, number="7")),
        "resident_b": resident(UnitFactory(building=building_b, number="8")),
        "group_a": residents.audience_group(building=building_a),
    }


@pytest.fixture
def directory(site_tree, people, building_a):
    hydraulik = f.make_trade("Hydraulik", "hydraulik")
    elektryk = f.make_trade("Elektryk", "elektryk", sort_order=1)
    contractors = site_tree.contractors
    items = {
        "laczbud": f.make_contractor(
            contractors,
            title="Łączbud Instalacje",
            trade=hydraulik,
            services="Naprawa kranów\nWymiana rur i pionów",
            area_served="Bemowo, Wola",
        ),
        "hydro": f.make_contractor(contractors, title="Hydro-Serwis Kowalski", trade=hydraulik, area_served="Wola"),
        "elektro": f.make_contractor(
            contractors,
            title="Elektro-Mistrz",
            trade=elektryk,
            services="Instalacje elektryczne w mieszkaniach",
            area_served="Bemowo",
        ),
        "roof": f.make_news(
            site_tree.news,
            title="Remont dachów na osiedlu",
            lead="Dachy budynków zostaną ocieplone.",
            date=date(2026, 5, 1),
        ),
        "meters": f.make_news(
            site_tree.news,
            title="Wymiana wodomierzy w budynku A",
            lead="Prosimy o udostępnienie mieszkań.",
            date=date(2026, 6, 1),
        ),
        "signed_in": f.make_news(site_tree.news, title="Zebranie członków", lead="Tylko dla mieszkańców."),
        "elevator": f.make_investment(
            site_tree.investments, title="Modernizacja wind", summary="Nowe windy w budynku C."
        ),
    }
    f.restrict_page(items["meters"], groups=[people["group_a"]])
    f.restrict_page(items["signed_in"], login=True)
    collection_a = f.make_collection("Budynek A")
    f.restrict_collection(collection_a, groups=[people["group_a"]])
    items["gas"] = make_document(
        "Protokół przeglądu instalacji gazowej",
        collection=collection_a,
        category="technical",
        year=2025,
        building=building_a,
        description="Przegląd roczny w budynku A.",
    )
    items["heat"] = make_document(
        "Regulamin rozliczania ciepła",
        category="regulations",
        year=2026,
        pdf_line="Rozliczenie wodomierzy i podzielnikow ciepla raz w roku",
    )
    return items


def search(text, who, **query):
    return selectors.search(SearchQuery(text=text, **query), user=who)


def found(results) -> list[tuple[str, int]]:
    return [(hit.kind, hit.object_id) for hit in results.hits]


def ref(item) -> tuple[str, int]:
    kind = {"ContractorPage": "contractor", "NewsPage": "news", "InvestmentPage": "investment"}.get(
        type(item).__name__, "document"
    )
    return (kind, item.pk)


def facet(results, name) -> dict[str, int]:
    return {value.value: value.count for facet in results.facets if facet.name == name for value in facet.values}


# --- what is found, in which order -------------------------------------------------------


@pytest.mark.parametrize("typed", ["Łączbud", "laczbud", "ŁĄCZBUD instalacje"])
def test_a_firm_is_found_by_its_name_with_or_without_diacritics(directory, people, typed):
    results = search(typed, people["anonymous"])
    assert found(results)[0] == ref(directory["laczbud"])
    assert results.backend == "database"


def test_an_exact_title_outranks_matches_in_other_fields(directory, people):
    # "instalacje" is Łączbud's title, Elektro-Mistrz's services and the gas report's title.
    results = search("instalacje", people["resident_a"])
    assert found(results)[0] == ref(directory["laczbud"])
    assert set(found(results)) == {ref(directory["laczbud"]), ref(directory["elektro"]), ref(directory["gas"])}


@pytest.mark.parametrize("typed", ["hydraulik", "hydraulika", "hydraulka", "Hydraulikiem"])
def test_a_trade_is_found_in_any_form_and_with_a_typo(directory, people, typed):
    results = search(typed, people["anonymous"])
    assert set(found(results)) == {ref(directory["laczbud"]), ref(directory["hydro"])}


@pytest.mark.parametrize("typed", ["dachami", "dachu", "remontow", "remontów", "dach"])
def test_inflected_words_and_forms_typed_without_diacritics_are_found(directory, people, typed):
    assert found(search(typed, people["anonymous"])) == [ref(directory["roof"])]


def test_every_word_must_match(directory, people):
    assert found(search("hydraulik bemowo", people["anonymous"])) == [ref(directory["laczbud"])]
    assert found(search("hydraulik wola", people["anonymous"])) == [ref(directory["hydro"]), ref(directory["laczbud"])]
    assert search("hydraulik ochota", people["anonymous"]).total == 0


def test_stop_words_are_not_required(directory, people):
    assert found(search("remont na dachu", people["anonymous"])) == [ref(directory["roof"])]


def test_a_pdf_text_is_searched_and_highlighted(directory, people):
    results = search("podzielników", people["anonymous"])
    assert found(results) == [ref(directory["heat"])]
    (highlight,) = results.hits[0].highlights
    assert highlight.field == "text"
    assert [part.text for part in highlight.parts if part.match] == ["podzielnikow"]


def test_highlights_mark_the_matched_words_in_their_fields(directory, people):
    results = search("krany", people["anonymous"])
    assert found(results) == [ref(directory["laczbud"])]
    highlights = {highlight.field: highlight for highlight in results.hits[0].highlights}
    assert [(part.text, part.match) for part in highlights["services"].parts][:2] == [
        ("Naprawa ", False),
        ("kranów", True),
    ]


def test_equal_scores_put_the_newer_first(site_tree, people):
    old = f.make_news(site_tree.news, title="Przegląd kominów", date=date(2025, 1, 1))
    new = f.make_news(site_tree.news, title="Przegląd kominów", date=date(2026, 1, 1))
    assert found(search("kominy", people["anonymous"])) == [ref(new), ref(old)]


def test_nothing_to_search_finds_nothing(directory, people):
    for text in ("", "   ", "!!!"):
        results = search(text, people["anonymous"])
        assert results.total == 0 and results.hits == () and results.suggestion is None


# --- visibility --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("anonymous", set()),
        ("registered", set()),
        ("resident_b", set()),
        ("resident_a", {"gas"}),
    ],
)
def test_a_restricted_document_is_found_only_by_those_who_may_open_it(directory, people, who, sees):
    results = search("protokół gazowej", people[who])
    assert set(found(results)) == {ref(directory[name]) for name in sees}
    assert results.total == len(sees)


def test_a_resident_of_b_learns_nothing_of_a_restricted_document(directory, people):
    """Not in the results, the counts, the facets, the highlights or the suggestions."""
    viewer = people["resident_b"]
    results = search("instalacji", viewer)
    assert ref(directory["gas"]) not in found(results)
    assert "document" not in facet(results, "kind")
    assert facet(results, "category") == {} and facet(results, "building") == {}
    assert all(
        "gazowej" not in part.text for hit in results.hits for highlight in hit.highlights for part in highlight.parts
    )
    # A typo of a word only the hidden document holds suggests nothing.
    typo = search("gazowj", viewer)
    assert typo.total == 0 and typo.suggestion is None
    assert [s.object_id for s in selectors.suggest("protok", user=viewer)] == []
    # The resident of A sees it all.
    assert ref(directory["gas"]) in found(search("instalacji", people["resident_a"]))
    assert [s.text for s in selectors.suggest("protok", user=people["resident_a"])] == [directory["gas"].title]


def test_a_restriction_added_after_indexing_holds_at_once(directory, people):
    assert found(search("dachy", people["anonymous"])) == [ref(directory["roof"])]
    f.restrict_page(directory["roof"], groups=[people["group_a"]])
    hidden = search("dachy", people["anonymous"])
    assert hidden.total == 0 and hidden.hits == () and facet(hidden, "kind") == {}
    assert selectors.suggest("remont", user=people["anonymous"]) == []
    assert found(search("dachy", people["resident_a"])) == [ref(directory["roof"])]


def test_login_admits_recognised_people_only(directory, people):
    assert search("zebranie", people["anonymous"]).total == 0
    assert search("zebranie", people["registered"]).total == 0
    assert found(search("zebranie", people["resident_b"])) == [ref(directory["signed_in"])]


def test_a_page_restricted_to_building_a_is_hidden_from_b(directory, people):
    assert search("wodomierzy", people["resident_b"]).hits == (search("wodomierzy", people["anonymous"]).hits)
    assert found(search("wodomierzy", people["resident_b"])) == [ref(directory["heat"])]
    assert set(found(search("wodomierzy", people["resident_a"]))) == {ref(directory["meters"]), ref(directory["heat"])}


def test_unpublished_and_outside_the_site_are_not_found(directory, people, site_tree):
    directory["hydro"].unpublish()
    assert found(search("hydraulik", people["anonymous"])) == [ref(directory["laczbud"])]
    outside = selectors.search(SearchQuery(text="hydraulik"), user=people["anonymous"], within="00019999")
    assert outside.total == 0


# --- facets and filters ------------------------------------------------------------------


def test_facets_count_the_visible_matches(directory, people):
    results = search("instalacje", people["resident_a"])
    assert facet(results, "kind") == {"contractor": 2, "document": 1}
    assert facet(results, "trade") == {"hydraulik": 1, "elektryk": 1}
    assert facet(results, "area") == {"Bemowo": 2, "Wola": 1}
    assert facet(results, "category") == {"technical": 1}
    assert facet(results, "year") == {"2025": 1}
    assert facet(results, "building") == {str(directory["gas"].building_id): 1}


def test_a_facet_is_counted_without_its_own_filter(directory, people):
    results = search("instalacje", people["resident_a"], filters={"trade": ("hydraulik",)})
    assert found(results) == [ref(directory["laczbud"])]
    assert results.total == 1
    # Its own facet still offers the other trade; the others count the filtered set.
    assert facet(results, "trade") == {"hydraulik": 1, "elektryk": 1}
    assert facet(results, "area") == {"Bemowo": 1, "Wola": 1}
    assert facet(results, "kind") == {"contractor": 1}


def test_filters_or_within_a_name_and_across_names(directory, people):
    either = search("instalacje", people["resident_a"], filters={"area": ("Wola", "Bemowo")})
    assert set(found(either)) == {ref(directory["laczbud"]), ref(directory["elektro"])}
    both = search("instalacje", people["resident_a"], filters={"area": ("Bemowo",), "trade": ("elektryk",)})
    assert found(both) == [ref(directory["elektro"])]


def test_kinds_narrow_the_hits_and_the_kind_facet_counts_every_kind(directory, people):
    results = search("instalacje", people["resident_a"], kinds=frozenset({"document"}))
    assert found(results) == [ref(directory["gas"])]
    assert facet(results, "kind") == {"contractor": 2, "document": 1}
    assert {facet.name for facet in results.facets} == {"kind", "category", "year", "building"}


def test_a_page_of_results_and_the_total(directory, people):
    first = search("hydraulik", people["anonymous"], limit=1)
    second = search("hydraulik", people["anonymous"], limit=1, offset=1)
    assert first.total == second.total == 2
    assert len(first.hits) == len(second.hits) == 1
    assert first.hits[0] != second.hits[0]


# --- typos and suggestions ---------------------------------------------------------------


def test_did_you_mean_offers_the_nearest_spelling_that_finds_something(directory, people):
    results = search("dah", people["anonymous"])  # too short to be corrected silently
    assert results.total == 0
    assert results.suggestion == "dach"
    assert found(search(results.suggestion, people["anonymous"])) == [ref(directory["roof"])]


def test_a_suggestion_keeps_the_words_that_were_found(directory, people):
    results = search("hydraulik wla", people["anonymous"])
    assert results.total == 0
    assert results.suggestion == "hydraulik wola"


def test_as_you_type_suggestions_complete_the_last_word(directory, people):
    suggestions = selectors.suggest("Łącz", user=people["anonymous"])
    assert [(s.text, s.kind, s.object_id) for s in suggestions] == [
        ("Łączbud Instalacje", "contractor", directory["laczbud"].pk)
    ]
    assert [s.text for s in selectors.suggest("hydraulik bem", user=people["anonymous"])] == ["Łączbud Instalacje"]
    assert selectors.suggest("hydraulik bem", user=people["anonymous"], kinds=frozenset({"news"})) == []
    assert len(selectors.suggest("w", user=people["anonymous"], limit=2)) <= 2


def test_a_single_letter_matches_only_itself(directory, people, site_tree):
    """A letter is a building code, not a word to widen by the dictionary: "c" is not
    read as "cent"."""
    coins = f.make_news(site_tree.news, title="Zbiórka drobnych", lead="Każdy cent się liczy, także 50 centów.")
    assert ref(coins) in found(search("cent", people["anonymous"]))
    assert found(search("c", people["anonymous"])) == [ref(directory["elevator"])]
    assert found(search("windy budynek C", people["anonymous"])) == [ref(directory["elevator"])]


# --- cost --------------------------------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_the_page(site_tree, people):
    trade = f.make_trade("Dekarz", "dekarz")
    for number in range(12):
        f.make_contractor(
            site_tree.contractors, title=f"Dekarstwo {number}", trade=trade, area_served=f"Dzielnica {number}"
        )
    counts = []
    for limit in (2, 12):
        with CaptureQueriesContext(connection) as queries:
            results = search("dekarz", people["resident_a"], limit=limit)
        assert len(results.hits) == limit
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 8


def test_repeated_and_unknown_words_do_not_add_queries(directory, people):
    """The vocabulary is read once per distinct word, at most MAX_WORDS of them, and
    "did you mean" is not tried for a query mostly of unknown words."""

    def queries_of(typed):
        with CaptureQueriesContext(connection) as queries:
            results = search(typed, people["resident_a"])
        assert results.total == 0
        return len(queries)

    once = queries_of("xqzvy hydraulik")
    assert queries_of(" ".join(["xqzvy"] * 11 + ["hydraulik"])) == once
    assert queries_of(" ".join(["Xqzvy", "xqzvy", "hydraulik", "Hydraulik"] * 3)) == once
    unknown = [f"xq{letter}zv{letter}" for letter in "abcdefghijklmnopqrstuvwxyz"]
    many = queries_of(" ".join(unknown[:16]))
    assert many == queries_of(" ".join(unknown))  # words past the 16th are not read
    # Two queries at most per distinct unknown word (typos, then prefixes), no suggestion.
    assert many <= 2 * 16 + 3


def test_fuzzy_and_near_read_what_two_fuzzy_queries_read(directory, monkeypatch):
    """The search's typo candidates and the suggestion's wider ones come from one query,
    each from the same most frequent candidates its own query would take (a small cap
    here, so the cap is what decides)."""
    from search.backends import database

    for cap in (1, 2, 3000):
        monkeypatch.setattr(database, "FUZZY_CANDIDATES", cap)
        for folded in ("hydraulka", "instalacja", "wodomierz", "remontow", "dachy", "elektryka", "bemowa", "reg"):
            wide = database._suggestion_budget(folded)
            expected = (database._fuzzy(folded), database._fuzzy(folded, wide))
            assert database._fuzzy_and_near(folded) == expected, (cap, folded)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"kinds": frozenset({"document"})},
        {"kinds": frozenset({"contractor", "news"})},
        {"filters": {"trade": ("hydraulik",)}},
        {"filters": {"area": ("Bemowo",), "kind": ("contractor",)}},
        {"filters": {"year": ("2025",)}, "kinds": frozenset({"document", "contractor"})},
    ],
)
def test_the_total_is_the_same_with_or_without_facets(directory, people, query):
    """With facets the total is read from the kind facet instead of a count of its own."""
    for who in ("anonymous", "resident_a", "resident_b"):
        with_facets = search("instalacje", people[who], **query)
        without = search("instalacje", people[who], with_facets=False, **query)
        assert with_facets.total == without.total == len(without.hits), (who, query)
        assert found(with_facets) == found(without)


def test_a_rebuild_writes_the_index_that_indexing_one_by_one_does(directory, people):
    """The rebuild writes rows in bulk and counts the vocabulary once at its end: the
    same terms, facet values and vocabulary as publishing each item. (Fingerprints are
    left out: they hold the visibility gates, and the fixture restricts pages after
    publishing them, which the database index does not follow.)"""
    from search import indexing
    from search.models import SearchEntry, SearchFacetValue, SearchTerm, SearchVocabulary

    def snapshot():
        keys = dict(SearchEntry.objects.values_list("pk", "key"))
        return (
            sorted(SearchEntry.objects.values_list("key", "kind", "title_folded", "trade_folded")),
            sorted(
                (keys[entry], term, name, weight, is_lemma)
                for entry, term, name, weight, is_lemma in SearchTerm.objects.values_list(
                    "entry_id", "term", "field", "weight", "is_lemma"
                )
            ),
            sorted(
                (keys[entry], name, value)
                for entry, name, value in SearchFacetValue.objects.values_list("entry_id", "name", "value")
            ),
            sorted(SearchVocabulary.objects.values_list("term", "written", "frequency")),
        )

    one_by_one = snapshot()
    assert one_by_one[1] and one_by_one[3]
    assert indexing.reindex_all() == len(one_by_one[0])
    assert snapshot() == one_by_one
    assert found(search("instalacje", people["resident_a"])) != []


def test_a_page_of_none_still_counts_and_facets(directory, people):
    everything = search("hydraulik", people["anonymous"])
    counted = search("hydraulik", people["anonymous"], limit=0)
    assert counted.hits == () and counted.total == everything.total > 0
    assert counted.facets == everything.facets
