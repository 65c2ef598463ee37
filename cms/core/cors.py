"""Cross-origin access for a portal (or another web frontend) hosted elsewhere.

A cooperative may serve `frontend-templates/portal` from any static host and point it at
the hub. The browser then asks the hub before every API call from that origin; the hub
answers only the origins named in `settings.PORTAL_ORIGINS`, and only for the API and its
list of operations, with credentials (the session cookie) allowed. Nothing else of the hub
(the admin, document downloads) is opened to other origins.

Those origins are trusted for CSRF too (the API still requires the token). A session
cookie reaches the hub from another *site* only with `SESSION_COOKIE_SAMESITE = "None"`
(and HTTPS); a portal on a sub-domain of the hub's domain is the same site and needs
neither. Apps without cookies use bearer tokens and need no CORS credentials at all.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse
from django.urls import get_urlconf, reverse
from django.utils.cache import patch_vary_headers

ALLOWED_HEADERS = "Content-Type, X-CSRFToken, Authorization"
ALLOWED_METHODS = "GET, POST, OPTIONS"


@lru_cache(maxsize=8)
def _opened_paths(urlconf: str) -> frozenset[str]:
    # Reversed once per URLconf, not on every request of the hub.
    return frozenset((reverse("graphql", urlconf=urlconf), reverse("graphql_operations", urlconf=urlconf)))


class PortalCorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        opened = request.path_info in _opened_paths(get_urlconf() or settings.ROOT_URLCONF)
        origin = request.headers.get("Origin")
        allowed = opened and bool(origin) and origin in settings.PORTAL_ORIGINS
        if allowed and request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response["Access-Control-Max-Age"] = "600"
        else:
            response = self.get_response(request)
        if opened:
            patch_vary_headers(response, ["Origin"])
        if allowed:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Allow-Credentials"] = "true"
        return response
