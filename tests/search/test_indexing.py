"""Indexing follows publishing (search/indexing.py, search/tasks.py): publish, unpublish,
move, delete, documents saved and deleted, a trade renamed; the hourly reconciliation
and the full rebuild put the index right whatever was missed."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.core.management import call_command
from wagtail.documents import get_document_model

from search import indexing, selectors, sources
from search.backends.base import SearchQuery
from search.models import SearchEntry, SearchTerm, SearchVocabulary
from search.tasks import search_index_update, search_reconcile
from tests.factories import content as f

pytestmark = pytest.mark.django_db


def hits(text, user=None, **query):
    results = selectors.search(SearchQuery(text=text, **query), user=user or AnonymousUser())
    return [(hit.kind, hit.object_id) for hit in results.hits]


def test_a_published_page_is_searchable_at_once_and_a_draft_is_not(site_tree):
    page = f.make_news(site_tree.news, title="Przegląd instalacji gazowej")
    draft = f.make_news(site_tree.news, title="Przegląd kominiarski", live=False)
    assert hits("przegląd") == [("news", page.pk)]
    assert not SearchEntry.objects.filter(key=sources.page_key(draft.pk)).exists()


def test_a_republished_page_is_indexed_with_its_new_text(site_tree):
    page = f.make_news(site_tree.news, title="Wymiana okien")
    page.title = "Wymiana drzwi"
    page.save_revision().publish()
    assert hits("drzwi") == [("news", page.pk)]
    assert hits("okien") == []
    assert not SearchVocabulary.objects.filter(term="okien").exists()


def test_an_unpublished_page_leaves_the_index(site_tree):
    page = f.make_news(site_tree.news, title="Zebranie wspólnoty")
    page.unpublish()
    assert hits("zebranie") == []
    assert not SearchEntry.objects.filter(key=sources.page_key(page.pk)).exists()


def test_a_deleted_page_leaves_the_index_and_the_vocabulary(site_tree):
    page = f.make_contractor(site_tree.contractors, title="Szklarz Zdzisław", trade=f.make_trade())
    assert SearchVocabulary.objects.filter(term="szklarz", frequency=1).exists()
    page.delete()
    assert not SearchEntry.objects.exists()
    assert not SearchVocabulary.objects.filter(term="szklarz").exists()


def test_a_page_moved_under_a_restricted_section_is_hidden_at_once(site_tree, building_a):
    from operations.residents import services

    group = services.audience_group(building=building_a)
    closed = f.make_news(site_tree.news, title="Sekcja zamknięta")
    f.restrict_page(closed, groups=[group])
    page = f.make_news(site_tree.news, title="Awaria windy")
    assert hits("winda") == [("news", page.pk)]
    page.move(closed, pos="last-child")
    assert hits("winda") == []


def test_a_document_is_indexed_when_saved_and_removed_when_deleted():
    document = get_document_model()(
        title="Regulamin porządku domowego",
        file=ContentFile(f.PDF_BYTES, name="regulamin.pdf"),
        collection=f.root_collection(),
        category="other",
        year=2024,
    )
    document.save()
    assert hits("regulamin") == [("document", document.pk)]
    document.title = "Statut spółdzielni"
    document.save()
    assert hits("statut") == [("document", document.pk)]
    assert hits("regulamin") == []
    document.delete()
    assert hits("statut") == [] and not SearchEntry.objects.exists()


def test_a_broken_pdf_is_indexed_without_its_text_and_logged(caplog):
    document = get_document_model()(
        title="Uszkodzony skan", file=ContentFile(b"%PDF-1.4 broken", name="skan.pdf"), collection=f.root_collection()
    )
    with caplog.at_level(logging.WARNING, logger="search.sources"):
        document.save()
    assert hits("skan") == [("document", document.pk)]
    assert "Could not read the text" in caplog.text


def test_a_renamed_trade_is_searchable_under_its_new_name(site_tree):
    trade = f.make_trade("Szklarz", "szklarz")
    firm = f.make_contractor(site_tree.contractors, title="Firma Nowak", trade=trade)
    trade.name = "Glazurnik"
    trade.save()
    assert hits("glazurnik") == [("contractor", firm.pk)]


def test_indexing_follows_the_kind_facets(site_tree, building_a):
    document = f.make_document(title="Protokół zebrania", category="minutes", year=2025, building=building_a)
    entry = SearchEntry.objects.get(key=sources.document_key(document.pk))
    assert entry.facets == {"year": ["2025"], "category": ["minutes"], "building": [str(building_a.pk)]}
    assert SearchTerm.objects.filter(entry=entry, term="protokol", field="title", is_lemma=False).exists()
    assert SearchTerm.objects.filter(entry=entry, term="zebranie", is_lemma=True).exists()


def test_the_update_task_indexes_and_removes_by_key(site_tree):
    page = f.make_news(site_tree.news, title="Dzień otwarty")
    SearchEntry.objects.all().delete()
    search_index_update.apply(args=([sources.page_key(page.pk), "page:999999"],), throw=True)
    assert hits("otwarty") == [("news", page.pk)]


def test_reconcile_repairs_what_was_missed_and_is_idempotent(site_tree):
    kept = f.make_news(site_tree.news, title="Koszenie trawników")
    lost = f.make_news(site_tree.news, title="Mycie okien")
    stale = f.make_news(site_tree.news, title="Odśnieżanie chodników")
    SearchEntry.objects.filter(key=sources.page_key(lost.pk)).delete()  # a job the broker lost
    SearchEntry.objects.filter(key=sources.page_key(stale.pk)).update(fingerprint="stale")
    orphan = SearchEntry.objects.get(key=sources.page_key(kept.pk))
    SearchEntry.objects.create(key="page:999999", kind="news", object_id=999999, title="x", fingerprint="x")
    assert search_reconcile.apply(throw=True).get() == {"indexed": 2, "removed": 1}
    assert hits("okna") == [("news", lost.pk)]
    assert SearchEntry.objects.get(pk=orphan.pk).fingerprint == sources.fingerprint(sources.record_for_page(kept))
    assert indexing.reconcile() == {"indexed": 0, "removed": 0}


def test_rebuild_makes_the_whole_index_again(site_tree, capsys):
    page = f.make_news(site_tree.news, title="Dezynsekcja piwnic")
    f.make_contractor(site_tree.contractors, title="Firma sprzątająca", trade=f.make_trade())
    SearchEntry.objects.all().delete()
    SearchVocabulary.objects.all().delete()
    call_command("search_rebuild")
    assert "Database index: 2 records" in capsys.readouterr().out
    assert hits("piwnice") == [("news", page.pk)]
    assert indexing.reindex_all() == 2
    assert hits("piwnice") == [("news", page.pk)]


def test_records_of_every_kind(site_tree):
    f.make_news(site_tree.news, title="Komunikat")
    f.make_investment(site_tree.investments, title="Termomodernizacja", summary="Ocieplenie ścian")
    f.make_contractor(site_tree.contractors, title="Elektryk 24h", trade=f.make_trade("Elektryk", "elektryk"))
    f.make_document(title="Formularz")
    f.make_news(site_tree.news, title="Szkic", live=False)
    kinds = sorted(record.kind for record in sources.records_all())
    assert kinds == ["contractor", "document", "investment", "news"]


def test_gates_name_each_restriction_over_a_page_or_document(site_tree, building_a, building_b):
    from operations.residents import services

    group_a = services.audience_group(building=building_a)
    group_b = services.audience_group(building=building_b)
    section = f.make_news(site_tree.news, title="Dla A i B")
    f.restrict_page(section, groups=[group_b, group_a])
    page = f.make_news(section, title="Tylko zalogowani")
    f.restrict_page(page, login=True)
    collection = f.make_collection("Hasło")
    f.restrict_collection(collection, password="tajne")
    document = f.make_document(collection=f.make_collection("Poniżej", parent=collection))
    ids = ",".join(str(pk) for pk in sorted([group_a.pk, group_b.pk]))
    assert sources.gates_of(page) == (f"groups:{ids}", "login")
    assert sources.gates_of(document) == ("password",)
    assert sources.failed_gates(AnonymousUser()) == {f"groups:{ids}", "login", "password"}


def test_an_alias_is_not_a_second_hit(site_tree):
    page = f.make_news(site_tree.news, title="Harmonogram odczytów")
    alias = page.create_alias(parent=site_tree.investments, update_slug="harmonogram-kopia")
    page.save_revision().publish()  # publishing the source publishes its aliases too
    assert alias.live
    assert hits("harmonogram") == [("news", page.pk)]
    assert [record.key for record in sources.records_all()] == [sources.page_key(page.pk)]


# --- a PDF's text is read once per file ----------------------------------------------------


def _pdf_document(text: str, name: str = "instrukcja.pdf"):
    from tests.search.conftest import pdf_with_text

    document = get_document_model()(
        title="Instrukcja", file=ContentFile(pdf_with_text(text), name=name), collection=f.root_collection()
    )
    document.save()
    return document


@pytest.fixture
def pdf_reads(monkeypatch):
    """How many times pypdf was asked to open a file (a count, the reading unchanged)."""
    import pypdf

    opened = []
    real = pypdf.PdfReader

    def counting(*args, **kwargs):
        opened.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pypdf, "PdfReader", counting)
    return opened


def test_a_pdf_is_read_once_and_its_text_kept_for_the_reconciliation_and_the_rebuild(pdf_reads):
    from search.models import ExtractedText

    document = _pdf_document("Odpowietrzanie grzejników")
    assert hits("odpowietrzanie") == [("document", document.pk)] and len(pdf_reads) == 1
    # The kept text is what later indexing reads: a marker put in its place is indexed.
    ExtractedText.objects.update(text="znacznik")
    SearchEntry.objects.update(fingerprint="changed")  # the reconciliation indexes it again
    search_reconcile()
    indexing.reindex_all()
    assert hits("znacznik") == [("document", document.pk)] and hits("odpowietrzanie") == []
    assert len(pdf_reads) == 1


def test_a_document_without_a_hash_gets_wagtails_and_is_not_saved_as_an_edit(pdf_reads):
    from wagtail.utils.file import hash_filelike

    from cms.core import content_version

    document = _pdf_document("Odczyt wodomierzy")
    get_document_model().objects.filter(pk=document.pk).update(file_hash="")
    before = content_version.current()
    record = sources.record_for_document(get_document_model().objects.get(pk=document.pk))
    stored = get_document_model().objects.get(pk=document.pk)
    with stored.file.open("rb") as handle:
        assert stored.file_hash == hash_filelike(handle)
    assert "wodomierzy" in record.fields["text"]
    assert content_version.current() == before


def test_a_replaced_file_is_read_again_and_the_old_text_pruned(pdf_reads):
    from search.models import ExtractedText
    from tests.search.conftest import pdf_with_text

    document = _pdf_document("Przegląd kominiarski")
    document.file = ContentFile(pdf_with_text("Dezynsekcja piwnic"), name="nowa.pdf")
    document._set_document_file_metadata()  # as the admin's form does on a new upload
    document.save()
    assert hits("dezynsekcja") == [("document", document.pk)] and hits("kominiarski") == []
    assert ExtractedText.objects.count() == 2
    search_reconcile()
    assert ExtractedText.objects.count() == 1
    document.delete()
    search_reconcile()
    assert not ExtractedText.objects.exists()


def test_a_broken_pdf_is_not_parsed_again_every_hour(pdf_reads, caplog):
    document = get_document_model()(
        title="Uszkodzony skan", file=ContentFile(b"%PDF-1.4 broken", name="skan.pdf"), collection=f.root_collection()
    )
    document.save()
    SearchEntry.objects.update(fingerprint="changed")
    search_reconcile()
    assert len(pdf_reads) == 1


def test_a_file_that_cannot_be_opened_now_is_tried_again(monkeypatch, caplog):
    from search.models import ExtractedText

    document = _pdf_document("Awaria windy")
    ExtractedText.objects.all().delete()
    stored = get_document_model().objects.get(pk=document.pk)
    monkeypatch.setattr(
        type(stored.file), "open", lambda self, mode="rb": (_ for _ in ()).throw(OSError("storage down"))
    )
    with caplog.at_level(logging.WARNING, logger="search.sources"):
        assert sources.pdf_text(stored) == ""
    assert "Could not open the file" in caplog.text
    assert not ExtractedText.objects.exists()
