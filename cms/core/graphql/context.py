"""Per-request facts the resolvers share: who is asking and what they may not see.

The denied restriction paths are computed once per request (one query each) and reused
by every list, so a response costs the same number of queries whatever it contains.
"""

from __future__ import annotations

from strawberry import Info
from wagtail.models import Page, Site

from cms.core import visibility


def request_of(info: Info):
    return info.context.request


def viewer_of(info: Info):
    """The signed-in user, or Django's AnonymousUser."""
    return request_of(info).user


def _memoized(info: Info, key: str, compute):
    request = request_of(info)
    cache = request.__dict__.setdefault("_hub_visibility", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def site_root(info: Info) -> tuple[str, str]:
    """The tree path and URL path of the root page of the site the request is for."""

    def compute():
        request = request_of(info)
        site = Site.find_for_request(request) or Site.objects.get(is_default_site=True)
        return Page.objects.filter(pk=site.root_page_id).values_list("path", "url_path").get()

    return _memoized(info, "site_root", compute)


def site_root_path(info: Info) -> str:
    return site_root(info)[0]


def denied_page_paths(info: Info) -> list[str]:
    return _memoized(info, "pages", lambda: visibility.denied_page_paths(viewer_of(info)))


def denied_collection_paths(info: Info) -> list[str]:
    return _memoized(info, "collections", lambda: visibility.denied_collection_paths(viewer_of(info)))


def visible_pages(info: Info, queryset):
    """`queryset` narrowed to the pages the viewer may read (see cms.core.visibility)."""
    return visibility.restrict_pages(
        queryset, viewer_of(info), denied=denied_page_paths(info), within=site_root_path(info)
    )


def visible_by_collection(info: Info, queryset):
    """Documents or images of `queryset` the viewer may read (collection restrictions)."""
    return visibility.restrict_by_collection(queryset, viewer_of(info), denied=denied_collection_paths(info))


def collection_path_is_visible(info: Info, path: str) -> bool:
    return not any(path.startswith(denied) for denied in denied_collection_paths(info))
