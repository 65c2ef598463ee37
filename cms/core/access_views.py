"""What a reader refused a restricted page or document gets on the hub's own serving
(Wagtail's page serving, document downloads): never the admin's staff sign-in.

- Not signed in: the portal's sign-in (`portal_links.sign_in_url`), which brings them
  back to what they asked for once signed in.
- Signed in, but the cooperative has not verified them yet and the item is for its
  residents (`login`): "your account awaits verification" (403).
- Signed in and still not allowed (another building's item, a board's document): a
  plain "not available to you" page (403), in the reader's language, with a way to the
  portal and none to the admin.

Wagtail's hooks call these (cms/core/wagtail_hooks.py). `wagtail_sign_in` is routed in
place of Wagtail's own front-end sign-in form.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from cms.core import portal_links


def _private(response: HttpResponse) -> HttpResponse:
    # Who is asking decides the answer: never kept by a cache, never shared.
    add_never_cache_headers(response)
    patch_vary_headers(response, ["Cookie", "Authorization", "Accept-Language"])
    return response


def sign_in_redirect(request: HttpRequest, next_path: str | None = None) -> HttpResponse:
    """To the portal's sign-in, then on to `next_path` (by default the address asked for)."""
    return _private(HttpResponseRedirect(portal_links.sign_in_url(next_path or request.get_full_path())))


def not_available(request: HttpRequest) -> HttpResponse:
    """The plain "not available to you" page (403)."""
    context = {"portal_url": portal_links.portal_url("/"), "site_name": settings.WAGTAIL_SITE_NAME}
    return _private(TemplateResponse(request, "core/not_available.html", context, status=403))


def awaiting_verification(request: HttpRequest) -> HttpResponse:
    """For an account the cooperative has not verified yet (403)."""
    return _private(TemplateResponse(request, "awaiting_verification.html", status=403))


def refused(request: HttpRequest, next_path: str | None = None) -> HttpResponse:
    """The answer to a reader who does not pass a `login` or `groups` restriction;
    `next_path` is where the portal's sign-in leads on (a page's portal address)."""
    if not request.user.is_authenticated:
        return sign_in_redirect(request, next_path)
    return not_available(request)


def wagtail_sign_in(request: HttpRequest) -> HttpResponse:
    """In place of Wagtail's front-end sign-in (`/strony/_util/login/`): Django's plain
    `LoginView`, which neither the hub's sign-in limits nor its sign-in history see.
    Residents sign in on the portal and staff in the admin, so it leads to the portal's
    sign-in, which brings them back to `next`."""
    return sign_in_redirect(request, request.GET.get("next") or "/")
