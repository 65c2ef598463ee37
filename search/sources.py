"""What is indexed: the content as `IndexRecord`s, and its visibility as gate terms.

A record is made from the published content only (a live page that has not expired, or
a document); drafts and unpublished pages have none, so indexing a key whose content is
gone or unpublished removes it. Rich text is indexed as plain text, a PDF as the text of
its first pages (`PDF_MAX_PAGES`, `PDF_MAX_CHARS`); a PDF that cannot be read is logged
and indexed without its text, never failing the indexing.

Gates (`gates_of`, `failed_gates`) are the visibility for backends outside the database:
each restriction that covers a page or document is one term ("login", "password",
"groups:3,7"), and a viewer is refused an item when it fails any of the item's gates.
The database backend does not use them: it joins the restrictions at query time.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict

from django.conf import settings
from django.utils import translation
from django.utils.html import strip_tags
from wagtail.documents import get_document_model
from wagtail.models import BaseViewRestriction, Collection, CollectionViewRestriction, Page, PageViewRestriction
from wagtail.utils.file import hash_filelike

from cms.contractors.models import ContractorPage
from cms.core import content_version
from cms.core.memo import BoundedMemo
from cms.core.visibility import is_recognised, tree_ancestry, viewer_group_ids
from cms.investments.models import InvestmentPage
from cms.news.models import NewsPage
from search.backends.base import IndexRecord

logger = logging.getLogger(__name__)

PDF_MAX_PAGES = getattr(settings, "SEARCH_PDF_MAX_PAGES", 50)
PDF_MAX_CHARS = getattr(settings, "SEARCH_PDF_MAX_CHARS", 200_000)

PAGE_KINDS = {ContractorPage: "contractor", NewsPage: "news", InvestmentPage: "investment"}

_BLOCK_END = re.compile(r"</(p|h[1-6]|li|div|blockquote|tr)>|<br\s*/?>", re.IGNORECASE)
_AREA_SPLIT = re.compile(r"[,;\n]+")


def page_key(page_id: int) -> str:
    return f"page:{page_id}"


def document_key(document_id: int) -> str:
    return f"document:{document_id}"


def rich_text_to_plain(value) -> str:
    """Rich text (HTML with Wagtail's link tags) as the words a reader sees."""
    text = _BLOCK_END.sub("\n", str(value or ""))
    return re.sub(r"[ \t]+", " ", html.unescape(strip_tags(text))).strip()


def areas_of(area_served: str) -> tuple[str, ...]:
    """The places of "Bemowo, Wola; Ochota" as facet values, as the editor wrote them."""
    seen: dict[str, None] = {}
    for part in _AREA_SPLIT.split(area_served or ""):
        part = part.strip()
        if part:
            seen.setdefault(part[:100], None)
    return tuple(seen)


def _is_pdf(document) -> bool:
    return bool(document.file) and document.file.name.lower().endswith(".pdf")


def file_identity(name: str, file_hash: str) -> str:
    """The key of a file's extracted text: its name (a replaced file is stored under a new
    one), its content's hash and the reading limits (a text read under other limits is
    read again)."""
    seed = f"{name}\n{file_hash}\n{PDF_MAX_PAGES}\n{PDF_MAX_CHARS}"
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def known_texts(documents: Iterable) -> dict[str, str]:
    """The extracted texts of `documents`' files that are kept, by `file_identity` (one
    query): what `pdf_text` would otherwise look up one document at a time."""
    from search.models import ExtractedText

    keys = [file_identity(doc.file.name, doc.file_hash) for doc in documents if _is_pdf(doc) and doc.file_hash]
    if not keys:
        return {}
    return dict(ExtractedText.objects.filter(key__in=keys).values_list("key", "text"))


def pdf_text(document, *, known: dict[str, str] | None = None) -> str:
    """The text of a PDF's first pages, or "" when it has none or cannot be read.

    Read once per file: the text is kept (`ExtractedText`) by the file's identity, so the
    hourly reconciliation does not parse every PDF again. `known` holds texts already
    looked up for a batch of documents (`known_texts`). A document whose hash Wagtail has
    not worked out yet (one not uploaded through the admin) gets it here, as Wagtail's own
    `get_file_hash` would, without a save that would count as an edit."""
    from search.models import ExtractedText

    if not _is_pdf(document):
        return ""
    data: bytes | None = None
    if not document.file_hash:
        data = _file_bytes(document)
        if data is None:
            return ""
        document.file_hash = hash_filelike(io.BytesIO(data))
        type(document).objects.filter(pk=document.pk, file_hash="").update(file_hash=document.file_hash)
    key = file_identity(document.file.name, document.file_hash)
    if known is not None and key in known:
        return known[key]
    kept = ExtractedText.objects.filter(key=key).values_list("text", flat=True).first()
    if kept is not None:
        return kept
    if data is None:
        data = _file_bytes(document)
        if data is None:  # not readable now (storage down): tried again next time
            return ""
    text = _read_pdf(data, document.pk)
    ExtractedText.objects.update_or_create(key=key, defaults={"text": text})
    return text


def _file_bytes(document) -> bytes | None:
    # Read once into memory: pypdf seeks and reads in small pieces, and each of them
    # through Django's file wrapper costs more than the parsing itself.
    try:
        with document.file.open("rb") as handle:
            return handle.read()
    except Exception as error:  # a missing file or a storage down must not stop indexing
        logger.warning("Could not open the file of document %s (%s); indexed without its text.", document.pk, error)
        return None


def _read_pdf(data: bytes, document_id) -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        pieces: list[str] = []
        size = 0
        for page in reader.pages[:PDF_MAX_PAGES]:
            piece = page.extract_text() or ""
            pieces.append(piece)
            size += len(piece)
            if size >= PDF_MAX_CHARS:
                break
        return "\n".join(pieces)[:PDF_MAX_CHARS]
    except Exception as error:  # a broken or encrypted PDF must not stop indexing
        logger.warning("Could not read the text of document %s (%s); indexed without it.", document_id, error)
        return ""


def prune_extracted_texts(*, chunk: int = 500) -> int:
    """Remove the kept texts no document's file has any more (a file replaced or deleted,
    limits changed); how many."""
    from search.models import ExtractedText

    wanted = {
        file_identity(name, file_hash)
        for name, file_hash in get_document_model().objects.exclude(file_hash="").values_list("file", "file_hash")
        if name and name.lower().endswith(".pdf")
    }
    stale = [
        pk for pk, key in ExtractedText.objects.values_list("pk", "key").iterator(chunk_size=5000) if key not in wanted
    ]
    for start in range(0, len(stale), chunk):
        ExtractedText.objects.filter(pk__in=stale[start : start + chunk]).delete()
    return len(stale)


class GateBook:
    """Every restriction in the site, read once (three queries), to work out the gates of
    many pages and documents in Python: the reconciliation indexes them all."""

    def __init__(self):
        self.page_gates: dict[str, set[str]] = {}
        for path, gate in _gates_by_path(PageViewRestriction.objects.all(), "page__path"):
            self.page_gates.setdefault(path, set()).add(gate)
        self.collection_gates: dict[str, set[str]] = {}
        for path, gate in _gates_by_path(CollectionViewRestriction.objects.all(), "collection__path"):
            self.collection_gates.setdefault(path, set()).add(gate)
        self.alias_sources = dict(
            Page.objects.filter(alias_of__isnull=False).order_by().values_list("path", "alias_of__path")
        )

    def for_page_path(self, path: str) -> tuple[str, ...]:
        """As `cms.core.visibility.page_restrictions`: the page's ancestry and, for each
        alias in it, its source's ancestry, and so on."""
        paths: set[str] = set()
        pending = [path]
        while pending:
            new = tree_ancestry(pending.pop()) - paths
            paths |= new
            pending.extend(self.alias_sources[p] for p in new if p in self.alias_sources)
        return tuple(sorted(set().union(*(self.page_gates.get(p, ()) for p in paths))))

    def for_collection_path(self, path: str) -> tuple[str, ...]:
        paths = tree_ancestry(path, Collection.steplen)
        return tuple(sorted(set().union(*(self.collection_gates.get(p, ()) for p in paths))))


def _gate(restriction_type: str, group_ids: Iterable[int]) -> str:
    if restriction_type == BaseViewRestriction.GROUPS:
        return "groups:" + ",".join(str(pk) for pk in sorted(set(group_ids)))
    return restriction_type  # "login" or "password"


def _gates_by_path(restrictions, path_field: str) -> list[tuple[str, str]]:
    groups: dict[int, list[int]] = {}
    through = restrictions.model.groups.through
    owner = restrictions.model._meta.model_name + "_id"
    for owner_id, group_id in through.objects.values_list(owner, "group_id"):
        groups.setdefault(owner_id, []).append(group_id)
    return [
        (path, _gate(kind, groups.get(pk, ())))
        for pk, kind, path in restrictions.order_by().values_list("pk", "restriction_type", path_field)
    ]


def gates_of(item, *, book: GateBook | None = None) -> tuple[str, ...]:
    """The gates of a page or a document (by its collection), sorted."""
    book = book or GateBook()
    if isinstance(item, Page):
        return book.for_page_path(item.path)
    return book.for_collection_path(item.collection.path)


# The distinct gates in the site, by content version (restrictions raise it).
_site_gates = BoundedMemo(kept=8)


def site_gates() -> frozenset[str]:
    version = content_version.current()
    found = _site_gates.get(version)
    if found is None:
        book = GateBook()
        found = frozenset(set().union(*book.page_gates.values(), *book.collection_gates.values()))
        _site_gates.put(version, found)
    return found


def passes(user, gate: str, *, group_ids: tuple[int, ...] | None = None) -> bool:
    """Whether `user` passes one gate, with `cms.core.visibility`'s semantics."""
    if gate == BaseViewRestriction.PASSWORD:
        return False
    if gate == BaseViewRestriction.LOGIN:
        return is_recognised(user)
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    ids = viewer_group_ids(user) if group_ids is None else group_ids
    wanted = {int(pk) for pk in gate.removeprefix("groups:").split(",") if pk}
    return bool(wanted & set(ids))


def failed_gates(user, *, group_ids: tuple[int, ...] | None = None) -> frozenset[str]:
    """The gates in the site `user` fails: as many as there are distinct group sets
    restricted to, whatever the number of restrictions."""
    gates = site_gates()
    if not gates:
        return frozenset()
    if group_ids is None:
        group_ids = viewer_group_ids(user)
    recognised = is_recognised(user) if BaseViewRestriction.LOGIN in gates else False
    failed = set()
    for gate in gates:
        if gate == BaseViewRestriction.LOGIN:
            if not recognised:
                failed.add(gate)
        elif not passes(user, gate, group_ids=group_ids):
            failed.add(gate)
    return frozenset(failed)


def _page_date(page):
    if isinstance(page, NewsPage):
        return page.date
    if isinstance(page, InvestmentPage):
        return page.start_date or (page.first_published_at.date() if page.first_published_at else None)
    return None


def _page_fields(page) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    if isinstance(page, ContractorPage):
        fields = {
            "title": page.title,
            "trade": page.trade.name if page.trade_id else "",
            "services": page.services,
            "area": page.area_served,
            "notes": page.notes,
        }
        facets = {"area": areas_of(page.area_served)}
        if page.trade_id:
            facets["trade"] = (page.trade.slug,)
        return fields, facets
    if isinstance(page, NewsPage):
        return {"title": page.title, "lead": page.lead, "body": rich_text_to_plain(page.body)}, {}
    return {"title": page.title, "summary": page.summary, "body": rich_text_to_plain(page.body)}, {}


def _clean(fields: dict[str, str]) -> dict[str, str]:
    return {name: text for name, text in fields.items() if text and text.strip()}


def record_for_page(page, *, book: GateBook | None = None) -> IndexRecord | None:
    """The page's record, or None when it is not searchable (another type, not live,
    expired, an alias)."""
    page = page.specific if type(page) is Page else page
    kind = PAGE_KINDS.get(type(page))
    # An alias shows its source's content elsewhere in the tree: the source is found,
    # not each copy of it.
    if kind is None or not page.live or page.expired or page.alias_of_id:
        return None
    fields, facets = _page_fields(page)
    return IndexRecord(
        key=page_key(page.pk),
        kind=kind,
        object_id=page.pk,
        title=page.title,
        fields=_clean(fields),
        facets={name: tuple(values) for name, values in facets.items() if values},
        page_id=page.pk,
        gates=gates_of(page, book=book),
        date=_page_date(page),
    )


def record_for_document(document, *, book: GateBook | None = None, known: dict[str, str] | None = None) -> IndexRecord:
    with translation.override(settings.LANGUAGE_CODE):
        labels = dict(type(document).Category.choices)
        category = str(labels.get(document.category, document.category or ""))
    # The year is searchable too ("sprawozdanie 2024" finds a report whose title has no
    # year), beside the category it describes: "sprawozdanie finansowe, 2024".
    described = ", ".join(part for part in (category, str(document.year or "")) if part)
    facets: dict[str, tuple[str, ...]] = {"year": (str(document.year),)}
    if document.category:
        facets["category"] = (document.category,)
    if document.building_id:
        facets["building"] = (str(document.building_id),)
    created = getattr(document, "created_at", None)
    return IndexRecord(
        key=document_key(document.pk),
        kind="document",
        object_id=document.pk,
        title=document.title,
        fields=_clean(
            {
                "title": document.title,
                "category": described,
                "description": document.description,
                "text": pdf_text(document, known=known),
            }
        ),
        facets=facets,
        document_id=document.pk,
        gates=gates_of(document, book=book),
        date=created.date() if created else None,
    )


def searchable_pages():
    """The live, unexpired pages of the searched kinds, by model."""
    for model in PAGE_KINDS:
        queryset = model.objects.live().filter(expired=False, alias_of__isnull=True).order_by("pk")
        if model is ContractorPage:
            queryset = queryset.select_related("trade")
        yield model, queryset


def records_all(*, chunk_size: int = 200) -> Iterator[IndexRecord]:
    """Every searchable thing's record, read in chunks."""
    book = GateBook()
    for _model, queryset in searchable_pages():
        for page in queryset.iterator(chunk_size=chunk_size):
            record = record_for_page(page, book=book)
            if record is not None:
                yield record
    documents = get_document_model().objects.select_related("collection").order_by("pk")
    batch: list = []
    for document in documents.iterator(chunk_size=chunk_size):
        batch.append(document)
        if len(batch) >= chunk_size:
            yield from _document_records(batch, book)
            batch = []
    yield from _document_records(batch, book)


def _document_records(documents: list, book: GateBook) -> Iterator[IndexRecord]:
    """The records of a batch of documents, their kept texts looked up at once."""
    known = known_texts(documents)
    for document in documents:
        yield record_for_document(document, book=book, known=known)


def record_for_key(key: str, *, book: GateBook | None = None) -> IndexRecord | None:
    """The current record of `key`, or None when its content is gone or not searchable."""
    kind, _, pk = key.partition(":")
    if not pk.isdigit():
        return None
    if kind == "page":
        page = Page.objects.filter(pk=int(pk)).first()
        return record_for_page(page.specific, book=book) if page else None
    if kind == "document":
        document = get_document_model().objects.select_related("collection").filter(pk=int(pk)).first()
        return record_for_document(document, book=book) if document else None
    return None


def fingerprint(record: IndexRecord) -> str:
    """sha256 of everything indexed about `record`: a changed fingerprint means the
    record must be indexed again."""
    data = asdict(record)
    data["date"] = record.date.isoformat() if record.date else None
    encoded = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
