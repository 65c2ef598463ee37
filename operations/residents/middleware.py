"""Bearer-token authentication for mobile clients (`Authorization: Bearer <token>`).

Tokens are Wagtail's own `APIToken` (only a digest is stored; users see and revoke them
in the admin). A token older than API_TOKEN_TTL_DAYS no longer authenticates.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from . import selectors, services


def bearer_token(request) -> str | None:
    """The plaintext token of the request's `Authorization: Bearer` header ("" when the
    header names none), or None without such a header. The one reading of the header, for
    this middleware and for the API's mutations that act on the request's own token."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return header.removeprefix("Bearer ").strip()


def user_for_token(raw: str):
    """The active user a plaintext token belongs to, or an anonymous user; notes the use."""
    token = selectors.api_token_for(raw)
    if token is None or not token.user.is_active:
        return AnonymousUser()
    services.api_token_use(token=token)
    return token.user


def accepts_tokens(request) -> bool:
    """The API, and reading the files it links to (document downloads, image files, ticket photos).

    Nothing else: a token taken from a staff member's phone must not open the Wagtail
    admin, whose forms rely on CSRF protection that tokens switch off.
    """
    path = request.path_info
    if path == reverse("graphql"):
        return True
    file_prefixes = (
        "/documents/",
        f"{settings.MEDIA_URL}images/",
        f"{settings.MEDIA_URL}original_images/",
        reverse("tickets:photo", args=[0]).removesuffix("0/"),
    )
    return request.method in ("GET", "HEAD") and path.startswith(file_prefixes)


class BearerTokenMiddleware:
    """Authenticates a request by its bearer token where tokens are accepted (accepts_tokens);
    such requests need no CSRF token."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = bearer_token(request)
        if raw is not None and accepts_tokens(request):
            # A request that carries a token speaks for the token alone, never for a session.
            request.user = SimpleLazyObject(lambda: user_for_token(raw))
            request.auth_via_token = True
            request._dont_enforce_csrf_checks = True
        return self.get_response(request)
