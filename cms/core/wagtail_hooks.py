"""Wagtail's page serving and document downloads apply the hub's one visibility rule,
and nobody they refuse lands on the admin's staff sign-in.

The hooks here run before Wagtail's own checks (pages: `before_serve_page` runs before
Wagtail's `on_serve_page` check; documents: `order=-100`, before Wagtail's `order=0`
hook) and decide every `login` and `groups` restriction themselves, so Wagtail's
"redirect to WAGTAIL_FRONTEND_LOGIN_URL" is never what a reader meets (that setting
points at the portal's sign-in all the same). What a refused reader gets is
cms.core.access_views: the portal's sign-in when not signed in, "awaiting
verification" for an account the cooperative has not verified, "not available to you"
(403) otherwise. A password restriction Wagtail itself reads is left to Wagtail, which
shows its password form.

The hub is stricter than Wagtail in two ways, so that the website never serves what the
API hides:
- a `login` restriction admits only signed-in users the cooperative recognises (see
  cms.core.visibility), so an account that merely registered sees public content only;
- restrictions reach through aliases further than Wagtail reads them (the ancestors of
  an alias's source, and rows stored on an alias: `visibility.page_restrictions`); a
  password restriction only the hub reads has no form Wagtail would show, so the page
  is not found.
"""

from django.http import Http404
from django.templatetags.static import static
from django.utils.html import format_html_join
from wagtail import hooks
from wagtail.models import BaseViewRestriction

from cms.core import access_views, content_version, portal_links
from cms.core.visibility import is_recognised, page_restrictions


def _refusal(request, restrictions, *, wagtail_password_ids=frozenset(), next_path=None):
    """The answer to a reader who does not pass `restrictions`, or None to let Wagtail go
    on: when every one is passed, or only passwords Wagtail asks for itself remain."""
    awaits_verification = False
    for restriction in restrictions:
        kind = restriction.restriction_type
        if kind == BaseViewRestriction.PASSWORD:
            if restriction.accept_request(request) or restriction.pk in wagtail_password_ids:
                continue
            raise Http404  # no form for a restriction Wagtail never shows; do not confirm the item exists
        if not restriction.accept_request(request):
            return access_views.refused(request, next_path)
        if kind == BaseViewRestriction.LOGIN and not is_recognised(request.user):
            awaits_verification = True  # signed in, as Wagtail asks, but not yet a resident
    return access_views.awaiting_verification(request) if awaits_verification else None


@hooks.register("before_serve_page", order=100)
def refuse_what_the_hub_refuses(page, request, serve_args, serve_kwargs):
    # The hub's restrictions of the page (`page_restrictions`: Wagtail's, plus those it
    # reaches through aliases that Wagtail does not read).
    wagtail_password_ids = {
        restriction.pk
        for restriction in page.get_view_restrictions()
        if restriction.restriction_type == BaseViewRestriction.PASSWORD
    }
    # Once signed in, the reader goes on to the page in the portal, not to Wagtail's rendering.
    return _refusal(
        request,
        list(page_restrictions(page)),
        wagtail_password_ids=wagtail_password_ids,
        next_path=portal_links.page_portal_path(page),
    )


@hooks.register("before_serve_document", order=-100)
def refuse_documents_before_wagtail(document, request):
    # The collection's restrictions and its ancestors', as Wagtail reads them; Wagtail's
    # own hook (order 0) then only ever meets a password it asks for. Once signed in,
    # the reader comes back to the download (a hub address).
    restrictions = list(document.collection.get_view_restrictions())
    passwords = {r.pk for r in restrictions if r.restriction_type == BaseViewRestriction.PASSWORD}
    return _refusal(request, restrictions, wagtail_password_ids=passwords)


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


# The hub's own admin styles, on every admin page: the situation centre's cards and
# tables (`cms/core/admin/dashboard.py`), and our lists and tables on a phone.
ADMIN_STYLESHEETS = ("core/admin/dashboard.css", "core/admin/small-screens.css")


@hooks.register("insert_global_admin_css")
def admin_styles():
    return format_html_join("", '<link rel="stylesheet" href="{}">\n', ((static(path),) for path in ADMIN_STYLESHEETS))
