"""The directory search's contract, as a resident sees it: the queries of
tests/search/search_expectations.py over the directory of tests/search/conftest.py, run
against every configured backend (the database always; Elasticsearch when
ELASTICSEARCH_URL is set), through the public selectors `search.selectors.search` and
`search.selectors.suggest`.

Besides the table: highlights show the words that matched, totals and pages agree, facet
counts agree with filtered searches, and publishing a page makes it searchable.
"""

from __future__ import annotations

import pytest

from search.backends.base import KINDS, SearchQuery
from search.text import fold
from tests.search.conftest import ASBESTOS_TEXT, HEAT_MANUAL_TEXT, Firm, _firm_page, read_pdf_text
from tests.search.search_expectations import CASES, SUGGEST_CASES, Case, SuggestCase

# Enough to see every hit of any case: the directory has fewer than 60 items.
EVERYTHING = 60


def run(world, text: str, *, viewer: str = "resident_a", kinds=None, filters=None, offset=0, limit=EVERYTHING):
    from search.selectors import search

    query = SearchQuery(
        text=text,
        kinds=frozenset(kinds) if kinds else frozenset(KINDS),
        filters=_filters(world, filters or {}),
        offset=offset,
        limit=limit,
    )
    return search(query, user=world.user(viewer))


def _filters(world, filters: dict) -> dict:
    """Building filter values are written "A" and "B" in the table."""
    return {name: tuple(_facet_value(world, name, value) for value in values) for name, values in filters.items()}


def _facet_value(world, name: str, value: str) -> str:
    if name == "building" and value in ("A", "B"):
        return str((world.building_a if value == "A" else world.building_b).pk)
    return value


def keys(world, results) -> list[str]:
    return [world.key_of(hit.kind, hit.object_id) for hit in results.hits]


def facet_counts(results, name: str) -> dict[str, int]:
    for facet in results.facets:
        if facet.name == name:
            return {value.value: value.count for value in facet.values}
    return {}


def _case_id(case: Case) -> str:
    extra = []
    if case.viewer != "resident_a":
        extra.append(case.viewer)
    if case.kinds:
        extra.append("+".join(sorted(case.kinds)))
    if case.filters:
        extra.append(",".join(f"{name}={'|'.join(values)}" for name, values in case.filters.items()))
    return " ".join([repr(case.text), *extra])


@pytest.mark.parametrize("case", CASES, ids=[_case_id(case) for case in CASES])
def test_query(world, backend, case: Case):
    results = run(world, case.text, viewer=case.viewer, kinds=case.kinds, filters=case.filters)
    found = keys(world, results)
    shown = f"{case.text!r} as {case.viewer} ({case.why}) found {found}"

    assert results.total >= len(found), shown
    if len(found) < EVERYTHING:
        assert results.total == len(found), f"total {results.total}: {shown}"
    if case.first is not None:
        assert found[:1] == [case.first], shown
    if case.top:
        assert set(found[: len(case.top)]) == set(case.top), shown
    if case.within is not None:
        depth, wanted = case.within
        assert set(wanted) <= set(found[:depth]), shown
    if case.includes:
        assert set(case.includes) <= set(found), f"missing {set(case.includes) - set(found)}: {shown}"
    if case.excludes:
        assert not set(case.excludes) & set(found), f"unexpected {set(case.excludes) & set(found)}: {shown}"
    if case.exactly is not None:
        assert sorted(found) == sorted(case.exactly), shown
        assert results.total == len(case.exactly), shown
    if case.empty:
        assert found == [] and results.total == 0, shown
    if case.kinds_only is not None:
        assert {hit.kind for hit in results.hits} <= case.kinds_only, shown
    if case.kinds:
        assert {hit.kind for hit in results.hits} <= set(case.kinds), shown
    if case.suggestion == "":
        assert results.suggestion in (None, ""), f"suggested {results.suggestion!r}: {shown}"
    elif case.suggestion is not None:
        assert results.suggestion is not None and fold(results.suggestion) == fold(case.suggestion), (
            f"suggested {results.suggestion!r}, expected {case.suggestion!r}: {shown}"
        )
    for name, expected in case.facets.items():
        counts = facet_counts(results, name)
        for value, count in expected.items():
            actual = counts.get(_facet_value(world, name, value), 0)
            assert actual == count, f"facet {name}={value}: {actual}, expected {count} in {counts}; {shown}"


def _suggest_id(case: SuggestCase) -> str:
    extra = [case.viewer] if case.viewer != "resident_a" else []
    if case.kinds:
        extra.append("+".join(sorted(case.kinds)))
    if case.limit:
        extra.append(f"limit={case.limit}")
    return " ".join([repr(case.prefix), *extra])


@pytest.mark.parametrize("case", SUGGEST_CASES, ids=[_suggest_id(case) for case in SUGGEST_CASES])
def test_suggestion(world, backend, case: SuggestCase):
    from search.selectors import suggest

    options = {}
    if case.kinds:
        options["kinds"] = frozenset(case.kinds)
    if case.limit:
        options["limit"] = case.limit
    suggestions = suggest(case.prefix, user=world.user(case.viewer), **options)
    found = [world.key_of(item.kind, item.object_id) for item in suggestions]
    shown = f"{case.prefix!r} as {case.viewer} ({case.why}) suggested {[item.text for item in suggestions]} = {found}"

    assert len(suggestions) <= (case.limit or 8), shown
    if case.includes:
        assert set(case.includes) <= set(found), f"missing {set(case.includes) - set(found)}: {shown}"
    if case.excludes:
        assert not set(case.excludes) & set(found), shown
    for key, text in case.text_of.items():
        texts = [item.text for item in suggestions if world.key_of(item.kind, item.object_id) == key]
        assert any(text in written for written in texts), shown
    if case.empty:
        assert suggestions == [], shown
    if case.most is not None:
        assert len(suggestions) <= case.most, shown
    if case.kinds_only is not None:
        assert {item.kind for item in suggestions} <= case.kinds_only, shown


def test_the_corpus_is_what_the_issue_asks_for():
    """At least 60 queries with the results a resident would expect (issue 16)."""
    assert len(CASES) >= 60
    texts = " ".join(case.text for case in CASES)
    for needed in ("sp. z o.o.", "s.c.", "zolw", "łączbud", "hydraulka", "spoldzelnia", "sprawozdanie 2024"):
        assert needed in texts


def test_the_directory_has_pdfs_with_text(world):
    """The PDFs whose words the table looks for carry those words, as pypdf reads them: a
    failing PDF case is then the search's, not the fixture's."""
    for key, text in (("instrukcja-wezla", HEAT_MANUAL_TEXT), ("doc-a-azbest", ASBESTOS_TEXT)):
        document = world.objects[key]
        with document.file.open("rb") as handle:
            read = fold(" ".join(read_pdf_text(handle.read()).split()))
        for word in ("legionella", "wymiennik") if key == "instrukcja-wezla" else ("chryzotyl", "azbestowych"):
            assert word in read and word in fold(text)


# --- Highlights ------------------------------------------------------------------------------


def _highlights_of(world, results, key: str):
    for hit in results.hits:
        if world.key_of(hit.kind, hit.object_id) == key:
            return hit.highlights
    raise AssertionError(f"{key} not found: {keys(world, results)}")


def _matched(highlights, field: str | None = None) -> list[str]:
    return [
        part.text
        for highlight in highlights
        if field is None or highlight.field == field
        for part in highlight.parts
        if part.match
    ]


def test_a_pdf_hit_shows_the_matched_word_in_its_text(world, backend):
    highlights = _highlights_of(world, run(world, "legionella"), "instrukcja-wezla")
    matched = _matched(highlights, "text")
    assert matched and {fold(word) for word in matched} == {"legionella"}, highlights
    # The fragment is the PDF's own words around the match, not the whole text.
    text = "".join(part.text for highlight in highlights if highlight.field == "text" for part in highlight.parts)
    assert "bakterii" in text and len(text) < len(HEAT_MANUAL_TEXT) + 10


def test_highlights_mark_other_forms_of_the_word(world, backend):
    """'remontów' marks 'remonty' in the services; 'dachow' typed without diacritics
    marks 'dachów'."""
    matched = _matched(_highlights_of(world, run(world, "remontów"), "laczbud"), "services")
    assert "remonty" in matched
    matched = _matched(_highlights_of(world, run(world, "dachow"), "dach-pol"), "services")
    assert "dachów" in matched


def test_highlights_mark_whole_words_that_matched_and_nothing_else(world, backend):
    results = run(world, "wymiana pionów", kinds={"contractor"})
    for hit in results.hits:
        for word in _matched(hit.highlights):
            assert fold(word) in {"wymiana", "pionow", "pion"} or fold(word).startswith(("wymian", "pion")), word


# --- Totals, pages, facets and scores agree ---------------------------------------------------


def test_pages_add_up_to_the_whole_list(world, backend):
    whole = run(world, "wymiana")
    assert whole.total >= 8
    pages = [run(world, "wymiana", offset=offset, limit=3) for offset in range(0, whole.total, 3)]
    assert all(page.total == whole.total for page in pages)
    assert [key for page in pages for key in keys(world, page)] == keys(world, whole)


def test_scores_never_rise_down_the_list(world, backend):
    results = run(world, "wymiana")
    scores = [hit.score for hit in results.hits]
    assert scores == sorted(scores, reverse=True)


def test_the_kind_facet_counts_what_each_kind_finds(world, backend):
    for viewer in ("anonymous", "resident_a", "resident_b"):
        results = run(world, "budynku", viewer=viewer)
        counts = facet_counts(results, "kind")
        assert sum(counts.values()) == results.total, (viewer, counts)
        for kind in KINDS:
            assert counts.get(kind, 0) == run(world, "budynku", viewer=viewer, kinds={kind}).total, (viewer, kind)


def test_the_trade_facet_counts_what_the_trade_filter_finds(world, backend):
    results = run(world, "wymiana")
    for trade, count in facet_counts(results, "trade").items():
        assert run(world, "wymiana", filters={"trade": (trade,)}).total == count, trade


def test_the_configured_backend_answers(world, backend):
    """No silent fallback: the backend under test answered (a fallback to the database
    would make the Elasticsearch run test the database twice)."""
    assert run(world, "hydraulik").backend == backend


# --- Indexing follows publishing --------------------------------------------------------------


def test_a_published_firm_is_found_and_its_edits_follow(world, backend, django_capture_on_commit_callbacks):
    from tests.factories import content as f

    firm = Firm("nowy-dekarz", "Dachołaz Nowak", "dekarz", "naprawa kominów i rynien", "Bemowo")
    with django_capture_on_commit_callbacks(execute=True):
        page = f.publish(world.tree.contractors, _firm_page(firm, world.trades))
    world.items[firm.key] = ("contractor", page.pk)
    try:
        assert keys(world, run(world, "dachołaz"))[:1] == ["nowy-dekarz"]
        assert "nowy-dekarz" in keys(world, run(world, "dekarz"))

        page.title = "Rynnex Nowak"
        with django_capture_on_commit_callbacks(execute=True):
            page.save_revision().publish()
        assert "nowy-dekarz" not in keys(world, run(world, "dachołaz"))
        assert keys(world, run(world, "rynnex"))[:1] == ["nowy-dekarz"]
    finally:
        # Unpublished, which takes it out of an index outside the database too (that
        # one is not rolled back with the test). Deleting is tested in test_search_leaks.
        with django_capture_on_commit_callbacks(execute=True):
            type(page).objects.get(pk=page.pk).unpublish()
        assert run(world, "rynnex").total == 0
        del world.items[firm.key]
