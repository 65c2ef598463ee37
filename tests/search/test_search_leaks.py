"""Restricted content never reaches someone who may not open it, through any part of a
search: results, totals, facet counts, highlights, "did you mean" and suggestions as you
type. Run against every configured backend (tests/search/conftest.py).

Building A's residents may open "Ekspertyza azbestowa budynku A" (a PDF whose text holds
"chryzotyl"), "Rozliczenie wody budynek A 2024" and the news "Awaria hydroforu w budynku
A"; those words are found nowhere else. Building B's resident, an anonymous visitor and a
signed-in person whose membership is not verified yet ("pending") must not learn of them.
Every test also asks as building A's resident, so that a test that finds nothing for B
because it finds nothing at all fails.

Changes made after indexing (a new restriction, a move into a restricted collection,
unpublishing) are checked twice where the backend allows: once after the change's
transaction commits (the index's tasks run then), and on the database backend also
before any task has run, because the database backend applies visibility inside the
query itself: a resident must not find, for the seconds a queued task waits for a worker,
what an editor has just hidden.
"""

from __future__ import annotations

from contextlib import nullcontext

import pytest

from search.backends.base import KINDS, SearchQuery
from search.text import fold
from tests.factories import content as f

OUTSIDERS = ("anonymous", "pending", "resident_b")
A_ONLY = {"doc-a-azbest", "doc-a-woda", "news-a-hydrofor"}
# Words found only in building A's restricted content (folded stems).
A_ONLY_WORDS = ("chryzotyl", "azbest", "poddasz", "hydrofor", "ekspertyz", "wykryt")
# Queries that find building A's restricted content for its residents.
A_QUERIES = ("azbestowa", "chryzotyl", "ekspertyza", "hydroforu", "budynku", "budynek", "wody", "2024", "sprawozdanie")


def search(world, text: str, viewer: str, *, kinds=None, filters=None, limit=60):
    from search.selectors import search as run

    query = SearchQuery(text=text, kinds=frozenset(kinds or KINDS), filters=filters or {}, limit=limit)
    return run(query, user=world.user(viewer))


def suggest(world, prefix: str, viewer: str, **options):
    from search.selectors import suggest as run

    return run(prefix, user=world.user(viewer), **options)


@pytest.fixture(autouse=True)
def _index_as_the_database_is(world, backend):
    """An index outside the database is not rolled back with a test: each test starts
    from one rebuilt from the directory as built (the database backend's index tables
    are rolled back with the test)."""
    if backend != "database":
        from search.indexing import reindex_all

        reindex_all()


def found(world, results) -> set[str]:
    return {world.key_of(hit.kind, hit.object_id) for hit in results.hits}


def facet(results, name: str) -> dict[str, int]:
    for item in results.facets:
        if item.name == name:
            return {value.value: value.count for value in item.values}
    return {}


def highlighted_text(results) -> str:
    return fold(" ".join(part.text for hit in results.hits for h in hit.highlights for part in h.parts))


# --- Results and totals ---------------------------------------------------------------------


def test_building_a_residents_find_their_restricted_content(world, backend):
    """The control for every test below: A's residents (and a superuser) do find it."""
    for viewer in ("resident_a", "superuser"):
        assert "doc-a-azbest" in found(world, search(world, "azbestowa", viewer))
        assert "doc-a-azbest" in found(world, search(world, "chryzotyl", viewer))
        assert "news-a-hydrofor" in found(world, search(world, "hydroforu", viewer))
        assert A_ONLY <= found(world, search(world, "budynku A", viewer))


@pytest.mark.parametrize("viewer", OUTSIDERS)
def test_restricted_content_is_never_found_nor_counted(world, backend, viewer):
    for text in A_QUERIES:
        results = search(world, text, viewer)
        assert not found(world, results) & A_ONLY, (text, found(world, results))
        # The total counts what the viewer may open, and nothing more.
        assert results.total == len(results.hits), (text, results.total, len(results.hits))
    for text in ("azbestowa", "chryzotyl", "ekspertyza", "hydroforu"):
        assert search(world, text, viewer).total == 0, text


@pytest.mark.parametrize("viewer", OUTSIDERS)
def test_totals_differ_by_exactly_what_is_restricted(world, backend, viewer):
    outsider = search(world, "budynku", viewer)
    insider = search(world, "budynku", "resident_a")
    restricted_b = {"doc-b-wodomierze"} if viewer == "resident_b" else set()
    assert found(world, insider) - found(world, outsider) == A_ONLY
    assert found(world, outsider) - found(world, insider) == restricted_b
    assert insider.total - outsider.total == len(A_ONLY) - len(restricted_b)


# --- Facets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", OUTSIDERS)
def test_facets_never_count_restricted_content(world, backend, viewer):
    building_a = str(world.building_a.pk)

    outsider, insider = search(world, "sprawozdanie", viewer), search(world, "sprawozdanie", "resident_a")
    assert facet(outsider, "category").get("financial") == 3
    assert facet(insider, "category").get("financial") == 4
    assert facet(outsider, "year").get("2024") == 2
    assert facet(insider, "year").get("2024") == 3
    assert facet(outsider, "kind").get("document") == 3
    assert building_a not in facet(outsider, "building")
    assert facet(insider, "building").get(building_a) == 1

    outsider, insider = search(world, "budynku", viewer), search(world, "budynku", "resident_a")
    assert building_a not in facet(outsider, "building"), facet(outsider, "building")
    assert facet(insider, "building").get(building_a) == 2
    assert facet(insider, "kind")["news"] - facet(outsider, "kind").get("news", 0) == 1


@pytest.mark.parametrize("viewer", OUTSIDERS)
def test_filtering_by_building_a_finds_nothing_restricted(world, backend, viewer):
    building_a = str(world.building_a.pk)
    results = search(world, "budynku", viewer, filters={"building": (building_a,)})
    assert results.total == 0 and not results.hits
    insider = search(world, "budynku", "resident_a", filters={"building": (building_a,)})
    assert found(world, insider) == {"doc-a-azbest", "doc-a-woda"}


# --- Highlights -------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", OUTSIDERS)
def test_highlights_never_show_restricted_text(world, backend, viewer):
    for text in (*A_QUERIES, "płyt", "piwnicy", "budynku A", "wymiana"):
        shown = highlighted_text(search(world, text, viewer))
        for word in A_ONLY_WORDS:
            assert word not in shown, (text, word)
    # The control: the same words are highlighted for A's resident.
    assert "chryzotyl" in highlighted_text(search(world, "chryzotyl", "resident_a"))


# --- "Did you mean" -------------------------------------------------------------------------------


# Misspelt beyond what a typo finds (two letters left out of a short word), so the search
# finds nothing and offers the nearest spelling: for building A's resident, a word of A's
# restricted content.
MISSPELT = {"chrzotl": "chryzotyl", "hdrfor": "hydrofor", "wkrto": "wykryto", "azbstwa": "azbestowa"}


def test_did_you_mean_offers_restricted_words_to_those_who_may_read_them(world, backend):
    """The control: the misspellings below do lead A's resident to A's words, so that
    the outsiders' test shows the suggestion is filtered, not missing."""
    for text, word in MISSPELT.items():
        results = search(world, text, "resident_a")
        assert results.total == 0 and fold(results.suggestion or "") == word, (text, results.suggestion)


@pytest.mark.parametrize("viewer", OUTSIDERS)
def test_did_you_mean_never_offers_a_word_of_restricted_content(world, backend, viewer):
    # Also with a word everyone may find beside it, and correct words of A's content.
    for text in (*MISSPELT, "wody chrzotl", "hdrfor budynku", "chrizotyll", "azbestowaa", "hydroforr", "chryzotyl"):
        results = search(world, text, viewer)
        assert not found(world, results) & A_ONLY and results.total == 0, text
        suggestion = fold(results.suggestion or "")
        for word in A_ONLY_WORDS:
            assert word not in suggestion, (text, results.suggestion)


# --- Suggestions as you type ------------------------------------------------------------------


@pytest.mark.parametrize("viewer", OUTSIDERS)
def test_suggestions_never_offer_restricted_content(world, backend, viewer):
    for prefix in ("azbe", "ekspert", "chryz", "hydrof", "rozliczenie w", "awaria h", "budynek", "budynku"):
        suggestions = suggest(world, prefix, viewer)
        keys = {world.key_of(item.kind, item.object_id) for item in suggestions}
        assert not keys & A_ONLY, (prefix, keys)
        written = fold(" ".join(item.text for item in suggestions))
        for word in A_ONLY_WORDS:
            assert word not in written, (prefix, [item.text for item in suggestions])
    for prefix in ("azbe", "ekspert", "hydrof"):
        assert suggest(world, prefix, "resident_a"), prefix


def test_drafts_are_never_found_nor_suggested_even_to_a_superuser(world, backend):
    for viewer in ("anonymous", "resident_a", "superuser"):
        assert "hydro-ukryty" not in found(world, search(world, "hydraulik", viewer))
        assert search(world, "ukryty", viewer).total == 0
        assert search(world, "podwyżki", viewer).total == 0
        keys = {world.key_of(item.kind, item.object_id) for item in suggest(world, "hydro-u", viewer)}
        assert "hydro-ukryty" not in keys
        keys = {world.key_of(item.kind, item.object_id) for item in suggest(world, "projekt podw", viewer)}
        assert "draft-podwyzka" not in keys


# --- Changes after indexing take effect at once -------------------------------------------------

WHEN = ("after_commit", "before_tasks")


@pytest.fixture(params=WHEN)
def changing(request, backend, django_capture_on_commit_callbacks):
    """How a change is made: `after_commit` runs what the change queued after its commit
    (indexing tasks, eager as in the embedded default), `before_tasks` runs nothing after
    it, which only the database backend can be asked (see the module's docstring)."""
    if request.param == "before_tasks":
        if backend != "database":
            pytest.skip("only the database backend applies visibility in the query itself")
        return nullcontext
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_restriction_added_after_indexing_takes_effect_at_once(world, backend, changing):
    page = world.fresh("domofony-a")
    before = search(world, "domofonów", "resident_b")
    assert "domofony-a" in found(world, before)
    assert facet(before, "kind").get("news") == 1

    with changing():
        f.restrict_page(page, groups=[world.group_a])

    for viewer in OUTSIDERS:
        after = search(world, "domofonów", viewer)
        assert "domofony-a" not in found(world, after), viewer
        assert after.total == len(after.hits) and facet(after, "kind").get("news", 0) == 0, viewer
        # "Nowe domofony cyfrowe" is the news item's own lead.
        assert "cyfrow" not in highlighted_text(after), viewer
        keys = {world.key_of(item.kind, item.object_id) for item in suggest(world, "wymiana domof", viewer)}
        assert "domofony-a" not in keys, viewer
    assert "domofony-a" in found(world, search(world, "domofonów", "resident_a"))


def test_a_restriction_on_a_section_covers_what_is_under_it(world, backend, changing):
    with changing():
        f.restrict_page(world.tree.news, login=True)

    for viewer in ("anonymous", "pending"):
        results = search(world, "budynku", viewer, kinds={"news"})
        assert results.total == 0 and not results.hits, viewer
        assert facet(search(world, "budynku", viewer), "kind").get("news", 0) == 0, viewer
        assert not suggest(world, "przerwa w", viewer, kinds=frozenset({"news"})), viewer
    assert "malowanie-b" in found(world, search(world, "budynku", "resident_b", kinds={"news"}))


def test_a_restriction_added_to_a_collection_takes_effect_at_once(world, backend, changing):
    assert search(world, "regulamin", "anonymous").total == 4
    with changing():
        f.restrict_collection(world.collections["public"], login=True)

    for viewer in ("anonymous", "pending"):
        results = search(world, "regulamin", viewer)
        assert results.total == 0 and not results.hits, viewer
        category = facet(search(world, "regulamin", viewer, kinds={"document"}), "category")
        assert category.get("regulations", 0) == 0, viewer
        assert not suggest(world, "regul", viewer), viewer
    assert search(world, "regulamin", "resident_b").total == 4


def test_a_document_moved_into_a_restricted_collection_disappears_at_once(world, backend, changing):
    document = world.fresh("regulamin-porzadku")
    with changing():
        document.collection = world.collections["building_a"]
        document.save()

    for viewer in OUTSIDERS:
        results = search(world, "regulamin", viewer)
        assert "regulamin-porzadku" not in found(world, results), viewer
        assert results.total == 3 and facet(results, "category").get("regulations") == 3, viewer
        assert "2021" not in facet(results, "year"), viewer
        assert search(world, "cisza nocna", viewer).total == 0, viewer
        keys = {world.key_of(item.kind, item.object_id) for item in suggest(world, "regulamin por", viewer)}
        assert "regulamin-porzadku" not in keys, viewer
    results = search(world, "regulamin", "resident_a")
    assert "regulamin-porzadku" in found(world, results) and results.total == 4


def test_an_unpublished_page_disappears_at_once(world, backend, changing):
    firm, news = world.fresh("iskra"), world.fresh("przerwa-woda")
    with changing():
        firm.unpublish()
        news.unpublish()

    for viewer in ("anonymous", "resident_a", "superuser"):
        results = search(world, "naprawa domofonów", viewer)
        assert "iskra" not in found(world, results), viewer
        assert facet(search(world, "elektryk", viewer), "trade").get("elektryk") == 2, viewer
        assert "przerwa-woda" not in found(world, search(world, "przerwa w dostawie", viewer)), viewer
        keys = {world.key_of(item.kind, item.object_id) for item in suggest(world, "iskra", viewer)}
        assert "iskra" not in keys, viewer


def test_deleted_pages_and_documents_leave_the_index(world, backend, django_capture_on_commit_callbacks):
    """Deleting is the editor's last word: nothing of the item stays findable, and the
    index never keeps a row pointing at a deleted page or document (on a database that
    checks its foreign keys at commit, such a row makes the deletion itself fail)."""
    from django.db import connection

    with django_capture_on_commit_callbacks(execute=True):
        world.fresh("sadza").delete()
        world.fresh("deklaracja-odpady").delete()
    # What the commit would check: every row's foreign keys point at rows that exist.
    connection.check_constraints()

    for viewer in ("anonymous", "resident_a"):
        assert search(world, "kominiarz", viewer).total == 0, viewer
        assert search(world, "odpadów", viewer).total == 0, viewer
        assert not suggest(world, "kominiarz", viewer), viewer
        assert not suggest(world, "deklaracja odp", viewer), viewer


def test_a_verified_membership_opens_building_a_content_at_once(world, backend):
    """The other direction: visibility follows the viewer's audiences, not the index."""
    from operations.residents import services as residents
    from operations.residents.models import Membership
    from tests.factories.residents import SuperUserFactory

    pending = world.users["pending"]
    assert search(world, "chryzotyl", "pending").total == 0
    membership = Membership.objects.get(user=pending)
    residents.membership_verify(membership=membership, decided_by=SuperUserFactory(username="search-verifier"))
    pending.refresh_from_db()
    assert "doc-a-azbest" in found(world, search(world, "chryzotyl", "pending"))
