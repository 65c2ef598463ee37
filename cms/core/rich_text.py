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
from wagtail.documents import get_document_model
from wagtail.documents.rich_text import DocumentLinkHandler
from wagtail.images import get_image_model
from wagtail.images.rich_text import ImageEmbedHandler
from wagtail.rich_text.pages import PageLinkHandler

from cms.core import visibility


@dataclass
class _Reader:
    """Whoever reads the rich text: the request's user, or nobody in particular."""

    request: object | None

    def denied(self, kind: str) -> list[str]:
        if self.request is None:
            compute = visibility.denied_page_paths if kind == "pages" else visibility.denied_collection_paths
            return compute(AnonymousUser())
        # Shared with the API's resolvers: computed once per request.
        return visibility.denied_paths_for_request(self.request, kind)

    def may_see_page(self, page) -> bool:
        return page.live and not page.expired and not visibility.is_under(page.path, self.denied("pages"))

    def may_see_collection(self, collection) -> bool:
        return not visibility.is_under(collection.path, self.denied("collections"))


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
        reader = _current_reader()
        return [page if page and reader.may_see_page(page) else None for page in super().get_many(attrs_list)]


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
