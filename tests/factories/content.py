"""Factories for content: the page tree, news, documents, investments, contractors, images.

Pages are created through Wagtail's tree API and published through revisions, as an
editor's publish would; restrictions are Wagtail's own PageViewRestriction and
CollectionViewRestriction rows.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from cms.contractors.models import ContractorIndexPage, ContractorPage, Trade
from cms.documents.models import DocumentIndexPage
from cms.home.models import HomePage
from cms.investments.models import InvestmentGalleryImage, InvestmentIndexPage, InvestmentPage
from cms.news.models import NewsIndexPage, NewsPage


@dataclass
class SiteTree:
    home: HomePage
    news: NewsIndexPage
    documents: DocumentIndexPage
    investments: InvestmentIndexPage
    contractors: ContractorIndexPage


def build_site_tree() -> SiteTree:
    home = HomePage.objects.get(depth=2)
    sections = {}
    for model, slug, title in (
        (NewsIndexPage, "aktualnosci", "Aktualności"),
        (DocumentIndexPage, "dokumenty", "Dokumenty"),
        (InvestmentIndexPage, "inwestycje", "Inwestycje"),
        (ContractorIndexPage, "wykonawcy", "Wykonawcy"),
    ):
        existing = model.objects.child_of(home).first()
        sections[model] = existing or publish(home, model(title=title, slug=slug))
    return SiteTree(
        home=home,
        news=sections[NewsIndexPage],
        documents=sections[DocumentIndexPage],
        investments=sections[InvestmentIndexPage],
        contractors=sections[ContractorIndexPage],
    )


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def draft(parent, page):
    page.live = False
    parent.add_child(instance=page)
    page.save_revision()
    return page


def schedule(parent, page, go_live_at):
    """Publish with a future go-live time, as the editor's "schedule" does: not live until due."""
    page.live = False
    page.go_live_at = go_live_at
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def _restrict(model, *, groups=(), login=False, password=None, **target):
    if password:
        return model.objects.create(restriction_type=model.PASSWORD, password=password, **target)
    if login:
        return model.objects.create(restriction_type=model.LOGIN, **target)
    restriction = model.objects.create(restriction_type=model.GROUPS, **target)
    restriction.groups.set(groups)
    return restriction


def restrict_page(page, *, groups=(), login=False, password=None):
    return _restrict(PageViewRestriction, page=page, groups=groups, login=login, password=password)


def restrict_collection(collection, *, groups=(), login=False, password=None):
    return _restrict(CollectionViewRestriction, collection=collection, groups=groups, login=login, password=password)


_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def make_jpeg(width=320, height=200, color=(40, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(buffer, format="JPEG")
    return buffer.getvalue()


def root_collection():
    # Transactional tests flush the rows migrations created, the root collection included.
    return Collection.get_first_root_node() or Collection.add_root(name="Root")


def make_image(*, title=None, collection=None, description=""):
    n = _next()
    image = get_image_model()(
        title=title or f"Zdjęcie {n}",
        description=description,
        file=ImageFile(io.BytesIO(make_jpeg()), name=f"photo-{n}.jpg"),
        collection=collection or root_collection(),
    )
    image.save()
    return image


def make_collection(name: str, parent=None):
    parent = parent or root_collection()
    return parent.add_child(name=name)


PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/MediaBox[0 0 200 200]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def make_document(*, title=None, collection=None, category="other", year=2026, building=None):
    n = _next()
    document = get_document_model()(
        title=title or f"Dokument {n}",
        file=ContentFile(PDF_BYTES, name=f"dokument-{n}.pdf"),
        collection=collection or root_collection(),
        category=category,
        year=year,
        building=building,
    )
    document.save()
    return document


def make_news(parent, *, title=None, image=None, buildings=(), live=True, **fields):
    n = _next()
    fields.setdefault("slug", f"komunikat-{n}")
    page = NewsPage(title=title or f"Komunikat {n}", lead_image=image, **fields)
    page = publish(parent, page) if live else draft(parent, page)
    if buildings:
        page.affected_buildings.set(buildings)
        page.save_revision().publish()
    return page


def make_alert(parent, *, title=None, hours_from=-1, hours_until=24, **fields):
    now = timezone.now()
    return make_news(
        parent,
        title=title,
        kind=NewsPage.Kind.OUTAGE,
        priority=NewsPage.Priority.URGENT,
        valid_from=now + timedelta(hours=hours_from),
        valid_until=now + timedelta(hours=hours_until),
        **fields,
    )


def make_investment(parent, *, title=None, image=None, gallery=(), **fields):
    n = _next()
    page = InvestmentPage(title=title or f"Inwestycja {n}", slug=f"inwestycja-{n}", lead_image=image, **fields)
    for index, gallery_image in enumerate(gallery):
        page.gallery_images.add(InvestmentGalleryImage(image=gallery_image, caption=f"Etap {index + 1}"))
    return publish(parent, page)


def make_trade(name="Hydraulik", slug="hydraulik", sort_order=0) -> Trade:
    trade, _ = Trade.objects.get_or_create(slug=slug, defaults={"name": name, "sort_order": sort_order})
    return trade


def make_contractor(parent, *, title=None, trade=None, **fields):
    n = _next()
    page = ContractorPage(
        title=title or f"Firma {n}", slug=f"firma-{n}", trade=trade or make_trade(), phone="+48 600 123 456", **fields
    )
    return publish(parent, page)
