"""Per-request facts the resolvers share: who is asking and what they may not see.

What the viewer may not read is worked out once per request (one query, and one more
when an answer made in Python needs the hidden collections) and reused by every list,
so a response costs the same number of queries whatever it contains.
"""

from __future__ import annotations

from strawberry import Info

from cms.core import visibility
from cms.core.sites import site_root_of


def request_of(info: Info):
    return info.context.request


def viewer_of(info: Info):
    """The signed-in user, or Django's AnonymousUser."""
    return request_of(info).user


def signed_in_user(info: Info):
    """The signed-in user's model instance, or None when anonymous."""
    user = request_of(info).user
    if not user.is_authenticated:
        return None
    return getattr(user, "_wrapped", user)  # the model instance behind Django's lazy object


def site_root(info: Info) -> tuple[str, str]:
    """The tree path and URL path of the root page of the site the request is for."""
    request = request_of(info)
    if not hasattr(request, "_hub_site_root"):
        request._hub_site_root = site_root_of(request)
    return request._hub_site_root


def site_root_path(info: Info) -> str:
    return site_root(info)[0]


def denial(info: Info) -> visibility.Denial:
    """What the viewer may not read (pages and collections), worked out once per request."""
    return visibility.denial_for_request(request_of(info))


def collection_path_is_visible(info: Info, path: str) -> bool:
    return denial(info).may_read_collection(path)
