"""Rich text links and embeds that obey the same visibility as everything else.

Wagtail expands `<a linktype="page">`, `<a linktype="document">` and
`<embed embedtype="image">` in stored rich text into real URLs and images. A public news
item may link to a page, document or image the reader may not see; expanded as Wagtail
does, the link would still give away its address, file name or alt text. These handlers
replace Wagtail's: a target the reader may not see becomes a plain `<a>` (the editor's
link text stays) or an empty image.

The reader is the request's user, set for the duration of each request by
`RichTextViewerMiddleware`; outside a request (management commands, mail) nothing
restricted is shown.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.utils.html import escape
from wagtail.documents import get_document_model
from wagtail.documents.rich_text import DocumentLinkHandler
from wagtail.images import get_image_model
from wagtail.images.rich_text import ImageEmbedHandler
from wagtail.models import Page
from wagtail.rich_text.pages import PageLinkHandler

from cms.core import visibility
from cms.core.portal_links import page_portal_path


@dataclass
class _Reader:
    """Whoever reads the rich text: the request's user, or nobody in particular."""

    request: object | None

    def denial(self) -> visibility.Denial:
        if self.request is None:
            return visibility.denial_of(AnonymousUser())
        # Shared with the API's resolvers: worked out once per request.
        return visibility.denial_for_request(self.request)

    @property
    def user(self):
        return self.request.user if self.request is not None else AnonymousUser()

    def may_see_collection(self, collection) -> bool:
        return self.denial().may_read_collection(collection.path)


_reader: ContextVar[_Reader | None] = ContextVar("rich_text_reader", default=None)


def _current_reader() -> _Reader:
    return _reader.get() or _Reader(request=None)


class RichTextViewerMiddleware:
    """Makes the request's user the reader of any rich text expanded while answering it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _reader.set(_Reader(request=request))
        try:
            return self.get_response(request)
        finally:
            _reader.reset(token)


class VisiblePageLinkHandler(PageLinkHandler):
    @classmethod
    def get_many(cls, attrs_list):
        # Wagtail's own query (one, plus one per page type), with the reader's restrictions
        # applied in it: a link to a page the reader may not see finds no page.
        reader = _current_reader()
        ids = [attrs.get("id") for attrs in attrs_list]
        pages = visibility.restrict_pages(Page.objects.filter(id__in=ids), reader.user, denial=reader.denial())
        by_id = {str(page.id): page for page in pages.defer_streamfields().specific()}
        return [by_id.get(str(id_)) for id_ in ids]

    @classmethod
    def expand_db_attributes_many(cls, attrs_list):
        # A link leads where residents read the page: the portal's address of it (the
        # page's path within its site), not Wagtail's own serving under /strony/.
        return [
            f'<a href="{escape(page_portal_path(page))}">' if page else "<a>" for page in cls.get_many(attrs_list)
        ]


def _with_visible_collection(model, attrs_list):
    ids = [attrs.get("id") for attrs in attrs_list]
    found = {str(item.pk): item for item in model.objects.filter(pk__in=ids).select_related("collection")}
    reader = _current_reader()
    items = [found.get(str(id_)) for id_ in ids]
    return [item if item and reader.may_see_collection(item.collection) else None for item in items]


class VisibleDocumentLinkHandler(DocumentLinkHandler):
    @classmethod
    def get_many(cls, attrs_list):
        return _with_visible_collection(get_document_model(), attrs_list)


class VisibleImageEmbedHandler(ImageEmbedHandler):
    @classmethod
    def get_many(cls, attrs_list):
        return _with_visible_collection(get_image_model(), attrs_list)
