"""Wagtail's page serving and document downloads apply the hub's one visibility rule.

Wagtail's own check runs first (it handles password forms and sends anonymous readers to
sign in). These hooks add the two ways the hub is stricter than Wagtail, so that the
website never serves what the API hides:
- a `login` restriction admits only signed-in users the cooperative recognises (see
  cms.core.visibility), so an account that merely registered sees public content only;
- restrictions reach through aliases further than Wagtail reads them (the ancestors of
  an alias's source, and rows stored on an alias: `visibility.page_restrictions`).
"""

from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from wagtail import hooks
from wagtail.models import BaseViewRestriction
from wagtail.wagtail_hooks import require_wagtail_login

from cms.core import content_version
from cms.core.visibility import is_recognised, page_restrictions


def _refuse_unrecognised(request, restrictions):
    if not request.user.is_authenticated or is_recognised(request.user):
        return None
    if any(r.restriction_type == BaseViewRestriction.LOGIN for r in restrictions):
        return TemplateResponse(request, "awaiting_verification.html", status=403)
    return None


@hooks.register("before_serve_page", order=100)
def refuse_what_the_hub_refuses(page, request, serve_args, serve_kwargs):
    # The hub's restrictions of the page (`page_restrictions`: Wagtail's, plus those it
    # reaches through aliases that Wagtail does not read). Wagtail's own hook has already
    # passed its share; only the others can fail `accept_request` here.
    restrictions = list(page_restrictions(page))
    for restriction in restrictions:
        if restriction.accept_request(request):
            continue
        if restriction.restriction_type == BaseViewRestriction.PASSWORD or request.user.is_authenticated:
            raise Http404  # no form for a restriction Wagtail never showed; do not confirm the page exists
        response = require_wagtail_login(next=request.get_full_path())
        add_never_cache_headers(response)
        return response
    return _refuse_unrecognised(request, restrictions)


@hooks.register("before_serve_document", order=100)
def refuse_login_documents_to_unverified(document, request):
    return _refuse_unrecognised(request, document.collection.get_view_restrictions())


@hooks.register("register_rich_text_features", order=100)
def expand_rich_text_for_the_reader(features):
    # Runs after Wagtail's own registrations (order 0), so these replace them.
    from cms.core.rich_text import VisibleDocumentLinkHandler, VisibleImageEmbedHandler, VisiblePageLinkHandler

    features.register_link_type(VisiblePageLinkHandler)
    features.register_link_type(VisibleDocumentLinkHandler)
    features.register_embed_type(VisibleImageEmbedHandler)


@hooks.register("after_bulk_action")
def raise_the_content_version(request, action_type, objects, action_class_instance):
    # Bulk actions (add to collection, tag, move) update rows with `.update()`, which
    # sends no signal: shared answers must not outlive what they changed.
    content_version.raise_version()
